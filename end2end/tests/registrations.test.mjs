// Event registration in Chromium: register (JavaScript off and on), seats drop, the waitlist
// takes over when full, a cancellation from the emailed link promotes the next person, and the
// creator checks someone in on a phone-sized screen and exports the list.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { appAndBrowser } from './support/app.mjs';
import { creator } from './support/creator.mjs';
import { mailTo, manageLink } from './support/mail.mjs';

const env = appAndBrowser({ before, after });
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function eventSettings(maxAttendees, extra = {}) {
  const start = Date.now() + 2 * 86_400_000;
  return {
    eventStartTime: iso(start), eventEndTime: iso(start + 7_200_000), timeZone: 'Europe/Paris',
    eventLocation: 'virtual', virtualPlatform: 'zoom', platformLink: 'https://zoom.us/j/42',
    maxAttendees, waitlistEnabled: true, ...extra,
  };
}

async function register(page, name, email, { tick = true } = {}) {
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email').fill(email);
  if (tick) await page.getByLabel('I accept the house rules').check();
  await page.locator('form.reg-form button[type=submit]').click();
}

test('without JavaScript: register, seats drop, the waitlist takes over, a cancellation promotes the next person', async () => {
  const creatorContext = await env.browser.newContext({ javaScriptEnabled: false });
  const seller = await creator(env, creatorContext);
  const consent = { id: 'rules', label: 'I accept the house rules', kind: 'checkbox', required: true };
  const shortId = await seller.page('event-registration', eventSettings(1, { customFields: [consent] }), { headline: 'Rust night' });

  const ada = await (await env.browser.newContext({ javaScriptEnabled: false })).newPage();
  await ada.goto(`${env.app.base}/p/${shortId}`);
  assert.equal(await ada.getByTestId('seats').textContent(), '1 place');
  // Refused: the message beside the box, what was typed still there.
  await register(ada, 'Ada Lovelace', 'ada@example.com', { tick: false });
  await ada.getByText('Tick this box to register.').waitFor();
  assert.equal(await ada.getByLabel('Your name').inputValue(), 'Ada Lovelace');
  await register(ada, 'Ada Lovelace', 'ada@example.com');
  await ada.getByTestId('registration-sent').waitFor();
  assert.equal(await ada.getByTestId('seats').textContent(), 'Fully booked: waitlist open');

  const grace = await (await env.browser.newContext({ javaScriptEnabled: false })).newPage();
  await grace.goto(`${env.app.base}/p/${shortId}`);
  await grace.getByRole('button', { name: 'Join the waitlist' }).waitFor();
  await register(grace, 'Grace Hopper', 'grace@example.com');
  assert.match(await grace.getByTestId('registration-sent').textContent(), /on the waitlist/);

  // Ada cancels from the link in her confirmation; Grace gets the seat and is told.
  const confirmation = await mailTo(env, 'ada@example.com', "You're registered: Rust night");
  await ada.goto(manageLink(confirmation));
  assert.equal(await ada.getByTestId('registration-status').textContent(), "You're registered.");
  await ada.getByTestId('cancel-registration').click();
  await ada.getByText('This registration is cancelled.').waitFor();
  const promoted = await mailTo(env, 'grace@example.com', 'A place opened up');
  await grace.goto(manageLink(promoted));
  assert.equal(await grace.getByTestId('registration-status').textContent(), "You're registered.");
  await grace.getByRole('link', { name: 'Join online' }).waitFor();
  await creatorContext.close();
});

test('with JavaScript, on a phone: register, then the creator checks the person in and exports the list', async () => {
  const creatorContext = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, acceptDownloads: true });
  const seller = await creator(env, creatorContext);
  const { id, shortId } = await seller.pageWithId('event-registration', eventSettings(20), { headline: 'Phone meetup' });

  const visitor = await (await env.browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await visitor.goto(`${env.app.base}/p/${shortId}`);
  await visitor.waitForSelector('body[data-hydrated="true"]');
  await visitor.getByLabel('Your name').fill('Linus');
  // Checked in the browser by the server's own validator: the message at once, no round trip.
  await visitor.getByLabel('Email').fill('linus@');
  await visitor.getByRole('button', { name: 'Register' }).click();
  await visitor.getByText('Enter an email address like name@example.com.').waitFor();
  assert.equal(await visitor.getByLabel('Email').getAttribute('aria-invalid'), 'true');
  assert.ok(!visitor.url().includes('draft='), `no round trip: ${visitor.url()}`);
  await visitor.getByLabel('Email').fill('linus@example.com');
  await visitor.getByRole('button', { name: 'Register' }).click();
  await visitor.getByTestId('registration-sent').waitFor();
  assert.equal(await visitor.getByTestId('seats').textContent(), '19 of 20 places left');

  const door = await creatorContext.newPage();
  await door.goto(`${env.app.base}/dashboard/pages/${id}/registrations`);
  await door.getByLabel('Search by name or email').fill('linus');
  await door.getByRole('button', { name: 'Search' }).click();
  const row = door.getByTestId('registrant');
  assert.equal(await row.count(), 1);
  await row.getByRole('button', { name: 'Check in' }).click();
  await door.locator('[data-testid=registrant][data-attended=true]').waitFor();
  assert.equal(await door.getByTestId('count-attended').textContent(), '1');
  const box = await row.getByRole('button', { name: 'Undo check-in' }).boundingBox();
  assert.ok(box && box.x + box.width <= 390, 'the button fits a phone screen');
  const [csv] = await Promise.all([door.waitForEvent('download'), door.getByRole('link', { name: 'Export CSV' }).click()]);
  const text = (await readFile(await csv.path())).toString('utf8');
  assert.match(text, /^\uFEFFregistered_at,status,name,email,phone,attended_at\r\n/);
  assert.match(text, /,registered,Linus,linus@example\.com,,\d{4}-/);
  await creatorContext.close();
});
