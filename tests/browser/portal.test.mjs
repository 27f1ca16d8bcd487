// Real-browser tests of the chengxin portal (信用门户).
//
// Runs Debian's chromium through playwright-core (no browser download) under
// node's built-in test runner. The server must already be running: set
// CHENGXIN_URL to its base URL (scripts/browser-test.sh does all of it).
//
//   CHENGXIN_URL=http://127.0.0.1:8080 node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const BASE = (process.env.CHENGXIN_URL ?? '').replace(/\/+$/, '');
if (!BASE) {
  throw new Error('CHENGXIN_URL is not set (e.g. CHENGXIN_URL=http://127.0.0.1:8080)');
}
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url));
const TEST_TIMEOUT = 90_000;

// ---------------------------------------------------------------------------
// Personal-data detectors (the portal must never show these unmasked).

const CITIZEN_ID_RE =
  /(?<![0-9A-Z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX](?![0-9A-Z])/g;
const MOBILE_RE = /(?<!\d)1[3-9]\d{9}(?!\d)/g;
const HEX64_RE = /(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/g;
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643 check: the 18th character is the ISO 7064 MOD 11-2 check of the first 17. */
export function citizenIdChecksumOk(id) {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11] === id[17];
}

/** Unmasked citizen IDs (shape and check digit both right) and mobile numbers in `text`. */
export function findPersonalData(text) {
  // A 64-digit hex string is a digest or a token (a file's SHA-256 on a batch page, the CSRF token
  // in every form), not personal data; a run of its digits can look like a mobile number (CI saw
  // 16755194539 inside a token), so such strings are set aside before scanning.
  text = text.replace(HEX64_RE, '<hex64>');
  const ids = [...text.matchAll(CITIZEN_ID_RE)].map((m) => m[0]).filter(citizenIdChecksumOk);
  const mobiles = [...text.matchAll(MOBILE_RE)].map((m) => m[0]);
  return { ids, mobiles };
}

// ---------------------------------------------------------------------------
// Browser plumbing.

let browser;
const visited = new Set();

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
});

after(async () => {
  await browser?.close();
});

/** A fresh context and page; every request must stay on the server under test. */
async function newPage(t, { javaScriptEnabled = true, viewport = { width: 1280, height: 800 } } = {}) {
  const context = await browser.newContext({ javaScriptEnabled, viewport, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const foreign = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(BASE + '/') || url === BASE) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  t.after(async () => {
    await context.close();
    assert.deepEqual(foreign, [], 'the portal requested something from another origin');
    assert.deepEqual(pageErrors, [], 'script errors on the page');
  });
  return page;
}

/** Privacy check of the page now shown: visible text and the HTML behind it. */
async function checkPrivacy(page) {
  visited.add(page.url());
  const text = await page.locator('body').innerText();
  const html = await page.content();
  for (const [what, s] of [['text', text], ['HTML', html]]) {
    const { ids, mobiles } = findPersonalData(s);
    assert.deepEqual(ids, [], `unmasked citizen ID in the ${what} of ${page.url()}`);
    assert.deepEqual(mobiles, [], `mobile number in the ${what} of ${page.url()}`);
  }
}

/** Opens `path` (relative to the base URL), expects `status`, checks privacy. */
async function visit(page, path, status = 200) {
  const resp = await page.goto(BASE + path);
  assert.ok(resp, `no response for ${path}`);
  assert.equal(resp.status(), status, `status of ${path}`);
  await checkPrivacy(page);
  return resp;
}

/** Runs `action` (a click or Enter) and waits for the navigation it starts, then checks privacy. */
async function navigate(page, action, urlPattern) {
  await Promise.all([page.waitForURL(urlPattern, { waitUntil: 'load' }), action()]);
  await checkPrivacy(page);
}

async function getJson(path) {
  const resp = await fetch(BASE + path);
  assert.equal(resp.status, 200, `GET ${path}`);
  return resp.json();
}

/** A short name fragment that exists: 2 characters after the city/district prefix. */
function fragmentOf(name) {
  let rest = name;
  if (rest.startsWith('福州')) rest = rest.slice(2);
  else {
    const m = rest.match(/^.{1,4}?[县区市]/u);
    if (m) rest = rest.slice(m[0].length);
  }
  return [...rest].slice(0, 2).join('');
}

// ---------------------------------------------------------------------------
// The tests.

test('personal-data detector: flags a valid citizen ID and a mobile, ignores bad check digits and masks', () => {
  // 11010519491231002X is the GB 11643 textbook example (valid check character X).
  assert.equal(citizenIdChecksumOk('11010519491231002X'), true);
  assert.equal(citizenIdChecksumOk('110105194912310021'), false);
  assert.deepEqual(findPersonalData('证件号码 11010519491231002X。').ids, ['11010519491231002X']);
  assert.deepEqual(findPersonalData('证件号码 110105194912310021').ids, []);
  assert.deepEqual(findPersonalData('证件号码 1101**********002X').ids, []);
  assert.deepEqual(findPersonalData('代码 A11010519491231002X').ids, [], 'part of a longer code');
  assert.deepEqual(findPersonalData('电话 13912345678').mobiles, ['13912345678']);
  assert.deepEqual(findPersonalData('电话 139****5678 / 0591-12345678').mobiles, []);
  const digest = 'ab' + '16755194539' + 'c'.repeat(51);
  assert.deepEqual(findPersonalData(`SHA-256 ${digest}`).mobiles, [], 'digits inside a 64-hex digest');
  assert.deepEqual(findPersonalData(digest.slice(1)).mobiles, ['16755194539'], 'only a whole 64-hex string is set aside');
});

test('home page shows the Chinese title, counts and the search box', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await newPage(t);
  await visit(page, '/');
  assert.match(await page.title(), /诚信 · 公共信用信息平台/);
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  assert.equal((await page.locator('h1').innerText()).trim(), '信用信息查询');
  const q = page.locator('input#q');
  assert.ok(await q.isVisible(), 'search box visible');
  assert.ok(await q.isEditable(), 'search box editable');
  assert.equal(await page.locator('form.big-search').getAttribute('action'), '/search');
  // The total equals the sum of the per-kind counts.
  // Counts are shown with thousands separators (3,000).
  const asNumber = (text) => Number(text.replaceAll(',', ''));
  const total = asNumber(await page.locator('#stats-h .num').innerText());
  const counts = (await page.locator('ul.stats .num').allInnerTexts()).map(asNumber);
  assert.ok(total > 0, 'some subjects in the database');
  assert.equal(counts.reduce((a, b) => a + b, 0), total, 'per-kind counts add up to the total');
  assert.ok((await page.locator('ul.examples li a').count()) > 0, 'example links');
  await page.screenshot({ path: SHOTS + 'home.png', fullPage: true });
});

for (const javaScriptEnabled of [true, false]) {
  test(`search by name fragment, then open the first result (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, { timeout: TEST_TIMEOUT }, async (t) => {
    const page = await newPage(t, { javaScriptEnabled });
    await visit(page, '/');
    const example = (await page.locator('ul.examples li a').first().innerText()).trim();
    const fragment = fragmentOf(example);
    assert.equal([...fragment].length, 2, `fragment from example "${example}"`);

    await page.locator('input#q').fill(fragment);
    await navigate(page, () => page.locator('input#q').press('Enter'), /\/search\?/);
    const url = new URL(page.url());
    assert.equal(url.pathname, '/search');
    assert.equal(url.searchParams.get('q'), fragment);
    await assert.rejects(page.locator('.error').waitFor({ timeout: 500 }), 'no error shown');

    const names = (await page.locator('ol.results li a.name').allInnerTexts()).map((s) => s.trim());
    assert.ok(names.length >= 1, `results for "${fragment}"`);
    assert.ok(names.some((n) => n.includes(fragment)), `a result containing "${fragment}": ${names.join(', ')}`);
    assert.equal(await page.locator('#top-q').inputValue(), fragment, 'query kept in the header box');
    if (javaScriptEnabled) await page.screenshot({ path: SHOTS + 'search.png', fullPage: true });

    const first = page.locator('ol.results li a.name').first();
    const firstName = (await first.innerText()).trim();
    await navigate(page, () => first.click(), /\/subjects\//);
    assert.equal((await page.locator('h1').innerText()).trim(), firstName);
    const facts = page.locator('dl.facts');
    assert.match(await facts.innerText(), /统一社会信用代码/);
    assert.match(await page.title(), new RegExp(firstName));
  });
}

test('an invalid USCC in the search box shows an error naming the position', {
  timeout: TEST_TIMEOUT,
}, async (t) => {
  const page = await newPage(t);
  await visit(page, '/');
  await page.locator('input#q').fill('91350100M000100Y4Z');
  await navigate(page, () => page.locator('input#q').press('Enter'), /\/search\?/);
  const error = page.locator('.error');
  await error.waitFor({ timeout: 2_000 });
  assert.match(await error.innerText(), /统一社会信用代码的字符集有误（第 18 位）/);
  assert.equal(await page.locator('ol.results li').count(), 0);
});

test('an empty query shows an error instead of results', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await newPage(t);
  await visit(page, '/search?q=');
  const error = page.locator('p.error');
  assert.ok(await error.isVisible(), 'error paragraph visible');
  assert.match(await error.innerText(), /请输入名称或代码/);
  assert.equal(await page.locator('ol.results li').count(), 0);
});

test('paging through a broad query', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await newPage(t);
  await visit(page, '/search?q=' + encodeURIComponent('公司'));
  assert.equal(await page.locator('a[rel=prev]').count(), 0, 'no previous link on page 1');
  const firstPage = await page.locator('ol.results li a.name').allInnerTexts();
  assert.equal(firstPage.length, 20, 'a full first page');
  const next = page.locator('a[rel=next]');
  assert.equal(await next.count(), 1, 'a next link');
  await navigate(page, () => next.click(), /page=2/);
  assert.equal(new URL(page.url()).searchParams.get('q'), '公司');
  const secondPage = await page.locator('ol.results li a.name').allInnerTexts();
  assert.ok(secondPage.length >= 1, 'results on page 2');
  assert.notEqual(secondPage[0], firstPage[0], 'page 2 starts with a different subject');
  assert.deepEqual(secondPage.filter((n) => firstPage.includes(n)), [], 'no subject on both pages');
  assert.equal(await page.locator('ol.results').getAttribute('start'), '21', 'ranks go on from 21');
  assert.match(await page.locator('p.meta').innerText(), /第 2 \/ \d+ 页/);
  assert.equal(await page.locator('a[rel=prev]').count(), 1, 'a previous link on page 2');
  await navigate(page, () => page.locator('a[rel=prev]').click(), /page=1/);
  assert.deepEqual(await page.locator('ol.results li a.name').allInnerTexts(), firstPage, 'back to the same page 1');
});

/** A renamed company: current name differs from the one at establishment, on a later date. */
async function findRenamedSubject() {
  for (let p = 1; p <= 40; p++) {
    const r = await getJson(`/api/v1/subjects?q=${encodeURIComponent('公司')}&per_page=100&page=${p}`);
    if (r.items.length === 0) break;
    for (let i = 0; i < r.items.length; i += 10) {
      const details = await Promise.all(
        r.items.slice(i, i + 10).map((s) => getJson(`/api/v1/subjects/${encodeURIComponent(s.key)}`)),
      );
      const hit = details.find(
        (d) => d.version >= 2 && d.former_names.length > 0 && d.established && d.valid_from !== d.established,
      );
      if (hit) return hit;
    }
  }
  return null;
}

test('a renamed subject shows its old name as of version 1', { timeout: TEST_TIMEOUT }, async (t) => {
  const s = await findRenamedSubject();
  assert.ok(s, 'the demo data has a renamed company');
  const page = await newPage(t);
  await visit(page, `/subjects/${encodeURIComponent(s.key)}`);
  assert.equal((await page.locator('h1').innerText()).trim(), s.name);
  assert.match(await page.locator('dl.facts').innerText(), new RegExp(`曾用名\\s*${s.former_names[0]}`));

  const rows = page.locator('table.versions tbody tr');
  assert.ok((await rows.count()) >= 2, 'two or more versions');
  const v1 = rows.filter({ has: page.locator('td:first-child', { hasText: /^1$/ }) });
  assert.equal(await v1.count(), 1, 'a row for version 1');
  const v1Date = (await v1.locator('td').nth(1).innerText()).trim();
  assert.equal(v1Date, s.established, 'version 1 dates from establishment');
  await page.screenshot({ path: SHOTS + 'subject.png', fullPage: true });

  await navigate(page, () => v1.locator('a').click(), /as_of=/);
  assert.equal(new URL(page.url()).searchParams.get('as_of'), v1Date);
  const oldName = (await page.locator('h1').innerText()).trim();
  assert.equal(oldName, s.former_names[0], 'the old name as of version 1');
  assert.notEqual(oldName, s.name);
  assert.match(await page.locator('.asof').innerText(), new RegExp(`截至 ${v1Date}`));
});

test('privacy: subject pages show ID numbers only masked', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await newPage(t);
  await visit(page, '/');
  const hrefs = await page.locator('ul.examples li a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.ok(hrefs.length > 0);
  let masked = 0;
  for (const href of hrefs) {
    await visit(page, href);
    const facts = await page.locator('dl.facts').innerText();
    if (/证件号码/.test(facts)) {
      assert.match(facts, /\d{4}\*{10}[\dX]{4}/, `masked ID number on ${href}`);
      masked++;
    }
    // Every historical view too.
    const asOf = await page.locator('table.versions a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const h of asOf) await visit(page, h);
  }
  assert.ok(masked > 0, 'at least one example page shows a (masked) ID number');
  // The JSON the pages link to is masked too.
  const api = await page.request.get(BASE + '/api/v1/subjects/' + hrefs[0].split('/').pop());
  const { ids, mobiles } = findPersonalData(await api.text());
  assert.deepEqual([ids, mobiles], [[], []], 'API detail has no unmasked personal data');
});

test('unknown pages give a Chinese 404 page', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await newPage(t);
  await visit(page, '/no-such-page', 404);
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  assert.equal((await page.locator('h1').innerText()).trim(), '未找到');
  assert.match(await page.locator('.error').innerText(), /没有这个页面/);
  assert.match(await page.title(), /未找到/);
  await navigate(page, () => page.getByRole('link', { name: '返回首页' }).click(), (u) => u.pathname === '/');
  // An unknown subject is a Chinese 404 too.
  await visit(page, '/subjects/91350100M000100Y43', 404);
  assert.equal((await page.locator('h1').innerText()).trim(), '未找到');
});

test('双公示: the penalty column searches by name and links to the subject page', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await newPage(t);
  await visit(page, '/publicity/penalty');
  assert.equal((await page.locator('h1').innerText()).trim(), '行政处罚公示');
  const total = Number(await page.locator('strong.total').innerText());
  assert.ok(total > 0, 'the demo has penalties on show');
  const rows = page.locator('table.records tbody tr');
  assert.ok((await rows.count()) > 0);
  // Every row shown is inside its window: its end date is today or later.
  const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  for (const until of await rows.locator('td:nth-child(8)').allInnerTexts()) {
    assert.ok(until.trim() >= today, `publication ended ${until} but still shown`);
  }
  // Search by a company name from the column.
  const link = rows.locator('td:nth-child(2) a').first();
  const name = (await link.innerText()).trim();
  await page.fill('form.filters input[name=q]', name);
  await navigate(page, () => page.locator('form.filters button').click(), /q=/);
  const found = await page.locator('table.records tbody td:nth-child(2) a').allInnerTexts();
  assert.ok(found.length >= 1 && found.every((n) => n.trim() === name), `only ${name}: ${found}`);
  await page.screenshot({ path: SHOTS + 'publicity.png', fullPage: true });
  // The subject page carries the penalty section.
  await navigate(page, () => page.locator('table.records tbody td:nth-child(2) a').first().click(), /\/subjects\//);
  assert.ok(await page.locator('#publicity-penalty').isVisible(), 'penalty section on the subject page');
  // The deciding department is chosen by its name, not typed as a code.
  await visit(page, '/publicity/penalty');
  const choice = page.locator('form.filters select[name=department]');
  await choice.selectOption({ label: '福州市市场监督管理局' });
  await navigate(page, () => page.locator('form.filters button').click(), /department=11350100MB0000019U/);
  assert.equal(Number(await page.locator('strong.total').innerText()), total, 'the demo department made every penalty');
  assert.equal(await page.locator('form.filters select[name=department] option:checked').innerText(), '福州市市场监督管理局');
  const authorities = await page.locator('table.records tbody td:nth-child(6)').allInnerTexts();
  assert.ok(authorities.length > 0 && authorities.every((a) => a.trim() === '福州市市场监督管理局'), `authorities: ${authorities}`);
  // The licensing column exists too.
  await visit(page, '/publicity/license');
  assert.equal((await page.locator('h1').innerText()).trim(), '行政许可公示');
});

test('信用名单: listings with their basis, an objection filed on the portal and followed by its receipt', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await newPage(t);
  await visit(page, '/lists');
  assert.equal((await page.locator('h1').innerText()).trim(), '信用名单');
  const rows = page.locator('table.listed tbody tr');
  assert.ok((await rows.count()) >= 2, 'the demo lists a serious and a red entry');
  const kinds = await rows.locator('td:nth-child(2)').allInnerTexts();
  assert.ok(kinds.includes('严重失信主体名单') && kinds.includes('红名单'), `kinds: ${kinds}`);
  assert.ok((await page.locator('ol.announcements li').count()) >= 1, 'announcements shown');
  // The serious tab shows serious entries only.
  await navigate(page, () => page.locator('nav.columns a', { hasText: '严重失信主体名单' }).click(), /kind=serious/);
  const serious = await page.locator('table.listed tbody td:nth-child(2)').allInnerTexts();
  assert.ok(serious.length >= 1 && serious.every((k) => k === '严重失信主体名单'), `serious tab: ${serious}`);
  await page.screenshot({ path: SHOTS + 'lists.png', fullPage: true });
  // The subject page explains the listing: standard, basis, department, document, dates.
  await navigate(page, () => page.locator('table.listed tbody td:nth-child(1) a').first().click(), /\/subjects\//);
  const section = page.locator('#lists');
  assert.ok(await section.isVisible(), 'list section on the subject page');
  const line = await section.locator('tbody tr').first().innerText();
  assert.match(line, /严重失信主体名单/);
  assert.match(line, /〔\d{4}〕\d+号/, `a document number: ${line}`);
  const subjectUrl = page.url();
  // Object to it: the form, then the receipt with its deadlines.
  await navigate(page, () => section.getByRole('link', { name: '提出异议' }).first().click(), /\/objections\/new/);
  await page.fill('#applicant', '王五 13912345678');
  await page.fill('#grounds', '认定所依据的处罚决定已被复议撤销');
  await page.fill('#evidence', '行政复议决定书');
  await navigate(page, () => page.getByRole('button', { name: '提交异议' }).click(), /\/applications\/objection-/);
  assert.match(await page.locator('.receipt-id').innerText(), /^objection-/);
  assert.match(await page.locator('dd.accept-by').innerText(), /\d{4}-\d{2}-\d{2}|工作日/);
  const shown = await page.locator('dl.facts').innerText();
  assert.match(shown, /139\*{4}5678/, 'the applicant\'s mobile is masked');
  await page.screenshot({ path: SHOTS + 'objection-receipt.png', fullPage: true });
  // The entry is now marked under verification (国发〔2016〕33号 (二十二)).
  await page.goto(subjectUrl);
  await checkPrivacy(page);
  assert.ok(await page.locator('#lists .tag.verifying').first().isVisible(), '核查中 shown');
});

test('数据报送: a data officer signs in, sends a file and reads which row was refused and why', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await newPage(t);
  // Asked for the sending page before signing in: the sign-in form, then straight back to it.
  await visit(page, '/batches');
  assert.match(page.url(), /\/login\?next=%2Fbatches$/);
  await page.fill('input[name=username]', 'demo-data-officer');
  await page.fill('input[name=password]', 'chengxin-demo-2026');
  await navigate(page, () => page.getByRole('button', { name: '登录' }).click(), /\/batches$/);
  assert.equal((await page.locator('h1').innerText()).trim(), '数据报送');
  // Two penalties about companies of the demo: one complete, one without its document number.
  const found = await getJson('/api/v1/subjects?q=' + encodeURIComponent('有限公司') + '&per_page=2');
  const [a, b] = found.items.map((s) => [s.name, s.uscc]);
  assert.ok(a && b && a[1] && b[1], 'two demo companies with a USCC');
  // As a template leaves it: a 序号 column and required fields marked with * and （必填）.
  const header = '序号,*行政相对人名称,行政相对人类别,统一社会信用代码,行政处罚决定书文号（必填）,违法行为类型,违法事实,处罚依据,处罚类别,处罚内容,罚款金额（万元）,处罚决定日期,处罚机关,处罚机关统一社会信用代码';
  const stamp = Date.now();
  const rows = [
    `1,${a[0]},法人及非法人组织,${a[1]},榕市监罚〔2026〕B${stamp}号,虚假宣传,发布虚假广告,《广告法》第五十五条,罚款,罚款五千元,0.5,2026-11-02,福州市市场监督管理局,11350100MB0000019U`,
    `2,${b[0]},法人及非法人组织,${b[1]},,虚假宣传,发布虚假广告,《广告法》第五十五条,警告,警告,/,2026-11-02,福州市市场监督管理局,11350100MB0000019U`,
  ];
  const csv = ['行政处罚信息公示表', header, ...rows].join('\n') + '\n';
  await page.locator('select[name=item]').selectOption('penalty');
  await page.setInputFiles('input[name=file]', { name: '浏览器报送.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await navigate(page, () => page.getByRole('button', { name: '报送' }).click(), /\/batches\/\d+$/);
  assert.equal((await page.locator('td.accepted').innerText()).trim(), '1');
  assert.equal((await page.locator('td.rejected').innerText()).trim(), '1');
  // The refused row: data row 2 on line 4 of the file (under the title and the header).
  const refused = (await page.locator('table.rejections tbody tr').first().innerText()).split('\t').map((c) => c.trim());
  assert.deepEqual(refused.slice(0, 3), ['2', '4', '行政处罚决定书文号（CF_WSH）'], `refused row: ${refused}`);
  assert.match(refused[3], /必填项缺失/);
  assert.ok(await page.getByRole('link', { name: '下载拒收报告（CSV）' }).isVisible());
  await page.screenshot({ path: SHOTS + 'batch.png', fullPage: true });
  // The batch is listed on the sending page.
  const batchUrl = new URL(page.url()).pathname;
  await visit(page, '/batches');
  assert.ok(await page.locator(`table.batches a[href="${batchUrl}"]`).isVisible(), 'the new batch is listed');
});

test('every visited page was checked for personal data', () => {
  // Guards against the checks above silently visiting nothing.
  assert.ok(visited.size >= 8, `visited ${visited.size} pages: ${[...visited].join(' ')}`);
});

test('mobile-width home page has no horizontal scrolling', { timeout: TEST_TIMEOUT }, async (t) => {
  const page = await newPage(t, { viewport: { width: 375, height: 740 } });
  await visit(page, '/');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.screenshot({ path: SHOTS + 'home-mobile.png', fullPage: true });
  assert.ok(overflow <= 0, `page is ${overflow}px wider than a 375px screen`);
});
