// The FastCGI connections nginx keeps open between requests: each worker
// waits on all those it holds and on the listening socket at once, so a
// connection left idle pins no worker, and no request waits on another
// connection's silence.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fcgiKept, install, newLink, newProvider, randomHwid, closeDb, answer,
  sleep, workerPids, VAR } from './lib.mjs';

after(closeDb);

const within = (p, ms) => Promise.race([p, sleep(ms).then(() => 'no answer')]);

// The FastCGI connections open now: the sockets accepted on the workers'
// listening socket, which the kernel lists under its path, connected.
function fastcgiConnections() {
  const sock = path.join(VAR, 'run/fcgi.sock');
  return readFileSync('/proc/net/unix', 'utf8').split('\n')
    .map((l) => l.trim().split(/\s+/)).filter((f) => f[5] === '03' && f[7] === sock).length;
}

test('kept connections outnumbering the workers are all served, whichever speaks', async () => {
  const p = await newProvider();
  const env = { REQUEST_METHOD: 'GET', DOCUMENT_URI: '/provider', QUERY_STRING: `id=${p.provider_code}` };
  const conns = Array.from({ length: 3 * workerPids().length + 1 }, fcgiKept);
  try {
    await Promise.all(conns.map((c) => c.connected));
    // one request on each in turn: every connection is accepted and kept
    // while the ones before it stay open and idle
    for (const [i, c] of conns.entries()) {
      assert.match(await within(c.ask(env), 5000), /\{"status":1\}$/, `connection ${i}`);
    }
    // then every one again, the last first, all at once, twice
    for (let round = 0; round < 2; round++) {
      const got = await Promise.all([...conns].reverse().map((c) => within(c.ask(env), 5000)));
      got.forEach((t, i) => assert.match(t, /\{"status":1\}$/, `round ${round}, answer ${i}`));
    }
  } finally {
    for (const c of conns) c.close();
  }
});

test('after a burst through nginx the workers hold more connections than there are workers, and each new request is answered', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 1 });
  const hw = randomHwid();
  const yes = answer(p.provider_code, 10, true);
  assert.equal((await install(link.hash, link.code, hw)).text, yes);
  // nginx keeps a connection only while it is younger than its upstream
  // keepalive_time (1 s): on a loaded machine a burst may outlast it, so
  // a few bursts are allowed for the connections to be seen held
  let held = 0;
  for (let round = 0; round < 5 && held <= workerPids().length; round++) {
    const burst = await Promise.all(Array.from({ length: 40 }, () => install(link.hash, link.code, hw)));
    assert.deepEqual(burst.filter((r) => r.status !== 200 || r.text !== yes), []);
    held = fastcgiConnections();
  }
  assert.ok(held > workerPids().length, `${held} FastCGI connections open`);
  // nginx now picks its idle connections, held by any worker: each
  // request, alone or with others, is answered
  for (let i = 0; i < 20; i++) {
    assert.equal((await within(install(link.hash, link.code, hw), 5000)).text, yes, `request ${i}`);
  }
  const again = await Promise.all(Array.from({ length: 20 },
    () => within(install(link.hash, link.code, hw), 5000)));
  assert.deepEqual(again.filter((r) => r.text !== yes), []);
});
