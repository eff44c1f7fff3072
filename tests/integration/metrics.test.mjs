// GET /healthz with the database up, and GET /metrics: parsed by
// prometheus_client's own parser, its counters moved by exactly the
// requests made, refused to addresses outside metrics_allow (at the
// worker, for a REMOTE_ADDR the test sets, and through nginx with a
// configuration that leaves loopback out), a killed worker's counts
// kept, and the Grafana dashboard naming only what it exposes. The
// database going away is zz-health.test.mjs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ROOT, VAR, request, install, newProvider, newLink, randomHwid, closeDb,
  fcgiConnect, script, waitFor, workerPids, workersWanted, answer, sleep,
} from './lib.mjs';

const WORKERS = workersWanted();

after(closeDb);

// The exposition through prometheus_client's parser (Debian's
// python3-prometheus-client, so the system python): every sample as
// { name, labels, value }, and each family's name and type.
function parse(text) {
  const prog = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"family": f.name, "type": f.type, "samples":
        [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]})
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', prog], { input: text, encoding: 'utf8' }));
}

async function scrape() {
  const r = await request('/metrics');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const families = parse(r.text);
  const value = (name, labels = {}) => {
    for (const f of families) {
      for (const s of f.samples) {
        if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
          && Object.keys(s.labels).length === Object.keys(labels).length) return s.value;
      }
    }
    return 0;	// a counter not yet shown has counted nothing
  };
  return { text: r.text, families, value };
}

test('/healthz answers 200 {"status":"ok"} with the database up', async () => {
  const r = await request('/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { status: 'ok' });
  assert.match(r.headers.get('content-type'), /^application\/json/);
  const head = await request('/healthz', { method: 'HEAD' });
  assert.equal(head.status, 200);
});

test('/metrics parses as Prometheus text with every metric the README names', async () => {
  const m = await scrape();
  const types = Object.fromEntries(m.families.map((f) => [f.family, f.type]));
  // prometheus_client names a counter's family without its _total
  assert.deepEqual(types, {
    ll_requests: 'counter',
    ll_check_decisions: 'counter',
    ll_request_duration_seconds: 'histogram',
    ll_db_errors: 'counter',
    ll_db_reconnects: 'counter',
    ll_worker_restarts: 'counter',
    ll_workers: 'gauge',
    ll_workers_busy: 'gauge',
  });
  assert.equal(m.value('ll_workers'), WORKERS);
  // this scrape's own worker is busy with it
  assert.ok(m.value('ll_workers_busy') >= 1 && m.value('ll_workers_busy') <= WORKERS);
  // no secret of any kind: no key, password, or the config's database string
  const conf = readFileSync(path.join(VAR, 'limited-links.conf'), 'utf8');
  const database = conf.match(/^database\s*=\s*(.*)$/m)[1];
  assert.ok(!m.text.includes(database));
  assert.ok(!m.text.includes(readFileSync(path.join(VAR, 'secret.key'), 'utf8').trim()));
  assert.doesNotMatch(m.text, /password|passfile|auth_key/);
});

test('the counters move by exactly the requests made', async () => {
  const p = await newProvider();
  const link = await newLink(p, { limit: 3 });
  const ok = answer(p.provider_code, 10, true);
  const no = answer(p.provider_code, 10, false);
  const before = await scrape();
  const hwids = Array.from({ length: 5 }, randomHwid);
  const got = [];
  // one after another: the first three take the slots, two are refused
  for (const h of hwids) got.push((await install(link.hash, link.code, h)).text);
  // two re-checks of admitted devices, admitted again
  got.push((await install(link.hash, link.code, hwids[0])).text);
  got.push((await install(link.hash, link.code, hwids[1])).text);
  // one the database never sees: a malformed install code, which no link
  // can have (counted as refused_unknown, as analytics counts it)
  got.push((await install(link.hash, 'x', hwids[0])).text);
  assert.deepEqual(got, [ok, ok, ok, no, no, ok, ok, answer('', 0, false)]);
  // three provider checks and one API call without a key
  for (let i = 0; i < 3; i++) assert.equal((await request(`/provider?id=${p.provider_code}`)).status, 200);
  assert.equal((await request('/api/list-links')).status, 200);
  assert.equal((await request('/nowhere-in-particular')).status, 404);
  const after_ = await scrape();

  const delta = (name, labels) => after_.value(name, labels) - before.value(name, labels);
  assert.equal(delta('ll_requests_total', { route: 'install', status: '200' }), 8);
  assert.equal(delta('ll_requests_total', { route: 'provider', status: '200' }), 3);
  assert.equal(delta('ll_requests_total', { route: 'api', status: '200' }), 1);
  // the scrape before this one is counted once its answer is out
  assert.equal(delta('ll_requests_total', { route: 'metrics', status: '200' }), 1);
  assert.equal(delta('ll_requests_total', { route: 'healthz', status: '200' }), 0);
  // nginx answers 404 for paths it has no location for; none reach a worker
  assert.equal(delta('ll_requests_total', { route: 'other', status: '404' }), 0);
  assert.equal(delta('ll_check_decisions_total', { decision: 'admitted_new' }), 3);
  assert.equal(delta('ll_check_decisions_total', { decision: 'admitted_known' }), 2);
  assert.equal(delta('ll_check_decisions_total', { decision: 'refused_limit' }), 2);
  assert.equal(delta('ll_check_decisions_total', { decision: 'refused_unknown' }), 1);
  assert.equal(delta('ll_check_decisions_total', { decision: 'refused_domain' }), 0);
  assert.equal(delta('ll_request_duration_seconds_count', { route: 'install' }), 8);
  assert.equal(delta('ll_request_duration_seconds_bucket', { route: 'install', le: '+Inf' }), 8);
  assert.ok(delta('ll_request_duration_seconds_sum', { route: 'install' }) > 0);
  assert.equal(delta('ll_db_errors_total'), 0);
  // buckets are cumulative
  const les = after_.families.find((f) => f.family === 'll_request_duration_seconds').samples
    .filter((s) => s.name.endsWith('_bucket') && s.labels.route === 'install').map((s) => s.value);
  assert.ok(les.length > 5);
  for (let i = 1; i < les.length; i++) assert.ok(les[i] >= les[i - 1], les.join(' '));
});

// One FastCGI request straight on the workers' socket, with the
// REMOTE_ADDR nginx would have sent.
async function direct(uri, remote) {
  const c = fcgiConnect({ REQUEST_METHOD: 'GET', DOCUMENT_URI: uri, QUERY_STRING: '', REMOTE_ADDR: remote });
  await c.connected;
  c.sendBegin();
  c.sendRest();
  const out = await c.response;
  c.close();
  return out;
}

test('the worker answers /metrics only to the addresses of metrics_allow', async () => {
  for (const addr of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
    const out = await direct('/metrics', addr);
    assert.match(out, /^Status: 200/, addr);
    assert.match(out, /\nll_workers \d+\n/, addr);
  }
  for (const addr of ['10.1.2.3', '192.0.2.1', '::2', '2001:db8::1', '::ffff:10.0.0.1', '', 'nonsense']) {
    const out = await direct('/metrics', addr);
    assert.match(out, /^Status: 403/, addr);
    assert.doesNotMatch(out, /ll_/, addr);
  }
  // health is for anyone who can reach it
  assert.match(await direct('/healthz', '10.1.2.3'), /^Status: 200[^]*\{"status":"ok"\}/);
});

test('a configuration that leaves loopback out refuses the scrape through nginx', async () => {
  const conf = path.join(VAR, 'limited-links.conf');
  const saved = readFileSync(conf, 'utf8');
  const reload = async () => {
    const old = workerPids();
    script('stack', ['reload']);
    assert.ok(await waitFor(() => {
      const now = workerPids();
      return now.length === WORKERS && now.every((pid) => !old.includes(pid));
    }, 20000), 'the workers were replaced');
  };
  try {
    writeFileSync(conf, `${saved}\nmetrics_allow = 10.0.0.0/8, 2001:db8::/32\n`);
    await reload();
    const r = await request('/metrics');
    assert.equal(r.status, 403);
    assert.doesNotMatch(r.text, /ll_/);
    assert.equal((await request('/healthz')).status, 200);
  } finally {
    writeFileSync(conf, saved);
  }
  await reload();
  assert.equal((await request('/metrics')).status, 200);
});

test('a killed worker is counted as restarted, and its counts stay', async () => {
  const before = await scrape();
  const total = (m) => m.families.find((f) => f.family === 'll_requests').samples
    .reduce((n, s) => n + s.value, 0);
  const [victim] = workerPids();
  process.kill(victim, 'SIGKILL');
  assert.ok(await waitFor(() => workerPids().length === WORKERS && !workerPids().includes(victim), 15000));
  await sleep(200);	// the master's next look sets ll_workers
  const after_ = await scrape();
  assert.equal(after_.value('ll_worker_restarts_total') - before.value('ll_worker_restarts_total'), 1);
  // every request counted before is still counted, plus the scrape
  assert.equal(total(after_), total(before) + 1);
  assert.equal(after_.value('ll_workers'), WORKERS);
  assert.ok(after_.value('ll_workers_busy') <= WORKERS);
});

test('the Grafana dashboard names only metrics that /metrics exposes', async () => {
  const dash = JSON.parse(readFileSync(path.join(ROOT, 'dist/grafana-dashboard.json'), 'utf8'));
  const m = await scrape();
  const exposed = new Set(m.families.flatMap((f) => f.samples.map((s) => s.name)));
  const labels = new Set(m.families.flatMap((f) => f.samples.flatMap((s) => Object.keys(s.labels))));
  const exprs = [];
  const walk = (o) => {
    if (Array.isArray(o)) o.forEach(walk);
    else if (o && typeof o === 'object') {
      if (typeof o.expr === 'string') exprs.push(o.expr);
      Object.values(o).forEach(walk);
    }
  };
  walk(dash);
  assert.ok(exprs.length >= 8, `only ${exprs.length} expressions`);
  const named = new Set();
  for (const e of exprs) {
    const names = e.match(/\bll_[a-z_]+\b/g) || [];
    assert.ok(names.length > 0, `no metric in ${e}`);
    for (const n of names) {
      assert.ok(exposed.has(n), `${n} in "${e}" is not exposed`);
      named.add(n.replace(/_(bucket|sum|count)$/, ''));
    }
    // the labels it groups or filters by exist too
    for (const [, l] of e.matchAll(/\b([a-z_]+)\s*(?:=~|!=|!~|=)\s*"/g)) {
      assert.ok(labels.has(l), `label ${l} in "${e}" does not exist`);
    }
    for (const [, list] of e.matchAll(/\bby\s*\(([^)]*)\)/g)) {
      for (const l of list.split(',').map((x) => x.trim()).filter(Boolean)) {
        assert.ok(labels.has(l) || l === 'le', `label ${l} in "${e}" does not exist`);
      }
    }
  }
  // and it shows every metric there is
  for (const f of m.families) {
    const n = f.type === 'counter' ? `${f.family}_total` : f.family;
    assert.ok(named.has(n), `the dashboard does not show ${n}`);
  }
});
