// The check endpoint, /install and /provider, through nginx.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { install, newLink, newProvider, randomHwid, request, closeDb } from './lib.mjs';

after(closeDb);

test('a new device is admitted and a known one re-admitted at the limit', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 1 });
  const hw = randomHwid();
  const want = { providerid: p.provider_code, status: 10, import: true };
  assert.deepEqual((await install(link.hash, link.code, hw)).json, want);
  const again = await install(link.hash, link.code, hw);
  assert.equal(again.status, 200);
  assert.equal(again.text, JSON.stringify(want));
  assert.deepEqual((await install(link.hash, link.code, randomHwid())).json,
    { providerid: p.provider_code, status: 10, import: false });
});

test('/provider answers 1 for an active provider, 0 for an unknown one', async () => {
  const p = await newProvider();
  assert.equal((await request(`/provider?id=${p.provider_code}`)).text, '{"status":1}');
  assert.equal((await request('/provider?id=Zz9Zz9Zz')).text, '{"status":0}');
});
