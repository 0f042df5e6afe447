// The main path through Switchboard in a real Chromium: first-run setup,
// sign-in, users, roles, settings, profile, and what an agent may see.
// Needs a fresh server with an empty database at SWITCHBOARD_URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';

const BASE = (process.env.SWITCHBOARD_URL ?? '').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = new URL('../output/', import.meta.url).pathname;

const OWNER = { name: 'Ana Owner', email: 'ana@acme.example', password: 'correct horse battery staple' };
const AGENT = { name: 'Sam Agent', email: 'sam@acme.example', password: 'agents need long passwords too' };
const AGENT_MODULES = ['dashboard', 'contacts', 'conversations', 'quick_replies', 'media', 'templates', 'notifications'];
const NOT_AGENT_MODULES = ['users', 'roles', 'settings', 'channels', 'broadcasts', 'flows', 'api'];

let browser;
let page;
const pageErrors = [];

before(async () => {
  assert.ok(BASE, 'Set SWITCHBOARD_URL to the base URL of a freshly started server (empty database).');
  await mkdir(OUT, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, baseURL: BASE });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /panicked|RuntimeError|unreachable/.test(msg.text())) pageErrors.push(msg.text());
  });
});

after(async () => {
  await browser?.close();
});

async function shot(name) {
  // Let fonts, icons and toasts settle so the picture shows the real page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(250);
  await page.screenshot({ path: `${OUT}${name}.png`, fullPage: true });
}

async function signIn(user) {
  await page.goto('/login');
  await page.locator('[data-testid=login-form]').waitFor();
  await page.fill('#email', user.email);
  await page.fill('#password', user.password);
  await page.click('[data-testid=login-submit]');
  await page.locator('[data-testid=sidebar]').waitFor();
}

async function signOut() {
  await page.click('[data-testid=user-menu]');
  await page.click('[data-testid=sign-out]');
  await page.waitForURL(/\/login/);
  await page.locator('[data-testid=login-form]').waitFor();
}

async function toast(text) {
  await page.locator('[data-testid=toast]', { hasText: text }).first().waitFor();
}

async function sidebarModules() {
  return page.locator('[data-testid=sidebar] [data-module]').evaluateAll((els) => els.map((e) => e.dataset.module));
}

test('main path: setup, users, roles, settings, profile, agent access', async (t) => {
  await t.test('a fresh instance opens first-run setup', async () => {
    await page.goto('/');
    await page.waitForURL(/\/setup$/);
    await page.locator('[data-testid=setup-form]').waitFor();
    // The browser's own zone is preselected.
    assert.notEqual(await page.inputValue('#time_zone'), '');
    await shot('01-setup');
  });

  await t.test('setup signs the owner in', async () => {
    await page.fill('#tenant_name', 'Acme Support');
    await page.fill('#company_name', 'Acme Ltd');
    await page.selectOption('#time_zone', 'Europe/London');
    await page.selectOption('#default_country', 'GB');
    await page.fill('#owner_name', OWNER.name);
    await page.fill('#owner_email', OWNER.email);
    await page.fill('#owner_password', OWNER.password);
    await page.fill('#confirm_password', OWNER.password);
    await page.click('[data-testid=setup-submit]');
    await page.locator('[data-testid=sidebar]').waitFor();
    assert.equal((await page.textContent('[data-testid=tenant-name]')).trim(), 'Acme Support');
    assert.equal((await page.textContent('[data-testid=user-name]')).trim(), OWNER.name);
    const modules = await sidebarModules();
    for (const m of ['users', 'roles', 'settings']) assert.ok(modules.includes(m), `owner sidebar lacks ${m}: ${modules}`);
    await shot('02-owner-home');
  });

  await t.test('sign out, then sign in again', async () => {
    await signOut();
    await shot('03-login');
    // A wrong password shows the API's problem as a banner.
    await page.fill('#email', OWNER.email);
    await page.fill('#password', 'not the password at all');
    await page.click('[data-testid=login-submit]');
    await page.locator('[data-testid=error-banner]').waitFor();
    await shot('03b-login-error');
    // "Forgot password?" always answers the same way.
    await page.click('[data-testid=forgot-link]');
    await page.waitForURL(/\/forgot-password$/);
    await page.fill('#email', OWNER.email);
    await page.locator('button[type=submit]').click();
    await page.locator('[data-testid=forgot-sent]').waitFor();
    await shot('03c-forgot-password');
    await signIn(OWNER);
  });

  await t.test('the owner adds an agent with a password', async () => {
    await page.click('[data-testid=nav-users]');
    await page.locator('[data-testid=users-table]').waitFor();
    await page.locator('[data-testid=user-row]', { hasText: OWNER.email }).waitFor();
    await shot('04-users');
    await page.click('[data-testid=add-user]');
    await page.locator('[data-testid=add-user-form]').waitFor();
    await page.fill('#user_name', AGENT.name);
    await page.fill('#user_email', AGENT.email);
    await page.locator('#user_role option', { hasText: 'Agent' }).first().waitFor({ state: 'attached' });
    await page.selectOption('#user_role', { label: 'Agent' });
    await page.fill('#user_password', AGENT.password);
    await shot('05-add-user');
    await page.click('[data-testid=add-user-submit]');
    const row = page.locator(`[data-testid=user-row][data-email="${AGENT.email}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), /Agent/);
    await page.locator('[data-testid=add-user-dialog]').waitFor({ state: 'detached' });
    await shot('06-users-with-agent');
  });

  await t.test('login history of a user', async () => {
    await page.locator(`[data-testid=user-row][data-email="${OWNER.email}"] [data-testid=user-history]`).click();
    await page.locator('[data-testid=history-dialog]').waitFor();
    await page.locator('[data-testid=history-table] tbody tr').first().waitFor();
    await shot('07-login-history');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=history-dialog] [aria-label=Close]').click().catch(() => {});
    await page.locator('[data-testid=history-dialog]').waitFor({ state: 'detached' });
  });

  await t.test('roles: a custom role from the permission matrix', async () => {
    await page.click('[data-testid=nav-roles]');
    await page.locator('[data-testid=roles-table]').waitFor();
    await shot('08-roles');

    // Built-in roles are read-only.
    await page.locator('[data-testid=role-row][data-role=Agent] [data-testid=role-open]').click();
    await page.locator('[data-testid=permission-matrix]').waitFor();
    assert.ok(await page.locator('[data-testid="perm-conversations.view"]').isDisabled());
    assert.equal(await page.locator('[data-testid=save-role]').count(), 0);
    await shot('09-role-builtin');

    await page.click('[data-testid=nav-roles]');
    await page.click('[data-testid=new-role]');
    await page.locator('[data-testid=permission-matrix]').waitFor();
    await page.fill('#role_name', 'Support lead');
    await page.fill('#role_description', 'Runs the inbox and quick replies');
    await page.check('[data-testid="perm-conversations.edit"]');
    // Granting edit also grants view.
    assert.ok(await page.isChecked('[data-testid="perm-conversations.view"]'));
    await page.check('[data-testid=perm-row-quick_replies]');
    await page.check('[data-testid="perm-contacts.view"]');
    await shot('10-role-new');
    await page.click('[data-testid=save-role]');
    await page.waitForURL(/\/roles\/[0-9a-f-]{36}$/);
    await toast('Support lead');
    await page.locator('[data-testid=role-members]').waitFor();
    await shot('11-role-saved');

    await page.click('[data-testid=nav-roles]');
    const row = page.locator('[data-testid=role-row][data-role="Support lead"]');
    await row.waitFor();
    await page.locator('[data-testid=role-row][data-role="Support lead"] [data-testid=role-open]').click();
    await page.locator('[data-testid=permission-matrix]').waitFor();
    for (const p of ['conversations.view', 'conversations.edit', 'quick_replies.view', 'quick_replies.create', 'quick_replies.edit', 'quick_replies.delete', 'contacts.view']) {
      assert.ok(await page.isChecked(`[data-testid="perm-${p}"]`), `saved role lacks ${p}`);
    }
    assert.ok(!(await page.isChecked('[data-testid="perm-users.view"]')));
  });

  await t.test('settings: workspace form and workspaces list', async () => {
    await page.click('[data-testid=nav-settings]');
    await page.locator('[data-testid=tenant-form]').waitFor();
    assert.equal(await page.inputValue('#tenant_name'), 'Acme Support');
    assert.equal(await page.inputValue('#time_zone'), 'Europe/London');
    await page.locator('[data-testid=workspaces-table] tbody tr').first().waitFor();
    await shot('12-settings');
  });

  await t.test('profile: toggle a sound and save', async () => {
    await page.click('[data-testid=user-menu]');
    await page.click('[data-testid=menu-profile]');
    await page.locator('[data-testid=profile-form]').waitFor();
    const before = await page.isChecked('#sound-broadcasts');
    await page.locator('#sound-broadcasts').click();
    await page.click('[data-testid=save-profile]');
    await toast('Profile saved');
    await shot('13-profile');
    // The change survives a reload, so the server stored it.
    await page.reload();
    await page.locator('[data-testid=profile-form]').waitFor();
    assert.equal(await page.isChecked('#sound-broadcasts'), !before);
  });

  await t.test('a module not built yet says so', async () => {
    await page.click('[data-testid=nav-flows]');
    await page.locator('[data-testid=module-unavailable]').waitFor();
    await shot('14-module-placeholder');
  });

  await t.test('the agent sees only what Agent may view', async () => {
    await signOut();
    await signIn(AGENT);
    const modules = await sidebarModules();
    for (const m of AGENT_MODULES) assert.ok(modules.includes(m), `agent sidebar lacks ${m}: ${modules}`);
    for (const m of NOT_AGENT_MODULES) assert.ok(!modules.includes(m), `agent sidebar shows ${m}: ${modules}`);
    await shot('15-agent-home');

    await page.goto('/users');
    await page.locator('[data-testid=sidebar]').waitFor();
    await page.locator('[data-testid=no-access]').waitFor();
    assert.equal(await page.locator('[data-testid=users-table]').count(), 0);
    await shot('16-agent-users-denied');
  });

  await t.test('a second workspace: tenant picker and switcher', async () => {
    await signOut();
    await signIn(OWNER);
    await page.click('[data-testid=nav-settings]');
    await page.click('[data-testid=create-workspace]');
    await page.locator('[data-testid=create-workspace-dialog]').waitFor();
    await page.fill('#ws_name', 'Globex Sales');
    await page.fill('#ws_company', 'Globex Corp');
    await page.selectOption('#ws_time_zone', 'America/New_York');
    await page.selectOption('#ws_country', 'US');
    await page.fill('#ws_owner_name', OWNER.name);
    await page.fill('#ws_owner_email', OWNER.email);
    await shot('17-create-workspace');
    await page.click('[data-testid=create-workspace-submit]');
    await page.locator('[data-testid=workspace-result]').waitFor();
    await shot('18-workspace-created');
    await page.locator('[data-testid=workspace-result] button', { hasText: 'Done' }).click();
    await page.locator('[data-testid=workspaces-table] tbody tr', { hasText: 'Globex Sales' }).waitFor();

    // Two workspaces now: signing in asks which one.
    await signOut();
    await page.fill('#email', OWNER.email);
    await page.fill('#password', OWNER.password);
    await page.click('[data-testid=login-submit]');
    await page.waitForURL(/\/select-tenant$/);
    await page.locator('[data-testid=tenant-card]', { hasText: 'Globex Sales' }).waitFor();
    await shot('19-select-tenant');
    await page.locator('[data-testid=tenant-card]', { hasText: 'Acme Support' }).click();
    await page.locator('[data-testid=sidebar]').waitFor();
    assert.equal((await page.textContent('[data-testid=tenant-name]')).trim(), 'Acme Support');

    // The top bar switches between them.
    await page.click('[data-testid=tenant-switcher]');
    await page.locator('[data-testid=tenant-menu]').waitFor();
    await shot('20-tenant-switcher');
    await page.locator('[data-testid=tenant-menu] button', { hasText: 'Globex Sales' }).click();
    await page.locator('[data-testid=tenant-name]', { hasText: 'Globex Sales' }).waitFor();
    await shot('21-switched-tenant');
  });

  await t.test('an invited user chooses a password and signs in', async () => {
    const invitee = { name: 'Ivy Invitee', email: 'ivy@globex.example', password: 'ivy picks a long passphrase' };
    await page.click('[data-testid=nav-users]');
    await page.click('[data-testid=add-user]');
    await page.locator('[data-testid=add-user-form]').waitFor();
    await page.fill('#user_name', invitee.name);
    await page.fill('#user_email', invitee.email);
    await page.locator('#user_role option', { hasText: 'Manager' }).first().waitFor({ state: 'attached' });
    await page.selectOption('#user_role', { label: 'Manager' });
    await page.click('[data-testid=add-user-submit]');
    const link = await page.locator('[data-testid=invite-url]');
    await link.waitFor();
    const inviteUrl = new URL(await link.inputValue());
    assert.equal(inviteUrl.pathname, '/reset-password');
    assert.ok(inviteUrl.searchParams.get('token'));
    await shot('22-invite-link');
    await page.locator('[data-testid=invite-result] button', { hasText: 'Done' }).click();
    await page.locator(`[data-testid=user-row][data-email="${invitee.email}"]`, { hasText: 'Invitation pending' }).waitFor();

    await signOut();
    await page.goto(inviteUrl.pathname + inviteUrl.search);
    await page.locator('h1', { hasText: 'Welcome to Switchboard' }).waitFor();
    await page.fill('#new_password', invitee.password);
    await page.fill('#confirm_password', invitee.password);
    await shot('23-invite-choose-password');
    await page.locator('button[type=submit]').click();
    await page.waitForURL(/\/login\?reset=1$/);
    await signIn(invitee);
    assert.equal((await page.textContent('[data-testid=user-name]')).trim(), invitee.name);
    assert.equal((await page.textContent('[data-testid=tenant-name]')).trim(), 'Globex Sales');
    await shot('24-invitee-home');
  });

  await t.test('a rejected access token is refreshed once; a dead session returns to sign-in', async () => {
    const spoil = (fields) =>
      page.evaluate((fields) => {
        const stored = JSON.parse(localStorage.getItem('switchboard.session'));
        for (const f of fields) stored.session[f] = 'spoiled-' + f;
        localStorage.setItem('switchboard.session', JSON.stringify(stored));
      }, fields);
    await spoil(['access_token']);
    await page.reload();
    await page.locator('[data-testid=sidebar]').waitFor();
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('switchboard.session')).session.access_token);
    assert.notEqual(token, 'spoiled-access_token');

    await spoil(['access_token', 'refresh_token']);
    await page.reload();
    await page.waitForURL(/\/login$/);
    assert.equal(await page.evaluate(() => localStorage.getItem('switchboard.session')), null);
  });

  await t.test('no page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
