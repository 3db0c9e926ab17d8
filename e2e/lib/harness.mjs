// What every browser test file needs: one `iphr serve --demo` on a free port in a temporary
// folder, headless Debian Chromium, a login, and screenshots under test-results/.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

const bin = resolve(process.env.IPHR_BIN ?? '../target/debug/iphr');
export const shots = resolve('test-results');

function freePort() {
  return new Promise((ok) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
  });
}

/** Starts the server on the demo data and the browser; `stop()` ends both. */
export async function start() {
  const dir = mkdtempSync(join(tmpdir(), 'iphr-e2e-'));
  mkdirSync(shots, { recursive: true });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env };
  delete env.IPHR_DATABASE_URL; // the default SQLite file in the temporary folder
  const server = spawn(bin, ['serve', '--demo', '--addr', `127.0.0.1:${port}`], { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit'] });
  let exited = null;
  server.on('exit', (code) => { exited = code; });
  for (let i = 0; i < 900; i++) {
    if (exited !== null) throw new Error(`iphr serve exited with ${exited}`);
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    base,
    browser,
    async stop() {
      await browser?.close();
      server?.kill();
      if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Logs `user` in (the demo password) on a new page of the given viewport. */
export async function login(env, user, viewport = { width: 1280, height: 800 }) {
  const page = await env.browser.newPage({ viewport });
  await page.goto(`${env.base}/login`);
  await page.fill('input[name=login]', user);
  await page.fill('input[name=password]', 'iphr-demo');
  await page.click('button[type=submit]');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  return page;
}
