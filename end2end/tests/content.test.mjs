// Hero images, content blocks, the live preview and the copy-link button, with and without
// JavaScript, through to what a visitor sees.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appAndBrowser } from './support/app.mjs';
import { createPage, future, signUp } from './support/editor.mjs';

const env = appAndBrowser({ before, after });

// A real 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

async function addOffer(page, title, price) {
  const add = page.locator('form.block-form--add');
  await add.getByLabel('Kind').selectOption({ label: 'Offer with a price' });
  await add.getByLabel('Title').fill(title);
  await add.getByLabel('Price (offers)').fill(price);
  await add.getByRole('button', { name: 'Add block' }).click();
}

test('with JavaScript: live preview, hero upload with progress, priced blocks, copy link', async () => {
  const context = await env.browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await signUp(env, page, true, 'content');
  await createPage(page, 'Flash sale', 'Poster sale');
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.getByLabel('Sale ends', { exact: true }).fill(future(2));
  await page.getByRole('button', { name: 'Save page' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).first().waitFor();

  // The preview follows the form before anything is saved.
  const preview = page.getByTestId('preview');
  await preview.getByRole('heading', { name: 'Poster sale' }).waitFor();
  await page.getByLabel('Headline', { exact: true }).fill('Poster sale: last call');
  await preview.getByRole('heading', { name: 'Poster sale: last call' }).waitFor();
  await page.getByLabel('Discount (%)').fill('25');
  await preview.getByText('25% off').waitFor();
  // ... and shows the page after its end on request.
  await page.getByRole('link', { name: 'After the end' }).click();
  await preview.getByRole('heading', { name: 'This sale has ended' }).waitFor();
  await page.getByRole('link', { name: 'Live', exact: true }).click();
  await preview.getByText('25% off').waitFor();
  // A save reloads the editor's data and draws the form again; what is typed while the data is
  // on its way back is kept (held back here so that the typing surely comes first).
  await page.route('**/api/pages/editor', async (route) => {
    await new Promise((r) => setTimeout(r, 800));
    await route.continue();
  });
  const reloaded = page.waitForResponse((r) => r.url().endsWith('/api/pages/editor'));
  await page.getByRole('button', { name: 'Save page' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).first().waitFor();
  await page.getByLabel('Headline', { exact: true }).fill('Poster sale: typed meanwhile');
  await reloaded;
  // The preview asked for after the reload shows the typing, and so does the form drawn anew.
  await page.waitForResponse((r) => r.url().endsWith('/api/pages/preview'));
  await preview.getByRole('heading', { name: 'Poster sale: typed meanwhile' }).waitFor();
  assert.equal(await page.getByLabel('Headline', { exact: true }).inputValue(), 'Poster sale: typed meanwhile');
  await page.unroute('**/api/pages/editor');
  await page.getByLabel('Headline', { exact: true }).fill('Poster sale: last call');
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/pages/editor'));
  await page.getByRole('button', { name: 'Save page' }).click();
  await saved;

  // The upload shows progress while the server has not answered yet.
  await page.route('**/hero', async (route) => {
    await new Promise((r) => setTimeout(r, 800));
    await route.continue();
  });
  await page.getByLabel('Upload an image').setInputFiles({ name: 'poster.png', mimeType: 'image/png', buffer: PNG });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.getByRole('progressbar', { name: 'Upload progress' }).waitFor();
  await page.getByTestId('upload-status').filter({ hasText: 'Uploaded.' }).waitFor();
  await page.getByTestId('hero-preview').waitFor();
  await page.unroute('**/hero');

  // A file that is not an image is refused with a message, in the browser's language of the form.
  await page.getByLabel('Replace the image').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('just text') });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.locator('#hero-error').filter({ hasText: 'not a PNG, JPEG, GIF or WebP' }).waitFor();

  await addOffer(page, 'A2 poster', '20');
  await page.getByTestId('block').filter({ hasText: 'A2 poster' }).waitFor();
  assert.equal(await page.locator('form.block-form--add').getByLabel('Title').inputValue(), '', 'the add form is ready for the next block');
  await addOffer(page, 'A3 poster', '12.50');
  await page.getByTestId('block').filter({ hasText: 'A3 poster' }).waitFor();
  await page.getByRole('button', { name: 'Move “A3 poster” up' }).click();
  await page.locator('[data-testid="block"]:first-child').filter({ hasText: 'A3 poster' }).waitFor();
  await preview.getByText('$15.00').waitFor();

  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.getByRole('button', { name: 'Copied' }).waitFor();
  const url = await page.locator('#short-link').inputValue();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);

  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByRole('button', { name: 'Switch off' }).waitFor();

  const visitor = await env.browser.newContext({ javaScriptEnabled: false });
  const v = await visitor.newPage();
  await v.goto(url);
  await v.getByRole('heading', { name: 'Poster sale: last call' }).waitFor();
  const prices = await v.getByTestId('price').allTextContents();
  assert.deepEqual(prices, ['$9.38', '$15.00'], 'sale prices, blocks in the creator order');
  await v.getByText('$20.00').waitFor();
  const hero = v.locator('img.pp-hero');
  assert.equal(await hero.evaluate((img) => img.complete && img.naturalWidth), 1, 'the hero image loads');
  await visitor.close();
  await context.close();
});

test('without JavaScript: hero upload and blocks by plain form posts', async () => {
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signUp(env, page, false, 'content-nojs');
  await createPage(page, 'Limited-time offer', 'Plain offer');
  await page.getByLabel('Upload an image').setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: PNG });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.waitForURL('**?saved=1');
  await page.getByTestId('hero-preview').waitFor();
  await page.getByLabel('Replace the image').setInputFiles({ name: 'x.png', mimeType: 'image/png', buffer: Buffer.from('nope') });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.waitForURL(/upload_error=/);
  await page.locator('#hero-error').filter({ hasText: 'not a PNG, JPEG, GIF or WebP' }).waitFor();

  await addOffer(page, 'Workshop seat', '49');
  await page.waitForURL(/saved=1/);
  await page.getByTestId('block').filter({ hasText: 'Workshop seat' }).waitFor();
  await page.getByTestId('preview').getByText('$49.00').waitFor();
  await page.getByRole('button', { name: 'Remove “Workshop seat”' }).click();
  await page.getByText('No blocks yet.').waitFor();
  await context.close();
});

test('the built site names its assets by content hash and lets browsers keep them', async () => {
  const html = await (await fetch(`${env.app.base}/`)).text();
  const assets = [...new Set(html.match(/\/pkg\/flashpage\.[A-Za-z0-9_-]+\.(css|js|wasm)/g) ?? [])];
  assert.deepEqual(assets.map((a) => a.split('.').pop()).sort(), ['css', 'js', 'wasm'], `hashed names in ${html.slice(0, 400)}`);
  for (const asset of assets) {
    const res = await fetch(`${env.app.base}${asset}`, { headers: { 'accept-encoding': 'br' } });
    assert.equal(res.status, 200, asset);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', asset);
    assert.equal(res.headers.get('content-encoding'), 'br', asset);
  }
});
