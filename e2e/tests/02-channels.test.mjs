// Channel settings in a real Chromium: add the built-in sandbox channel, get
// sent there after sign-in while it is pending, Validate & Update, Subscribe,
// one-time tokens, a refused check, field errors and the draft cycle.
//
// Runs after 01-main.test.mjs against the same server and signs in as the
// owner that test created. Run alone on an empty database, it sets the
// instance up itself through the API first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as e2e from '../support/common.mjs';
import { ensureOwner, launch } from '../support/common.mjs';

const CHANNEL = 'Sandbox line';

let browser;
let page;
let pageErrors;

before(async () => {
  await ensureOwner();
  ({ browser, page, pageErrors } = await launch({ permissions: ['clipboard-read', 'clipboard-write'] }));
});

after(async () => {
  await browser?.close();
});

const signIn = () => e2e.signIn(page);
const signOut = () => e2e.signOut(page);
const shot = (name) => e2e.shot(page, name);
const toast = (text) => e2e.toast(page, text);

/** Waits until an input's value passes `check` (effects run a tick apart). */
async function valueOf(locator, check, what) {
  let value;
  for (let i = 0; i < 50; i++) {
    value = await locator.inputValue();
    if (check(value)) return value;
    await page.waitForTimeout(100);
  }
  assert.fail(`${what}: unexpected value ${JSON.stringify(value)}`);
}

const card = () => page.locator(`[data-testid=channel-card][data-channel="${CHANNEL}"]`);
const inCard = (selector, options) => card().locator(selector, options);

test('channels: sandbox from Pending to Good and Subscribed, tokens, refusals, draft', async (t) => {
  await t.test('the owner opens Channels', async () => {
    await signIn();
    await page.click('[data-testid=nav-channels]');
    await page.waitForURL(/\/channels$/);
    await page.locator('[data-testid=channels-empty], [data-testid=channel-list]').first().waitFor();
    assert.equal(await card().count(), 0, 'the sandbox channel exists already; use a fresh database');
    await shot('ch-01-channels');
  });

  await t.test('the add dialog shows each provider\'s fields', async () => {
    await page.click('[data-testid=add-channel]');
    await page.locator('[data-testid=add-channel-form]').waitFor();
    await page.locator('#channel_provider option[value=meta_cloud]').waitFor({ state: 'attached' });
    await page.selectOption('#channel_provider', 'meta_cloud');
    for (const id of ['phone_number_id', 'waba_id', 'app_id', 'app_secret', 'access_token']) {
      await page.locator(`#new-${id}`).waitFor();
    }
    assert.equal(await page.getAttribute('#new-access_token', 'type'), 'password');
    await page.locator('[data-testid=add-channel-dialog] [data-testid=setup-guide] summary').click();
    await shot('ch-02-add-meta');
    await page.selectOption('#channel_provider', 'twilio');
    await page.locator('#new-account_sid').waitFor();
    await page.locator('#new-sender').waitFor();
    assert.equal(await page.getAttribute('#new-auth_token', 'type'), 'password');
    await shot('ch-03-add-twilio');
  });

  await t.test('a sandbox channel starts Pending', async () => {
    await page.selectOption('#channel_provider', 'sandbox');
    await page.locator('[data-testid=sandbox-note]').waitFor();
    assert.equal(await page.locator('#new-phone_number_id').count(), 0);
    // A name is required.
    await page.click('[data-testid=add-channel-submit]');
    await page.locator('#channel_name-error', { hasText: /\S/ }).waitFor();
    await page.fill('#channel_name', CHANNEL);
    await shot('ch-04-add-sandbox');
    await page.click('[data-testid=add-channel-submit]');
    await page.locator('[data-testid=add-channel-dialog]').waitFor({ state: 'detached' });
    await card().waitFor();
    assert.equal((await inCard('[data-testid=channel-status]').textContent()).trim(), 'Pending');
    assert.equal((await inCard('[data-testid=channel-subscribed]').textContent()).trim(), 'Unsubscribed');
    assert.equal(await card().getAttribute('data-status'), 'pending');
    // The generated credentials are filled in; secrets stay masked.
    assert.match(await inCard('input[name$=phone_number_id]').inputValue(), /^\d+$/);
    assert.match(await inCard('input[name$=access_token]').inputValue(), /^•+/);
    assert.match(await inCard('[data-testid=callback-url]').inputValue(), /^https?:\/\/.+\/webhooks\/meta\/[0-9a-f-]{36}$/);
    await page.locator('[data-testid=channels-pending-note]').waitFor();
    await shot('ch-05-pending');
  });

  await t.test('while a channel is pending, signing in leads to Channels', async () => {
    await signOut();
    await signIn();
    await page.waitForURL(/\/channels$/);
    await card().waitFor();
  });

  await t.test('the chevron collapses and expands a card', async () => {
    const toggle = inCard('[data-testid=channel-toggle]');
    if ((await toggle.getAttribute('aria-expanded')) === 'true') {
      await toggle.click();
      await inCard('[data-testid=credentials-form]').waitFor({ state: 'detached' });
      await shot('ch-06-collapsed');
    }
    await toggle.click();
    await inCard('[data-testid=credentials-form]').waitFor();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  });

  await t.test('a malformed field is reported next to its input', async () => {
    const input = inCard('input[name$=phone_number_id]');
    const saved = await input.inputValue();
    await input.fill('not-a-number');
    await inCard('[data-testid=validate]').click();
    await inCard('[id$=phone_number_id-error]', { hasText: /\S/ }).waitFor();
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    await shot('ch-07-field-error');
    await input.fill(saved);
  });

  await t.test('Validate & Update turns it Good; Subscribe turns it Subscribed', async () => {
    await inCard('[data-testid=validate]').click();
    await page.locator(`[data-testid=channel-card][data-channel="${CHANNEL}"][data-status=good]`).waitFor();
    await inCard('[data-testid=channel-status]', { hasText: 'Good' }).waitFor();
    await inCard('[data-testid=subscribe]').waitFor();
    assert.equal(await page.locator('[data-testid=channels-pending-note]').count(), 0);
    await shot('ch-08-good');
    await inCard('[data-testid=subscribe]').click();
    await inCard('[data-testid=channel-subscribed]', { hasText: /^\s*Subscribed\s*$/ }).waitFor();
    assert.equal((await inCard('[data-testid=channel-subscribed]').textContent()).trim(), 'Subscribed');
    await inCard('[data-testid=subscribe]').waitFor({ state: 'detached' });
    await shot('ch-09-subscribed');
  });

  await t.test('a refused check shows the provider\'s answer and keeps the good credentials', async () => {
    const token = inCard('input[name$=access_token]');
    await token.fill('EAAG-this-token-is-not-the-right-one');
    await inCard('[data-testid=validate]').click();
    const problem = inCard('[data-testid=provider-error]');
    await problem.waitFor();
    assert.match(await problem.textContent(), /\S{4,}/);
    await shot('ch-10-refused');
    // Nothing was saved: the published channel is still good.
    const list = await page.evaluate(async () => {
      const s = JSON.parse(localStorage.getItem('switchboard.session'));
      const r = await fetch('/api/v1/channels', { headers: { authorization: `Bearer ${s.session.access_token}` } });
      return r.json();
    });
    const channel = list.items.find((c) => c.name === 'Sandbox line');
    assert.equal(channel.status, 'good');
    await page.reload();
    await card().waitFor();
  });

  await t.test('the API token is shown once', async () => {
    if ((await inCard('[data-testid=channel-toggle]').getAttribute('aria-expanded')) !== 'true') {
      await inCard('[data-testid=channel-toggle]').click();
    }
    assert.match(await inCard('[data-testid=api-token-state]').textContent(), /Not generated/);
    await inCard('[data-testid=generate-api-token]').click();
    const dialog = page.locator('[data-testid=token-dialog]');
    await dialog.waitFor();
    const token = await dialog.locator('[data-testid=token-value]').inputValue();
    assert.ok(token.length >= 20, `short token: ${token}`);
    await dialog.locator('[data-testid=copy-token]').click();
    await dialog.locator('[data-testid=copy-token]', { hasText: 'Copied' }).waitFor();
    await shot('ch-11-api-token');
    await dialog.locator('[data-testid=token-done]').click();
    await dialog.waitFor({ state: 'detached' });
    assert.match(await inCard('[data-testid=api-token-state]').textContent(), /Active since/);
    assert.ok(!(await page.content()).includes(token), 'the token is still on the page');
    const inputs = await page.locator('input').evaluateAll((els) => els.map((e) => e.value));
    assert.ok(!inputs.includes(token), 'the token is still in an input');

    // Regenerating asks first; cancelling keeps the token.
    await inCard('[data-testid=generate-api-token]', { hasText: 'Regenerate' }).click();
    await page.locator('[data-testid=confirm-dialog]').waitFor();
    await shot('ch-12-regenerate-confirm');
    await page.locator('[data-testid=confirm-dialog] button', { hasText: 'Cancel' }).click();
    await page.locator('[data-testid=confirm-dialog]').waitFor({ state: 'detached' });
  });

  await t.test('a new verify token is shown once too', async () => {
    const before = await inCard('input[name$=verify_token]').inputValue();
    await inCard('[data-testid=generate-verify-token]').click();
    const dialog = page.locator('[data-testid=token-dialog]');
    await dialog.waitFor();
    const token = await dialog.locator('[data-testid=token-value]').inputValue();
    assert.ok(token.length >= 16);
    await shot('ch-13-verify-token');
    await dialog.locator('[data-testid=token-done]').click();
    await dialog.waitFor({ state: 'detached' });
    // The form now shows the new token's mask.
    await page.waitForFunction(
      ([sel, old]) => document.querySelector(sel)?.value !== old,
      [`[data-testid=channel-card][data-channel="${CHANNEL}"] input[name$=verify_token]`, before],
    );
    assert.ok((await inCard('input[name$=verify_token]').inputValue()).endsWith(token.slice(-4)));
  });

  await t.test('a draft is saved, checked and published while the live settings serve', async () => {
    await inCard('input[name$=company_name]').fill('Acme Test Desk');
    await inCard('[data-testid=save-draft]').click();
    const draft = inCard('[data-testid=draft-section]');
    await draft.waitFor();
    assert.equal((await draft.locator('[data-testid=draft-status]').textContent()).trim(), 'Pending');
    // The live value is unchanged; the form shows it again.
    await valueOf(inCard('input[name$=company_name]'), (v) => v !== 'Acme Test Desk', 'live company name');
    assert.ok(await draft.locator('[data-testid=publish-draft]').isDisabled());
    await shot('ch-14-draft');
    await draft.locator('[data-testid=check-draft]').click();
    await draft.locator('[data-testid=draft-status]', { hasText: 'Good' }).waitFor();
    await draft.locator('[data-testid=publish-draft]:not([disabled])').click();
    await draft.waitFor({ state: 'detached' });
    await toast('The draft is now live');
    await valueOf(inCard('input[name$=company_name]'), (v) => v === 'Acme Test Desk', 'published company name');
    assert.equal((await inCard('[data-testid=channel-status]').textContent()).trim(), 'Good');

    // A discarded draft leaves no trace.
    await inCard('input[name$=company_name]').fill('Thrown away');
    await inCard('[data-testid=save-draft]').click();
    await draft.waitFor();
    await draft.locator('[data-testid=discard-draft]').click();
    await draft.waitFor({ state: 'detached' });
    await valueOf(inCard('input[name$=company_name]'), (v) => v === 'Acme Test Desk', 'company name after discard');
    await shot('ch-15-after-draft');
  });

  await t.test('a narrow screen still reads well', async () => {
    await page.setViewportSize({ width: 420, height: 860 });
    await shot('ch-16-narrow');
    await page.setViewportSize({ width: 1360, height: 860 });
  });

  await t.test('no page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
