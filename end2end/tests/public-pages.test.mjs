// A visitor's view of a page: the countdown ticks and switches at zero without a reload (with
// JavaScript), and the server-rendered page is right on its own (without).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appAndBrowser } from './support/app.mjs';
import { creator } from './support/creator.mjs';

const env = appAndBrowser({ before, after });

const secondsLeft = async (page) => Number(await page.locator('[data-seconds-left]').getAttribute('data-seconds-left'));

test('with JavaScript: the countdown ticks, asks the server at zero and shows the next phase', async () => {
  const context = await env.browser.newContext();
  const api = await creator(env, context);
  const target = new Date(Date.now() + 7000).toISOString();
  const short = await api.page('countdown',
    { countdownTarget: target, postCountdownAction: 'show-message', messageTitle: 'We are live!', messageContent: 'Come in.' },
    { headline: 'Almost there' });
  const page = await context.newPage();
  const asked = [];
  const loads = [];
  page.on('request', (r) => { if (r.url().includes('/api/p/now')) asked.push(r.url()); });
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) loads.push(f.url()); });
  await page.goto(`${env.app.base}/p/${short}`);
  await page.waitForSelector('body[data-hydrated="true"]');
  const first = await secondsLeft(page);
  assert.ok(first >= 1 && first <= 7, `starts from the server's clock, got ${first}`);
  await page.waitForFunction((start) => {
    const el = document.querySelector('[data-seconds-left]');
    return el && Number(el.getAttribute('data-seconds-left')) < start;
  }, first, { timeout: 5000 });
  await page.getByRole('heading', { name: 'We are live!' }).waitFor({ timeout: 15000 });
  assert.equal(await page.locator('main').getAttribute('data-phase'), 'ended');
  assert.ok(asked.length >= 1, 'the browser asked the server for the phase at zero');
  assert.equal(loads.length, 2, `loaded once more, once the server said the phase changed (${loads.join(', ')})`);
  await context.close();
});

test('with JavaScript: the notify-me form answers in place, with the server\'s message for a bad address', async () => {
  const context = await env.browser.newContext();
  const api = await creator(env, context);
  const inDays = (n) => new Date(Date.now() + n * 86_400_000).toISOString();
  const short = await api.page('countdown',
    { countdownTarget: inDays(3), postCountdownAction: 'show-message', messageTitle: 'Open', messageContent: 'Come in.' },
    { headline: 'Before the launch', notifyMe: true, buttonLabel: 'Tell me first' }, [], { launchAt: inDays(2) });
  const page = await context.newPage();
  const loads = [];
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) loads.push(f.url()); });
  await page.goto(`${env.app.base}/p/${short}`);
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.getByLabel('Get an email when it starts').fill('not-an-email');
  await page.getByRole('button', { name: 'Tell me first' }).click();
  await page.locator('#notify-email-error').filter({ hasText: /email/i }).waitFor();
  assert.equal(await page.getByLabel('Get an email when it starts').getAttribute('aria-invalid'), 'true');
  await page.getByLabel('Get an email when it starts').fill('fan@example.com');
  await page.getByRole('button', { name: 'Tell me first' }).click();
  await page.getByRole('status').filter({ hasText: "We'll email you when it starts" }).waitFor();
  assert.deepEqual(loads, [`${env.app.base}/p/${short}`], 'answered in place, without loading another page');
  await context.close();
});

test('with JavaScript: a redirecting countdown sends the visitor on at zero', async () => {
  const context = await env.browser.newContext();
  const api = await creator(env, context);
  const short = await api.page('countdown',
    { countdownTarget: new Date(Date.now() + 4000).toISOString(), postCountdownAction: 'redirect', redirectUrl: `${env.app.base}/?arrived=1` },
    { headline: 'Going places' });
  const page = await context.newPage();
  await page.goto(`${env.app.base}/p/${short}`);
  await page.waitForURL('**/?arrived=1', { timeout: 15000 });
  await context.close();
});

test('without JavaScript: live content, ended redirects and gone pages come from the server', async () => {
  const setup = await env.browser.newContext();
  const api = await creator(env, setup);
  const live = await api.page('limited-offer',
    { offerEndTime: new Date(Date.now() + 3_600_000).toISOString(), discountCode: 'LAUNCH20', limitedQuantity: 10, postOfferAction: 'show-alternate', alternateTitle: 'Missed it' },
    { headline: 'One hour only' });
  const ended = await api.page('countdown',
    { countdownTarget: new Date(Date.now() - 60_000).toISOString(), postCountdownAction: 'redirect', redirectUrl: `${env.app.base}/?from=ended` },
    { headline: 'Already over' });

  const context = await env.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${env.app.base}/p/${live}`);
  await page.getByRole('heading', { name: 'One hour only' }).waitFor();
  assert.equal(await page.locator('.pp-code').textContent(), 'LAUNCH20');
  const left = await secondsLeft(page);
  assert.ok(left > 3500 && left <= 3600, `server-rendered countdown, got ${left}`);

  await page.goto(`${env.app.base}/p/${ended}`);
  await page.waitForURL('**/?from=ended');

  const res = await page.goto(`${env.app.base}/p/NoSuchPage1`);
  assert.equal(res.status(), 404);
  await page.getByRole('heading', { name: "We couldn't find this page" }).waitFor();
  await context.close();
  await setup.close();
});
