// The web account in a real headless Chromium, against the real stack:
// sign in, create a link, see what to hand out, watch a device the app
// admits, delete it, disable the link, domains, sign out; and the
// refusals: forms without their token, failed sign-ins, markup in notes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { BASE, OUT, PORT, asProvider, closeDb, install, newLink, newProvider,
  randomCode, randomHwid, sha256hex, sql } from './lib.mjs';

const SHOTS = path.join(OUT, 'screenshots', process.env.LL_BUILD || 'local');
const XSS = '<script>alert(1)</script>';

let browser, context, page, provider;
let dialogs = [];	// every alert/prompt a page opened: there must be none
const state = {};	// what one step leaves for the next

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  provider = await newProvider('Browser ' + randomCode(4));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  page = await newPage(context);
});

after(async () => {
  if (browser) await browser.close();
  await closeDb();
});

async function newPage(ctx) {
  const p = await ctx.newPage();
  p.on('dialog', (d) => {
    // our confirmations are accepted; anything else is a script that ran
    if (d.type() !== 'confirm') dialogs.push(d.message());
    d.accept();
  });
  return p;
}

const shot = (p, name) => p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

// Clicks what submits a form and waits for the page it leads to.
async function submit(p, selector) {
  const [res] = await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.click(selector)]);
  return res;
}

// A request from a loopback address of our choosing, so that failed
// sign-ins counted against it touch no other test.
function rawRequest(pathname, { method = 'GET', headers = {}, body, from = '127.0.0.1' } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: PORT, path: pathname, method,
      localAddress: from, headers: body ? { 'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': Buffer.byteLength(body), ...headers } : headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

// The sign-in form's cookie and token, fetched as a browser would.
async function signinForm(from) {
  const res = await rawRequest('/account/', { from });
  const cookie = res.headers['set-cookie'].find((c) => c.startsWith('ll_signin=')).split(';')[0];
  const csrf = /name="csrf" value="([^"]+)"/.exec(res.text)[1];
  return { cookie, csrf };
}

const linkCount = async () =>
  Number((await sql('SELECT count(*) AS n FROM links WHERE provider_id = $1', [provider.id]))[0].n);

test('signed out, every account page leads to the sign-in page', async () => {
  const res = await page.goto(BASE + '/account/links');
  assert.equal(res.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/account/');
  assert.equal(await page.textContent('h1'), 'Sign in');
  assert.equal(await page.locator('nav.nav').count(), 0);
  const headers = res.headers();
  assert.match(headers['content-security-policy'], /default-src 'none'/);
  assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(headers['x-frame-options'], 'DENY');
  assert.equal(headers['cache-control'], 'no-store');
  await shot(page, '01-sign-in');
});

test('sign in with provider code and auth key', async () => {
  await page.fill('#code', provider.provider_code);
  await page.fill('#key', provider.auth_key);
  await submit(page, 'button:has-text("Sign in")');
  assert.equal(new URL(page.url()).pathname, '/account/links');
  assert.equal(await page.textContent('h1'), 'Links');
  assert.match(await page.textContent('.provider'), new RegExp(provider.provider_code));
  const cookie = (await context.cookies()).find((c) => c.name === 'll_session');
  assert.ok(cookie, 'a session cookie');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.equal(cookie.path, '/account/');
  assert.equal(cookie.secure, false, 'Secure only over TLS');
  assert.equal(cookie.value.length, 43);
  // only the token's hash is stored
  const rows = await sql('SELECT token_hash FROM sessions WHERE provider_id = $1', [provider.id]);
  assert.deepEqual(rows.map((r) => r.token_hash), [sha256hex(cookie.value)]);
  assert.match(await page.textContent('main'), /No links yet/);
  await shot(page, '02-links-empty');
});

test('bad input re-shows the form with the values kept and nothing created', async () => {
  await page.click('nav.nav >> text=New link');
  await page.waitForURL('**/account/links/new');
  await shot(page, '03-new-link');
  const cases = [
    { url: 'sub.example.com/s/abc', limit: '2', want: /no scheme/, bad: '#url' },
    { url: 'ftp://sub.example.com/s/abc', limit: '2', want: /Only http:\/\/ and https:\/\//, bad: '#url' },
    { url: 'https://sub.example.com/s/abc', limit: '0', want: /from 1 to 100/, bad: '#limit' },
    { url: 'https://sub.example.com/s/abc', limit: '101', want: /from 1 to 100/, bad: '#limit' },
    { url: 'https://sub.example.com/' + 'a'.repeat(480), limit: '2', want: /holds at most 501/, bad: '#url' },
  ];
  for (const c of cases) {
    await page.fill('#url', c.url);
    await page.fill('#title', 'My VPN');
    await page.fill('#limit', c.limit);
    await page.fill('#note', 'kept note');
    const res = await submit(page, 'button:has-text("Create link")');
    assert.equal(res.status(), 400, c.url);
    assert.match(await page.textContent('.flash.error'), c.want);
    assert.equal(await page.inputValue('#url'), c.url);
    assert.equal(await page.inputValue('#title'), 'My VPN');
    assert.equal(await page.inputValue('#limit'), c.limit);
    assert.equal(await page.inputValue('#note'), 'kept note');
    assert.equal(await page.getAttribute(c.bad, 'aria-invalid'), 'true');
    if (c.limit === '0') await shot(page, '04-new-link-error');
  }
  assert.equal(await linkCount(), 0);
});

test('create a link: final link, happ://crypt4/ link and QR code', async () => {
  state.domain = `sub-${randomCode(6).toLowerCase()}.example.com`;
  await page.fill('#url', `https://${state.domain}/s/abc`);
  await page.fill('#title', 'My VPN');
  await page.fill('#limit', '2');
  await page.fill('#note', XSS);
  await submit(page, 'button:has-text("Create link")');
  const m = /\/account\/links\/(\d+)\?m=created$/.exec(page.url());
  assert.ok(m, page.url());
  state.id = Number(m[1]);
  state.code = (await page.textContent('h1 .code')).trim();
  assert.match(state.code, /^[A-Za-z0-9]{12}$/);
  assert.match(await page.textContent('.flash.ok'), /Your link is ready/);

  const final = await page.inputValue('#final');
  assert.equal(final, `https://${state.domain}/s/abc#My%20VPN?installid=${state.code}`);
  const enc = await page.inputValue('#crypt4');
  assert.ok(enc.startsWith('happ://crypt4/'), enc);
  const b64 = enc.slice('happ://crypt4/'.length);
  assert.equal(b64.length, 684);
  assert.match(b64, /^[A-Za-z0-9+/]+=$/);
  assert.equal(Buffer.from(b64, 'base64').length, 512);
  assert.ok(await page.isVisible('figure.qrbox svg.qr'));
  assert.ok((await page.getAttribute('figure.qrbox svg.qr', 'viewBox')).startsWith('0 0 '));

  // the note is shown as text, never run
  assert.equal((await page.textContent('p.note')).trim(), XSS);
  assert.match(await page.content(), /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.deepEqual(dialogs, []);

  // registered the domain hash and stored the link as asked
  const [dom] = await sql('SELECT domain_name FROM domains WHERE provider_id = $1 AND domain_hash = $2 AND status = 1',
    [provider.id, sha256hex(state.domain)]);
  assert.equal(dom.domain_name, state.domain);
  const [link] = await sql('SELECT install_code, install_limit, note FROM links WHERE id = $1', [state.id]);
  assert.deepEqual(link, { install_code: state.code, install_limit: 2, note: XSS });

  // copy buttons appear with JavaScript and copy
  await page.click('button[data-copy="final"]');
  await page.waitForSelector('button[data-copy="final"]:has-text("Copied")');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), final);
  await shot(page, '05-link-created');
});

test('a device the app admits is listed, and can be deleted', async () => {
  const hwid = randomHwid();
  const res = await install(sha256hex(state.domain), state.code, hwid);
  assert.deepEqual(res.json, { providerid: provider.provider_code, status: 10, import: true });
  await page.goto(`${BASE}/account/links/${state.id}`);
  const row = page.locator('table.devices tbody tr');
  assert.equal(await row.count(), 1);
  const text = await row.textContent();
  for (const s of [hwid, 'Pixel 8', 'Android 14', '4.0.1']) assert.ok(text.includes(s), s);
  assert.match(await page.textContent('.big-usage .num'), /1\s*\/\s*2/);
  await shot(page, '06-link-device');

  await submit(page, `button[aria-label="Delete device ${hwid}"]`);
  assert.match(await page.textContent('.flash.ok'), /slot is free/);
  assert.equal(await page.locator('table.devices tbody tr').count(), 0);
  const [l] = await sql('SELECT install_count FROM links WHERE id = $1', [state.id]);
  assert.equal(l.install_count, 0);
  await shot(page, '07-device-deleted');
});

test('the links table shows the note as text; search finds the link', async () => {
  await page.click('nav.nav >> text=Links');
  await page.waitForURL('**/account/links');
  const row = page.locator('table.links tbody tr');
  assert.equal(await row.count(), 1);
  assert.equal((await row.locator('td.note').textContent()), XSS);
  assert.equal(await row.locator('a.code').textContent(), state.code);
  assert.match(await row.textContent(), /0\s*\/\s*2/);
  assert.match(await row.textContent(), /Active/);
  await shot(page, '08-links');
  await page.fill('input[name=q]', state.code.slice(2, 9));
  await submit(page, 'form.search button');
  assert.equal(await page.locator('table.links tbody tr').count(), 1);
  await page.fill('input[name=q]', 'no such link anywhere');
  await submit(page, 'form.search button');
  assert.match(await page.textContent('main'), /No link matches/);
  assert.deepEqual(dialogs, []);
});

test('edit the limit and the note; the limit cannot go below the devices', async () => {
  await page.goto(`${BASE}/account/links/${state.id}`);
  await page.fill('#limit', '5');
  await page.fill('#note', 'for Alice');
  await submit(page, 'button:has-text("Save")');
  assert.match(await page.textContent('.flash.ok'), /Saved/);
  assert.equal(await page.inputValue('#limit'), '5');
  assert.equal((await page.textContent('p.note')).trim(), 'for Alice');

  await install(sha256hex(state.domain), state.code, randomHwid());
  await install(sha256hex(state.domain), state.code, randomHwid());
  await page.goto(`${BASE}/account/links/${state.id}`);
  await page.fill('#limit', '1');
  const res = await submit(page, 'button:has-text("Save")');
  assert.equal(res.status(), 400);
  assert.match(await page.textContent('.flash.error'), /cannot go below the 2 devices/);
  assert.equal(await page.inputValue('#limit'), '1');
});

test('a note or a label with a control character is refused, as the API refuses it', async () => {
  await page.goto(`${BASE}/account/links/${state.id}`);
  const csrf = await page.getAttribute(`form[action="/account/links/${state.id}/edit"] input[name=csrf]`, 'value');
  const post = (where, form) => page.request.post(BASE + where, { form: { csrf, ...form }, maxRedirects: 0 });
  for (const note of ['tab\there', 'a\u0085b', '\u0080', 'x\u009f']) {
    const res = await post(`/account/links/${state.id}/edit`, { limit: '5', note });
    assert.equal(res.status(), 400, JSON.stringify(note));
    assert.match(await res.text(), /The note must be printable text/);
  }
  const [l] = await sql('SELECT install_limit, note FROM links WHERE id = $1', [state.id]);
  assert.deepEqual(l, { install_limit: 5, note: 'for Alice' });
  const before = await linkCount();
  let res = await post('/account/links/new',
    { url: 'https://c1.example.com/s', title: 'C1', limit: '1', note: 'a\u0085b' });
  assert.equal(res.status(), 400);
  assert.match(await res.text(), /The note must be printable text/);
  assert.equal(await linkCount(), before);
  res = await post('/account/domains/add', { by: 'domain', domain: 'c1.example.com', name: 'a\u0085b' });
  assert.equal(res.status(), 400);
  assert.match(await res.text(), /The label must be printable text/);
  const rows = await sql('SELECT 1 FROM domains WHERE provider_id = $1 AND domain_hash = $2',
    [provider.id, sha256hex('c1.example.com')]);
  assert.equal(rows.length, 0);
  // the API takes the same note no more than the account does
  const api = await asProvider(provider)('update-install', { id: String(state.id), note: 'a\u0085b' });
  assert.equal(api.json.msg, 'note must be UTF-8 text without control characters');
});

test('disable and enable the link', async () => {
  await page.goto(`${BASE}/account/links/${state.id}`);
  await submit(page, 'button:has-text("Disable link")');
  assert.match(await page.textContent('.flash.ok'), /disabled/);
  assert.equal(await page.textContent('h1 .badge'), 'Disabled');
  const res = await install(sha256hex(state.domain), state.code, randomHwid());
  assert.deepEqual(res.json, { providerid: provider.provider_code, status: 5, import: false });
  await shot(page, '09-link-disabled');
  await submit(page, 'button:has-text("Enable link")');
  assert.equal(await page.textContent('h1 .badge'), 'Active');
});

test('a link made through the API gets its final link from a URL', async () => {
  const api = await newLink(provider, { limit: 3 });
  await page.goto(`${BASE}/account/links/${api.id}`);
  assert.match(await page.textContent('.share'), /created through the API/);
  assert.equal(await page.locator('#crypt4').count(), 0);
  const domain = `front-${randomCode(5).toLowerCase()}.example.net`;
  await page.fill('#url', `https://cdn.example.org/sub/x#Old?host=${domain}`);
  await page.fill('#title', 'Ñandú VPN');
  await submit(page, 'button:has-text("Build the link")');
  assert.match(await page.textContent('.flash.ok'), /ready/);
  assert.equal(await page.inputValue('#final'),
    `https://cdn.example.org/sub/x#%C3%91and%C3%BA%20VPN?host=${domain}&installid=${api.code}`);
  assert.ok((await page.inputValue('#crypt4')).startsWith('happ://crypt4/'));
  // the fronting domain is what the app hashes, so that one is registered
  const rows = await sql('SELECT 1 FROM domains WHERE provider_id = $1 AND domain_hash = $2',
    [provider.id, sha256hex(domain)]);
  assert.equal(rows.length, 1);
  const res = await install(sha256hex(domain), api.code, randomHwid());
  assert.equal(res.json.import, true);
});

test('thousands of links page by fifty', async () => {
  await sql(`INSERT INTO links (provider_id, install_code, install_limit, note)
    SELECT $1, substr(md5(random()::text || g), 1, 12), 1 + g % 100, 'bulk ' || g
    FROM generate_series(1, 2000) g`, [provider.id]);
  await page.goto(`${BASE}/account/links`);
  assert.equal(await page.locator('table.links tbody tr').count(), 50);
  assert.match(await page.textContent('.pager'), /Page 1 of 41/);
  await submit(page, 'a[rel=next]');
  assert.match(page.url(), /page=2$/);
  assert.equal(await page.locator('table.links tbody tr').count(), 50);
  await page.fill('input[name=q]', 'bulk 1999');
  await submit(page, 'form.search button');
  assert.equal(await page.locator('table.links tbody tr').count(), 1);
  await page.goto(`${BASE}/account/links?q=bulk%201&page=2`);
  assert.match(await page.textContent('.pager'), /Page 2 of/);
  assert.match(await page.getAttribute('a[rel=prev]', 'href'), /q=bulk%201&page=1/);
  await page.goto(`${BASE}/account/links`);
  await shot(page, '10-links-paged');
});

test('domains: add by domain, add by hash, refuse a bad hash, delete', async () => {
  await page.click('nav.nav >> text=Domains');
  await page.waitForURL('**/account/domains');
  await page.fill('#domain', 'Edge.Example.net:8443');
  await submit(page, 'button:has-text("Add domain") >> nth=0');
  assert.match(await page.textContent('.flash.ok'), /registered/);
  assert.ok((await page.textContent('table.domains')).includes(sha256hex('Edge.Example.net:8443')));

  const hash = sha256hex('by-hash-' + randomCode(6));
  await page.fill('#hash', hash.toUpperCase().slice(0, 63));
  let res = await submit(page, 'button:has-text("Add domain") >> nth=1');
  assert.equal(res.status(), 400);
  assert.match(await page.textContent('.flash.error'), /64 hexadecimal digits/);
  // marked at fault although it has a class of its own
  assert.equal(await page.getAttribute('#hash', 'aria-invalid'), 'true');
  assert.equal(await page.$eval('#hash', (el) => getComputedStyle(el).borderTopColor), 'rgb(220, 38, 38)');
  await page.fill('#hash', hash.toUpperCase());
  await page.fill('#name-h', 'Added by hash');
  await submit(page, 'button:has-text("Add domain") >> nth=1');
  const row = page.locator('table.domains tr', { hasText: hash });
  assert.match(await row.textContent(), /Added by hash/);
  await shot(page, '11-domains');
  await submit(page, 'button[aria-label="Delete domain Added by hash"]');
  assert.match(await page.textContent('.flash.ok'), /deleted/);
  assert.equal(await page.locator('table.domains tr', { hasText: hash }).count(), 0);
});

test("another provider's links and domains answer as if they did not exist", async () => {
  const other = await newProvider('Other ' + randomCode(4));
  const link = await newLink(other, { limit: 2 });
  const hwid = randomHwid();
  assert.equal((await install(link.hash, link.code, hwid)).json.import, true);
  const [dom] = await sql('SELECT id FROM domains WHERE provider_id = $1', [other.id]);
  const stored = () => sql(`SELECT l.install_limit, l.install_count, l.note, l.status, l.sub_url,
      (SELECT count(*)::int FROM devices d WHERE d.link_id = l.id) AS devices,
      (SELECT status FROM domains WHERE id = $2) AS domain
    FROM links l WHERE l.id = $1`, [link.id, dom.id]);
  const before = await stored();

  let res = await page.goto(`${BASE}/account/links/${link.id}`);
  assert.equal(res.status(), 404);
  assert.doesNotMatch(await page.content(), new RegExp(link.code));
  await page.goto(`${BASE}/account/links/new`);
  const csrf = await page.getAttribute('form[action="/account/links/new"] input[name=csrf]', 'value');
  const post = (where, form) => page.request.post(BASE + where, { form: { csrf, ...form }, maxRedirects: 0 });
  for (const [where, form] of [
    [`/account/links/${link.id}/edit`, { limit: '50', note: 'taken' }],
    [`/account/links/${link.id}/status`, { status: '5' }],
    [`/account/links/${link.id}/devices/delete`, { hwid }],
    [`/account/links/${link.id}/target`, { url: 'https://taken.example.com/s', title: 'Taken' }],
  ]) {
    res = await post(where, form);
    assert.equal(res.status(), 404, where);
    assert.doesNotMatch(await res.text(), new RegExp(link.code));
  }
  res = await post('/account/domains/delete', { id: String(dom.id) });
  assert.equal(res.status(), 303);
  assert.equal(res.headers().location, '/account/domains?m=domain-gone');
  assert.deepEqual(await stored(), before);
  assert.equal((await sql('SELECT 1 FROM domains WHERE provider_id = $1 AND domain_hash = $2',
    [provider.id, sha256hex('taken.example.com')])).length, 0);
  assert.deepEqual(before, [{ install_limit: 2, install_count: 1, note: '', status: 10, sub_url: null,
    devices: 1, domain: 1 }]);
});

test('a provider at its cap of links is told so, and nothing is created', async () => {
  const n = await linkCount();
  await sql('UPDATE providers SET link_cap = $2 WHERE id = $1', [provider.id, n]);
  try {
    await page.goto(`${BASE}/account/links/new`);
    const csrf = await page.getAttribute('form[action="/account/links/new"] input[name=csrf]', 'value');
    const res = await page.request.post(`${BASE}/account/links/new`, { maxRedirects: 0,
      form: { csrf, url: 'https://cap.example.com/s', title: 'Cap', limit: '1', note: 'kept' } });
    assert.equal(res.status(), 400);
    assert.match(await res.text(), /holds as many links as it may/);
    assert.match(await res.text(), /value="kept"/);
    assert.equal(await linkCount(), n);
  } finally {
    await sql('UPDATE providers SET link_cap = NULL WHERE id = $1', [provider.id]);
  }
});

test('a form post without its CSRF token is refused and changes nothing', async () => {
  const before = await linkCount();
  const form = { url: 'https://csrf.example.com/s', title: 'CSRF', limit: '1', note: 'csrf' };
  let res = await page.request.post(`${BASE}/account/links/new`, { form, maxRedirects: 0 });
  assert.equal(res.status(), 403);
  assert.match(await res.text(), /security token/);
  res = await page.request.post(`${BASE}/account/links/new`,
    { form: { ...form, csrf: 'x'.repeat(32) }, maxRedirects: 0 });
  assert.equal(res.status(), 403);
  res = await page.request.post(`${BASE}/account/links/${state.id}/status`,
    { form: { status: '5' }, maxRedirects: 0 });
  assert.equal(res.status(), 403);
  assert.equal(await linkCount(), before);
  const [l] = await sql('SELECT status FROM links WHERE id = $1', [state.id]);
  assert.equal(l.status, 10);
  // and with the token it is taken
  await page.goto(`${BASE}/account/links/new`);
  const csrf = await page.getAttribute('form[action="/account/links/new"] input[name=csrf]', 'value');
  res = await page.request.post(`${BASE}/account/links/new`, { form: { ...form, csrf }, maxRedirects: 0 });
  assert.equal(res.status(), 303);
  assert.equal(await linkCount(), before + 1);
});

test('pages are readable on a phone', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 },
    storageState: await context.storageState() });
  const p = await newPage(phone);
  for (const [url, name] of [[`/account/links/${state.id}`, '12-phone-link'],
    ['/account/links', '13-phone-links'], ['/account/links/new', '14-phone-new-link']]) {
    await p.goto(BASE + url);
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 390, `${url} is ${overflow}px wide`);
    await shot(p, name);
  }
  await phone.close();
});

test('sign out ends the session', async () => {
  const token = (await context.cookies()).find((c) => c.name === 'll_session').value;
  await submit(page, 'button:has-text("Sign out")');
  assert.equal(new URL(page.url()).pathname, '/account/');
  assert.match(await page.textContent('.flash.ok'), /signed out/);
  await shot(page, '15-signed-out');
  await page.goto(`${BASE}/account/links`);
  assert.equal(new URL(page.url()).pathname, '/account/');
  assert.equal((await sql('SELECT count(*) AS n FROM sessions WHERE provider_id = $1', [provider.id]))[0].n, '0');
  // the old cookie opens nothing any more
  const res = await rawRequest('/account/links', { headers: { Cookie: `ll_session=${token}` } });
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/account/');
  assert.deepEqual(dialogs, []);
});

test('an expired session leads back to the sign-in page', async () => {
  const ctx = await browser.newContext();
  const p = await newPage(ctx);
  await p.goto(BASE + '/account/');
  await p.fill('#code', provider.provider_code);
  await p.fill('#key', provider.auth_key);
  await submit(p, 'button:has-text("Sign in")');
  assert.equal(new URL(p.url()).pathname, '/account/links');
  await sql(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE provider_id = $1`, [provider.id]);
  await p.goto(BASE + '/account/links');
  assert.equal(new URL(p.url()).pathname, '/account/');
  await ctx.close();
});

test('the sign-in form without its token is refused', async () => {
  const from = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.9`;
  const body = new URLSearchParams({ provider_code: provider.provider_code, auth_key: provider.auth_key });
  const res = await rawRequest('/account/signin', { method: 'POST', body: body.toString(), from });
  assert.equal(res.status, 403);
  assert.match(res.text, /sign-in form has expired/);
  assert.equal(res.headers['set-cookie']?.some((c) => c.startsWith('ll_session=')) ?? false, false);
});

test('repeated failed sign-ins from one address are slowed down', async () => {
  const from = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.7`;
  const { cookie, csrf } = await signinForm(from);
  const attempt = (key) => rawRequest('/account/signin', { method: 'POST', from,
    headers: { Cookie: cookie },
    body: new URLSearchParams({ csrf, provider_code: provider.provider_code, auth_key: key }).toString() });
  const wrong = 'w'.repeat(32);
  for (let i = 1; i <= 4; i++) {
    const res = await attempt(wrong);
    assert.equal(res.status, 403, `attempt ${i}`);
    assert.match(res.text, /Wrong provider code or auth key/);
  }
  let res = await attempt(wrong);
  assert.equal(res.status, 429);
  assert.ok(Number(res.headers['retry-after']) > 0);
  assert.match(res.text, /must wait \d+ seconds/);
  // while it waits, even the right key is not tried
  res = await attempt(provider.auth_key);
  assert.equal(res.status, 429);
  assert.match(res.text, /Too many failed sign-ins/);
  assert.equal(res.headers['set-cookie']?.some((c) => c.startsWith('ll_session=')) ?? false, false);
  // another address is not held up
  const other = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.8`;
  const f = await signinForm(other);
  res = await rawRequest('/account/signin', { method: 'POST', from: other, headers: { Cookie: f.cookie },
    body: new URLSearchParams({ csrf: f.csrf, provider_code: provider.provider_code,
      auth_key: provider.auth_key }).toString() });
  assert.equal(res.status, 303);
  assert.equal(res.headers.location, '/account/links');
  const set = res.headers['set-cookie'].find((c) => c.startsWith('ll_session='));
  assert.match(set, /HttpOnly/);
  assert.match(set, /SameSite=Strict/);
  assert.match(set, /Path=\/account\//);
});
