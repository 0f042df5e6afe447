// What the browser tests share: where the server is, the owner 01-main.test.mjs
// creates, a Chromium launcher, first-run setup through the API, signing in
// (with the per-account throttle in mind), screenshots and small waits.
//
// Lives outside tests/ so `node --test tests/` doesn't run it as a test file.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { chromium } from 'playwright-core';

export const BASE = (process.env.SWITCHBOARD_URL ?? '').replace(/\/+$/, '');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const OUT = new URL('../output/', import.meta.url).pathname;

/** The owner and tenant 01-main.test.mjs sets up through the SPA. */
export const OWNER = { name: 'Ana Owner', email: 'ana@acme.example', password: 'correct horse battery staple' };
export const TENANT_NAME = 'Acme Support';

/** One JSON call to `/api/v1`; answers the status and the parsed body. */
export async function api(method, path, body, bearer) {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const res = await fetch(`${BASE}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** A fresh instance gets the owner through first-run setup, so each file also runs alone. */
export async function ensureOwner() {
  const status = await api('GET', '/setup');
  assert.equal(status.status, 200);
  if (!status.body.setup_required) return;
  const done = await api('POST', '/setup', {
    tenant_name: TENANT_NAME,
    company_name: 'Acme Ltd',
    time_zone: 'Europe/London',
    default_country: 'GB',
    owner_name: OWNER.name,
    owner_email: OWNER.email,
    owner_password: OWNER.password,
  });
  assert.ok(done.status < 300, `setup failed: ${JSON.stringify(done.body)}`);
}

/**
 * Starts Chromium with one page on the server. Page errors and Rust panics
 * printed to the console are collected in `pageErrors` for a final check.
 */
export async function launch({ permissions = [], acceptDownloads = false, clock = false } = {}) {
  assert.ok(BASE, 'Set SWITCHBOARD_URL to the base URL of a running server.');
  await mkdir(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, baseURL: BASE, acceptDownloads });
  if (permissions.length) await context.grantPermissions(permissions, { origin: BASE });
  context.setDefaultTimeout(15_000);
  // Time runs as usual, but a test can jump ahead (to a poll, say).
  if (clock) await context.clock.install();
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /panicked|RuntimeError|unreachable/.test(msg.text())) pageErrors.push(msg.text());
  });
  return { browser, context, page, pageErrors };
}

/**
 * Signs a user in through the login page and picks `tenant` when the
 * account has several. Sign-ins are throttled per account and the files
 * before this one used some, so a 429 is retried once the limit has room.
 */
export async function signIn(page, user = OWNER, tenant = TENANT_NAME) {
  await page.goto('/login');
  await page.locator('[data-testid=login-form]').waitFor();
  await page.fill('#email', user.email);
  await page.fill('#password', user.password);
  for (let attempt = 0; ; attempt++) {
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
      page.click('[data-testid=login-submit]'),
    ]);
    if (answer.status() !== 429) break;
    assert.ok(attempt < 6, 'sign-in still throttled');
    await page.waitForTimeout(12_000);
  }
  await page.locator('[data-testid=sidebar], [data-testid=tenant-picker]').first().waitFor();
  if (await page.locator('[data-testid=tenant-picker]').count()) {
    await page.locator('[data-testid=tenant-card]', { hasText: tenant }).click();
    await page.locator('[data-testid=sidebar]').waitFor();
  }
  assert.equal((await page.textContent('[data-testid=tenant-name]')).trim(), tenant);
}

export async function signOut(page) {
  await page.click('[data-testid=user-menu]');
  await page.click('[data-testid=sign-out]');
  await page.waitForURL(/\/login/);
  await page.locator('[data-testid=login-form]').waitFor();
}

/** A full-page screenshot into e2e/output/, taken from the top (sticky bars would land mid-page). */
export async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(250);
  await page.screenshot({ path: `${OUT}${name}.png`, fullPage: true });
}

/** A screenshot of what is on screen now (open menus and panels stay as they are). */
export async function view(page, name) {
  await page.waitForTimeout(250);
  await page.screenshot({ path: `${OUT}${name}.png` });
}

export async function toast(page, text) {
  await page.locator('[data-testid=toast]', { hasText: text }).first().waitFor();
}

/** Polls until `fn` answers true (effects and loads land a tick apart). */
export async function eventually(page, fn, what) {
  let last;
  for (let i = 0; i < 80; i++) {
    last = await fn();
    if (last === true) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`${what}: still ${JSON.stringify(last)}`);
}

/** The signed-in page's current access token (the SPA refreshes it). */
export async function pageToken(page) {
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('switchboard.session') ?? 'null')?.session?.access_token);
  assert.ok(token, 'not signed in');
  return token;
}

/**
 * The newest invitation link emailed to `email`, read from the server's mail
 * outbox (SWITCHBOARD_OUTBOX, where `cargo xtask e2e` points the server's
 * SWITCHBOARD_MAIL_OUTBOX). Waits for it to arrive.
 */
export async function invitationLink(email) {
  const dir = process.env.SWITCHBOARD_OUTBOX;
  assert.ok(dir, 'Set SWITCHBOARD_OUTBOX to the server\'s mail outbox directory.');
  for (let i = 0; i < 100; i++) {
    const found = [];
    for (const name of await readdir(dir).catch(() => [])) {
      const path = `${dir}/${name}`;
      // Quoted-printable bodies: soft line breaks and `=3D` for `=`.
      const text = (await readFile(path, 'utf8')).replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      const to = text.match(/^To: (.*)$/im)?.[1] ?? '';
      const link = text.match(/https?:\/\/\S*\/accept-invite\?token=[A-Za-z0-9_-]+/)?.[0];
      if (link && to.toLowerCase().includes(email.toLowerCase())) {
        found.push({ link, at: (await stat(path)).mtimeMs });
      }
    }
    if (found.length) return found.sort((a, b) => b.at - a.at)[0].link;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`no invitation for ${email} in ${dir}`);
}
