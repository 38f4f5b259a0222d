// A creator driven through the HTTP API, for tests about what visitors see.
import assert from 'node:assert/strict';
import { uniqueEmail } from './app.mjs';
import { confirmationLink } from './mail.mjs';

/** What the hydrated app sends: JSON back, and the app's own origin (the CSRF check wants it). */
export const apiHeaders = (env) => ({ accept: 'application/json', origin: env.app.base });

/**
 * Signs up a new creator in the browser `context` (its cookies) and returns `page(kind, settings,
 * customization, blocks?, { launchAt }?)`, which creates, fills and publishes a page and returns
 * its short id.
 * A new account's plan keeps three pages live, so a fourth needs a second creator.
 */
export async function creator(env, context) {
  const email = uniqueEmail('pages');
  const res = await context.request.post(`${env.app.base}/api/signup`, {
    form: { name: 'Creator', email, password: 'correct horse battery staple' },
    headers: apiHeaders(env),
  });
  assert.equal(res.status(), 200);
  // The mailed link signs the new account in.
  const token = (await confirmationLink(env, email)).split('/').pop();
  const confirmed = await context.request.post(`${env.app.base}/api/account/confirm`, { form: { token }, headers: apiHeaders(env) });
  assert.equal(confirmed.status(), 200, await confirmed.text());
  const call = async (path, form) => {
    const r = await context.request.post(`${env.app.base}/api/pages/${path}`, { form, headers: apiHeaders(env) });
    assert.equal(r.status(), 200, `${path}: ${await r.text()}`);
    return r.json();
  };
  return {
    async page(kind, settings, customization, blocks = [], options = {}) {
      return (await this.pageWithId(kind, settings, customization, blocks, options)).shortId;
    },
    /** Like `page`, returning `{ id, shortId }`. */
    async pageWithId(kind, settings, customization, blocks = [], { launchAt = '' } = {}) {
      const id = await call('create', { page_type: kind, headline: customization.headline });
      await call('update', { id, settings: JSON.stringify(settings), customization: JSON.stringify(customization), launch_at: launchAt });
      for (const block of blocks) {
        await call('content/add', { page_id: id, ...Object.fromEntries(Object.entries(block).map(([k, v]) => [`item[${k}]`, v])) });
      }
      await call('publish', { id });
      const detail = await call('get', { id });
      return { id, shortId: detail.summary.short_id };
    },
  };
}
