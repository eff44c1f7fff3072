// Taking a slot is atomic: however many devices ask at once, no more than
// install_limit hold one, and a device asking again is never refused.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { install, newLink, newProvider, randomHwid, closeDb, sql, answer } from './lib.mjs';

after(closeDb);

async function stored(link) {
  const [row] = await sql('SELECT install_count FROM links WHERE id = $1', [link.id]);
  const devs = await sql('SELECT hwid FROM devices WHERE link_id = $1', [link.id]);
  return { count: row.install_count, hwids: devs.map((d) => d.hwid).sort() };
}

// Sends every (link, hwid) check at once; returns the answers in order.
async function burst(asks) {
  const res = await Promise.all(asks.map(([link, hw]) => install(link.hash, link.code, hw)));
  for (const r of res) assert.equal(r.status, 200, r.text);
  return res.map((r) => r.text);
}

test('120 distinct devices at once on a limit-7 link: exactly 7 get in', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 7 });
  const hws = Array.from({ length: 120 }, randomHwid);
  const got = await burst(hws.map((hw) => [link, hw]));
  const yes = answer(p.provider_code, 10, true);
  const no = answer(p.provider_code, 10, false);
  const admitted = hws.filter((_, i) => got[i] === yes).sort();
  assert.equal(admitted.length, 7);
  assert.equal(got.filter((t) => t === no).length, 113);
  assert.deepEqual(await stored(link), { count: 7, hwids: admitted });
  // the seven keep their slots, the rest stay out
  const again = await burst(hws.map((hw) => [link, hw]));
  assert.deepEqual(again, got);
});

test('50 copies of one device at once on a limit-1 link are all admitted', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 1 });
  const hw = randomHwid();
  const got = await burst(Array.from({ length: 50 }, () => [link, hw]));
  assert.deepEqual(new Set(got), new Set([answer(p.provider_code, 10, true)]));
  assert.deepEqual(await stored(link), { count: 1, hwids: [hw] });
});

test('50 copies of one device at once on a limit-7 link take one slot', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 7 });
  const hw = randomHwid();
  const got = await burst(Array.from({ length: 50 }, () => [link, hw]));
  assert.deepEqual(new Set(got), new Set([answer(p.provider_code, 10, true)]));
  assert.deepEqual(await stored(link), { count: 1, hwids: [hw] });
});

test('five links at once, new devices and repeated ones mixed', async () => {
  const p = await newProvider();
  const links = await Promise.all([1, 2, 3, 5, 7].map((limit) => newLink(p, { limit })));
  const asks = [];
  const repeated = new Map();
  for (const link of links) {
    const hw = randomHwid();
    repeated.set(link.id, hw);
    for (let i = 0; i < 25; i++) asks.push([link, randomHwid()]);
    for (let i = 0; i < 10; i++) asks.push([link, hw]);
  }
  // interleave so that every link is asked about all the time
  asks.sort(() => Math.random() - 0.5);
  const got = await burst(asks);
  const yes = answer(p.provider_code, 10, true);
  for (const link of links) {
    const mine = asks.map((a, i) => [a, got[i]]).filter(([a]) => a[0] === link);
    const admitted = new Set(mine.filter(([, t]) => t === yes).map(([a]) => a[1]));
    assert.equal(admitted.size, link.limit, `limit ${link.limit}`);
    const s = await stored(link);
    assert.deepEqual(s, { count: link.limit, hwids: [...admitted].sort() });
    // every copy of the repeated device got the same answer
    const copies = mine.filter(([a]) => a[1] === repeated.get(link.id)).map(([, t]) => t);
    assert.equal(new Set(copies).size, 1, `limit ${link.limit}: ${copies}`);
  }
});

test('a slot freed by deleting a device is taken by exactly one newcomer', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 2 });
  const first = [randomHwid(), randomHwid()];
  await burst(first.map((hw) => [link, hw]));
  await sql(`WITH d AS (DELETE FROM devices WHERE link_id = $1 AND hwid = $2 RETURNING 1)
    UPDATE links SET install_count = install_count - (SELECT count(*) FROM d) WHERE id = $1`,
  [link.id, first[0]]);
  const hws = Array.from({ length: 40 }, randomHwid);
  const got = await burst(hws.map((hw) => [link, hw]));
  assert.equal(got.filter((t) => t === answer(p.provider_code, 10, true)).length, 1);
  const s = await stored(link);
  assert.equal(s.count, 2);
  assert.equal(s.hwids.length, 2);
  assert.ok(s.hwids.includes(first[1]));
});

test('a device racing itself is never refused, on links with room and at their last slot', async () => {
  const p = await newProvider();
  const yes = answer(p.provider_code, 10, true);
  const cases = [];
  for (const [limit, held] of [[1, 0], [2, 1], [3, 2], [7, 6], [5, 0], [100, 40]]) {
    const link = await newLink(p, { limit });
    const before = Array.from({ length: held }, randomHwid);
    assert.deepEqual(new Set(await burst(before.map((hw) => [link, hw]))),
      new Set(held ? [yes] : []));
    cases.push({ link, held, hw: randomHwid() });
  }
  // 30 copies of each link's new device, in that order, all at once: the
  // workers take copies of one device together, and those that find no
  // row for it wait on the link row behind the one that takes the slot,
  // then take another (and hand it back) or find the link full
  const asks = cases.flatMap((c) => Array.from({ length: 30 }, () => [c.link, c.hw]));
  const got = await burst(asks);
  assert.deepEqual(got.filter((t) => t !== yes), []);
  for (const c of cases) {
    const s = await stored(c.link);
    assert.equal(s.count, c.held + 1, `limit ${c.link.limit}`);
    assert.equal(s.hwids.length, c.held + 1, `limit ${c.link.limit}`);
    assert.ok(s.hwids.includes(c.hw));
  }
});
