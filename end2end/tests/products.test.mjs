// A creator makes and edits a product in the dashboard with JavaScript switched off: the
// product screens are plain form posts that come back with the outcome.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appAndBrowser } from './support/app.mjs';
import { signUp } from './support/editor.mjs';

const env = appAndBrowser({ before, after });

test('without JavaScript: create, correct, edit, give a file and switch off a product', async () => {
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signUp(env, page, false, 'products');

  await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Products' }).click();
  await page.waitForURL('**/dashboard/products');
  await page.getByText('No products yet.').waitFor();
  await page.getByRole('link', { name: 'Create your first product' }).click();
  await page.waitForURL('**/dashboard/products/new');

  await page.getByLabel('Name', { exact: true }).fill('Photo presets');
  await page.getByLabel('Description', { exact: true }).fill('Twelve presets for golden hour.');
  await page.getByLabel('Price', { exact: true }).fill('9.99');
  await page.getByLabel('Currency').selectOption('EUR');
  await page.getByRole('button', { name: 'Create product' }).click();
  await page.waitForURL(/\/dashboard\/products\/[0-9a-f-]+\?saved=1$/);
  await page.getByRole('heading', { name: 'Photo presets', level: 1 }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  assert.equal(await page.getByTestId('product-status').textContent(), 'Active');

  // A refused save comes back with the message beside its field.
  await page.getByLabel('Name', { exact: true }).fill('');
  await page.getByRole('button', { name: 'Save product' }).click();
  await page.waitForURL(/__err=/);
  await page.locator('#product-name-error').filter({ hasText: 'Give the product a name.' }).waitFor();
  assert.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true');

  await page.getByLabel('Name', { exact: true }).fill('Photo presets, volume 2');
  await page.getByLabel('Price', { exact: true }).fill('12.50');
  await page.getByRole('button', { name: 'Save product' }).click();
  await page.waitForURL(/\?saved=1$/);
  await page.getByRole('heading', { name: 'Photo presets, volume 2', level: 1 }).waitFor();
  assert.equal(await page.getByLabel('Price', { exact: true }).inputValue(), '12.50');

  // The file buyers get: a plain multipart upload, shown with its size and recognised type.
  await page.getByLabel('Upload the file').setInputFiles({ name: 'Golden hour.pdf', mimeType: 'application/octet-stream', buffer: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 120)]) });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.waitForURL(/\?saved=1$/);
  assert.match(await page.getByTestId('product-file').textContent(), /Golden hour\.pdf · 2 KB · application\/pdf/);
  await page.getByLabel('Replace the file').setInputFiles({ name: 'empty.zip', mimeType: 'application/zip', buffer: Buffer.alloc(0) });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.waitForURL(/file_error=/);
  await page.locator('#product-file-error').filter({ hasText: 'That file is empty' }).waitFor();

  await page.getByRole('button', { name: 'Switch off' }).click();
  await page.getByRole('button', { name: 'Switch on' }).waitFor();
  assert.equal(await page.getByTestId('product-status').textContent(), 'Off');

  await page.goto(`${env.app.base}/dashboard/products`);
  const row = page.locator('.products-table tbody tr');
  assert.equal(await row.count(), 1);
  assert.deepEqual(await row.locator('td').allTextContents(), ['Photo presets, volume 2', '€12.50', 'Off']);
  await context.close();
});

test('with JavaScript: a file upload shows its progress and answers in place', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await signUp(env, page, true, 'product-files');
  await page.goto(`${env.app.base}/dashboard/products/new`);
  await page.getByLabel('Name', { exact: true }).fill('Brushes');
  await page.getByLabel('Price', { exact: true }).fill('5');
  await page.getByRole('button', { name: 'Create product' }).click();
  await page.waitForURL(/\/dashboard\/products\/[0-9a-f-]+\?saved=1$/);
  await page.waitForSelector('body[data-hydrated="true"]');
  const loads = [];
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) loads.push(f.url()); });

  // Refused in place: no page load, the message beside the field.
  await page.getByLabel('Upload the file').setInputFiles({ name: 'empty.zip', mimeType: 'application/zip', buffer: Buffer.alloc(0) });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.locator('#product-file-error').filter({ hasText: 'That file is empty' }).waitFor();
  assert.deepEqual(loads, [], 'answered in place');

  // Sent with progress; the product opens again with its file.
  await page.getByLabel('Upload the file').setInputFiles({ name: 'brushes.zip', mimeType: 'application/zip', buffer: Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(3 * 1024 * 1024, 1)]) });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.waitForURL(/\?saved=1$/);
  await page.getByTestId('product-file').filter({ hasText: 'brushes.zip' }).waitFor();
  assert.match(await page.getByTestId('product-file').textContent(), /3\.0 MB · application\/zip/);
  await context.close();
});
