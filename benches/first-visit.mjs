// What a visitor's browser downloads on a first visit to a public page, and how long until its
// countdown ticks, measured in Debian's Chromium through the DevTools protocol (issue 8).
//
//   node benches/first-visit.mjs URL [URL ...]
//
// For each URL: a fresh browser context with the cache disabled, 4x CPU throttling and a slow
// mobile network (150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up: Lighthouse's mobile profile);
// bytes on the wire are the encoded lengths of every response (Network.loadingFinished). Then a
// second visit with the cache on: what a returning visitor downloads. Prints one line per resource
// and per page, and last a JSON line with the largest first visit and the slowest first tick.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../end2end/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const { countTransfer } = await import('../end2end/tests/support/transfer.mjs');

const urls = process.argv.slice(2);
if (urls.length === 0) {
  console.error('usage: node benches/first-visit.mjs URL [URL ...]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** Loads `url` in `page` and returns [bytes by URL, ms until the countdown first changed]. */
async function visit(page, cdp, url) {
  const counting = countTransfer(cdp);
  const start = Date.now();
  await page.goto(url, { waitUntil: 'load' });
  // The countdown ticks once the page's script runs: wait for its number to change.
  let tickMs = null;
  const counter = page.locator('[data-seconds-left]').first();
  if (await counter.count()) {
    const first = await counter.getAttribute('data-seconds-left');
    await page.waitForFunction(
      (was) => document.querySelector('[data-seconds-left]')?.getAttribute('data-seconds-left') !== was,
      first, { timeout: 30_000, polling: 50 },
    ).then(() => { tickMs = Date.now() - start; }, () => { tickMs = null; });
  }
  // Islands load when the browser is idle (the lazy ones later still): count them too.
  await page.waitForSelector('body[data-hydrated="true"]', { timeout: 30_000 })
    .catch(() => console.log(`  WARNING ${url}: the islands did not all hydrate within 30 s`));
  await page.waitForLoadState('networkidle');
  return [counting.stop(), tickMs];
}

const sum = (m) => [...m.values()].reduce((a, b) => a + b, 0);
let worstFirst = 0;
let worstTick = 0;
for (const url of urls) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8,
  });
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const [first, tickMs] = await visit(page, cdp, url);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  const [again] = await visit(page, cdp, url);
  for (const [at, n] of first) console.log(`  ${String(n).padStart(9)} B  ${new URL(at).pathname}`);
  const total = sum(first);
  console.log(`${url}: first visit ${(total / 1024).toFixed(1)} KB, countdown ticks after ${tickMs ?? 'n/a'} ms; ` +
    `repeat visit ${(sum(again) / 1024).toFixed(1)} KB (${[...again].filter(([, n]) => n > 0).map(([u]) => new URL(u).pathname).join(', ')})`);
  worstFirst = Math.max(worstFirst, total);
  if (tickMs !== null) worstTick = Math.max(worstTick, tickMs);
  await context.close();
}
await browser.close();
console.log(JSON.stringify({ first_visit_kb: Number((worstFirst / 1024).toFixed(1)), tick_ms: worstTick }));
