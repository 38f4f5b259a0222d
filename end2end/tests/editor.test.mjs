// A creator builds one page of each kind in the dashboard, publishes it, and a visitor sees it;
// the editor also works as plain form posts without JavaScript.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appAndBrowser } from './support/app.mjs';
import { createPage, future, signUp as signUpAs } from './support/editor.mjs';

const env = appAndBrowser({ before, after });

const signUp = (page, javaScript) => signUpAs(env, page, javaScript);

async function saveAndPublish(page) {
  await page.getByRole('button', { name: 'Save page' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).first().waitFor();
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByRole('button', { name: 'Switch off' }).waitFor();
  return page.locator('#short-link').inputValue();
}

test('with JavaScript: one page of each kind, from the dashboard to the visitor', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await signUp(page, true);
  await page.getByText('No pages yet.').waitFor();

  const made = [];
  await createPage(page, 'Countdown launch', 'Album drop');
  await page.getByLabel('Count down to', { exact: true }).fill(future(3));
  await page.getByLabel('Message title').fill('Out now!');
  made.push({ url: await saveAndPublish(page), expect: 'Album drop', detail: 'Launching in' });

  await page.goto(`${env.app.base}/dashboard`);
  await createPage(page, 'Flash sale', 'Preset sale');
  await page.getByLabel('Sale ends', { exact: true }).fill(future(2));
  await page.getByLabel('Discount (%)').fill('35');
  made.push({ url: await saveAndPublish(page), expect: 'Preset sale', detail: '35% off' });

  await page.goto(`${env.app.base}/dashboard`);
  await createPage(page, 'Event registration', 'Photo walk');
  await page.getByLabel('Time zone').selectOption('Europe/Paris');
  await page.getByLabel('Starts', { exact: true }).fill(future(5));
  await page.getByLabel('Ends', { exact: true }).fill(future(5).replace('T10:00', 'T12:00'));
  await page.getByLabel('Address (in person)').fill('12 Rue de Rivoli, Paris');
  made.push({ url: await saveAndPublish(page), expect: 'Photo walk', detail: 'Europe/Paris' });

  // A validation error appears on its field and nothing is lost.
  await page.getByLabel('Ends', { exact: true }).fill(future(4));
  await page.getByRole('button', { name: 'Save page' }).click();
  await page.locator('#f-eventEndTime-error').filter({ hasText: 'The event must end after it starts.' }).waitFor();

  await page.goto(`${env.app.base}/dashboard`);
  await createPage(page, 'Limited-time offer', 'Course bundle');
  await page.getByLabel('Offer ends', { exact: true }).fill(future(1));
  await page.getByLabel('Discount code').fill('EARLY30');
  // The Free plan has 3 live pages: switch the countdown off to make room for the offer.
  await page.getByRole('button', { name: 'Save page' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).first().waitFor();
  await page.goto(`${env.app.base}/dashboard`);
  await page.getByRole('link', { name: 'Album drop' }).click();
  await page.getByRole('button', { name: 'Switch off' }).click();
  await page.getByRole('button', { name: 'Publish' }).waitFor();
  await page.goto(`${env.app.base}/dashboard`);
  await page.getByRole('link', { name: 'Course bundle' }).click();
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByRole('button', { name: 'Switch off' }).waitFor();
  made.push({ url: await page.locator('#short-link').inputValue(), expect: 'Course bundle', detail: 'EARLY30' });

  // The list shows all four with their status.
  await page.goto(`${env.app.base}/dashboard`);
  assert.equal(await page.locator('.pages-table tbody tr').count(), 4);
  assert.deepEqual((await page.locator('.pages-table .badge').allTextContents()).sort(), ['Live', 'Live', 'Live', 'Off']);

  const visitor = await env.browser.newContext({ javaScriptEnabled: false });
  const v = await visitor.newPage();
  for (const m of made.slice(1)) {
    await v.goto(m.url);
    await v.getByRole('heading', { name: m.expect }).waitFor();
    await v.getByText(m.detail).first().waitFor();
  }
  await v.goto(made[0].url);
  await v.getByRole('heading', { name: 'This page has ended' }).waitFor();
  await visitor.close();
  await context.close();
});

test('with JavaScript: the editor checks a link in the browser, with the server\'s rules', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await signUp(page, true);
  await createPage(page, 'Countdown launch', 'Checked');
  // The editor is an island loaded on demand: the check runs once it is hydrated.
  await page.waitForSelector('body[data-hydrated="true"]');
  const saves = [];
  page.on('request', (r) => { if (r.url().includes('/api/pages/save')) saves.push(r.url()); });
  const link = page.getByLabel('Link (for “send visitors to a link”)');
  await link.fill('javascript:alert(1)');
  await link.blur();
  await page.locator('#f-redirectUrl-error').filter({ hasText: 'Use a full link starting with https://' }).waitFor();
  assert.equal(await link.getAttribute('aria-invalid'), 'true');
  await link.fill('https://example.com/live');
  await link.blur();
  await page.locator('#f-redirectUrl[aria-invalid="false"]').waitFor();
  assert.equal(await page.locator('#f-redirectUrl-error').textContent(), '');
  assert.deepEqual(saves, [], 'checked without asking the server');
  await context.close();
});

test('the Free plan stops a fourth live page with a message naming a bigger plan', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await signUp(page, true);
  for (const name of ['One', 'Two', 'Three', 'Four']) {
    await page.goto(`${env.app.base}/dashboard`);
    await createPage(page, 'Countdown launch', name);
    await page.getByLabel('Count down to', { exact: true }).fill(future(2));
    await page.getByRole('button', { name: 'Save page' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).first().waitFor();
    await page.getByRole('button', { name: 'Publish' }).click();
    if (name !== 'Four') await page.getByRole('button', { name: 'Switch off' }).waitFor();
  }
  await page.getByRole('alert').filter({ hasText: 'Basic plan allows 25' }).waitFor();
  await context.close();
});

test('without JavaScript: create, edit with a field error, save and publish by form posts', async () => {
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signUp(page, false);
  await createPage(page, 'Limited-time offer', 'No-script offer');
  await page.getByLabel('Offer ends', { exact: true }).fill(future(2));
  await page.getByLabel('Quantity').fill('0');
  await page.getByRole('button', { name: 'Save page' }).click();
  await page.waitForURL(/__err=/);
  assert.equal(await page.locator('#f-limitedQuantity-error').textContent(), 'Use a number of at least 1.');
  await page.getByLabel('Offer ends', { exact: true }).fill(future(2));
  await page.getByLabel('Quantity').fill('25');
  await page.getByRole('button', { name: 'Save page' }).click();
  await page.waitForURL('**?saved=1');
  assert.equal(await page.getByLabel('Quantity').inputValue(), '25');
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByRole('button', { name: 'Switch off' }).waitFor();
  assert.equal(await page.getByTestId('page-status').textContent(), 'Live');
  const url = await page.locator('#short-link').inputValue();
  await page.goto(url);
  await page.getByRole('heading', { name: 'No-script offer' }).waitFor();
  await page.getByText('Only 25 available').waitFor();
  await context.close();
});
