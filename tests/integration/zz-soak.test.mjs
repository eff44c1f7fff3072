// A one-minute soak under faults (scripts/soak runs the same for ten):
// mixed traffic while a worker is killed, PostgreSQL restarted, the
// configuration reloaded and the binary replaced, then the proofs. Named
// to run after zz-faults, last; it leaves PostgreSQL running and every
// worker up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeDb } from './lib.mjs';
import { formatReport, runSoak } from './soak.mjs';

const SECONDS = Number(process.env.LL_TEST_SOAK_SECONDS || 60);
let r;

before(async () => {
  r = await runSoak({ seconds: SECONDS, say: (line) => console.log(`# ${line}`) });
  for (const line of formatReport(r).split('\n')) console.log(`# ${line}`);
}, { timeout: (SECONDS + 240) * 1000 });

after(closeDb);

test('traffic of every kind flowed and every kind of fault was injected and recovered from', () => {
  for (const kind of ['check-new', 'check-known', 'check-race', 'api-add-install',
    'api-update-install', 'api-delete-hwid', 'api-list-install', 'api-list-hwid',
    'api-add-domain', 'api-delete-domain', 'web-signin', 'web-links', 'web-link', 'web-edit']) {
    assert.ok(r.byKind[kind] > 0, `no ${kind} request`);
  }
  assert.ok(r.allKinds, `faults: ${JSON.stringify(r.faults)}`);
  assert.equal(r.unrecovered, 0, JSON.stringify(r.windows));
});

test('every failed request was in flight during a fault window', () => {
  assert.deepEqual(r.outsideSample, [], `${r.outside} of ${r.failures} failures outside`);
  assert.ok(r.failures > 0, 'the faults failed no request at all: were they injected?');
});

test('every answer the database gave fits the order of events', () => {
  // no device refused while it held a slot or while the link had room,
  // no device both admitted and refused on a link without deletes
  assert.deepEqual(r.wrong, [], `${r.wrongCount} answers`);
});

test('no admission the clients saw was lost', () => {
  assert.ok(r.mustHave > 100, `only ${r.mustHave} admissions to look for`);
  assert.deepEqual(r.lost, []);
});

test('no link went over its limit, and every count equals its device rows', () => {
  assert.ok(r.raceLinks > 10, `only ${r.raceLinks} race links`);
  assert.deepEqual(r.overAdmitted, []);
  assert.deepEqual(r.drift, []);
  assert.deepEqual(r.missing, []);
  assert.equal(r.violations, 0, 'the CHECK constraint had to stop an admission');
});

test('no worker died but the ones the soak killed', () => {
  assert.deepEqual(r.crashes, []);
});

test('the workers\' memory and open files did not grow', () => {
  assert.ok(r.memory.some((j) => j.role === 'worker'), 'no worker lived long enough to be judged');
  assert.deepEqual(r.grown, []);
});

test('the soak ran cleanly and left the stack healthy', () => {
  assert.deepEqual(r.errors, []);
  assert.ok(r.healthy);
  assert.ok(r.ok);
});
