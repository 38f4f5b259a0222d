// The first-visit byte budget of the visitor's page (issue 8): a live page of each kind, and a
// scheduled one with its notify-me form (the page a visitor meets before a launch), opened with
// the browser cache off, transfers at most 150 KB on the wire (every response's encoded
// length, as the DevTools protocol reports it); a second visit fetches only the HTML.
//
// It measures the assets this run serves: `make test` builds the browser code as it is deployed
// (release, precompressed), so a change that grows the visitor's download fails here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appAndBrowser } from './support/app.mjs';
import { creator } from './support/creator.mjs';
import { countTransfer } from './support/transfer.mjs';

const env = appAndBrowser({ before, after });
const BUDGET_BYTES = 150 * 1024;

const inDays = (n) => new Date(Date.now() + n * 86_400_000).toISOString();
const body = 'Twelve film-inspired looks for Lightroom and Capture One, tested on more than 4,000 photos.\n\n'
  + '- Works on desktop and mobile\n- Lifetime updates\n- A printable guide to every preset';
const offer = (title, price) => ({ kind: 'offer', title, description: 'Twelve looks and a printable guide.', price, currency: 'USD' });

/** Bytes per URL of one page load, with Chromium's cache as it is set on `cdp`. */
async function load(page, cdp, url) {
  const counting = countTransfer(cdp);
  await page.goto(url, { waitUntil: 'load' });
  // The islands load when the browser is idle: wait until they have, so their bytes count.
  await page.waitForSelector('body[data-hydrated="true"]');
  await page.waitForLoadState('networkidle');
  return counting.stop();
}

test('a first visit to a live page of each kind, or a scheduled one, stays within 150 KB; a repeat visit fetches only the HTML', async (t) => {
  // A new account keeps three pages live: the fourth comes from a second one (own cookies).
  const setup = await env.browser.newContext();
  const second = await env.browser.newContext();
  const one = await creator(env, setup);
  const two = await creator(env, second);
  const pages = {
    countdown: await one.page('countdown',
      { countdownTarget: inDays(3), postCountdownAction: 'show-message', messageTitle: 'We are live', messageContent: 'Come in.' },
      { headline: 'Winter Presets: launching soon', body }),
    'flash sale': await one.page('flash-sale',
      { saleEndTime: inDays(2), discountPercentage: 30, originalPriceDisplay: true, inventoryLimit: 100, soldOutAction: 'show-message' },
      { headline: 'Winter Presets: 30% off', body }, [offer('Winter Presets', '49.00'), offer('Presets and course', '89.00')]),
    event: await one.page('event-registration',
      { eventStartTime: inDays(3), eventEndTime: inDays(3.1), timeZone: 'Europe/Paris', eventLocation: 'physical',
        physicalAddress: '12 Rue de Rivoli, 75004 Paris', maxAttendees: 120, waitlistEnabled: true },
      { headline: 'Editing night in Paris', body }),
    offer: await two.page('limited-offer',
      { offerEndTime: inDays(2), discountCode: 'WINTER', bonusDescription: 'A printable guide', limitedQuantity: 50, postOfferAction: 'show-alternate',
        alternateTitle: 'Missed it?', alternateContent: 'Join the list for the next one.' },
      { headline: 'Presets bundle, this week only', body }, [offer('Bundle', '59.00')]),
    'scheduled, with notify-me': await two.page('countdown',
      { countdownTarget: inDays(3), postCountdownAction: 'show-message', messageTitle: 'We are live', messageContent: 'Come in.' },
      { headline: 'Winter Presets: coming soon', body, notifyMe: true }, [], { launchAt: inDays(2) }),
  };
  await setup.close();
  await second.close();

  for (const [kind, short] of Object.entries(pages)) {
    const url = `${env.app.base}/p/${short}`;
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const first = await load(page, cdp, url);
    const total = [...first.values()].reduce((a, b) => a + b, 0);
    const list = [...first].map(([at, n]) => `${new URL(at).pathname} ${n} B`).join(', ');
    assert.ok(first.size >= 4, `${kind}: the HTML, the stylesheet, the script and the wasm were all fetched (${list})`);
    t.diagnostic(`${kind}: first visit ${(total / 1024).toFixed(1)} KB (${list})`);
    assert.ok(total <= BUDGET_BYTES, `${kind}: a first visit transferred ${(total / 1024).toFixed(1)} KB, over the 150 KB budget (${list})`);

    await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
    const again = await load(page, cdp, url);
    const fetched = [...again].filter(([, n]) => n > 0).map(([at]) => new URL(at).pathname);
    assert.deepEqual(fetched, [`/p/${short}`], `${kind}: a repeat visit fetches only the HTML`);
    await context.close();
  }
});
