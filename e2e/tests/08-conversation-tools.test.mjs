// More of the conversations in a real Chromium, on a sandbox channel of its own:
// the agent sends reply buttons and then a menu list from the composer's
// builder (blank fields are refused in the dialog first), the contact's
// journey in the side panel names who took the conversation over, and the
// channel's session behaviour, switched on from the channel card, asks a
// quiet customer whether they still need help and then closes the
// conversation, live in the open conversation list.
//
// The server's session rounds run every 2 seconds here (xtask sets
// SWITCHBOARD_SESSION_CHECK_SECS); the shortest delay is one minute, so
// the last step waits a little over a minute.
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

function phone() {
  return `+9198124${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
}

/** Polls for longer than `eventually` (the session worker runs on a timer). */
async function within(seconds, fn, what) {
  const until = Date.now() + seconds * 1000;
  let last;
  while (Date.now() < until) {
    last = await fn();
    if (last === true) return;
    await page.waitForTimeout(500);
  }
  assert.fail(`${what}: still ${JSON.stringify(last)} after ${seconds} s`);
}

test('conversations: buttons and menus, the journey, and closing quiet conversations', async (t) => {
  const suffix = Date.now().toString(36);
  const channelName = `Support line ${suffix}`;
  let token;
  let channel;
  let conversationId;

  const simulate = async (body) => {
    const res = await api('POST', `/channels/${channel.id}/simulate-inbound`, body, token);
    assert.ok(res.status < 300, `simulate-inbound: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.message_id;
  };
  /** The customer's conversation, through the API, once the worker stored it. */
  const conversationOf = async (from) => {
    let found;
    await eventually(
      page,
      async () => {
        const res = await api('GET', `/conversations?owner=all&limit=100&channel_id=${channel.id}`, undefined, token);
        const all = res.body?.items ?? [];
        found = all.find((c) => c.contact.phone === from);
        return Boolean(found);
      },
      'the conversation is stored',
    );
    return found;
  };
  const open = async (id) => {
    await page.goto(`/conversations/${id}`);
    await page.locator('[data-testid=conversation]').waitFor();
  };
  const outbound = () => page.locator('[data-testid=message][data-direction=outbound]');

  await t.test('a sandbox channel of its own', async () => {
    await e2e.signIn(page);
    token = await pageToken(page);
    const made = await api('POST', '/channels', { name: channelName, provider: 'sandbox' }, token);
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const checked = await api('POST', `/channels/${made.body.id}/validate`, {}, token);
    assert.equal(checked.status, 200, JSON.stringify(checked.body));
    channel = checked.body;
  });

  await t.test('reply buttons: blank fields are refused, then they go out with the preview', async () => {
    const customer = { from: phone(), name: `Ravi Buttons ${suffix}` };
    await simulate({ from: customer.from, name: customer.name, text: 'Can I change my delivery slot?' });
    conversationId = (await conversationOf(customer.from)).id;
    await open(conversationId);
    await page.click('[data-testid=take-control]');
    await toast('You control this conversation now.');

    const input = page.locator('[data-testid=composer-input]');
    await input.fill('Which slot suits you?');
    await page.click('[data-testid=interactive-button]');
    const dialog = page.locator('[data-testid=interactive-dialog]');
    await dialog.waitFor();
    // The composer's text is where the message starts.
    assert.equal(await dialog.locator('[data-testid=ix-body]').inputValue(), 'Which slot suits you?');
    // No button text yet: the dialog says so and nothing is sent.
    await dialog.locator('[data-testid=ix-send]').click();
    await dialog.locator('[data-testid=ix-problem]', { hasText: 'Add at least one button.' }).waitFor();
    assert.equal(await dialog.locator('[data-testid=ix-send]').isDisabled(), true);

    const titles = dialog.locator('[data-testid=ix-button-title]');
    await titles.nth(0).fill('Morning');
    await titles.nth(1).fill('morning');
    await dialog.locator('[data-testid=ix-problem]', { hasText: 'each needs its own text' }).waitFor();
    await titles.nth(1).fill('Afternoon');
    await dialog.locator('[data-testid=ix-add-button]').click();
    await titles.nth(2).fill('Evening after work');
    // Three is WhatsApp's limit: no fourth.
    assert.equal(await dialog.locator('[data-testid=ix-add-button]').count(), 0);
    await eventually(page, async () => (await dialog.locator('[data-testid=ix-problem]').innerText()) === '', 'no problem left');
    const preview = dialog.locator('[data-testid=phone-preview]');
    assert.match(await preview.innerText(), /Which slot suits you\?[\s\S]*Morning[\s\S]*Afternoon[\s\S]*Evening after work/);
    await view('conversations-tools-01-buttons-dialog');
    await dialog.locator('[data-testid=ix-send]').click();
    await dialog.waitFor({ state: 'detached' });

    const sent = outbound().last();
    await eventually(page, async () => (await sent.locator('[data-testid=message-option]').count()) === 3, 'the buttons are on the bubble');
    assert.deepEqual(await sent.locator('[data-testid=message-option]').allInnerTexts(), ['Morning', 'Afternoon', 'Evening after work']);
    assert.match(await sent.locator('[data-testid=message-text]').innerText(), /Which slot suits you\?/);
    assert.equal(await input.inputValue(), '', 'the composer is cleared');
    await eventually(page, async () => ['sent', 'delivered', 'read'].includes(await sent.getAttribute('data-status')), 'the sandbox took it');
  });

  await t.test('a menu list in two sections', async () => {
    await page.click('[data-testid=interactive-button]');
    const dialog = page.locator('[data-testid=interactive-dialog]');
    await dialog.waitFor();
    await dialog.locator('[data-testid=ix-kind-list]').click();
    await dialog.locator('[data-testid=ix-body]').fill('Pick a delivery day');
    await dialog.locator('[data-testid=ix-list-button]').fill('See days');
    const first = dialog.locator('[data-testid=ix-section]').nth(0);
    await first.locator('[data-testid=ix-row-title]').nth(0).fill('Monday');
    await first.locator('[data-testid=ix-row-description]').nth(0).fill('8:00 to 12:00');
    await first.locator('[data-testid=ix-row-title]').nth(1).fill('Tuesday');
    await dialog.locator('[data-testid=ix-add-section]').click();
    const second = dialog.locator('[data-testid=ix-section]').nth(1);
    await second.locator('[data-testid=ix-row-title]').nth(0).fill('Saturday');
    // Two sections each need a title.
    await dialog.locator('[data-testid=ix-send]').click();
    await dialog.locator('[data-testid=ix-problem]', { hasText: 'Section title is needed.' }).waitFor();
    await first.locator('[data-testid=ix-section-title]').fill('Weekdays');
    await second.locator('[data-testid=ix-section-title]').fill('Weekend');
    await eventually(page, async () => (await dialog.locator('[data-testid=ix-problem]').innerText()) === '', 'no problem left');
    // Blank rows count against the ten until they are removed.
    assert.match(await dialog.innerText(), /4 of 10 choices used/);
    assert.match(await dialog.locator('[data-testid=phone-preview]').innerText(), /See days/);
    await view('conversations-tools-02-list-dialog');
    await dialog.locator('[data-testid=ix-send]').click();
    await dialog.waitFor({ state: 'detached' });
    const sent = outbound().last();
    await eventually(page, async () => (await sent.locator('[data-testid=message-option]').count()) === 3, 'the rows are on the bubble');
    assert.deepEqual(await sent.locator('[data-testid=message-option]').allInnerTexts(), ['Monday', 'Tuesday', 'Saturday']);
  });

  await t.test("the contact's journey names who took over", async () => {
    const journey = page.locator('[data-testid=contact-panel] [data-testid=panel-journey]');
    const took = journey.locator('[data-testid=timeline-event][data-kind=took_control]');
    await took.waitFor();
    assert.match(await took.locator('[data-testid=timeline-actor]').innerText(), new RegExp(`by ${e2e.OWNER.name}`));
    await journey.locator('[data-testid=timeline-event][data-kind=conversation_started]').waitFor();
    await journey.scrollIntoViewIfNeeded();
    await view('conversations-tools-03-journey');
  });

  await t.test('session behaviour is switched on from the channel card', async () => {
    await page.goto('/channels');
    const card = page.locator(`[data-testid=channel-card][data-channel="${channelName}"]`);
    await card.waitFor();
    if ((await card.locator('[data-testid=channel-toggle]').getAttribute('aria-expanded')) !== 'true') {
      await card.locator('[data-testid=channel-toggle]').click();
    }
    const section = card.locator('[data-testid=session-behaviour]');
    await section.waitFor();
    const key = channel.id.replaceAll('-', '');
    const enabled = section.locator(`#session-${key}-enabled`);
    await eventually(page, async () => (await enabled.isChecked()) === false, 'off by default');
    await enabled.check();
    // Zero minutes is refused next to its field.
    await section.locator(`#session-${key}-ask-after`).fill('0');
    await section.locator('[data-testid=save-session-behaviour]').click();
    await section.locator('.field-error', { hasText: /\S/ }).first().waitFor();
    await section.locator(`#session-${key}-ask-after`).fill('1');
    await section.locator(`#session-${key}-end-after`).fill('1');
    await section.locator(`#session-${key}-ask-text`).fill('Still with us? Reply to keep this chat open.');
    await section.locator(`#session-${key}-end-text`).fill('Closing this chat now. Write again any time!');
    await section.locator('[data-testid=save-session-behaviour]').click();
    await toast('Session behaviour saved.');
    await section.scrollIntoViewIfNeeded();
    await view('conversations-tools-04-session-behaviour');
    const saved = await api('GET', `/channels/${channel.id}/session-behaviour`, undefined, token);
    assert.equal(saved.body.enabled, true);
    assert.equal(saved.body.ask_after_minutes, 1);
  });

  await t.test('a quiet customer is asked, then the conversation closes, live', async () => {
    const quiet = { from: phone(), name: `Quiet Quinn ${suffix}` };
    // The customer wrote two minutes ago and nobody answered.
    const at = new Date(Date.now() - 2 * 60 * 1000).toISOString();
    await simulate({ from: quiet.from, name: quiet.name, text: 'Do you ship to Pune?', at });
    const conversation = await conversationOf(quiet.from);
    await open(conversation.id);
    const asked = outbound().filter({ hasText: 'Still with us?' });
    await within(30, async () => (await asked.count()) === 1, 'the question appears');
    await shot('conversations-tools-05-asked');
    // A minute later the closing message goes out and the state turns Resolved.
    const closing = outbound().filter({ hasText: 'Closing this chat now.' });
    await within(120, async () => (await closing.count()) === 1, 'the closing message appears');
    await within(20, async () => (await page.locator('[data-testid=chat-state]').getAttribute('data-state')) === 'resolved', 'resolved');
    await page.locator('[data-testid=reopen]').waitFor();
    const journey = page.locator('[data-testid=contact-panel] [data-testid=panel-journey]');
    await journey.locator('[data-testid=timeline-event][data-kind=closed_after_inactivity]').waitFor();
    await shot('conversations-tools-06-closed');
  });

  assert.deepEqual(pageErrors, []);
});
