// Notifications in a real Chromium: the bell in the top bar (badge, polling,
// panel, Escape and outside click), a channel whose stored credentials the
// provider refuses raising one, opening it, and the /notifications page
// (filter, Load more, mark read one by one and all at once).
//
// Runs after 01 and 02 against the same server and signs in as the owner 01
// created (on an empty database it sets the instance up through the API).
// Meta channels must reach the built-in fake Graph API, as `cargo xtask e2e`
// arranges: start the server with
// SWITCHBOARD_META_BASE_URL=$SWITCHBOARD_URL/sandbox/graph.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as e2e from '../support/common.mjs';
import { api, ensureOwner, launch } from '../support/common.mjs';

const BROKEN = 'Broken line';
// More than a page of the /notifications list (20) and more than the badge shows (9).
const OLD_LINES = 21;

let browser;
let page;
let pageErrors;

before(async () => {
  await ensureOwner();
  ({ browser, page, pageErrors } = await launch({ clock: true }));
});

after(async () => {
  await browser?.close();
});

const signIn = () => e2e.signIn(page);
const shot = (name) => e2e.shot(page, name);
const view = (name) => e2e.view(page, name);
const pageToken = () => e2e.pageToken(page);

/** A call with the signed-in owner's token. */
async function asOwner(method, path, body) {
  return api(method, path, body, await pageToken());
}

/**
 * A Meta channel whose stored access token the provider refuses: checking
 * the stored credentials turns it invalid and notifies the owner.
 */
async function brokenChannel(name, phone, { active = true } = {}) {
  const created = await asOwner('POST', '/channels', {
    name,
    provider: 'meta_cloud',
    active,
    fields: { phone_number_id: phone, waba_id: `7${phone}`, app_secret: 'x', access_token: 'EAAG-bad' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id;
  const checked = await asOwner('POST', `/channels/${id}/validate`, { fields: {} });
  assert.notEqual(
    checked.status,
    502,
    'Meta was unreachable: start the server with SWITCHBOARD_META_BASE_URL=<its URL>/sandbox/graph (cargo xtask e2e does)',
  );
  assert.equal(checked.status, 422, JSON.stringify(checked.body));
  assert.equal(checked.body.code, 'provider_rejected');
  return id;
}

async function unreadOnServer() {
  const res = await asOwner('GET', '/notifications?limit=1');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.unread;
}

const bell = () => page.locator('[data-testid=notification-bell]');
const badge = () => page.locator('[data-testid=notification-count]');
const panel = () => page.locator('[data-testid=notification-panel]');

async function openPanel() {
  await bell().click();
  await panel().waitFor();
  assert.equal(await bell().getAttribute('aria-expanded'), 'true');
}

/** The bell asks again every 30 s; jump there instead of waiting. */
async function nextPoll() {
  await page.clock.fastForward('00:31');
}

test('notifications: bell, panel, a refused channel, the notifications page', async (t) => {
  await t.test('the bell is quiet while there is nothing to say', async () => {
    await signIn();
    assert.equal(await unreadOnServer(), 0, 'the owner has notifications already; use a fresh database');
    await bell().waitFor();
    assert.equal(await bell().getAttribute('aria-label'), 'Notifications');
    assert.equal(await badge().count(), 0);
    await openPanel();
    await panel().locator('[data-testid=notifications-empty]').waitFor();
    assert.ok(await panel().locator('[data-testid=mark-all-read]').isDisabled());
    await view('n-01-bell-empty');
  });

  await t.test('Escape and a click outside close the panel', async () => {
    await page.keyboard.press('Escape');
    await panel().waitFor({ state: 'detached' });
    assert.equal(await bell().getAttribute('aria-expanded'), 'false');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset?.testid), 'notification-bell');
    await openPanel();
    await page.mouse.click(600, 500);
    await panel().waitFor({ state: 'detached' });
  });

  let brokenId;
  await t.test('a refused channel raises a notification; the bell picks it up', async () => {
    brokenId = await brokenChannel(BROKEN, '1234567');
    assert.equal(await unreadOnServer(), 1);
    // No reload: the next poll brings it.
    await nextPoll();
    await badge().waitFor();
    assert.equal((await badge().textContent()).trim(), '1');
    assert.equal(await bell().getAttribute('aria-label'), 'Notifications, 1 unread');
    await shot('n-02-bell-badge');
  });

  await t.test('the panel lists it, marked unread', async () => {
    await openPanel();
    const item = panel().locator('[data-testid=notification-item]').first();
    await item.waitFor();
    assert.equal(await item.getAttribute('data-kind'), 'channel_invalid');
    assert.equal(await item.getAttribute('data-unread'), 'true');
    assert.match(await item.textContent(), new RegExp(BROKEN));
    assert.match(await item.locator('time').textContent(), /just now|minute/);
    assert.equal(await panel().locator('[data-testid=notification-item]').count(), 1);
    await view('n-03-panel');
  });

  await t.test('clicking it marks it read and opens the channel', async () => {
    await panel().locator('[data-testid=notification-item] .notif-main').first().click();
    await panel().waitFor({ state: 'detached' });
    await page.waitForURL((url) => url.pathname === '/channels' && url.hash === `#${brokenId}`);
    const card = page.locator(`[data-testid=channel-card][data-channel="${BROKEN}"]`);
    await card.waitFor();
    assert.equal(await card.getAttribute('data-status'), 'invalid');
    assert.equal(await card.getAttribute('id'), brokenId);
    await badge().waitFor({ state: 'detached' });
    assert.equal(await bell().getAttribute('aria-label'), 'Notifications');
    // The card was brought into view.
    await page.waitForFunction((id) => {
      const r = document.getElementById(id)?.getBoundingClientRect();
      return r && r.top >= 0 && r.top < window.innerHeight;
    }, brokenId);
    await view('n-04-channel-opened');
    for (let i = 0; i < 20 && (await unreadOnServer()) !== 0; i++) await page.waitForTimeout(100);
    assert.equal(await unreadOnServer(), 0);
  });

  await t.test('many more: the badge caps at 9+', async () => {
    for (let i = 1; i <= OLD_LINES; i++) {
      const id = await brokenChannel(`Old line ${i}`, `${5550000 + i}`, { active: false });
      // The notification outlives the channel.
      assert.equal((await asOwner('DELETE', `/channels/${id}`)).status, 204);
    }
    assert.equal(await unreadOnServer(), OLD_LINES);
    await nextPoll();
    await badge().filter({ hasText: '9+' }).waitFor();
    assert.equal(await bell().getAttribute('aria-label'), `Notifications, ${OLD_LINES} unread`);
    await openPanel();
    assert.equal(await panel().locator('[data-testid=notification-item]').count(), 10);
    assert.equal(await panel().locator('[data-testid=notification-item][data-unread=true]').count(), 10);
    await view('n-05-panel-many');
  });

  await t.test('"See all" opens the notifications page', async () => {
    await panel().locator('[data-testid=see-all-notifications]').click();
    await page.waitForURL(/\/notifications$/);
    await panel().waitFor({ state: 'detached' });
    const list = page.locator('main [data-testid=notification-list]');
    await list.waitFor();
    assert.equal(await list.locator('[data-testid=notification-item]').count(), 20);
    assert.equal((await page.textContent('[data-testid=notifications-summary]')).trim(), `${OLD_LINES} unread`);
    assert.equal(await page.getAttribute('[data-testid=filter-all]', 'aria-pressed'), 'true');
    await shot('n-06-page');
  });

  await t.test('Load more brings the older ones, down to the first', async () => {
    const items = page.locator('main [data-testid=notification-item]');
    await page.click('[data-testid=load-more]');
    await page.waitForFunction(() => document.querySelectorAll('main [data-testid=notification-item]').length === 22);
    await page.locator('[data-testid=load-more]').waitFor({ state: 'detached' });
    const last = items.last();
    assert.match(await last.textContent(), new RegExp(BROKEN));
    assert.equal(await last.getAttribute('data-unread'), 'false');
    assert.equal(await last.locator('[data-testid=mark-read]').count(), 0);
  });

  await t.test('one is marked read from the page; the bell follows', async () => {
    const first = page.locator('main [data-testid=notification-item]').first();
    assert.equal(await first.getAttribute('data-unread'), 'true');
    await first.locator('[data-testid=mark-read]').click();
    await page.locator('main [data-testid=notification-item]').first().and(page.locator('[data-unread=false]')).waitFor();
    await page.locator('[data-testid=notifications-summary]', { hasText: `${OLD_LINES - 1} unread` }).waitFor();
    assert.equal(await bell().getAttribute('aria-label'), `Notifications, ${OLD_LINES - 1} unread`);
    for (let i = 0; i < 20 && (await unreadOnServer()) !== OLD_LINES - 1; i++) await page.waitForTimeout(100);
    assert.equal(await unreadOnServer(), OLD_LINES - 1);
  });

  await t.test('the Unread filter shows only unread ones', async () => {
    await page.click('[data-testid=filter-unread]');
    assert.equal(await page.getAttribute('[data-testid=filter-unread]', 'aria-pressed'), 'true');
    await page.waitForFunction(
      () =>
        document.querySelectorAll('main [data-testid=notification-item]').length === 20 &&
        document.querySelectorAll('main [data-testid=notification-item][data-unread=false]').length === 0,
    );
    await shot('n-07-unread-filter');
  });

  await t.test('Mark all as read empties the filter and silences the bell', async () => {
    await page.click('[data-testid=page-mark-all-read]');
    await page.locator('[data-testid=toast]', { hasText: 'All notifications marked as read' }).first().waitFor();
    await page.locator('main [data-testid=notifications-empty]').waitFor();
    await badge().waitFor({ state: 'detached' });
    assert.ok(await page.locator('[data-testid=page-mark-all-read]').isDisabled());
    assert.equal(await unreadOnServer(), 0);
    await shot('n-08-all-read');
    await page.click('[data-testid=filter-all]');
    await page.locator('main [data-testid=notification-item]').first().waitFor();
    assert.equal(await page.locator('main [data-testid=notification-item][data-unread=true]').count(), 0);
    await shot('n-09-all-read-list');
  });

  await t.test('a narrow screen still reads well', async () => {
    await page.setViewportSize({ width: 420, height: 860 });
    await openPanel();
    await view('n-10-narrow-panel');
    const box = await panel().boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 420, `the panel leaves the screen: ${JSON.stringify(box)}`);
    await page.keyboard.press('Escape');
    await panel().waitFor({ state: 'detached' });
    await shot('n-11-narrow-page');
    await page.setViewportSize({ width: 1360, height: 860 });
  });

  await t.test('no page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
