// The end user's self-service page in a real headless Chromium, on a
// phone's screen and with JavaScript off: the provider makes the page in
// the web account (its address shown once), the user sees the devices
// with their HWIDs masked, removes one, and is refused a second removal
// within the cooldown with the time of the next one; a wrong or renewed
// address shows nothing; a form posted from another site is refused.
// Also the account's "Free all slots", asked first on a page of its own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { chromium } from 'playwright-core';
import {
  BASE, closeDb, install, newLink, newProvider, randomCode, randomHwid, sha256hex, sql,
} from './lib.mjs';

let browser, account, phone, provider, link, selfUrl, attacker;
const hwids = [];
const MODELS = ['Pixel 8', 'Galaxy S23', 'iPhone 15'];

before(async () => {
  provider = await newProvider('Self ' + randomCode(4));
  link = await newLink(provider, { limit: 3 });
  for (const [i, model] of MODELS.entries()) {
    const h = 'selfdev' + randomCode(10);
    hwids.push(h);
    await install(link.hash, link.code, h, { 'X-Device-Model': model,
      'X-Device-OS': i === 2 ? 'iOS' : 'Android', 'X-Ver-OS': i === 2 ? '17.1' : '14' });
  }
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  account = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  account.on('dialog', (d) => d.accept());
  // a phone, and no script at all
  phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true,
    hasTouch: true, javaScriptEnabled: false });
});

after(async () => {
  if (browser) await browser.close();
  if (attacker) await new Promise((r) => attacker.close(r));
  await closeDb();
});

async function submit(p, selector) {
  const [res] = await Promise.all([p.waitForNavigation({ waitUntil: 'load' }), p.click(selector)]);
  return res;
}

test('the provider makes the page in the web account; its address is shown once and stored hashed', async () => {
  await account.goto(BASE + '/account/');
  await account.fill('#code', provider.provider_code);
  await account.fill('#key', provider.auth_key);
  await submit(account, 'button:has-text("Sign in")');
  await account.goto(`${BASE}/account/links/${link.id}`);
  assert.equal(await account.locator('#selfurl').count(), 0);
  await submit(account, 'button:has-text("Make the page")');
  selfUrl = await account.inputValue('#selfurl');
  const m = new RegExp(`^${BASE}/my/([-_A-Za-z0-9]{43})$`).exec(selfUrl);
  assert.ok(m, selfUrl);
  assert.deepEqual(await sql('SELECT token_hash FROM self_service WHERE link_id = $1', [link.id]),
    [{ token_hash: sha256hex(m[1]) }]);
  // shown only on the answer that made it
  await account.goto(`${BASE}/account/links/${link.id}`);
  assert.equal(await account.locator('#selfurl').count(), 0);
  assert.match(await account.textContent('section.self'), /Last release\s*none yet/);
});

test('on a phone, without script, the user sees the link\'s devices and nothing else of the provider', async () => {
  const p = await phone.newPage();
  const res = await p.goto(selfUrl);
  assert.equal(res.status(), 200);
  const headers = res.headers();
  assert.match(headers['content-security-policy'], /default-src 'none'/);
  assert.equal(headers['referrer-policy'], 'same-origin');
  assert.equal(await p.textContent('h1'), 'Your devices');
  const html = await p.content();
  for (const h of hwids) {
    assert.ok(!html.includes(h), 'no HWID in full');
    assert.ok(html.includes(`${h.slice(0, 4)}…${h.slice(-2)}`), 'the masked HWID');
  }
  for (const secret of [provider.provider_code, link.code]) assert.ok(!html.includes(secret));
  const cards = p.locator('section.device');
  assert.equal(await cards.count(), 3);
  assert.deepEqual((await p.locator('section.device h2').allTextContents()).sort(), [...MODELS].sort());
  assert.match(await p.textContent('main'), /3 of the 3 places of this subscription are taken/);
  assert.match(await p.textContent('main'), /iOS 17\.1/);
  // it fits the screen
  const width = await p.evaluate(() => document.documentElement.scrollWidth).catch(() => null);
  assert.ok(width === null || width <= 390, `page ${width}px wide`);
  await p.close();
});

test('the user removes a device, and a second removal within the cooldown is refused with the time of the next', async () => {
  const first = await phone.newPage();
  const second = await phone.newPage();
  await first.goto(selfUrl);
  await second.goto(selfUrl);
  // the Galaxy goes
  const galaxy = first.locator('section.device', { hasText: 'Galaxy S23' });
  await Promise.all([first.waitForNavigation({ waitUntil: 'load' }),
    galaxy.locator('button:has-text("Remove this device")').click()]);
  assert.match(await first.textContent('main'), /The device was removed and its slot is free/);
  assert.deepEqual((await sql('SELECT hwid FROM devices WHERE link_id = $1 ORDER BY hwid',
    [link.id])).map((r) => r.hwid), [hwids[0], hwids[2]].sort());
  assert.equal((await sql('SELECT install_count FROM links WHERE id = $1', [link.id]))[0]
    .install_count, 2);
  const [{ next }] = await sql(`SELECT to_char((released_at + interval '24 hours') AT TIME ZONE 'UTC',
    'YYYY-MM-DD HH24:MI:SS') AS next FROM self_service WHERE link_id = $1`, [link.id]);
  assert.match(await first.textContent('main'), new RegExp(`next removal is possible from ${next} UTC`));
  assert.equal(await first.locator('button:has-text("Remove this device")').count(), 0);
  // the other tab still shows the buttons: its removal is refused
  const res = await Promise.all([second.waitForNavigation({ waitUntil: 'load' }),
    second.locator('section.device', { hasText: 'Pixel 8' })
      .locator('button:has-text("Remove this device")').click()]);
  assert.equal(res[0].status(), 429);
  assert.match(await second.textContent('main'),
    new RegExp(`less than 24 hours ago\\. The next removal is possible from ${next} UTC\\.`));
  assert.equal((await sql('SELECT count(*)::int AS n FROM devices WHERE link_id = $1', [link.id]))[0].n, 2);
  await first.close();
  await second.close();
  // the account shows the release
  await account.goto(`${BASE}/account/links/${link.id}`);
  assert.doesNotMatch(await account.textContent('section.self'), /none yet/);
});

test('a form posted from another site is refused, even with the page\'s token in it', async () => {
  // the page's own form, as a leak would give it to another site
  const p = await phone.newPage();
  await sql('UPDATE self_service SET released_at = NULL WHERE link_id = $1', [link.id]);
  await p.goto(selfUrl);
  const csrf = await p.getAttribute('section.device form input[name="csrf"]', 'value');
  const device = await p.getAttribute('section.device form input[name="device"]', 'value');
  await p.close();
  attacker = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<!doctype html><form method="post" action="${selfUrl}">
      <input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="device" value="${device}">
      <button type="submit">Win a prize</button></form>`);
  });
  await new Promise((r) => attacker.listen(0, '127.0.0.1', r));
  const evil = await phone.newPage();
  await evil.goto(`http://localhost:${attacker.address().port}/`);
  const [res] = await Promise.all([evil.waitForNavigation({ waitUntil: 'load' }),
    evil.click('button')]);
  assert.equal(res.status(), 403);
  assert.match(await evil.textContent('main'), /This form did not come from this page/);
  await evil.close();
  // without the page's cookie, too
  const bare = await fetch(selfUrl, { method: 'POST', redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, device }).toString() });
  assert.equal(bare.status, 403);
  assert.equal((await sql('SELECT count(*)::int AS n FROM devices WHERE link_id = $1', [link.id]))[0].n, 2);
});

test('a wrong address, or one renewed since, shows nothing', async () => {
  const p = await phone.newPage();
  for (const bad of [`${BASE}/my/${'A'.repeat(43)}`, `${BASE}/my/short`, `${BASE}/my/`,
    `${selfUrl}/x`]) {
    const res = await p.goto(bad);
    assert.equal(res.status(), 404, bad);
    assert.equal(await p.textContent('h1'), 'Nothing here');
    assert.equal(await p.locator('section.device').count(), 0);
  }
  // renewed in the account: the old address leads nowhere, the new one works
  await account.goto(`${BASE}/account/links/${link.id}`);
  await submit(account, 'button:has-text("New address")');
  const renewed = await account.inputValue('#selfurl');
  assert.notEqual(renewed, selfUrl);
  assert.equal((await p.goto(selfUrl)).status(), 404);
  assert.equal((await p.goto(renewed)).status(), 200);
  assert.equal(await p.locator('section.device').count(), 2);
  // turned off: nothing either
  await submit(account, 'button:has-text("Turn off")');
  assert.match(await account.textContent('main'), /The self-service page is off/);
  assert.equal((await p.goto(renewed)).status(), 404);
  await p.close();
});

test('"Free all slots" in the account asks first on a page of its own, then frees them', async () => {
  await account.goto(`${BASE}/account/links/${link.id}`);
  await submit(account, 'a:has-text("Free all slots")');
  assert.equal(new URL(account.url()).pathname, `/account/links/${link.id}/reset`);
  assert.match(await account.textContent('h1'), new RegExp(`Free all slots of ${link.code}\\?`));
  assert.equal((await sql('SELECT install_count FROM links WHERE id = $1', [link.id]))[0]
    .install_count, 2, 'asking changed nothing');
  await submit(account, 'button:has-text("Free all slots")');
  assert.equal(new URL(account.url()).pathname, `/account/links/${link.id}`);
  assert.match(await account.textContent('main'), /Every slot of the link is free/);
  assert.deepEqual(await sql('SELECT * FROM devices WHERE link_id = $1', [link.id]), []);
  assert.equal((await sql('SELECT install_count FROM links WHERE id = $1', [link.id]))[0]
    .install_count, 0);
  // the next devices are admitted up to the limit
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(JSON.parse((await install(link.hash, link.code, randomHwid())).text).import);
  assert.deepEqual(answers, [true, true, true, false]);
  assert.equal(await account.locator('a:has-text("Free all slots")').count(), 0, 'nothing to free');
});
