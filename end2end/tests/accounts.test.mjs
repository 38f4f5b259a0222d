// Sign-up -> the mailed link -> dashboard -> logout -> login, as a person clicks it, with and without JavaScript.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appAndBrowser, uniqueEmail } from './support/app.mjs';
import { confirmFromMail } from './support/mail.mjs';

const PASSWORD = 'correct horse battery staple';
const env = appAndBrowser({ before, after });

async function signUpUseDashboardLogOutLogIn(page, { email, javaScript }) {
  await page.goto(`${env.app.base}/`);
  if (javaScript) await page.waitForSelector('body[data-hydrated="true"]');
  await page.getByRole('link', { name: 'Create your free account' }).click();
  await page.waitForURL('**/signup');

  await page.getByLabel('Your name').fill('Ada Lovelace');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await confirmFromMail(env, page, email);

  await page.getByRole('heading', { name: 'Welcome, Ada' }).waitFor();
  assert.equal(await page.getByTestId('role').textContent(), 'Admin');
  const orgName = (await page.getByTestId('org-name').textContent()).trim();
  assert.match(orgName, /^\S+ \S+ \S+$/, `a generated organization name, got "${orgName}"`);
  assert.equal(await page.getByTestId('plan').textContent(), 'Free');

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL('**/login?signed_out=1');
  await page.getByText('You have been logged out.').waitFor();

  // The dashboard is closed again.
  await page.goto(`${env.app.base}/dashboard`);
  await page.waitForURL('**/login?next=/dashboard');

  await page.getByLabel('Email').fill(email.toUpperCase());
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL('**/dashboard');
  await page.getByRole('heading', { name: 'Welcome, Ada' }).waitFor();
  return orgName;
}

test('with JavaScript: sign up, see the dashboard, log out, log back in', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signUpUseDashboardLogOutLogIn(page, { email: uniqueEmail('js'), javaScript: true });
  assert.deepEqual(errors, [], 'no script errors in the page');
  await context.close();
});

test('without JavaScript: the same flow through plain form posts and redirects', async () => {
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signUpUseDashboardLogOutLogIn(page, { email: uniqueEmail('nojs'), javaScript: false });
  assert.equal(await page.locator('body[data-hydrated]').count(), 0, 'really no JavaScript ran');
  await context.close();
});

test('without JavaScript: errors appear next to the right fields', async () => {
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${env.app.base}/signup`);
  await page.getByLabel('Your name').fill('Ada');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/signup\?/);
  const email = page.getByLabel('Email');
  assert.equal(await email.getAttribute('aria-invalid'), 'true');
  assert.equal(await email.getAttribute('aria-describedby'), 'field-email-error');
  assert.equal(await page.locator('#field-email-error').textContent(), 'Enter an email address like name@example.com.');
  assert.match(await page.locator('#field-password-error').textContent(), /at least 10 characters/);
  assert.equal(await page.getByLabel('Your name').getAttribute('aria-invalid'), 'false');

  // A wrong password on the login page says so, generically.
  await page.goto(`${env.app.base}/login`);
  await page.getByLabel('Email').fill('nobody@example.com');
  await page.getByLabel('Password').fill('wrong password!!');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').filter({ hasText: "That email and password don't match an account." }).waitFor();
  await context.close();
});

test('hydration really happened: inline validation runs in the browser without a request', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const apiCalls = [];
  page.on('request', (req) => { if (new URL(req.url()).pathname.startsWith('/api/')) apiCalls.push(req.url()); });
  await page.goto(`${env.app.base}/signup`);
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.getByLabel('Email').fill('ada@');
  await page.getByLabel('Email').blur();
  await page.locator('#field-email-error').filter({ hasText: 'Enter an email address like name@example.com.' }).waitFor();
  assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
  assert.deepEqual(apiCalls, [], 'the check ran in wasm, not on the server');
  await context.close();
});

test('a form on another site cannot log a visitor in or act for them (cross-site request refused)', async () => {
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const email = uniqueEmail('csrf');
  // The victim has an account and is signed in.
  await page.goto(`${env.app.base}/signup`);
  await page.getByLabel('Your name').fill('Victim');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await confirmFromMail(env, page, email);
  // Another site posts a form to the app: Chromium sends that site's Origin and
  // Sec-Fetch-Site: cross-site, and the app refuses.
  await page.route('http://evil.example/**', (route) => route.fulfill({
    contentType: 'text/html',
    body: `<form method="post" action="${env.app.base}/api/pages/create">
      <input name="page_type" value="countdown"><input name="headline" value="Planted">
      <button>Go</button>
    </form>`,
  }));
  await page.goto('http://evil.example/');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/pages/create')),
    page.getByRole('button', { name: 'Go' }).click(),
  ]);
  assert.equal(response.status(), 403);
  await page.goto(`${env.app.base}/dashboard`);
  assert.equal(await page.getByText('Planted').count(), 0, 'no page was created');
  await context.close();
});
