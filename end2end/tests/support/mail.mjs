// The mail the app wrote to its data directory (the embedded default: one `.eml` file a message).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Quoted-printable soft breaks and escapes undone (enough for links and plain text). */
function unquote(text) {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Waits (the sender runs every two seconds) for a message to `to` whose subject contains
 * `subject`, and returns its decoded text.
 */
export async function mailTo(env, to, subject) {
  const dir = join(env.app.dataDir, 'mail');
  const deadline = Date.now() + 20_000;
  for (;;) {
    let names = [];
    try { names = readdirSync(dir); } catch { /* no mail yet */ }
    for (const name of names) {
      const raw = readFileSync(join(dir, name), 'utf8');
      if (raw.includes(`To: ${to}`) && unquote(raw).includes(subject)) return unquote(raw);
    }
    if (Date.now() > deadline) throw new Error(`no mail to ${to} about "${subject}" within 20 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The manage link (`/r/…`) in a message. */
export function manageLink(text) {
  const match = text.match(/https?:\/\/[^\s"<>]+\/r\/[A-Za-z0-9_-]{43}/);
  if (!match) throw new Error(`no manage link in:\n${text}`);
  return match[0];
}

/** The message to `to` about `subject`, wherever the app sends mail in this run (SMTP or files). */
export async function anyMailTo(env, to, subject) {
  if (env.smtp) {
    const { smtpMailTo } = await import('./smtp.mjs');
    return smtpMailTo(env.smtp, to, subject);
  }
  return mailTo(env, to, subject);
}

/** The confirmation link (`/confirm-account/…`) mailed to a new account's address. */
export async function confirmationLink(env, email) {
  const text = await anyMailTo(env, email, 'Confirm your Flashpage account');
  const match = text.match(/https?:\/\/[^\s"<>]+\/confirm-account\/[A-Za-z0-9_-]{43}/);
  if (!match) throw new Error(`no confirmation link in:\n${text}`);
  return match[0];
}

/**
 * After the sign-up form: its answer ("Check your inbox"), then the mailed link opened and its
 * button pressed, as the person does; ends signed in, on the dashboard.
 */
export async function confirmFromMail(env, page, email) {
  // Without JavaScript the form posts and lands on /signup?sent=1; with it, the form's island
  // shows the same answer in place.
  await page.getByTestId('signup-sent').waitFor();
  await page.goto(await confirmationLink(env, email));
  await page.getByRole('button', { name: 'Confirm and continue' }).click();
  await page.waitForURL(/\/dashboard\?confirmed=1$/);
}
