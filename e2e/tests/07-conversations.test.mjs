// Conversations in a real Chromium. The sandbox channel plays the customer
// (`POST /channels/{id}/simulate-inbound`): a message shows up live in the
// list with an unread badge, the agent opens it, takes control and answers
// with a quick reply made on the Quick replies page (`/shortcut`, Enter
// picks it, Enter sends); the ticks go delivered then read as the sandbox
// posts its webhooks; the agent stars the answer and finds it under Starred,
// which leads back to it. A customer silent for 25 hours gets the
// window-closed notice and the template picker instead of free text.
//
// Runs after the other files against the same server; alone on an empty
// database it sets the instance up through the API first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as e2e from '../support/common.mjs';
import { api, ensureOwner, eventually, launch, pageToken } from '../support/common.mjs';

let browser;
let page;
let pageErrors;

before(async () => {
  await ensureOwner();
  ({ browser, page, pageErrors } = await launch());
});

after(async () => {
  await browser?.close();
});

const shot = (name) => e2e.shot(page, name);
const view = (name) => e2e.view(page, name);
const toast = (text) => e2e.toast(page, text);

const TABS = ['bot', 'requesting', 'intervened', 'resolved', 'history'];

/** A fresh E.164 number (Indian mobile, a valid plan) per call, so reruns start new conversations. */
function phone() {
  return `+9198123${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
}

/** The conversation of a customer and the tab it is listed under, through the API. */
async function findConversation(token, from) {
  for (const tab of TABS) {
    const res = await api('GET', `/conversations?tab=${tab}&owner=all&limit=100`, undefined, token);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const conv = res.body.items.find((c) => c.contact.phone === from);
    if (conv) return { tab, conv };
  }
  return null;
}

const item = (id) => page.locator(`[data-testid=conversation-item][data-id="${id}"]`);
const message = (id) => page.locator(`[data-testid=message][data-id="${id}"]`);

test('conversations: a live customer, control, a quick reply, ticks, stars and the closed window', async (t) => {
  const suffix = Date.now().toString(36);
  const shortcut = `thanks-${suffix}`;
  const replyBody = 'Thanks for writing to *Acme*! We are on it.';
  const customer = { from: phone(), name: `Maya Live ${suffix}` };
  let token;
  let channel;
  let conversationId;
  let replyId;

  const simulate = async (body) => {
    const res = await api('POST', `/channels/${channel.id}/simulate-inbound`, body, token);
    assert.ok(res.status < 300, `simulate-inbound: ${res.status} ${JSON.stringify(res.body)}`);
    assert.ok(res.body?.message_id, 'simulate-inbound answers the message id');
    return res.body.message_id;
  };

  await t.test('a sandbox channel is ready (made through the API when this file runs alone)', async () => {
    await e2e.signIn(page);
    token = await pageToken(page);
    const channels = await api('GET', '/channels', undefined, token);
    assert.equal(channels.status, 200);
    channel = channels.body.items.find((c) => c.provider === 'sandbox');
    if (!channel) {
      const made = await api('POST', '/channels', { name: 'Sandbox line', provider: 'sandbox' }, token);
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const checked = await api('POST', `/channels/${made.body.id}/validate`, {}, token);
      assert.equal(checked.status, 200, JSON.stringify(checked.body));
      channel = checked.body;
    }
  });

  await t.test('a quick reply is made on the Quick replies page, with field errors first', async () => {
    await page.click('[data-testid=nav-quick_replies]');
    await page.waitForURL(/\/quick-replies$/);
    await page.locator('[data-testid=quick-replies-empty], [data-testid=quick-replies-table]').first().waitFor();
    await page.click('[data-testid=new-quick-reply]');
    await page.locator('[data-testid=quick-reply-dialog]').waitFor();
    // Nothing filled in: the API's errors land next to the fields.
    await page.click('[data-testid=save-quick-reply]');
    await page.locator('#qr-shortcut-error, [data-testid=error-body]').filter({ hasText: /\S/ }).first().waitFor();
    await shot('conversations-01-quick-reply-errors');
    await page.fill('#qr-shortcut', shortcut);
    await page.fill('[data-testid=quick-reply-body]', replyBody);
    assert.equal(await page.locator('.qr-preview strong').innerText(), 'Acme', 'the preview shows WhatsApp bold');
    await page.click('[data-testid=save-quick-reply]');
    await toast(`Quick reply /${shortcut} created.`);
    await page.locator(`[data-testid=quick-reply-row][data-shortcut="${shortcut}"]`).waitFor();
    // Search narrows the list by shortcut.
    await page.fill('[data-testid=quick-replies-search]', shortcut);
    await eventually(
      page,
      async () => {
        const rows = await page.locator('[data-testid=quick-reply-row]').evaluateAll((r) => r.map((x) => x.dataset.shortcut));
        return rows.length === 1 && rows[0] === shortcut;
      },
      'only the new quick reply',
    );
    await shot('conversations-02-quick-replies');
  });

  await t.test("a customer's message shows up live in the list with an unread badge", async () => {
    // Which tab a new conversation lands in depends on the chatbot; a first
    // customer, through the API, tells us, so the list already shows that
    // tab when the real one writes.
    const probe = phone();
    await simulate({ from: probe, name: `Probe ${suffix}`, text: 'probe' });
    let found = null;
    await eventually(page, async () => (found = await findConversation(token, probe)) !== null, 'the probe conversation');
    const tab = found.tab;

    await page.click('[data-testid=nav-conversations]');
    await page.waitForURL(/\/conversations$/);
    await page.click('[data-testid=conversations-owner-all]');
    await page.click(`[data-testid=conversations-tab-${tab}]`);
    await page.locator('[data-testid=conversation-list], [data-testid=conversations-empty]').first().waitFor();
    await item(found.conv.id).waitFor();

    const navigations = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));
    await simulate({ from: customer.from, name: customer.name, text: 'Hello, is my order *shipped*?' });
    const row = page.locator(`[data-testid=conversation-item][data-phone="${customer.from}"]`);
    await row.waitFor();
    conversationId = await row.getAttribute('data-id');
    assert.equal((await row.locator('[data-testid=conversation-name]').innerText()).trim(), customer.name);
    assert.match(await row.locator('[data-testid=conversation-preview]').innerText(), /is my order/);
    assert.equal(await row.locator('[data-testid=unread-badge]').innerText(), '1');
    // A second message moves the badge on, still without a reload.
    await simulate({ from: customer.from, name: customer.name, text: 'Order #1042' });
    await eventually(page, async () => (await row.getAttribute('data-unread')) === '2', 'two unread');
    assert.deepEqual(navigations, [], 'no reload happened');
    await shot('conversations-03-live-list');
  });

  await t.test('opening it shows the messages and clears the badge', async () => {
    await item(conversationId).click();
    await page.waitForURL(new RegExp(`/conversations/${conversationId}$`));
    await page.locator('[data-testid=conversation]').waitFor();
    assert.equal((await page.locator('[data-testid=chat-contact-name]').innerText()).trim(), customer.name);
    assert.equal((await page.locator('[data-testid=chat-contact-phone]').innerText()).trim(), customer.from);
    const inbound = page.locator('[data-testid=message][data-direction=inbound]');
    await eventually(page, async () => (await inbound.count()) === 2, 'both customer messages');
    assert.equal(await inbound.first().locator('strong').innerText(), 'shipped', 'WhatsApp bold in the bubble');
    await eventually(page, async () => (await item(conversationId).getAttribute('data-unread')) === '0', 'badge cleared');
    await page.locator('[data-testid=window-open]').waitFor();
    assert.match(await page.locator('[data-testid=window-open]').innerText(), /2[34]:\d\d:\d\d/);
    await page.locator('[data-testid=contact-panel] [data-testid=panel-contact-phone]').waitFor();
    await shot('conversations-04-conversation');
  });

  await t.test('the agent takes control', async () => {
    await page.click('[data-testid=take-control]');
    await toast('You control this conversation now.');
    await page.locator('[data-testid=chat-controller]', { hasText: e2e.OWNER.name }).waitFor();
    await page.locator('[data-testid=release]').waitFor();
    assert.equal(await page.locator('[data-testid=take-control]').count(), 0);
    assert.equal(await page.locator('[data-testid=composer-input]').isDisabled(), false);
    // The chatbot switch says what it does.
    const bot = page.locator('[data-testid=chatbot-toggle]');
    assert.match(await bot.getAttribute('title'), /Chatbot (on|off) – click to turn (off|on)/);
  });

  await t.test('typing /shortcut offers the quick reply; Enter picks it, Enter sends', async () => {
    // Record every status the reply's bubble goes through.
    await page.evaluate(() => {
      window.__statuses = [];
      const list = document.querySelector('[data-testid=message-list]');
      const note = () => {
        const last = [...list.querySelectorAll('[data-testid=message][data-direction=outbound]')].pop();
        if (last) window.__statuses.push(`${last.dataset.id}:${last.dataset.status}`);
      };
      new MutationObserver(note).observe(list, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
    });
    const input = page.locator('[data-testid=composer-input]');
    await input.click();
    await input.pressSequentially(`/${shortcut.slice(0, 8)}`);
    const option = page.locator(`[data-testid=slash-option][data-shortcut="${shortcut}"]`);
    await option.waitFor();
    await view('conversations-05-slash-menu');
    // Arrow keys move the choice; put it on ours, then Enter.
    for (let i = 0; i < 8 && (await option.getAttribute('aria-selected')) !== 'true'; i++) {
      await input.press('ArrowDown');
    }
    await input.press('Enter');
    await eventually(page, async () => (await input.inputValue()) === replyBody, 'the body is in the composer');
    assert.equal(await page.locator('[data-testid=slash-menu]').count(), 0, 'the menu closed');
    // Shift+Enter adds a line instead of sending.
    await input.press('End');
    await input.press('Shift+Enter');
    await input.pressSequentially('Ana');
    assert.equal(await input.inputValue(), `${replyBody}\nAna`);
    await input.press('Enter');
    const sent = page.locator('[data-testid=message][data-direction=outbound]').last();
    await eventually(page, async () => (await input.inputValue()) === '', 'the composer is cleared');
    await sent.waitFor();
    replyId = await sent.getAttribute('data-id');
    assert.equal(await sent.locator('[data-testid=message-text] strong').innerText(), 'Acme');
    assert.match(await sent.locator('[data-testid=message-text]').innerText(), /We are on it\.\s*Ana/);
  });

  await t.test('the ticks go delivered, then read, without a reload', async () => {
    const bubble = message(replyId);
    await eventually(page, async () => (await bubble.getAttribute('data-status')) === 'read', 'read');
    assert.equal(await bubble.locator('[data-testid=message-status].tick-read').count(), 1, 'blue ticks');
    const seen = (await page.evaluate(() => window.__statuses))
      .filter((s) => s.startsWith(`${replyId}:`))
      .map((s) => s.split(':')[1]);
    const delivered = seen.indexOf('delivered');
    assert.ok(delivered >= 0, `delivered was shown (saw ${seen.join(', ')})`);
    assert.ok(delivered < seen.lastIndexOf('read'), 'delivered came before read');
    // Under control it moved to Intervened, where the list shows our answer last.
    await page.click('[data-testid=conversations-tab-intervened]');
    await eventually(
      page,
      async () => /Thanks for writing/.test((await item(conversationId).locator('[data-testid=conversation-preview]').innerText().catch(() => '')) ?? ''),
      'our answer is the preview',
    );
    assert.equal(await item(conversationId).getAttribute('data-state'), 'intervened');
    await shot('conversations-06-read');
  });

  await t.test('a starred message is found under Starred and leads back to it', async () => {
    const bubble = message(replyId);
    await bubble.hover();
    await bubble.locator('[data-testid=star-message]').click();
    await eventually(page, async () => (await bubble.getAttribute('data-starred')) === 'true', 'starred');
    await page.click('[data-testid=nav-starred]');
    await page.waitForURL(/\/conversations\/starred$/);
    const starred = page.locator(`[data-testid=starred-item][data-message="${replyId}"]`);
    await starred.waitFor();
    assert.match(await starred.innerText(), /Thanks for writing to/);
    assert.match(await starred.innerText(), new RegExp(customer.name));
    await shot('conversations-07-starred');
    await starred.click();
    await page.waitForURL(new RegExp(`/conversations/${conversationId}\\?message=${replyId}$`));
    await page.locator(`[data-testid=message][data-id="${replyId}"].msg-highlight`).waitFor();
  });

  await t.test('a customer silent for 25 hours: window closed, templates offered', async () => {
    const silent = { from: phone(), name: `Quiet Customer ${suffix}` };
    const at = new Date(Date.now() - 25 * 3600 * 1000).toISOString();
    await simulate({ from: silent.from, name: silent.name, text: 'Are you open tomorrow?', at });
    let found = null;
    await eventually(page, async () => (found = await findConversation(token, silent.from)) !== null, 'the silent conversation');
    assert.equal(found.tab, 'history', 'no customer message for 24 hours: History');
    await page.click('[data-testid=conversations-tab-history]');
    await item(found.conv.id).click();
    await page.waitForURL(new RegExp(`/conversations/${found.conv.id}$`));
    await page.locator('[data-testid=window-closed]').waitFor();
    assert.match(await page.locator('[data-testid=window-closed]').innerText(), /Window closed/);
    await page.locator('[data-testid=composer-hint]', { hasText: 'window is closed' }).waitFor();
    assert.equal(await page.locator('[data-testid=composer-input]').isDisabled(), true, 'no free text');
    await shot('conversations-08-window-closed');
    await page.click('[data-testid=window-send-template]');
    await page.locator('[data-testid=template-picker]').waitFor();
    await page.locator('[data-testid=template-option], [data-testid=no-approved-templates]').first().waitFor();
    if (await page.locator('[data-testid=template-option]').count()) {
      await page.locator('[data-testid=template-option]').first().click();
      await page.locator('[data-testid=template-picker] [data-testid=phone-preview]').waitFor();
    }
    await view('conversations-09-template-picker');
    await page.locator('[data-testid=template-picker]').getByRole('button', { name: 'Close' }).click();
    await page.locator('[data-testid=template-picker]').waitFor({ state: 'detached' });
  });

  assert.deepEqual(pageErrors, []);
});
