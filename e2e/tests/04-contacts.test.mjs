// Contacts in a real Chromium: tags and a custom attribute, three contacts
// through the add dialog (one phone without its country code comes back in
// E.164), filtering by tag, a bulk tag, a group made from the filter, and a
// contact's page with an attribute edit and its timeline.
//
// Runs after 01-main.test.mjs against the same server and signs in as the
// owner that test created. Run alone on an empty database, it sets the
// instance up itself through the API first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as e2e from '../support/common.mjs';
import { ensureOwner, launch } from '../support/common.mjs';

// The same owner and tenant as 01-main.test.mjs (default country GB).
const VIP = 'VIP';
const NEWS = 'Newsletter';
const GROUP = 'VIP customers';
const PEOPLE = [
  { name: 'Priya Raman', phone: '+91 98123 45678', e164: '+919812345678', email: 'priya@example.com', tags: [VIP], city: 'Chennai', optIn: 'opted_in' },
  // No country code: the tenant's default country (GB) applies.
  { name: 'Oliver Smith', phone: '07400 123456', e164: '+447400123456', email: '', tags: [VIP], city: 'Leeds', optIn: 'unknown' },
  { name: 'Marta López', phone: '+34 612 345 678', e164: '+34612345678', email: 'marta@example.es', tags: [], city: '', optIn: 'opted_out' },
];

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

const signIn = () => e2e.signIn(page);
const shot = (name) => e2e.shot(page, name);
const toast = (text) => e2e.toast(page, text);
const eventually = (fn, what) => e2e.eventually(page, fn, what);

const rows = () => page.locator('[data-testid=contact-row]');
const rowNames = async () => (await rows().evaluateAll((els) => els.map((e) => e.dataset.name))).sort();
const row = (name) => page.locator(`[data-testid=contact-row][data-name="${name}"]`);

test('contacts: tags, attributes, add, filter, bulk tag, group, detail', async (t) => {
  await t.test('the owner opens Contacts', async () => {
    await signIn();
    await page.click('[data-testid=nav-contacts]');
    await page.locator('[data-testid=contacts-empty]').waitFor();
    assert.equal(await page.locator('[data-testid=module-unavailable]').count(), 0);
    // Import and export live in their own menu (05-imports covers it).
    await page.locator('[data-testid=import-export-menu]').waitFor();
    await shot('ct-01-empty');
  });

  await t.test('two tags and a text attribute', async () => {
    await page.click('[data-testid=tab-settings]');
    await page.locator('[data-testid=tag-form]').waitFor();
    for (const name of [VIP, NEWS]) {
      await page.fill('#tag-name', name);
      await page.click('[data-testid=tag-create]');
      await toast(`Tag ${name} added`);
      await page.locator(`[data-testid=tag-row][data-name="${name}"]`).waitFor();
    }
    // The second tag got the next colour of the palette.
    const colours = await page.locator('[data-testid=tag-row] td.mono').allTextContents();
    assert.equal(new Set(colours).size, 2, `tag colours: ${colours}`);

    await page.fill('#attr-name', 'City');
    await eventually(async () => (await page.inputValue('#attr-key')) === 'city', 'key follows the name');
    await page.selectOption('#attr-kind', 'text');
    await page.click('[data-testid=attribute-create]');
    await toast('Attribute City added');
    await page.locator('[data-testid=attribute-row][data-key=city]').waitFor();

    // A key that is not lower-case is refused next to the field.
    await page.fill('#attr-name', 'Bad key');
    await page.fill('#attr-key', 'Bad Key');
    await page.click('[data-testid=attribute-create]');
    await page.locator('#attr-key-error').filter({ hasText: /./ }).waitFor();
    await page.fill('#attr-name', '');
    await page.fill('#attr-key', '');
    await shot('ct-02-tags-attributes');
  });

  await t.test('three contacts through the dialog', async () => {
    await page.click('[data-testid=tab-contacts]');
    await page.locator('[data-testid=contacts-empty]').waitFor();
    for (const p of PEOPLE) {
      await page.click('[data-testid=add-contact]');
      const dlg = page.locator('[data-testid=add-contact-dialog]');
      await dlg.waitFor();
      await page.fill('#contact-name', p.name);
      await page.fill('#contact-phone', p.phone);
      if (p.email) await page.fill('#contact-email', p.email);
      await page.selectOption('#contact-opt-in', p.optIn);
      for (const tag of p.tags) await dlg.locator(`[data-testid=tag-option][data-tag="${tag}"]`).click();
      if (p.city) await dlg.locator('[data-testid=attribute-input][data-key=city]').fill(p.city);
      if (p === PEOPLE[1]) await shot('ct-03-add-dialog');
      await page.click('[data-testid=add-contact-submit]');
      await toast(`${p.name} added as ${p.e164}`);
      await dlg.waitFor({ state: 'detached' });
      await row(p.name).waitFor();
    }
    assert.deepEqual(await rowNames(), PEOPLE.map((p) => p.name).sort());
    for (const p of PEOPLE) {
      assert.equal((await row(p.name).locator('[data-testid=contact-phone]').textContent()).trim(), p.e164);
    }
    assert.equal((await page.textContent('[data-testid=contacts-total]')).trim(), '3 contacts');

    // The same number again is refused.
    await page.click('[data-testid=add-contact]');
    await page.fill('#contact-name', 'Someone Else');
    await page.fill('#contact-phone', PEOPLE[1].e164);
    await page.click('[data-testid=add-contact-submit]');
    await page.locator('[data-testid=add-contact-dialog] [data-testid=error-banner]', { hasText: 'already has this phone number' }).waitFor();
    await page.locator('[data-testid=add-contact-dialog] button', { hasText: 'Cancel' }).click();
    await page.locator('[data-testid=add-contact-dialog]').waitFor({ state: 'detached' });
    await shot('ct-04-list');
  });

  await t.test('filter by a tag, then bulk-add another tag', async () => {
    await page.click('[data-testid=toggle-filters]');
    await page.locator('[data-testid=filter-bar]').waitFor();
    await page.locator(`[data-testid=filter-tags] [data-tag="${VIP}"]`).click();
    const tagged = PEOPLE.filter((p) => p.tags.includes(VIP)).map((p) => p.name).sort();
    await eventually(async () => JSON.stringify(await rowNames()) === JSON.stringify(tagged), 'rows with VIP');
    assert.equal((await page.textContent('[data-testid=contacts-total]')).trim(), '2 contacts');
    await shot('ct-05-filtered');

    for (const name of tagged) await row(name).locator('[data-testid=contact-select]').check();
    await page.locator('[data-testid=bulk-bar]').waitFor();
    assert.equal((await page.textContent('[data-testid=bulk-count]')).trim(), '2 selected');
    await shot('ct-06-selected');
    await page.click('[data-testid=bulk-tag]');
    await page.locator(`[data-testid=tag-action-dialog] [data-tag="${NEWS}"]`).click();
    await page.click('[data-testid=tag-action-submit]');
    await toast('Tags added to 2 contacts');
    for (const name of tagged) {
      await row(name).locator('[data-testid=tag-chip]', { hasText: NEWS }).waitFor();
    }
    assert.equal(await row(PEOPLE[2].name).count(), 0);
  });

  await t.test('a group made from the filtered contacts', async () => {
    await page.click('[data-testid=add-matching-to-group]');
    const dlg = page.locator('[data-testid=group-add-dialog]');
    await dlg.waitFor();
    await page.selectOption('#group-choice', '__new');
    await page.fill('#group-new-name', GROUP);
    await page.click('[data-testid=group-add-submit]');
    await toast(`2 added to ${GROUP}`);
    await dlg.waitFor({ state: 'detached' });

    await page.click('[data-testid=tab-groups]');
    const grp = page.locator(`[data-testid=group-row][data-name="${GROUP}"]`);
    await grp.waitFor();
    assert.equal((await grp.locator('[data-testid=group-members]').textContent()).trim(), '2');
    await shot('ct-07-groups');
    await grp.locator('[data-testid=group-link]').click();
    await page.locator('[data-testid=members-table]').waitFor();
    assert.equal((await page.textContent('[data-testid=group-title]')).trim(), GROUP);
    const members = (await page.locator('[data-testid=member-row]').evaluateAll((els) => els.map((e) => e.dataset.name))).sort();
    assert.deepEqual(members, PEOPLE.filter((p) => p.tags.includes(VIP)).map((p) => p.name).sort());
    await shot('ct-08-group-detail');
  });

  await t.test("a contact's page: edit an attribute, see the timeline", async () => {
    const p = PEOPLE[0];
    await page.click('[data-testid=nav-contacts]');
    await row(p.name).locator('[data-testid=contact-link]').click();
    await page.locator('[data-testid=contact-form]').waitFor();
    assert.equal((await page.textContent('[data-testid=contact-name]')).trim(), p.name);
    assert.equal((await page.textContent('[data-testid=contact-detail-phone]')).trim(), p.e164);
    const city = page.locator('[data-testid=contact-form] [data-testid=attribute-input][data-key=city]');
    assert.equal(await city.inputValue(), p.city);
    await page.locator('[data-testid=contact-groups]', { hasText: GROUP }).waitFor();
    await page.locator('[data-testid=contact-messages]', { hasText: 'once conversations are available' }).waitFor();

    await city.fill('Mumbai');
    await page.click('[data-testid=save-contact]');
    await toast(`${p.name} saved`);
    await page.locator('[data-testid=timeline-event][data-kind=updated]').waitFor();
    const kinds = await page.locator('[data-testid=timeline-event]').evaluateAll((els) => els.map((e) => e.dataset.kind));
    for (const k of ['created', 'tagged', 'added_to_group', 'updated']) assert.ok(kinds.includes(k), `timeline lacks ${k}: ${kinds}`);
    await shot('ct-09-detail');

    // The change is stored: a reload shows it.
    await page.reload();
    await page.locator('[data-testid=contact-form]').waitFor();
    await eventually(async () => (await city.inputValue()) === 'Mumbai', 'city after reload');
  });

  await t.test('the attribute filter finds the edited value', async () => {
    await page.click('[data-testid=back-to-contacts]');
    await page.click('[data-testid=toggle-filters]');
    await page.selectOption('[data-testid=filter-attribute]', 'city');
    await page.selectOption('[data-testid=filter-attribute-op]', 'contains');
    await page.fill('[data-testid=filter-attribute-value]', 'mum');
    await page.press('[data-testid=filter-attribute-value]', 'Enter');
    await eventually(async () => JSON.stringify(await rowNames()) === JSON.stringify([PEOPLE[0].name]), 'rows with city ~ mum');
    await shot('ct-10-attribute-filter');
    await page.click('[data-testid=clear-filters]');
    await eventually(async () => (await rows().count()) === 3, 'all rows after clearing');
  });

  await t.test('a narrow screen still reads well', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/contacts');
    await row(PEOPLE[0].name).waitFor();
    await shot('ct-11-narrow');
    await page.goto('/contacts/settings');
    await page.locator('[data-testid=tags-table]').waitFor();
    await shot('ct-12-narrow-settings');
    await page.setViewportSize({ width: 1360, height: 860 });
  });

  await t.test('no page errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});
