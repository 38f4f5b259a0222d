// A team and its plan, as people click through them, with and without JavaScript: the owner
// upgrades to Basic through the test checkout (the seat limit rises), invites an editor by mail,
// the editor joins and edits a page and is refused the billing page; the owner downgrades to
// Free, the paid period ends (the test control) and the billing page states the rule for what is
// above the plan.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appAndBrowser, uniqueEmail } from './support/app.mjs';
import { mailTo } from './support/mail.mjs';
import { createPage, signUp } from './support/editor.mjs';

const PASSWORD = 'correct horse battery staple';
const env = appAndBrowser({ before, after });

async function publishNewPage(page, headline) {
  await page.goto(`${env.app.base}/dashboard`);
  await createPage(page, 'Countdown launch', headline);
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByRole('button', { name: 'Switch off' }).waitFor();
}

async function teamAndPlan(context, javaScript) {
  const owner = await context.newPage();
  await signUp(env, owner, javaScript, 'owner');

  // Free: one seat, the owner's.
  await owner.goto(`${env.app.base}/dashboard/team`);
  await owner.getByTestId('seats').filter({ hasText: '1 of 1 seats' }).waitFor();

  // Upgrade to Basic through the test checkout.
  await owner.goto(`${env.app.base}/dashboard/billing`);
  await owner.getByTestId('plan-name').filter({ hasText: 'Free' }).waitFor();
  await owner.getByRole('button', { name: 'Upgrade: Basic' }).click();
  await owner.waitForURL('**/checkout/test/*');
  await owner.getByText('Flashpage Basic plan').waitFor();
  await owner.getByRole('button', { name: 'Pay $19.00' }).click();
  await owner.waitForURL('**/dashboard/billing?saved=paid');
  await owner.getByTestId('plan-name').filter({ hasText: 'Basic' }).waitFor();
  await owner.getByTestId('plan-status').filter({ hasText: 'renews on' }).waitFor();
  await owner.goto(`${env.app.base}/dashboard/team`);
  await owner.getByTestId('seats').filter({ hasText: '1 of 5 seats' }).waitFor();

  // Invite an editor.
  const editorEmail = uniqueEmail('teammate');
  await owner.getByLabel('Email').fill(editorEmail);
  await owner.getByRole('button', { name: 'Send invitation' }).click();
  await owner.waitForURL('**/dashboard/team?saved=invited');
  await owner.getByTestId('invitations').getByText(editorEmail).waitFor();

  // The editor accepts from the mailed link, in a browser of their own.
  const mail = await mailTo(env, editorEmail, 'invites you to');
  const link = mail.match(/https?:\/\/[^\s"<>]+\/invite\/[A-Za-z0-9_-]{43}/)[0];
  const other = await context.browser().newContext({ javaScriptEnabled: javaScript });
  const editor = await other.newPage();
  await editor.goto(link);
  await editor.getByLabel('Your name').fill('Eddie Editor');
  await editor.getByLabel('Password').fill(PASSWORD);
  await editor.getByRole('button', { name: 'Join the team' }).click();
  await editor.waitForURL('**/dashboard**');
  await editor.getByRole('heading', { name: 'Welcome, Eddie' }).waitFor();

  // The editor makes and edits a page, but has no Publish button's power and no billing.
  await createPage(editor, 'Countdown launch', 'Eddie draft');
  await editor.getByLabel('Headline', { exact: true }).fill('Eddie edited');
  await editor.getByRole('button', { name: 'Save page' }).click();
  await editor.getByRole('status').filter({ hasText: 'Saved.' }).first().waitFor();
  const refused = await editor.goto(`${env.app.base}/dashboard/billing`);
  assert.equal(refused.status(), 403, 'the billing page refuses an editor');
  await editor.getByRole('alert').filter({ hasText: "Your role doesn't allow this" }).waitFor();
  await other.close();

  // Four live pages (Basic allows 25), then down to Free (3): at the end of the paid period.
  for (const n of [1, 2, 3, 4]) await publishNewPage(owner, `Launch ${n}`);
  await owner.goto(`${env.app.base}/dashboard/billing`);
  await owner.getByRole('button', { name: 'Downgrade: Free' }).click();
  await owner.waitForURL('**/dashboard/billing?saved=changed');
  await owner.getByTestId('plan-status').filter({ hasText: 'then the Free plan applies' }).waitFor();
  await owner.getByRole('button', { name: 'End the current period now' }).click();
  await owner.waitForURL('**/dashboard/billing?saved=period_ended');
  await owner.getByTestId('plan-name').filter({ hasText: 'Free' }).waitFor();
  // The rule: nothing deleted, a date, the newest above the limit switched off then.
  await owner.getByTestId('billing-notice').filter({ hasText: 'Nothing is deleted: on' }).waitFor();
  await owner.locator('.meter--over').filter({ hasText: 'Live pages' }).filter({ hasText: '4 of 3' }).waitFor();
  // And nothing new passes the limit meanwhile.
  await owner.goto(`${env.app.base}/dashboard`);
  await createPage(owner, 'Countdown launch', 'Launch 5');
  await owner.getByRole('button', { name: 'Publish' }).click();
  await owner.getByRole('alert').filter({ hasText: 'Free plan allows 3 live pages' }).first().waitFor();
}

test('with JavaScript: upgrade, invite, edit as an editor, downgrade', async () => {
  const context = await env.browser.newContext();
  const errors = [];
  context.on('weberror', (e) => errors.push(e.error().message));
  await teamAndPlan(context, true);
  assert.deepEqual(errors, [], 'no script errors in the page');
  await context.close();
});

test('without JavaScript: the same through plain form posts', async () => {
  const context = await env.browser.newContext({ javaScriptEnabled: false });
  await teamAndPlan(context, false);
  await context.close();
});
