// A visitor buys through the built-in test checkout and downloads the file, with JavaScript off
// and on; the creator sees the order and exports it; a sold-out page shows its sold-out action.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { appAndBrowser } from './support/app.mjs';
import { apiHeaders, creator } from './support/creator.mjs';

const env = appAndBrowser({ before, after });
const FILE = Buffer.from('%PDF-1.4\nThe presets, explained.\n%%EOF\n');
const inTwoDays = () => new Date(Date.now() + 2 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');

/** A creator (signed in, in `context`) with a 19.99 USD product and its file on a live flash sale. */
async function shop(context, inventoryLimit) {
  const seller = await creator(env, context);
  const created = await context.request.post(`${env.app.base}/api/products/create`, {
    form: { 'form[name]': 'Preset pack', 'form[description]': 'Twelve presets.', 'form[price]': '19.99', 'form[currency]': 'USD', 'form[expiresAt]': '' },
    headers: apiHeaders(env),
  });
  assert.equal(created.status(), 200, await created.text());
  const productId = await created.json();
  const upload = await context.request.post(`${env.app.base}/dashboard/products/${productId}/file`, {
    multipart: { file: { name: 'presets.pdf', mimeType: 'application/pdf', buffer: FILE } },
    headers: apiHeaders(env),
  });
  assert.ok(upload.ok(), `upload: ${upload.status()}`);
  const settings = { saleEndTime: inTwoDays(), discountPercentage: 20, originalPriceDisplay: true, inventoryLimit, soldOutAction: 'show-message' };
  return seller.page('flash-sale', settings, { headline: 'Preset sale' }, [{ kind: 'product', product_id: productId, title: '', description: '' }]);
}

async function buyAndDownload(page, shortId, javaScript) {
  await page.goto(`${env.app.base}/p/${shortId}`);
  if (javaScript) await page.waitForSelector('body[data-hydrated="true"]');
  await page.getByRole('heading', { name: 'Preset pack' }).waitFor();
  await page.getByLabel('Your email (for the receipt and the download)').fill('buyer@example.com');
  await page.getByRole('button', { name: 'Buy for $15.99' }).click();
  await page.waitForURL('**/checkout/test/*');
  await page.getByRole('note').filter({ hasText: 'Test mode' }).waitFor();
  assert.equal(await page.getByTestId('checkout-amount').textContent(), '$15.99');
  await page.getByRole('button', { name: 'Pay $15.99' }).click();
  await page.waitForURL('**/orders/*/thanks');
  await page.getByRole('heading', { name: 'Thank you!' }).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
  assert.equal(download.suggestedFilename(), 'presets.pdf');
  assert.deepEqual(await readFile(await download.path()), FILE);
}

test('without JavaScript: buy, pay on the test checkout, download; the creator sees and exports the order', async () => {
  const creatorContext = await env.browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
  const shortId = await shop(creatorContext, 5);
  const visitor = await env.browser.newContext({ javaScriptEnabled: false, acceptDownloads: true });
  const page = await visitor.newPage();

  // A refused buy comes back with the message beside the field.
  await page.goto(`${env.app.base}/p/${shortId}`);
  await page.getByLabel('Your email (for the receipt and the download)').fill('not-an-email');
  await page.getByRole('button', { name: 'Buy for $15.99' }).click();
  await page.waitForURL(/__err=/);
  await page.getByText('Enter an email address like name@example.com.').waitFor();
  assert.equal(await page.getByLabel('Your email (for the receipt and the download)').getAttribute('aria-invalid'), 'true');

  await buyAndDownload(page, shortId, false);
  await page.goto(`${env.app.base}/p/${shortId}`);
  await page.getByText('4 of 5 left').waitFor();

  const dashboard = await creatorContext.newPage();
  await dashboard.goto(`${env.app.base}/dashboard`);
  await dashboard.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Orders' }).click();
  await dashboard.waitForURL('**/dashboard/orders');
  const row = dashboard.getByTestId('order-row');
  assert.equal(await row.count(), 1);
  assert.match(await row.textContent(), /Preset pack.*buyer@example\.com.*\$15\.99.*Paid.*1 of 10/);
  assert.match(await dashboard.getByTestId('totals').textContent(), /\$15\.99 from 1 paid order/);
  const [csv] = await Promise.all([dashboard.waitForEvent('download'), dashboard.getByRole('link', { name: 'Export CSV' }).click()]);
  const text = (await readFile(await csv.path())).toString('utf8');
  assert.match(text, /^\uFEFFcreated_at,order_id,item,buyer_email/);
  assert.match(text, /,Preset pack,buyer@example\.com,completed,15\.99,0\.00,USD,1,10\r\n/);
  await creatorContext.close();
  await visitor.close();
});

test('with JavaScript: buy, pay and download; a sold-out page shows its sold-out action', async () => {
  const creatorContext = await env.browser.newContext();
  const shortId = await shop(creatorContext, 1);
  const visitor = await env.browser.newContext({ acceptDownloads: true });
  await buyAndDownload(await visitor.newPage(), shortId, true);
  const late = await (await env.browser.newContext()).newPage();
  await late.goto(`${env.app.base}/p/${shortId}`);
  await late.getByRole('heading', { name: 'Sold out' }).waitFor();
  assert.equal(await late.getByRole('button', { name: /^Buy/ }).count(), 0, 'no Buy button on a sold-out page');
  await creatorContext.close();
  await visitor.close();
});
