// A forgotten password, reset from the mailed link, as a person clicks it, with and without
// JavaScript: "Forgot your password?" on the login page, the mail (sent to a real SMTP server on
// loopback and read back from it), a weak password refused beside its field, the new one set,
// signed in, and the old password gone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appAndBrowser, uniqueEmail } from './support/app.mjs';
import { smtpMailTo } from './support/smtp.mjs';
import { confirmFromMail } from './support/mail.mjs';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';
const env = appAndBrowser({ before, after }, { smtp: true });

async function resetFromTheMail(context, { email, javaScript }) {
  // The account, in a browser of its own (its session ends with the reset).
  const other = await context.browser().newContext();
  const owner = await other.newPage();
  await owner.goto(`${env.app.base}/signup`);
  await owner.getByLabel('Your name').fill('Ada Lovelace');
  await owner.getByLabel('Email').fill(email);
  await owner.getByLabel('Password').fill(PASSWORD);
  await owner.getByRole('button', { name: 'Create account' }).click();
  await confirmFromMail(env, owner, email);

  const page = await context.newPage();
  await page.goto(`${env.app.base}/login`);
  if (javaScript) await page.waitForSelector('body[data-hydrated="true"]');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.waitForURL('**/forgot-password');
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send me a reset link' }).click();
  await page.waitForURL('**/forgot-password?sent=1');
  await page.getByTestId('reset-sent').waitFor();

  const mail = await smtpMailTo(env.smtp, email, 'Reset your Flashpage password');
  const link = mail.match(/https?:\/\/[^\s"<>]+\/reset-password\/[A-Za-z0-9_-]{43}/)[0];
  // The reset pages are plain forms (no island), the same with and without JavaScript.
  await page.goto(link);
  await page.getByLabel('New password').fill('short');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.locator('#field-password-error').filter({ hasText: /at least 10 characters/ }).waitFor();
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await page.waitForURL('**/dashboard?password_reset=1');
  await page.getByTestId('password-changed').waitFor();
  await page.getByRole('heading', { name: 'Welcome, Ada' }).waitFor();

  // The other browser was logged out; the link is spent.
  await owner.goto(`${env.app.base}/dashboard`);
  await owner.waitForURL('**/login?next=/dashboard');
  await owner.goto(link);
  await owner.getByTestId('reset-dead').waitFor();
  // The old password is gone, the new one works.
  await owner.goto(`${env.app.base}/login`);
  await owner.getByLabel('Email').fill(email);
  await owner.getByLabel('Password').fill(PASSWORD);
  await owner.getByRole('button', { name: 'Log in' }).click();
  await owner.getByText("That email and password don't match an account.").waitFor();
  await owner.getByLabel('Password').fill(NEW_PASSWORD);
  await owner.getByRole('button', { name: 'Log in' }).click();
  await owner.waitForURL('**/dashboard');
  await other.close();
}

test('with JavaScript: reset a forgotten password from the mailed link', async () => {
  const context = await env.browser.newContext();
  const errors = [];
  context.on('weberror', (e) => errors.push(e.error().message));
  await resetFromTheMail(context, { email: uniqueEmail('reset-js'), javaScript: true });
  assert.deepEqual(errors, [], 'no script errors in the page');
  await context.close();
});

test('without JavaScript: the same through plain form posts', async () => {
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  await resetFromTheMail(context, { email: uniqueEmail('reset-nojs'), javaScript: false });
  await context.close();
});
