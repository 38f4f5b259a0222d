// The plain commands (`cargo leptos watch`, `serve`, `build`, without `--split`) give a working
// app: run against a build made without splitting, the dashboard's islands (which a split build
// loads on demand) and a public page's hydrate, and the browser reports no script error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { appAndBrowser } from '../tests/support/app.mjs';
import { createPage, future, signUp } from '../tests/support/editor.mjs';

const env = appAndBrowser({ before, after });

test('the site under test was built without splitting', () => {
  const pkg = join(process.env.FLASHPAGE_SITE_ROOT, 'pkg');
  const files = readdirSync(pkg);
  assert.ok(files.some((f) => f.endsWith('.wasm')), `no wasm in ${pkg}`);
  assert.ok(!files.some((f) => f.startsWith('__wasm_split') || f.startsWith('chunk_')), `${pkg} holds split chunks: ${files.join(', ')}`);
});

test('without --split: the sign-up form, the dashboard, the editor and a public page hydrate', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });

  // The sign-up form is an island (loaded on demand when split).
  await signUp(env, page, true, 'unsplit');
  await page.waitForSelector('body[data-hydrated="true"]');
  await createPage(page, 'Countdown launch', 'Plain build');
  // The editor is an island too: its live preview follows the form before anything is saved.
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.getByLabel('Count down to', { exact: true }).fill(future(3));
  await page.getByLabel('Headline', { exact: true }).fill('Plain build works');
  await page.getByTestId('preview').getByRole('heading', { name: 'Plain build works' }).waitFor();
  await page.getByRole('button', { name: 'Save page' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).first().waitFor();
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByRole('button', { name: 'Switch off' }).waitFor();
  const url = await page.locator('#short-link').inputValue();

  // The visitor's countdown ticks once the page is hydrated.
  const visitor = await context.newPage();
  visitor.on('pageerror', (e) => problems.push(e.message));
  await visitor.goto(url);
  await visitor.waitForSelector('body[data-hydrated="true"]');
  await visitor.getByRole('heading', { name: 'Plain build works' }).waitFor();
  const left = () => visitor.locator('[data-seconds-left]').first().getAttribute('data-seconds-left');
  const first = Number(await left());
  await visitor.waitForFunction((start) => {
    const el = document.querySelector('[data-seconds-left]');
    return el && Number(el.getAttribute('data-seconds-left')) < start;
  }, first, { timeout: 5000 });

  assert.deepEqual(problems, [], 'the browser reported script errors');
  await context.close();
});
