// The README's provider API walk-through, run as written against the test
// stack (only its port differs).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { closeDb, PORT, ROOT, sha256hex, sql } from './lib.mjs';

after(closeDb);

function walkThrough() {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('### Walk-through');
  assert.ok(at >= 0, 'README.md has no "### Walk-through"');
  const m = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(m, 'no sh block after "### Walk-through"');
  return m[1];
}

test('the README walk-through works as written', async () => {
  const script = walkThrough();
  assert.match(script, /127\.0\.0\.1:8080/);
  const out = execFileSync('bash', ['-euo', 'pipefail', '-c',
    script.replaceAll('127.0.0.1:8080', `127.0.0.1:${PORT}`)],
  { cwd: ROOT, env: { ...process.env }, encoding: 'utf8' });
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 8, out);
  const [provider, domain, add, link, check, hwids, del, list] = lines;
  const p = JSON.parse(provider);
  assert.match(p.provider_code, /^[A-Za-z0-9]{8}$/);
  assert.equal(domain, '{"rc":1,"msg":"Ok"}');
  const a = JSON.parse(add);
  assert.deepEqual(Object.keys(a), ['rc', 'msg', 'install_code', 'id']);
  assert.equal(link, `https://sub.example.com/s/abc#My_VPN?installid=${a.install_code}`);
  assert.equal(check, JSON.stringify({ providerid: p.provider_code, status: 10, import: true }));
  const h = JSON.parse(hwids);
  assert.equal(h.data.length, 1);
  assert.equal(h.data[0].hwid, '7f3c9a1e2b4d');
  assert.equal(h.data[0].device_name, 'Pixel 8 (Android 14)');
  assert.equal(del, '{"rc":1,"msg":"Ok","install_count":0}');
  const l = JSON.parse(list);
  assert.deepEqual(l.data.map((x) => [x.id, x.install_code, x.install_limit, x.install_count,
    x.status, x.note]), [[a.id, a.install_code, 2, 0, 10, 'Alice']]);

  // what it stored: the domain's hash only, under that provider
  const rows = await sql(`SELECT d.domain_hash, d.domain_name FROM domains d
    JOIN providers p ON p.id = d.provider_id WHERE p.code = $1`, [p.provider_code]);
  assert.deepEqual(rows, [{ domain_hash: sha256hex('sub.example.com'),
    domain_name: 'sub.example.com' }]);
});
