// One statement per action in the web account: a new link (its domain,
// the link, its subscription URL and title) and a link's target (URL,
// title and domain) are made all at once or not at all, whether the cap
// refuses the link or a fault strikes between the parts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { PORT, closeDb, newLink, newProvider, randomCode, sha256hex, sql } from './lib.mjs';

after(closeDb);

// A request to the account as a browser with cookie would send it.
function send(pathname, { cookie, body } = {}) {
  return new Promise((resolve, reject) => {
    const headers = cookie ? { Cookie: cookie } : {};
    if (body !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const req = http.request({ host: '127.0.0.1', port: PORT, path: pathname,
      method: body !== undefined ? 'POST' : 'GET', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
const cookieOf = (res, name) =>
  (res.headers['set-cookie'] || []).find((c) => c.startsWith(`${name}=`))?.split(';')[0];
const csrfOf = (text) => /name="csrf" value="([^"]+)"/.exec(text)[1];
const form = (o) => new URLSearchParams(o).toString();

// A signed-in session of p: post(path, fields) sends a form with its token.
async function signedIn(p) {
  const start = await send('/account/');
  const res = await send('/account/signin', { cookie: cookieOf(start, 'll_signin'),
    body: form({ csrf: csrfOf(start.text), provider_code: p.provider_code, auth_key: p.auth_key }) });
  assert.equal(res.status, 303);
  const cookie = cookieOf(res, 'll_session');
  const csrf = csrfOf((await send('/account/links/new', { cookie })).text);
  return (where, fields) => send(where, { cookie, body: form({ csrf, ...fields }) });
}

// What is stored of p's links and domains.
const stored = async (p) => ({
  links: await sql('SELECT install_code, sub_url, title FROM links WHERE provider_id = $1 ORDER BY id',
    [p.id]),
  domains: await sql('SELECT domain_hash, domain_name, status FROM domains WHERE provider_id = $1 ORDER BY id',
    [p.id]),
});

// A trigger of the test's own that makes one part of an action fail:
// writing a subscription URL into links, or registering a domain.
async function withFault(table, fn) {
  await sql(`CREATE FUNCTION ll_test_atomic_fault() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'refused by the test trigger'; END $$`);
  try {
    await sql(table === 'links'
      ? `CREATE TRIGGER ll_test_atomic_fault BEFORE INSERT OR UPDATE ON links FOR EACH ROW
          WHEN (NEW.sub_url IS NOT NULL) EXECUTE FUNCTION ll_test_atomic_fault()`
      : `CREATE TRIGGER ll_test_atomic_fault BEFORE INSERT OR UPDATE ON domains FOR EACH ROW
          EXECUTE FUNCTION ll_test_atomic_fault()`);
    await fn();
  } finally {
    await sql(`DROP TRIGGER IF EXISTS ll_test_atomic_fault ON ${table}`);
    await sql('DROP FUNCTION IF EXISTS ll_test_atomic_fault()');
  }
}

test('a new link refused at the cap leaves no domain behind', async () => {
  const p = await newProvider();
  const post = await signedIn(p);
  await sql('UPDATE providers SET link_cap = 1 WHERE id = $1', [p.id]);
  let res = await post('/account/links/new',
    { url: 'https://first.example.com/s', title: 'First', limit: '1', note: '' });
  assert.equal(res.status, 303);
  const before = await stored(p);
  assert.equal(before.links.length, 1);
  const domain = `cap-${randomCode(6).toLowerCase()}.example.com`;
  res = await post('/account/links/new',
    { url: `https://${domain}/s`, title: 'Cap', limit: '1', note: 'kept' });
  assert.equal(res.status, 400);
  assert.match(res.text, /holds as many links as it may/);
  assert.deepEqual(await stored(p), before);
  assert.deepEqual(await sql('SELECT 1 FROM domains WHERE domain_hash = $1', [sha256hex(domain)]), []);
});

test('a new link whose URL cannot be stored leaves neither the link nor its domain', async () => {
  const p = await newProvider();
  const post = await signedIn(p);
  for (const table of ['links', 'domains']) {
    const domain = `half-${randomCode(6).toLowerCase()}.example.com`;
    await withFault(table, async () => {
      const res = await post('/account/links/new',
        { url: `https://${domain}/s`, title: 'Half', limit: '2', note: table });
      assert.equal(res.status, 500, `${table}: ${res.text}`);
    });
    assert.deepEqual(await stored(p), { links: [], domains: [] }, table);
  }
  // and without the fault, all three parts are there
  const domain = `whole-${randomCode(6).toLowerCase()}.example.com`;
  const res = await post('/account/links/new',
    { url: `https://${domain}/s`, title: 'Whole', limit: '2', note: '' });
  assert.equal(res.status, 303);
  const now = await stored(p);
  assert.deepEqual(now.links.map((l) => [l.sub_url, l.title]), [[`https://${domain}/s`, 'Whole']]);
  assert.deepEqual(now.domains, [{ domain_hash: sha256hex(domain), domain_name: domain, status: 1 }]);
});

test("a link's target that cannot register its domain is not stored either", async () => {
  const p = await newProvider();
  const post = await signedIn(p);
  const link = await newLink(p);
  const before = await stored(p);
  const domain = `target-${randomCode(6).toLowerCase()}.example.com`;
  await withFault('domains', async () => {
    const res = await post(`/account/links/${link.id}/target`,
      { url: `https://${domain}/s`, title: 'Target' });
    assert.equal(res.status, 500, res.text);
  });
  assert.deepEqual(await stored(p), before);
  const res = await post(`/account/links/${link.id}/target`,
    { url: `https://${domain}/s`, title: 'Target' });
  assert.equal(res.status, 303);
  const [l] = await sql('SELECT sub_url, title FROM links WHERE id = $1', [link.id]);
  assert.deepEqual(l, { sub_url: `https://${domain}/s`, title: 'Target' });
  assert.equal((await sql('SELECT 1 FROM domains WHERE provider_id = $1 AND domain_hash = $2 AND status = 1',
    [p.id, sha256hex(domain)])).length, 1);
});
