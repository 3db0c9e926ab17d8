// Browser tests of the foundation: the demo physician logs in, finds a worker and reads the
// timeline; HR sees whether checkups were taken but never values. Headless Debian Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

const bin = resolve(process.env.IPHR_BIN ?? '../target/debug/iphr');
const shots = resolve('test-results');
let server, base, browser, dir;

function freePort() {
  return new Promise((ok) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'iphr-e2e-'));
  mkdirSync(shots, { recursive: true });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = { ...process.env };
  delete env.IPHR_DATABASE_URL; // the default SQLite file in the temporary folder
  server = spawn(bin, ['serve', '--demo', '--addr', `127.0.0.1:${port}`], { cwd: dir, env, stdio: ['ignore', 'inherit', 'inherit'] });
  let exited = null;
  server.on('exit', (code) => { exited = code; });
  for (let i = 0; i < 600; i++) {
    if (exited !== null) throw new Error(`iphr serve exited with ${exited}`);
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function login(page, user) {
  await page.goto(`${base}/login`);
  await page.fill('input[name=login]', user);
  await page.fill('input[name=password]', 'iphr-demo');
  await page.click('button[type=submit]');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

// A worker of the first company whose timeline (as the user sees it through the API, with the
// same session) satisfies `want`.
async function findWorker(page, want) {
  const companies = await (await page.request.get(`${base}/api/v1/companies`)).json();
  const first = companies.find((c) => c.name === '株式会社みなと精機') ?? companies[0];
  const list = await (await page.request.get(`${base}/api/v1/companies/${first.id}/workers`)).json();
  const pages = Math.ceil(list.total / 50);
  for (let p = 1; p <= pages; p++) {
    const rows = p === 1 ? list.rows : (await (await page.request.get(`${base}/api/v1/companies/${first.id}/workers?page=${p}`)).json()).rows;
    for (const r of rows) {
      const doc = await (await page.request.get(`${base}/api/v1/companies/${first.id}/workers/${r.employment_id}`)).json();
      if (want(doc.timeline)) {
        return { company: first, row: r };
      }
    }
  }
  throw new Error('no demo worker matches');
}

test('the physician logs in, searches and reads a worker timeline', async () => {
  const page = await browser.newPage();
  await login(page, 'doctor');
  assert.match(page.url(), /\/companies$/);
  await page.click('text=株式会社みなと精機');
  await page.waitForSelector('table.workers tbody tr');
  assert.equal(await page.locator('table.workers tbody tr').count(), 50, 'first page of 50');
  // htmx search by employee number narrows the list without a page load.
  await page.fill('input[type=search]', 'A000001');
  await page.waitForFunction(() => document.querySelectorAll('table.workers tbody tr').length === 1);
  await page.screenshot({ path: join(shots, 'workers.png'), fullPage: true });

  const { company, row } = await findWorker(page, (t) => {
    const kinds = new Set(t.map((e) => e.kind));
    return ['checkup', 'stress_check', 'attendance_month', 'interview'].every((k) => kinds.has(k));
  });
  const url = `${base}/companies/${company.id}/workers/${row.employment_id}`;
  await page.goto(url);
  // The first page of the timeline, newest first: attendance folded into one row per year.
  const text = await page.textContent('ol.timeline');
  for (const kind of ['健康診断', '勤怠(年)']) {
    assert.ok(text.includes(kind), `timeline shows ${kind}`);
  }
  assert.ok(text.includes('収縮期血圧'), 'the physician sees checkup values');
  assert.ok((await page.textContent('.worker-top')).includes(row.employee_number));
  await page.screenshot({ path: join(shots, 'worker-physician.png'), fullPage: false });
  // Every kind is one filter away.
  for (const [kind, label] of [['stress_check', 'ストレスチェック'], ['interview', '面接指導・面談'], ['attendance_month', '勤怠(月)']]) {
    await page.goto(`${url}?kind=${kind}`);
    const kinds = await page.locator('ol.timeline .kind').allInnerTexts();
    assert.ok(kinds.length > 0 && kinds.every((k) => k === label), `${kind}: ${kinds}`);
  }
  await page.goto(url);
  // English switch.
  await page.click('a[lang=en]');
  assert.ok((await page.textContent('#timeline')).includes('Timeline'));
  await page.click('a[lang=ja]');
  await page.close();
});

test('HR sees that checkups were taken, never values, and is refused the details', async () => {
  const page = await browser.newPage();
  await login(page, 'jinji');
  // A worker who has not applied for a high-stress interview (that application is consent to
  // give the employer the stress-check result, 安衛則52条の16).
  const { company, row } = await findWorker(page, (t) =>
    t.some((e) => e.kind === 'checkup') && t.some((e) => e.kind === 'stress_check') && !t.some((e) => e.subkind === 'high_stress'));
  await page.goto(`${base}/companies/${company.id}/workers/${row.employment_id}`);
  const text = await page.textContent('ol.timeline');
  assert.ok(text.includes('健康診断'), 'HR sees the checkup was taken');
  // (A high-stress interview's title is class 1: applying for it is known to, and consents for, the employer.)
  for (const forbidden of ['収縮期血圧', 'HbA1c', '医師の診断', '合計点', '尿酸']) {
    assert.ok(!text.includes(forbidden), `HR must not see ${forbidden}`);
  }
  await page.screenshot({ path: join(shots, 'worker-hr.png'), fullPage: false });
  const doc = await (await page.request.get(`${base}/api/v1/companies/${company.id}/workers/${row.employment_id}`)).json();
  const checkup = doc.timeline.find((e) => e.kind === 'checkup');
  const res = await page.goto(`${base}/companies/${company.id}/workers/${row.employment_id}/events/${checkup.event_id}`);
  assert.equal(res.status(), 403);
  await page.close();
});
