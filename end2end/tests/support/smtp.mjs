// A real SMTP server for the browser tests: aiosmtpd (Debian's python3-aiosmtpd, installed by
// `.ci/tools.sh test`) on a free loopback port, keeping every message in a Maildir that the tests
// read back.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './app.mjs';

const listening = (port) =>
  new Promise((ok) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => { socket.end(); ok(true); });
    socket.on('error', () => ok(false));
  });

export async function startSmtp() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'flashpage-e2e-smtp-'));
  const child = spawn('aiosmtpd', ['-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', join(dir, 'box')], { stdio: 'ignore' });
  let exited = null;
  child.on('exit', (code) => { exited = code; });
  child.on('error', (e) => { exited = `${e.message} (install aiosmtpd with .ci/tools.sh test)`; });
  const deadline = Date.now() + 20_000;
  while (!(await listening(port))) {
    if (exited !== null) throw new Error(`aiosmtpd exited (${exited}) instead of listening on ${port}`);
    if (Date.now() > deadline) throw new Error(`aiosmtpd did not listen on ${port} within 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    box: join(dir, 'box', 'new'),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (exited !== null ? r() : child.on('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Quoted-printable soft breaks and escapes undone (enough for links and plain text). */
function unquote(text) {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Waits for the SMTP server to have received a message to `to` whose subject contains `subject`
 * (the app's sender runs every two seconds), and returns its decoded text.
 */
export async function smtpMailTo(smtp, to, subject) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    let names = [];
    try { names = readdirSync(smtp.box); } catch { /* nothing received yet */ }
    for (const name of names) {
      const raw = unquote(readFileSync(join(smtp.box, name), 'utf8'));
      if (raw.includes(`X-RcptTo: ${to}`) && raw.includes(subject)) return raw;
    }
    if (Date.now() > deadline) throw new Error(`the SMTP server got no mail to ${to} about "${subject}" within 20 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
