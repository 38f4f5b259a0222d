// Starts the built Flashpage server on a free loopback port with a fresh data directory, and a
// headless Debian Chromium to drive it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

/** A free loopback port. */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** Starts the app; `extraEnv` adds settings (e.g. `SMTP_URL` to send mail to a real server). */
export async function startApp(extraEnv = {}) {
  const bin = process.env.FLASHPAGE_BIN;
  const siteRoot = process.env.FLASHPAGE_SITE_ROOT ?? join(repoRoot, 'target', 'site');
  if (!bin) throw new Error('FLASHPAGE_BIN is not set: run the tests through `make test`');
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'flashpage-e2e-'));
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(bin, [], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: process.env.E2E_DATABASE_URL ?? '',
      PUBLIC_URL: base,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: siteRoot,
      LEPTOS_OUTPUT_NAME: 'flashpage',
      // cargo leptos build hashes asset names and writes hash.txt next to the binary it builds
      // for; leptos joins this name to the server's own directory (an absolute path wins). Read
      // with Leptos.toml the variable is LEPTOS_HASH_FILE, without it LEPTOS_HASH_FILE_NAME.
      LEPTOS_HASH_FILES: 'true',
      ...(process.env.FLASHPAGE_HASH_FILE
        ? { LEPTOS_HASH_FILE: process.env.FLASHPAGE_HASH_FILE, LEPTOS_HASH_FILE_NAME: process.env.FLASHPAGE_HASH_FILE }
        : {}),
      LEPTOS_ENV: 'PROD',
      RUST_LOG: 'warn',
      ...extraEnv,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited = null;
  child.on('exit', (code) => { exited = code; });
  // cargo-leptos does not wait for the server: poll its health check.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`the server exited with code ${exited} before it was ready`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error('the server did not become healthy within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    /** Where the app keeps its data; without SMTP its mail is written to `mail/` as `.eml` files. */
    dataDir,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (exited !== null ? r() : child.on('exit', r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** Records the uncaught errors of every page the browser opens, with the page's address. */
function watchForScriptErrors(browser, errors) {
  const watch = (page) => page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args) => {
    const context = await newContext(...args);
    context.on('page', watch);
    return context;
  };
  const newPage = browser.newPage.bind(browser);
  browser.newPage = async (...args) => {
    const page = await newPage(...args);
    watch(page);
    return page;
  };
  return browser;
}

let counter = 0;
/** A unique email for each sign-up in a run. */
export function uniqueEmail(tag) {
  counter += 1;
  return `${tag}-${Date.now()}-${counter}@example.com`;
}

/**
 * Registers before/after hooks that start the app and a browser for one test file, and returns
 * an object whose `app` and `browser` are set once the hooks have run. With `smtp: true` the app
 * sends its mail to a real SMTP server on loopback (`env.smtp`, see `smtp.mjs`).
 */
export function appAndBrowser(hooks, { smtp = false } = {}) {
  const env = { app: null, browser: null, smtp: null, scriptErrors: [] };
  hooks.before(async () => {
    if (smtp) {
      const { startSmtp } = await import('./smtp.mjs');
      env.smtp = await startSmtp();
    }
    env.app = await startApp(env.smtp ? { SMTP_URL: `smtp://127.0.0.1:${env.smtp.port}` } : {});
    env.browser = watchForScriptErrors(await launchChromium(), env.scriptErrors);
  });
  hooks.after(async () => {
    await env.browser?.close();
    await env.app?.stop();
    await env.smtp?.stop();
    // A panic in the browser code (or any uncaught error) fails the file, even when the page
    // looked right: after a wasm panic the page's islands stop answering.
    if (env.scriptErrors.length > 0) {
      throw new Error(`the browser reported script errors:\n${env.scriptErrors.join('\n---\n')}`);
    }
  });
  return env;
}
