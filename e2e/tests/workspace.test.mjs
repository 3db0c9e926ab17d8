// The physician's workspace in the browser (issue 13): the deck's 活用例 worker (company
// みなと精機, employee A000002: 塗装課 with toluene and a mask, nights, long hours lately, a high
// stress result, hypertension under treatment) in one 1280×800 screen; the timeline filtered;
// the trend charts; and what HR sees of the same worker. Screenshots in test-results/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { start, login, shots } from '../lib/harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

async function showcaseUrl(page) {
  const companies = await (await page.request.get(`${env.base}/api/v1/companies`)).json();
  const c = companies.find((x) => x.name === '株式会社みなと精機');
  const list = await (await page.request.get(`${env.base}/api/v1/companies/${c.id}/workers?q=A000002`)).json();
  assert.equal(list.rows.length, 1);
  return `${env.base}/companies/${c.id}/workers/${list.rows[0].employment_id}`;
}

test('the physician sees the whole example in the summary, filters the timeline and opens a trend chart', async () => {
  const page = await login(env, 'doctor');
  const url = await showcaseUrl(page);
  await page.goto(url);
  const text = async (sel) => (await page.locator(sel).innerText()).replace(/\s+/g, ' ');
  assert.match(await text('#sum-work'), /塗装課/);
  assert.match(await text('#sum-work'), /トルエン\(有機則\)・保護具: 防毒マスク\(有機ガス用\)/);
  assert.match(await text('#sum-work'), /深夜業あり/);
  assert.match(await text('#sum-hours'), /80時間超 [1-9]\d*か月/);
  assert.equal(await page.locator('#sum-hours svg .threshold').count(), 3);
  assert.match(await text('#sum-stress'), /▲高ストレス/);
  assert.match(await text('#sum-treatment'), /高血圧症 治療中/);
  assert.match(await text('#sum-judgement'), /総合判定/);
  // Every summary card is in the first screen (1280×800) without scrolling.
  for (const id of ['sum-work', 'sum-hours', 'sum-stress', 'sum-treatment', 'sum-judgement', 'sum-tasks']) {
    const box = await page.locator(`#${id}`).boundingBox();
    assert.ok(box && box.y < 800, `${id} starts at ${box?.y}`);
  }
  await page.screenshot({ path: join(shots, 'workspace-physician-summary.png') });

  // Filter: attendance only, then a period of checkups.
  await page.selectOption('select[name=kind]', 'attendance_month');
  await Promise.all([page.waitForNavigation(), page.click('form.filter button')]);
  const kinds = await page.locator('ol.timeline li.event .kind').allInnerTexts();
  assert.ok(kinds.length > 0 && kinds.every((k) => k === '勤怠(月)'), kinds.join(','));
  await page.screenshot({ path: join(shots, 'workspace-timeline-attendance.png'), fullPage: false });

  // The trend charts: blood pressure with its bands and the high values marked.
  await page.goto(`${url}/trends`);
  const sbp = page.locator('figure[id^="item-Af00100"]').first();
  assert.equal(await sbp.locator('rect.band').count(), 4);
  assert.ok(await sbp.locator('path.high').count() > 0);
  await page.screenshot({ path: join(shots, 'workspace-trends.png'), fullPage: true });
  await page.close();
});

test('the physician writes a return-to-work interview and attaches a PDF; HR reads only the measure', async () => {
  const page = await login(env, 'doctor');
  const url = await showcaseUrl(page);
  await page.goto(url);
  await page.click('#write-records >> text=復職面談');
  await page.selectOption('#f_step', '3');
  await page.fill('#f_condition', '睡眠は7時間、日中の眠気なし');
  await page.fill('#f_considerations', '短時間勤務(6時間)から開始');
  // A draft first, then taken up again from the worker page and finalised.
  await Promise.all([page.waitForNavigation(), page.click('button[value=save]')]);
  assert.match(await page.locator('main').innerText(), /下書きを保存しました/);
  await page.goto(url);
  await page.click('#write-records a[href*="/records/"]:not([href*="/records/new"])');
  await Promise.all([page.waitForNavigation(), page.click('button[value=finalise]')]);
  const record = page.url();
  assert.match(await page.locator('dl.fields').innerText(), /第3ステップ/);
  await page.screenshot({ path: join(shots, 'workspace-rtw-record.png') });

  // A PDF from the disk, shown in the page.
  await page.goto(`${url}/documents/new`);
  await page.setInputFiles('input[type=file]', { name: '主治医意見書.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n') });
  await Promise.all([page.waitForNavigation(), page.click('#document-form button')]);
  const frame = page.locator('section.document iframe');
  assert.equal(await frame.count(), 1);
  const doc = await page.request.get(new URL(await frame.getAttribute('src'), env.base).href);
  assert.equal(doc.headers()['content-type'], 'application/pdf');
  const documentPage = page.url();
  await page.screenshot({ path: join(shots, 'workspace-document.png') });
  await page.close();

  const hr = await login(env, 'jinji');
  await hr.goto(`${url}?kind=opinion`);
  assert.match(await hr.locator('ol.timeline').innerText(), /復職面談に基づく就業上の配慮/);
  for (const refused of [record, documentPage]) {
    const r = await hr.request.get(refused);
    assert.equal(r.status(), 403, refused);
  }
  await hr.goto(url);
  assert.ok(!(await hr.locator('main').innerText()).includes('主治医意見書'));
  await hr.close();
});

test('the physician records a patrol with a photo; HR reads the findings, not the photo', async () => {
  const page = await login(env, 'doctor');
  const companies = await (await page.request.get(`${env.base}/api/v1/companies`)).json();
  const c = companies.find((x) => x.name === '株式会社みなと精機');
  await page.goto(`${env.base}/companies/${c.id}/patrols/new`);
  await page.check('label.check:has-text("塗装課") input');
  await page.fill('textarea[name=findings]', '塗装ブースの局所排気装置の風量低下');
  await page.check('input[name=risk][value=high]');
  // A 1×1 PNG.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  await page.setInputFiles('input[name=photo]', { name: 'booth.png', mimeType: 'image/png', buffer: png });
  await Promise.all([page.waitForNavigation(), page.click('#patrol-form button')]);
  const first = page.locator('section.patrol').first();
  assert.match(await first.innerText(), /塗装ブースの局所排気装置の風量低下/);
  assert.equal(await first.locator('img.photo').count(), 1);
  assert.ok(await first.locator('img.photo').evaluate((img) => img.complete && img.naturalWidth === 1));
  await page.screenshot({ path: join(shots, 'workspace-patrols.png') });
  await page.close();
  const hr = await login(env, 'jinji');
  await hr.goto(`${env.base}/companies/${c.id}/patrols`);
  assert.match(await hr.locator('section.patrol').first().innerText(), /風量低下/);
  assert.equal(await hr.locator('img.photo').count(), 0);
  await hr.close();
});

test('HR sees the work and the measures of the same worker, never the health data', async () => {
  const page = await login(env, 'jinji');
  const url = await showcaseUrl(page);
  await page.goto(url);
  const body = await page.locator('main').innerText();
  assert.match(body, /塗装課/);
  assert.match(await page.locator('#sum-treatment').innerText(), /取扱規程により非表示/);
  for (const hidden of ['高血圧症', 'アムロジピン', '総合判定', '▲H', '評価点の低い尺度']) {
    assert.ok(!body.includes(hidden), `HR sees ${hidden}`);
  }
  await page.screenshot({ path: join(shots, 'workspace-hr.png') });
  await page.close();
});
