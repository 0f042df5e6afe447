// Media gallery and templates in a real Chromium: upload an image to the
// gallery, write a template with an image header and two variables while the
// phone preview follows, see Meta's rules come back by field, submit to the
// sandbox channel and watch Pending turn into Approved without a reload;
// then a template the sandbox rejects shows Meta's reason, and the library's
// Use opens a ready-made template in the editor.
//
// Runs after the other files against the same server; alone on an empty
// database it sets the instance up through the API first.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { writeFile } from 'node:fs/promises';
import * as e2e from '../support/common.mjs';
import { api, ensureOwner, eventually, launch, OUT, pageToken } from '../support/common.mjs';

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
const toast = (text) => e2e.toast(page, text);

/** A real PNG: a 64x48 gradient, so the thumbnail and preview show something. */
function png(width = 64, height = 48) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    rows.push(0);
    for (let x = 0; x < width; x++) rows.push(22 + x * 3, 163 - y, 127 + y * 2);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const row = (name) => page.locator(`[data-testid=template-row][data-name="${name}"]`);

test('templates: gallery upload, image-header template, preview, review by the sandbox', async (t) => {
  const suffix = Date.now().toString(36);
  const name = `spring_offer_${suffix}`;
  const image = `${OUT}spring-banner.png`;
  await writeFile(image, png());

  await t.test('a sandbox channel is ready (made through the API when this file runs alone)', async () => {
    await e2e.signIn(page);
    const token = await pageToken(page);
    const channels = await api('GET', '/channels', undefined, token);
    assert.equal(channels.status, 200);
    if (!channels.body.items.some((c) => c.provider === 'sandbox')) {
      const made = await api('POST', '/channels', { name: 'Sandbox line', provider: 'sandbox' }, token);
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const checked = await api('POST', `/channels/${made.body.id}/validate`, {}, token);
      assert.equal(checked.status, 200, JSON.stringify(checked.body));
    }
  });

  await t.test('an image goes into the gallery with upload progress and a thumbnail', async () => {
    await page.click('[data-testid=nav-media]');
    await page.waitForURL(/\/media$/);
    await page.locator('[data-testid=media-empty], [data-testid=media-grid]').first().waitFor();
    await page.setInputFiles('[data-testid=media-file-input]', image);
    await toast('Uploaded spring-banner.png');
    const tile = page.locator('[data-testid=media-item][data-name="spring-banner.png"]').first();
    await tile.waitFor();
    assert.equal(await tile.getAttribute('data-kind'), 'image', 'the type comes from the bytes');
    // The thumbnail is the picture itself, served through its signed link.
    await eventually(page, () => tile.locator('img').evaluate((img) => img.complete && img.naturalWidth === 64), 'thumbnail loaded');
    await shot('tpl-01-gallery');
    // Filtering by another kind hides it; images show it again.
    await page.click('[data-testid=media-kind-document]');
    await eventually(page, async () => (await page.locator('[data-testid=media-item][data-kind=image]').count()) === 0, 'images hidden');
    await page.click('[data-testid=media-kind-image]');
    await tile.waitFor();
    // Dropping a file on the page uploads it too; the bytes say it is a PDF.
    await page.locator('[data-testid=media-dropzone]').evaluate((zone) => {
      const pdf = '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';
      const data = new DataTransfer();
      data.items.add(new File([pdf], 'price-list.pdf', { type: 'application/pdf' }));
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await toast('Uploaded price-list.pdf');
    await page.click('[data-testid=media-kind-all]');
    const pdf = page.locator('[data-testid=media-item][data-name="price-list.pdf"]').first();
    await pdf.waitFor();
    assert.equal(await pdf.getAttribute('data-kind'), 'document');
    await page.click('[data-testid=media-list-view]');
    await page.locator('[data-testid=media-table] [data-testid=media-item]').first().waitFor();
    await shot('tpl-02-gallery-list');
  });

  await t.test('the editor previews an image header and two variables as the customer will see them', async () => {
    await page.click('[data-testid=nav-templates]');
    await page.waitForURL(/\/templates$/);
    await page.click('[data-testid=new-template]');
    await page.waitForURL(/\/templates\/new$/);
    await page.locator('[data-testid=template-channel] option').first().waitFor({ state: 'attached' });
    await page.fill('[data-testid=template-name]', name);
    await page.click('[data-testid=category-marketing]');
    await page.click('[data-testid=header-image]');
    await page.click('[data-testid=choose-media]');
    await page.locator('[data-testid=media-picker-dialog]').waitFor();
    await page.locator('[data-testid=pick-media][data-name="spring-banner.png"]').first().click();
    await page.locator('[data-testid=media-choice]').waitFor();
    await page.fill('[data-testid=template-body]', 'Hi {{1}}, our spring sale starts today: *{{2}} off* everything!');
    await page.fill('[data-testid=example-1]', 'Maria');
    await page.fill('[data-testid=example-2]', '20%');
    await page.fill('[data-testid=template-footer]', 'Reply STOP to opt out');
    await page.click('[data-testid=add-button-quick_reply]');
    await page.locator('[data-testid=button-row] [data-testid=button-text]').fill('Show me');

    const preview = page.locator('[data-testid=phone-preview]');
    await eventually(
      page,
      async () => (await preview.locator('[data-testid=preview-body]').innerText()).includes('Hi Maria, our spring sale starts today: 20% off everything!'),
      'the preview fills in the sample values',
    );
    assert.equal(await preview.locator('[data-testid=preview-body] strong').innerText(), '20% off', 'WhatsApp bold shows bold');
    await eventually(page, () => preview.locator('[data-testid=preview-header-image]').evaluate((img) => img.complete && img.naturalWidth === 64), 'header image in the preview');
    assert.equal((await preview.locator('[data-testid=preview-footer]').innerText()).trim(), 'Reply STOP to opt out');
    assert.equal((await preview.locator('[data-testid=preview-button]').innerText()).trim(), 'Show me');
    await shot('tpl-03-editor-preview');
  });

  await t.test("Meta's rules come back next to the field before anything is sent", async () => {
    await page.fill('[data-testid=template-name]', 'Spring Offer!');
    // The editor lowercases and joins as people type; force a broken name through.
    await page.locator('[data-testid=template-name]').evaluate((el) => {
      el.value = 'spring offer!';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.click('[data-testid=submit-template]');
    await page.locator('[data-testid="error-content.name"]').filter({ hasText: /\S/ }).waitFor();
    await shot('tpl-04-field-error');
    await page.fill('[data-testid=template-name]', name);
  });

  await t.test('submitted to the sandbox it shows Pending, then Approved without a reload', async () => {
    await page.click('[data-testid=submit-template]');
    await page.waitForURL(/\/templates$/);
    await toast(`Sent ${name} to Meta for review.`);
    await row(name).waitFor();
    const status = () => row(name).getAttribute('data-status');
    assert.equal(await status(), 'pending');
    assert.match(await row(name).locator('[data-testid=template-status]').innerText(), /Pending/);
    await shot('tpl-05-pending');
    const navigations = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));
    await eventually(page, async () => (await status()) === 'approved', 'the sandbox approves it');
    await row(name).locator('[data-testid=template-status]', { hasText: 'Approved' }).waitFor();
    assert.deepEqual(navigations, [], 'no reload happened');
    await shot('tpl-06-approved');
  });

  await t.test('a template the sandbox rejects shows the reason', async () => {
    const rejected = `reject_me_${suffix}`;
    await page.click('[data-testid=new-template]');
    await page.locator('[data-testid=template-channel] option').first().waitFor({ state: 'attached' });
    await page.fill('[data-testid=template-name]', rejected);
    await page.fill('[data-testid=template-body]', 'Your code is ready.');
    await page.click('[data-testid=submit-template]');
    await page.waitForURL(/\/templates$/);
    await eventually(page, async () => (await row(rejected).getAttribute('data-status')) === 'rejected', 'the sandbox rejects it');
    assert.match(await row(rejected).locator('[data-testid=rejected-reason]').innerText(), /INVALID_FORMAT/);
    // The status filter narrows the list.
    await page.selectOption('[data-testid=filter-status]', 'rejected');
    await eventually(
      page,
      async () => {
        const statuses = await page.locator('[data-testid=template-row]').evaluateAll((rows) => rows.map((r) => r.dataset.status));
        return statuses.length > 0 && statuses.every((s) => s === 'rejected');
      },
      'only rejected ones',
    );
    await row(rejected).waitFor();
    assert.equal(await row(name).count(), 0, 'the approved one is filtered out');
    await shot('tpl-07-rejected');
    await page.selectOption('[data-testid=filter-status]', '');
  });

  await t.test('the library offers ready-made templates and Use opens one in the editor', async () => {
    await page.click('[data-testid=tab-library]');
    await page.waitForURL(/\/templates\/library$/);
    await page.locator('[data-testid=library-card]').first().waitFor();
    assert.ok((await page.locator('[data-testid=library-card]').count()) >= 12);
    await shot('tpl-08-library');
    const card = page.locator('[data-testid=library-card]').first();
    await card.locator('[data-testid=use-template]').click();
    await page.waitForURL(/\/templates\/new\?from=/);
    await eventually(page, async () => (await page.locator('[data-testid=template-body]').inputValue()).length > 0, 'the body is filled');
    await eventually(page, async () => (await page.locator('[data-testid=preview-body]').innerText()).length > 0, 'the preview shows it');
    await shot('tpl-09-from-library');
  });

  await t.test('a file used by a template cannot be deleted, and the gallery says who uses it', async () => {
    await page.click('[data-testid=nav-media]');
    await page.waitForURL(/\/media$/);
    const tile = page.locator('[data-testid=media-item][data-name="spring-banner.png"]').first();
    await tile.hover();
    await tile.locator('[data-testid=delete-media]').click();
    await page.click('[data-testid=confirm-button]');
    await page.locator('[data-testid=toast]', { hasText: name }).first().waitFor();
    await tile.waitFor();
    await shot('tpl-10-delete-refused');
  });

  assert.deepEqual(pageErrors, []);
});
