// Steps the editor tests share: sign up, make a page, pick a date a few days ahead.
import { uniqueEmail } from './app.mjs';
import { confirmFromMail } from './mail.mjs';

export async function signUp(env, page, javaScript, tag = 'editor') {
  await page.goto(`${env.app.base}/signup`);
  if (javaScript) await page.waitForSelector('body[data-hydrated="true"]');
  await page.getByLabel('Your name').fill('Creator');
  const email = uniqueEmail(tag);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create account' }).click();
  await confirmFromMail(env, page, email);
}

/** A `datetime-local` value `days` from now, at 10:00. */
export const future = (days) => {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}T10:00`;
};

export async function createPage(page, kindLabel, headline) {
  await page.getByLabel('Kind').selectOption({ label: kindLabel });
  await page.getByLabel('Headline', { exact: true }).fill(headline);
  await page.getByRole('button', { name: 'Create page' }).click();
  await page.waitForURL('**/dashboard/pages/*');
  await page.getByRole('heading', { name: headline, level: 1 }).first().waitFor();
}
