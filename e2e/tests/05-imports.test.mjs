// Contact imports and the CSV export in a real Chromium: the wizard (upload
// through the file input, preview, the guessed mapping and its check,
// options, progress, result), the failed rows' report, the import history,
// and the Import / Export menu's export of the contacts carrying a tag.
//
// Runs after 01..04 against the same server and signs in as the owner 01
// created (on an empty database it sets the instance up through the API).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as e2e from '../support/common.mjs';
import { OUT, api, ensureOwner, launch } from '../support/common.mjs';

// The same owner and tenant as 01-main.test.mjs.
const ROWS = 1000;
/** Rows whose phone can't be a number: 7, 57, 107 … 957 (20 of them). */
const isBad = (i) => i % 50 === 7;
const BAD = Array.from({ length: ROWS }, (_, i) => i + 1).filter(isBad).length;
/** Every tenth row carries the tag (never a bad one). */
const isTagged = (i) => i % 10 === 0;
/** Names and phones of this run, so a second run on the same server adds anew. */
const RUN = String(10 + Math.floor(Math.random() * 90));
const personName = (i) => `Import ${RUN} Person ${i}`;
const personPhone = (i) => `+44 7400 ${RUN}${String(i).padStart(4, '0')}`;

let browser;
let page;
let pageErrors;

before(async () => {
  await ensureOwner();
  ({ browser, page, pageErrors } = await launch({ acceptDownloads: true }));
});

after(async () => {
  await browser?.close();
});

const signIn = () => e2e.signIn(page);
const shot = (name) => e2e.shot(page, name);
const view = (name) => e2e.view(page, name);
const pageToken = () => e2e.pageToken(page);

async function asOwner(method, path, body) {
  return api(method, path, body, await pageToken());
}

/** The tag `vip` (any case, 04 may have made `VIP`), created when missing. */
async function vipTag() {
  const made = await asOwner('POST', '/tags', { name: 'vip', colour: '#7c3aed' });
  assert.ok([200, 201, 409].includes(made.status), JSON.stringify(made.body));
  const tags = await asOwner('GET', '/tags');
  assert.equal(tags.status, 200);
  const tag = tags.body.find((t) => t.name === 'vip') ?? tags.body.find((t) => t.name.toLowerCase() === 'vip');
  assert.ok(tag, 'no vip tag');
  return tag;
}

/** How many contacts the API lists with `query`. */
async function countContacts(query) {
  let n = 0;
  let cursor = null;
  for (;;) {
    const res = await asOwner('GET', `/contacts?limit=200&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    n += res.body.items.length;
    cursor = res.body.next_cursor;
    if (!cursor) return n;
  }
}

/** 1,000 people; 20 with a phone that is no number; every tenth tagged. */
function peopleCsv(tagName) {
  const lines = ['Name,Phone,Tags'];
  for (let i = 1; i <= ROWS; i++) {
    const phone = isBad(i) ? '12' : personPhone(i);
    lines.push(`${personName(i)},${phone},${isTagged(i) ? tagName : ''}`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

/** Clicks `selector` and answers the text of the file the browser saves. */
async function downloadFrom(selector) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: await readFile(path, 'utf8') };
}

const wizard = () => page.locator('[data-testid=import-wizard]');
const atStep = (step) => page.locator(`[data-testid=import-wizard][data-step=${step}]`).waitFor();

test('imports: the wizard, the failed rows, the history, the export', async (t) => {
  let vip;

  await t.test('the owner opens the empty import history', async () => {
    await signIn();
    vip = await vipTag();
    await page.goto('/contacts/imports');
    await page.locator('[data-testid=import-history], [data-testid=imports-empty]').first().waitFor();
    await shot('im-01-history');
    await page.click('[data-testid=new-import]');
    await atStep('upload');
    assert.match(await page.textContent('[data-testid=import-limits]'), /50 MB.*1,000,000 rows.*100 columns/s);
    await shot('im-02-upload');
  });

  await t.test('a file that is no table is refused with the reason', async () => {
    await page.setInputFiles('[data-testid=import-file]', { name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.from('\r\n') });
    const banner = page.locator('[data-testid=error-banner]');
    await banner.waitFor();
    assert.match(await banner.textContent(), /can't be read: .*header/i);
    assert.equal(await wizard().getAttribute('data-step'), 'upload');
    await shot('im-03-bad-file');
  });

  await t.test('the upload shows the header and first rows', async () => {
    await page.setInputFiles('[data-testid=import-file]', { name: 'people.csv', mimeType: 'text/csv', buffer: peopleCsv(vip.name) });
    await atStep('preview');
    assert.equal(await page.locator('[data-testid=error-banner]').count(), 0);
    const headers = await page.locator('[data-testid=import-preview] thead th').allTextContents();
    assert.deepEqual(headers.map((h) => h.trim()), ['Name', 'Phone', 'Tags']);
    assert.equal(await page.locator('[data-testid=import-preview] tbody tr').count(), 10);
    assert.match(await page.textContent('[data-testid=import-summary]'), /people\.csv.*1,000 rows.*3 columns/);
    await shot('im-04-preview');
  });

  await t.test('the mapping is guessed, and needs a name and a phone', async () => {
    await page.click('[data-testid=import-next]');
    await atStep('mapping');
    const selects = page.locator('[data-testid=mapping-select]');
    const guessed = await selects.evaluateAll((els) => els.map((e) => e.value));
    assert.deepEqual(guessed, ['name', 'phone', 'tags']);
    await shot('im-05-mapping');
    // Without a phone column the wizard says what is missing.
    await selects.nth(1).selectOption('ignore');
    await page.click('[data-testid=import-next]');
    await page.locator('[data-testid=mapping-error]', { hasText: 'one to Phone' }).waitFor();
    assert.equal(await wizard().getAttribute('data-step'), 'mapping');
    await selects.nth(1).selectOption('phone');
    await page.click('[data-testid=import-next]');
    await atStep('options');
    assert.equal(await page.inputValue('#import-country'), 'GB');
    await shot('im-06-options');
  });

  await t.test('the import runs with a progress bar and ends with its counts', async () => {
    await page.click('[data-testid=import-start]');
    await page.locator('[data-testid=import-progress]').waitFor();
    await view('im-07-progress');
    await atStep('result');
    assert.equal((await page.textContent('[data-testid=import-added]')).trim(), String(ROWS - BAD));
    assert.equal((await page.textContent('[data-testid=import-failed]')).trim(), String(BAD));
    assert.equal((await page.textContent('[data-testid=import-updated]')).trim(), '0');
    await shot('im-08-result');
    assert.equal(await countContacts(`q=${encodeURIComponent(`Import ${RUN} Person`)}`), ROWS - BAD);
  });

  await t.test('the failed rows download with their reasons', async () => {
    const file = await downloadFrom('[data-testid=download-failures]');
    assert.match(file.name, /failures\.csv$/);
    const lines = file.text.split(/\r?\n/).filter((l) => l.trim() !== '');
    assert.equal(lines.length, BAD + 1, file.text.slice(0, 400));
    assert.match(lines[0], /^line,reason/);
    assert.ok(lines[1].includes(`${personName(7)},12`), lines[1]);
  });

  await t.test('the history lists the import', async () => {
    await page.click('[data-testid=result-history]');
    const first = page.locator('[data-testid=import-row]').first();
    await first.waitFor();
    assert.equal(await first.getAttribute('data-state'), 'completed');
    assert.match(await first.textContent(), /people\.csv/);
    assert.equal((await first.locator('[data-testid=row-added]').textContent()).trim(), String(ROWS - BAD));
    assert.equal((await first.locator('[data-testid=row-failed]').textContent()).trim(), String(BAD));
    assert.equal((await first.locator('.you').textContent()).trim(), 'you');
    await shot('im-09-history');
    const again = await downloadFrom('[data-testid=import-row] >> nth=0 >> [data-testid=row-download-failures]');
    assert.equal(again.text.split(/\r?\n/).filter((l) => l.trim() !== '').length, BAD + 1);
  });

  await t.test('Export CSV downloads the contacts carrying the tag', async () => {
    const expected = await countContacts(`tag_any=${vip.id}`);
    assert.ok(expected >= ROWS / 10, `only ${expected} contacts carry ${vip.name}`);
    await page.goto(`/contacts/imports?tag_any=${vip.id}`);
    await page.locator('[data-testid=export-filter-note]').waitFor();
    await page.click('[data-testid=import-export-menu]');
    await page.locator('[data-testid=import-export-items]').waitFor();
    assert.match(await page.textContent('[data-testid=menu-export]'), /filtered/);
    await view('im-10-menu');
    const file = await downloadFrom('[data-testid=menu-export]');
    assert.match(file.name, /^contacts-.*\.csv$/);
    const lines = file.text.split(/\r?\n/).filter((l) => l.trim() !== '');
    assert.match(lines[0], /^name,phone,email,tags/);
    assert.equal(lines.length - 1, expected);
    assert.ok(lines.slice(1).every((l) => l.toLowerCase().includes('vip')));
    // The export guards cells a spreadsheet would run as formulas (+…) with a '.
    const person = lines.find((l) => l.startsWith(`${personName(10)},`));
    assert.ok(person, lines.slice(0, 4).join('\n'));
    const e164 = personPhone(10).replace(/\s/g, '');
    assert.ok(person.startsWith(`${personName(10)},${e164},`) || person.startsWith(`${personName(10)},'${e164},`), person);
  });

  await t.test('the menu opens the wizard', async () => {
    await page.click('[data-testid=import-export-menu]');
    await page.click('[data-testid=menu-import]');
    await atStep('upload');
    assert.equal(new URL(page.url()).pathname, '/contacts/import');
  });

  await t.test('no page errors', async () => {
    assert.deepEqual(pageErrors, []);
  });
});
