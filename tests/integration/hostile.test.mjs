// Hostile query strings against /install: every one is answered with HTTP
// 200 and exactly the check's JSON, input too large for nginx itself too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  newLink, newProvider, randomHwid, request, rawRequest, closeDb, sql,
  answer, UNKNOWN, APP_HEADERS,
} from './lib.mjs';

let p, link, ok, hwid;
const pct = (s) => [...s].map((c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join('');

before(async () => {
  p = await newProvider();
  link = await newLink(p, { limit: 100 });
  ok = answer(p.provider_code, 10, true);
  hwid = randomHwid();
});
after(closeDb);

async function check(query) {
  const r = await request(`/install?${query}`, { headers: { ...APP_HEADERS, 'X-HWID': hwid } });
  assert.equal(r.status, 200, `${query.slice(0, 80)}: ${r.text}`);
  assert.equal(r.headers.get('content-type'), 'application/json');
  return r.text;
}

// [what, query (H: the hash, C: the code), the answer wanted: 'ok' or UNKNOWN]
const cases = [
  ['the plain check', 'id=H&installid=C', 'ok'],
  ['parameters swapped', 'installid=C&id=H', 'ok'],
  ['extra parameters are ignored', 'id=H&installid=C&lang=en&flag', 'ok'],
  ['empty pairs are skipped', '&&id=H&&installid=C&&', 'ok'],
  ['a fully percent-encoded id', 'id=%H&installid=C', 'ok'],
  ['encoded names', '%69%64=H&%69nstallid=C', 'ok'],
  ['a long ignored value', `id=H&installid=C&pad=${'a'.repeat(6000)}`, 'ok'],
  ['a lone %', 'id=H&installid=C%', UNKNOWN],
  ['%zz elsewhere', 'id=H&installid=C&x=%zz', UNKNOWN],
  ['a short escape', 'id=H&installid=C&x=%4', UNKNOWN],
  ['%00 in the id', 'id=H%00&installid=C', UNKNOWN],
  ['%00 elsewhere', 'id=H&installid=C&x=%00', UNKNOWN],
  ['%00 in a name', 'id=H&installid=C&x%00=1', UNKNOWN],
  ['a repeated id', 'id=H&id=H&installid=C', UNKNOWN],
  ['a repeated installid', 'id=H&installid=C&installid=C', UNKNOWN],
  ['a repeated id, the second empty', 'id=H&installid=C&id=', UNKNOWN],
  ['a huge id', `id=H${'a'.repeat(6000)}&installid=C`, UNKNOWN],
  ['a huge installid', `id=H&installid=C${'b'.repeat(6000)}`, UNKNOWN],
  ['no id', 'installid=C', UNKNOWN],
  ['no installid', 'id=H', UNKNOWN],
  ['nothing', '', UNKNOWN],
  ['empty values', 'id=&installid=', UNKNOWN],
  ['names without values', 'id&installid', UNKNOWN],
  ['an uppercase hash', 'id=UH&installid=C', UNKNOWN],
  ['a 63-digit hash', 'id=H63&installid=C', UNKNOWN],
  ['a 13-character code', 'id=H&installid=Cx', UNKNOWN],
  ['an 11-character code', 'id=H&installid=C11', UNKNOWN],
  ['a code with a space', 'id=H&installid=C+', UNKNOWN],
  ['a code with an encoded space', 'id=H&installid=%20C', UNKNOWN],
  ['an empty name', '=x&id=H&installid=C', UNKNOWN],
  ['upper-case names', 'ID=H&INSTALLID=C', UNKNOWN],
  ['array-style names', 'id[]=H&installid[]=C', UNKNOWN],
  ['semicolons', 'id=H;installid=C', UNKNOWN],
  ['a name over the limit', `id=H&installid=C&${'n'.repeat(65)}=1`, UNKNOWN],
  ['too many parameters',
    'id=H&installid=C&' + Array.from({ length: 40 }, (_, i) => `p${i}=1`).join('&'), UNKNOWN],
  ['a value of 2500 encoded bytes', `id=H&installid=C&v=${'%41'.repeat(2500)}`, 'ok'],
];

test('hostile query strings get exactly the check\'s JSON', async () => {
  for (const [what, q, want] of cases) {
    const query = q.replace('UH', () => link.hash.toUpperCase())
      .replace('H63', () => link.hash.slice(0, 63))
      .replace('%H', () => pct(link.hash))
      .replace('H', () => link.hash)
      .replace('C11', () => link.code.slice(0, 11))
      .replace('C', () => link.code);
    assert.equal(await check(query), want === 'ok' ? ok : want, what);
  }
  const [row] = await sql('SELECT install_count FROM links WHERE id = $1', [link.id]);
  assert.equal(row.install_count, 1);
});

test('raw bytes in the query string', async () => {
  for (const bytes of ['\xff\xfe', '\xc3\x28', '\x80', '"<>\\', '%C3%28']) {
    const r = await rawRequest(`GET /install?id=${link.hash}&installid=${link.code}` +
      `&x=${bytes} HTTP/1.0\r\nHost: x\r\nX-HWID: ${hwid}\r\n\r\n`);
    assert.equal(r.status, 200, JSON.stringify(bytes));
    assert.equal(r.text, ok, JSON.stringify(bytes));
  }
  const r = await rawRequest(`GET /install?id=${link.hash}\xff&installid=${link.code} HTTP/1.0\r\n` +
    `Host: x\r\nX-HWID: ${hwid}\r\n\r\n`);
  assert.equal(r.text, UNKNOWN);
});

test('input too large for nginx gets the check\'s refusal, never an error', async () => {
  const r = await request(`/install?id=${link.hash}&installid=${link.code}&pad=${'a'.repeat(20000)}`,
    { headers: { 'X-HWID': hwid } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.equal(r.text, UNKNOWN);
  const h = await request(`/install?id=${link.hash}&installid=${link.code}`,
    { headers: { 'X-HWID': hwid, 'X-Device-Model': 'm'.repeat(20000) } });
  assert.equal(h.status, 200);
  assert.equal(h.headers.get('content-type'), 'application/json');
  assert.equal(h.text, UNKNOWN);
});

test('a long but accepted header is cut, and the device admitted', async () => {
  const hw = randomHwid();
  const r = await request(`/install?id=${link.hash}&installid=${link.code}`,
    { headers: { ...APP_HEADERS, 'X-HWID': hw, 'X-Device-Model': 'm'.repeat(5000),
      'User-Agent': 'u'.repeat(5000) } });
  assert.equal(r.text, ok);
  const [d] = await sql('SELECT model, user_agent FROM devices WHERE link_id = $1 AND hwid = $2',
    [link.id, hw]);
  assert.equal(d.model, 'm'.repeat(128));
  assert.equal(d.user_agent, 'u'.repeat(256));
});

test('many hostile requests in a row leave the workers answering', async () => {
  const junk = ['%', '%%', '%0', '%00', '=', '&', '&=&=&', 'id=%ff%fe', 'installid=%00%00',
    'id=' + 'f'.repeat(64) + '&installid=' + 'A'.repeat(12)];
  for (let i = 0; i < 50; i++)
    assert.equal(await check(junk[i % junk.length]), UNKNOWN);
  assert.equal(await check(`id=${link.hash}&installid=${link.code}`), ok);
});
