// Browser tests of the post-checkup flow and the stress check: the demo physician works the
// dashboard and records an opinion; the demo worker answers the 57-item questionnaire, sees the
// result and applies for the interview; the physician sees the high-stress list; HR is refused.
// Headless Debian Chromium, one `iphr serve --demo` for this file.
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
  delete env.IPHR_DATABASE_URL;
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
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true }); else console.log('kept', dir);
});

async function login(page, user) {
  await page.goto(`${base}/login`);
  await page.fill('input[name=login]', user);
  await page.fill('input[name=password]', 'iphr-demo');
  await page.click('button[type=submit]');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

async function workerCompany(page) {
  // The demo worker belongs to the first company (株式会社みなと精機).
  const companies = await (await page.request.get(`${base}/api/v1/companies`)).json();
  return companies.find((c) => c.name === '株式会社みなと精機') ?? companies[0];
}

test('the physician works the post-checkup dashboard and records an opinion', async () => {
  const page = await browser.newPage();
  await login(page, 'doctor');
  await page.goto(`${base}/postcheckup`);
  assert.match(await page.textContent('main'), /緊急連絡/);
  const company = await workerCompany(page);
  await page.goto(`${base}/companies/${company.id}/postcheckup`);
  for (const s of ['緊急連絡', '受診勧奨フォロー', '意見期限', '要精検フォロー', '特定保健指導']) {
    assert.match(await page.textContent('main'), new RegExp(s));
  }
  await page.screenshot({ path: join(shots, 'postcheckup-dashboard.png'), fullPage: true });
  // Open the first checkup whose opinion is due and decide 要制限 with a measure.
  // (A checkup with biological monitoring only has no 診断区分: pick one with an overall.)
  await page.locator('#section-opinion_due table tbody tr', { hasText: /[A-E] (異常なし|軽度異常|要再検査|要精密|治療中)/ })
    .first().locator('td a').click();
  await page.waitForURL(/\/checkups\//);
  assert.match(await page.textContent('#overall'), /[A-E]/);
  await page.selectOption('#opinion-form select[name=category]', 'restriction');
  await page.check('#opinion-form input[name=measure][value=overtime_limit]');
  await page.fill('#opinion-form input[name=opinion]', '時間外労働は月20時間まで');
  await page.click('#opinion-form button[type=submit]');
  await page.waitForURL(/\/checkups\//);
  assert.match(await page.textContent('#work'), /要制限/);
  assert.match(await page.textContent('#steps'), /時間外労働の制限/);
  await page.screenshot({ path: join(shots, 'postcheckup-checkup.png'), fullPage: true });
  await page.close();
});

test('the worker answers the stress check in the browser and sees the result; HR is refused the lists', async () => {
  const page = await browser.newPage();
  await login(page, 'worker');
  await page.goto(`${base}/me/stresscheck`);
  // Answer half, save, come back: the answers are kept.
  for (let n = 1; n <= 20; n++) await page.check(`input[name=q${n}][value="1"]`);
  await page.click('button[value=save]');
  await page.waitForURL(/saved=1/);
  assert.ok(await page.isChecked('input[name=q20][value="1"]'));
  // Submitting with answers missing names them.
  await page.click('#submit');
  assert.match(await page.textContent('#missing'), /未回答の項目があります: 21/);
  // A high-stress pattern (test vector max_stress): A 1…, B 4, C 4.
  const answers = '111111144411141441114444444444444444444444444444444444444';
  for (let n = 1; n <= 57; n++) await page.check(`input[name=q${n}][value="${answers[n - 1]}"]`);
  await page.click('#submit');
  await page.waitForURL(/\/me\/stresscheck\/result/);
  assert.match(await page.textContent('#verdict'), /高ストレス者」に該当します/);
  assert.equal(await page.locator('#profile rect').count(), 38);
  await page.screenshot({ path: join(shots, 'stress-result.png'), fullPage: true });
  await page.click('#apply');
  await page.waitForURL(/\/me\/stresscheck\/result/);
  assert.match(await page.textContent('#applied'), /申し出ました/);
  // The worker's own company, from their record's address.
  await page.goto(`${base}/me`);
  const company = { id: new URL(page.url()).pathname.split('/')[2] };
  await page.close();

  const doctor = await browser.newPage();
  await login(doctor, 'doctor');
  await doctor.goto(`${base}/companies/${company.id}/stresscheck`);
  const campaigns = await doctor.locator('.nav a').allTextContents();
  assert.ok(campaigns.some((c) => c.includes('実施中')));
  await doctor.click('.nav a:has-text("実施中")');
  const adminText = await doctor.textContent('main');
  assert.match(await doctor.textContent('#high-stress'), /申出あり/, adminText);
  assert.match(await doctor.textContent('#groups'), /全体/);
  assert.ok(await doctor.locator('#hanteizu-demand circle').count() >= 1, 'the 判定図 is drawn');
  await doctor.screenshot({ path: join(shots, 'stress-implementer.png'), fullPage: true });
  // The physician records the high-stress interview on the MHLW form (A/B/C prefilled).
  const before = await doctor.locator('#high-stress td:has-text("面接済")').count();
  await doctor.click('#high-stress a:has-text("面接指導を記録")');
  assert.ok(Number(await doctor.inputValue('input[name=stress_b]')) > 0, 'B prefilled from the answers');
  await doctor.check('input[name=findings][value="0"]');
  await doctor.check('input[name=guidance][value="2"]');
  await doctor.check('input[name=category][value="1"]');
  await doctor.check('input[name=other][value="b"]');
  // A measure without its content or period comes back naming the fields.
  await doctor.click('#interview-form button[type=submit]');
  assert.match(await doctor.textContent('#form-errors'), /other_detail/);
  await doctor.fill('input[name=other_detail]', '配置転換の検討');
  const today = new Date().toISOString().slice(0, 10);
  await doctor.fill('input[name=period_from]', today);
  await doctor.fill('input[name=period_to]', today);
  await doctor.screenshot({ path: join(shots, 'interview-form.png'), fullPage: true });
  await doctor.click('#interview-form button[type=submit]');
  await doctor.waitForURL(/\/stresscheck\?campaign=/);
  assert.equal(await doctor.locator('#high-stress td:has-text("面接済")').count(), before + 1);
  await doctor.close();

  const hr = await browser.newPage();
  await login(hr, 'jinji');
  const res = await hr.goto(`${base}/companies/${company.id}/stresscheck`);
  assert.equal(res.status(), 403);
  const res2 = await hr.goto(`${base}/companies/${company.id}/postcheckup`);
  assert.equal(res2.status(), 403);
  await hr.close();
});
