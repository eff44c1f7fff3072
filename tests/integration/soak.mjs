// The soak: mixed traffic on a running stack for a set time while faults
// are injected on a schedule, then proofs over everything the clients saw
// and everything stored. scripts/soak runs it for ten minutes,
// zz-soak.test.mjs for one minute in `make test`.
//
//   node tests/integration/soak.mjs [SECONDS]    (LL_VAR, LL_PORT: the stack)
//
// Traffic, in lanes that each keep one operation in flight: new devices
// and re-checks of admitted devices on many links; bursts of 10 to 16
// devices at once (one of them twice) on fresh links of limit 1 to 3; the
// provider API (add-install, update-install of limit, note and status,
// delete-hwid, the lists, add-domain and delete-domain); and a web-account
// session (sign in with the form's token and cookie, the links, a link's
// page, its note edited), all plain HTTP through nginx.
//
// Faults, one at a time, each recorded as a window from the moment it is
// injected to the moment the stack has measurably recovered (every worker
// up and holding a database connection): a worker killed with SIGKILL,
// PostgreSQL stopped (fast) and started again, a configuration reload
// (SIGHUP to the master), and a fresh copy of the build installed over the
// stack's binary with the master restarted on it.
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync, chownSync, closeSync, copyFileSync, existsSync, openSync, readFileSync, readdirSync,
  readlinkSync, renameSync, statSync,
} from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  APP_HEADERS, BASE, ROOT, VAR, alive, closeDb, masterPid, newProvider, pgStart, pgStop,
  randomCode, sha256hex, sleep, sql, workersWanted,
} from './lib.mjs';

const REQUEST_TIMEOUT_MS = 30000;	// a request that takes longer is a failure
const RECOVER_LIMIT_MS = 60000;	// a fault not recovered from by then fails the run
const GRACE_MS = 1000;		// failures may start this long after a window ends
// A request the client saw fail may still have been carried out: its
// statement can run on after the worker died (statement_timeout is 5 s).
const UNKNOWN_TAIL_MS = 10000;
const PG_DOWN_MS = 1500;	// how long PostgreSQL stays stopped
const SAMPLE_MS = 100;		// how often the workers' memory is sampled
const MEM_WARM_MS = 10000;	// a process's first samples are not its baseline
const MEM_MIN_SPAN_MS = 20000;	// a process sampled for less is not judged
const MEM_RSS_TOLERANCE_KB = 1024;	// growth of a worker's resident memory

const now = () => performance.now();
const rand = (n) => Math.floor(Math.random() * n);
const pick = (a) => a[rand(a.length)];

// --- the stack's processes, from /proc ---------------------------------

function currentMaster() {
  try {
    const pid = masterPid();
    return alive(pid) ? pid : 0;
  } catch {
    return 0;
  }
}

// The master's workers (its other child, the sender, names itself).
function kids(master) {
  if (!master) return [];
  try {
    return readFileSync(`/proc/${master}/task/${master}/children`, 'utf8')
      .trim().split(/\s+/).filter(Boolean).map(Number).filter((pid) => {
        try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'll-sender'; } catch { return false; }
      });
  } catch {
    return [];
  }
}

// Sockets a process holds: a worker holds the listening socket, its
// database connection once it has one, and the request in hand.
function sockets(pid) {
  let n = 0;
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
      } catch { /* closed meanwhile */ }
    }
  } catch {
    return 0;
  }
  return n;
}

// The FastCGI connections nginx keeps open, by socket inode: the sockets
// accepted on the workers' listening socket, which the kernel lists under
// its path, connected (state 03).
function keptConnections() {
  const sock = path.join(VAR, 'run/fcgi.sock');
  const kept = new Set();
  try {
    for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 8 && f[5] === '03' && f[7] === sock) kept.add(f[6]);
    }
  } catch { /* no /proc/net/unix: none counted */ }
  return kept;
}

// Resident memory (kB) and open files of a process, and whether it sat
// waiting in epoll (a worker between requests) before and after the count.
// The connections nginx keeps open to a worker (kept) are not counted: they
// come and go with nginx's pool, at most a fixed number per worker.
function procSample(pid, kept) {
  const wchan = () => {
    try { return readFileSync(`/proc/${pid}/wchan`, 'utf8'); } catch { return ''; }
  };
  try {
    const before = wchan();
    let fds = 0;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let to = '';
      try { to = readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
      const m = /^socket:\[(\d+)\]$/.exec(to);
      if (!m || !kept.has(m[1])) fds++;
    }
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
    return { rss, fds, waiting: /epoll/.test(before) && /epoll/.test(wchan()) };
  } catch {
    return null;
  }
}

// The stack is whole: a master with the configured number of workers,
// each holding its database connection.
function workersReady(want, master = currentMaster()) {
  const pids = kids(master);
  return master !== 0 && pids.length === want && pids.every((p) => sockets(p) >= 2);
}

async function limitedLinksBackends() {
  try {
    const [r] = await sql(`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE application_name = 'limited-links' AND backend_type = 'client backend'`);
    return r.n;
  } catch {
    return -1;
  }
}

// Polls cond until it holds or RECOVER_LIMIT_MS pass; returns whether it held.
async function recovered(cond) {
  const end = now() + RECOVER_LIMIT_MS;
  for (;;) {
    if (await cond()) return true;
    if (now() > end) return false;
    await sleep(50);
  }
}

function logSize(name) {
  try { return statSync(path.join(VAR, 'log', name)).size; } catch { return 0; }
}
function logSince(name, offset) {
  try { return readFileSync(path.join(VAR, 'log', name)).subarray(offset).toString('utf8'); } catch { return ''; }
}

// --- faults ------------------------------------------------------------

// The build to install when the binary is replaced: the checkout's build
// the stack runs (release or sanitizer), else a copy of the stack's own.
function freshBuild(installed) {
  const have = readFileSync(installed);
  for (const c of [process.env.LL_SOAK_BINARY, path.join(ROOT, 'bin/limited-links'),
    path.join(ROOT, 'bin/limited-links-asan')]) {
    if (c && existsSync(c) && readFileSync(c).equals(have)) return c;
  }
  return installed;
}

// How the master was started: its arguments, user, environment, folder
// and log, read from /proc, so that it can be started again the same way.
function launchOf(pid) {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const env = {};
  for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean)) {
    const at = kv.indexOf('=');
    env[kv.slice(0, at)] = kv.slice(at + 1);
  }
  const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  const asan = /asan/.test(readFileSync(`/proc/${pid}/maps`, 'utf8'));
  return { pid, argv, env, uid, asan, cwd: readlinkSync(`/proc/${pid}/cwd`) };
}

// Starts a master as launch describes, as scripts/stack does: detached, as
// the stack's user, its output appended to the log, here the very file the
// old master wrote to (through its descriptor, not a path). Returns what
// went wrong while starting, for as long as the starter runs (it lives as
// long as the master).
function startMaster(launch, logFd) {
  let cmd = ['setsid', ...launch.argv];
  if (process.getuid() === 0 && launch.uid !== 0) {
    const user = execFileSync('getent', ['passwd', String(launch.uid)], { encoding: 'utf8' }).split(':')[0];
    cmd = ['runuser', '-u', user, '--', ...cmd];
  }
  const said = { text: '' };
  const child = spawn(cmd[0], cmd.slice(1), { env: launch.env,
    cwd: existsSync(launch.cwd) ? launch.cwd : '/', detached: true,
    stdio: ['ignore', logFd, logFd] });
  child.on('error', (e) => { said.text += `${e.message}\n`; });
  child.on('exit', (code, sig) => { said.text += `the starter exited with ${code ?? sig}\n`; });
  child.unref();
  return said;
}

// Installs a fresh build over the master's binary and restarts the
// master on it: SIGTERM, wait for it to finish, start it again the same
// way. (scripts/stack upgrades in place instead, which
// zero-downtime.test.mjs covers; a restart remains a fault of its own.)
async function replaceBinary(w) {
  const old = currentMaster();
  if (!old) throw new Error('no master to restart');
  const launch = launchOf(old);
  const bin = launch.argv[0];
  const src = freshBuild(bin);
  const st = statSync(bin);
  copyFileSync(src, `${bin}.new`);
  chmodSync(`${bin}.new`, st.mode & 0o7777);
  chownSync(`${bin}.new`, st.uid, st.gid);
  renameSync(`${bin}.new`, bin);
  w.detail = `master ${old}, ${path.basename(src)}`;
  const logFd = openSync(`/proc/${old}/fd/2`, 'a');
  try {
    process.kill(old, 'SIGTERM');
    if (!(await recovered(() => !alive(old)))) throw new Error(`master ${old} did not stop`);
    w.started = startMaster(launch, logFd);
  } finally {
    closeSync(logFd);
  }
}

const FAULTS = {
  async kill(w, want) {
    const pids = kids(currentMaster());
    if (pids.length === 0) throw new Error('no worker to kill');
    const victim = pick(pids);
    w.detail = `worker ${victim}`;
    w.victim = victim;
    process.kill(victim, 'SIGKILL');
    return () => !kids(currentMaster()).includes(victim) && workersReady(want);
  },
  async pg(w, want) {
    await pgStop();
    await sleep(PG_DOWN_MS);
    await pgStart();
    // a worker reconnects on its next request, after its backoff: the
    // window lasts until every worker holds a new connection
    return async () => workersReady(want) && (await limitedLinksBackends()) >= want;
  },
  async reload(w, want) {
    const master = currentMaster();
    if (!master) throw new Error('no master to reload');	// never kill(0)
    const old = kids(master);
    w.detail = `master ${master}`;
    process.kill(master, 'SIGHUP');
    return () => workersReady(want, master) && kids(master).every((p) => !old.includes(p));
  },
  async binary(w, want) {
    const old = currentMaster();
    await replaceBinary(w);
    return () => {
      const m = currentMaster();
      return m !== 0 && m !== old && workersReady(want, m);
    };
  },
};

export const FAULT_KINDS = ['binary', 'reload', 'kill', 'pg'];

// When each fault is injected, in ms from the start: after a warm-up,
// evenly spaced about every `every` seconds, at least one of each kind;
// the first half cycles through all the kinds asked for, the second only
// kills workers and restarts PostgreSQL (if asked for), so that workers
// live long enough there for their memory to be judged. The last stretch
// stays quiet.
export function schedule(seconds, kinds = FAULT_KINDS, every = 15) {
  const warm = Math.min(10, Math.max(5, seconds * 0.05));
  const tail = Math.max(10, seconds * 0.03);
  const usable = seconds - warm - tail;
  const n = Math.max(kinds.length, Math.round(usable / every));
  const step = usable / n;
  const half = Math.ceil(n / 2);
  const plan = [];
  for (let i = 0; i < n; i++) {
    const late = kinds.filter((k) => k === 'kill' || k === 'pg');
    const cycle = i < half || late.length === 0 ? kinds : late;
    plan.push({ at: (warm + i * step) * 1000, kind: cycle[(i < half ? i : i - half) % cycle.length] });
  }
  return plan;
}

// --- the run -----------------------------------------------------------

// Runs the soak for `seconds` against the stack of LL_VAR and LL_PORT,
// injecting the faults of `faults` (FAULT_KINDS), and returns the report
// (see prove()); say(line) hears progress. Leaves PostgreSQL running and
// every worker up, whatever happens.
export async function runSoak({ seconds = 600, lanes = 6, faults = FAULT_KINDS, say = () => {} } = {}) {
  if (faults.length === 0 || !faults.every((k) => FAULT_KINDS.includes(k))) {
    throw new Error(`faults must be some of ${FAULT_KINDS.join(',')}`);
  }
  const want = workersWanted();
  const tag = randomCode(5);
  // a stack just started may still be starting its workers
  if (!(await recovered(() => workersReady(want)))) throw new Error('the stack is not up');
  const launch = launchOf(currentMaster());
  const S = {
    seconds, lanes, want, tag, launch, faultKinds: faults, asan: launch.asan, start: 0, stopping: false,
    counts: {}, failures: [], errors: [], windows: [], links: new Map(),
    kinds: { plain: [], churn: [], web: [], race: [] }, known: [], seq: 0,
    creating: false, samples: new Map(), killed: new Set(),
  };
  const pgLog = logSize('postgresql.log');
  const srvLog = logSize('limited-links.log');

  // three providers: A holds the plain and race links, B the churn links
  // (their limit, note and status change, their devices are deleted) and
  // the domain churn, C the links the web account edits
  const P = {};
  for (const name of ['A', 'B', 'C']) {
    P[name] = await newProvider(`Soak ${name} ${tag}`);
    P[name].domain = `soak-${tag.toLowerCase()}-${name.toLowerCase()}.example.com`;
    P[name].hash = sha256hex(P[name].domain);
    const r = await api(S, 'setup', P[name], 'add-domain', { domain_hash: P[name].hash });
    if (r.json?.rc !== 1) throw new Error(`add-domain: ${r.status} ${r.text}`);
  }
  S.P = P;
  for (let i = 0; i < 24; i++) await addLink(S, 'setup', P.A, 'plain', 20 + rand(81));
  for (let i = 0; i < 8; i++) await addLink(S, 'setup', P.B, 'churn', 5 + rand(11));
  for (let i = 0; i < 4; i++) await addLink(S, 'setup', P.C, 'web', 50);
  if (S.links.size !== 36) throw new Error('the links of the soak could not be created');

  const plan = schedule(seconds, faults);
  say(`limited-links soak: ${seconds} s, ${lanes + 2} lanes, ${want} workers, ` +
    `${plan.length} faults planned`);
  // the master's log, held open to start a master again if one fails to
  S.logFd = openSync(`/proc/${launch.pid}/fd/2`, 'a');
  S.start = now();
  const end = S.start + seconds * 1000;
  const sampler = (async () => {
    while (!S.stopping) {
      sample(S);
      await sleep(SAMPLE_MS);
    }
  })();
  const traffic = [
    ...Array.from({ length: lanes }, () => lane(S, mixed)),
    lane(S, raceRound),
    lane(S, webRound),
  ];
  try {
    for (const f of plan) {
      const wait = S.start + f.at - now();
      if (wait > 0) await sleep(wait);
      await inject(S, f.kind, say);
    }
    const left = end - now();
    if (left > 0) await sleep(left);
  } finally {
    S.stopping = true;
    await Promise.all(traffic);
    await sampler;
    S.stopped = now();
    await heal(S);
    closeSync(S.logFd);
  }
  return prove(S, { pgLog, srvLog });
}

async function inject(S, kind, say) {
  const w = { kind, start: now(), end: 0, detail: '' };
  S.windows.push(w);
  try {
    const cond = await FAULTS[kind](w, S.want);
    if (w.victim) S.killed.add(w.victim);
    w.recovered = await recovered(cond);
  } catch (e) {
    w.error = String(e.message || e);
    w.recovered = false;
  }
  w.end = now();
  if (!w.recovered && w.started?.text) w.error = `${w.error || ''} ${w.started.text.trim()}`;
  say(`  ${((w.start - S.start) / 1000).toFixed(1).padStart(6)} s  ${kind.padEnd(7)} ` +
    `${w.recovered ? `recovered in ${Math.round(w.end - w.start)} ms` : `NOT RECOVERED ${w.error || ''}`}` +
    `${w.detail ? ` (${w.detail})` : ''}`);
}

// Puts the stack back whole after the run, whatever the faults left.
async function heal(S) {
  await pgStart().catch(() => {});
  if (!currentMaster()) {
    // a restart that did not come up: start the master again
    try { startMaster(S.launch, S.logFd); } catch { /* judged below */ }
  }
  await recovered(async () => workersReady(S.want) && (await limitedLinksBackends()) >= S.want);
}

async function lane(S, round) {
  while (!S.stopping) {
    const ok = await round(S).catch((e) => {
      // a fault of the soak itself, not of the stack: the run fails
      S.errors.push(String(e.stack || e));
      return false;
    });
    // during an outage answers come at once: no need to spin on them
    if (ok === false) await sleep(25);
  }
}

// --- HTTP --------------------------------------------------------------

async function http(S, kind, pathq, { method = 'GET', headers = {}, body } = {}) {
  S.counts[kind] = (S.counts[kind] || 0) + 1;
  const t0 = now();
  try {
    const res = await fetch(BASE + pathq, { method, headers, body, redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { kind, t0, t1: now(), status: res.status, headers: res.headers, text, json };
  } catch (e) {
    return { kind, t0, t1: now(), status: 0, text: '', err: String(e.cause?.code || e.name || e) };
  }
}

function why(r) {
  if (r.status === 0) return `no answer: ${r.err}`;
  if (r.status !== 200 && r.status !== 303) return `HTTP ${r.status}`;
  return `answer ${r.text.slice(0, 120)}`;
}

// A failed request: recorded, judged against the fault windows later.
function fail(S, r, reason) {
  S.failures.push({ kind: r.kind, t0: r.t0, t1: r.t1, why: reason });
  return false;
}

function api(S, kind, p, method, params = {}) {
  const q = new URLSearchParams({ provider_code: p.provider_code, auth_key: p.auth_key, ...params });
  return http(S, kind, `/api/${method}?${q}`);
}

// --- links and devices -------------------------------------------------

function linkRecord(p, kind, id, code, limit) {
  return {
    id, code, kind, p, hash: p.hash, limit0: limit, limitNow: limit, statusNow: 10,
    ansT: JSON.stringify({ providerid: p.provider_code, status: 10, import: true }),
    ansF10: JSON.stringify({ providerid: p.provider_code, status: 10, import: false }),
    ansF5: JSON.stringify({ providerid: p.provider_code, status: 5, import: false }),
    devs: new Map(),	// hwid -> { attempts: [], deletes: [] }
    held: new Set(),	// hwids the clients believe hold a slot
    returning: [],	// hwids deleted, that may come back
    limits: [],		// update-install of the limit: { v, t0, t1, res }
    statuses: [],	// update-install of the status: the same
  };
}

async function addLink(S, kind, p, linkKind, limit) {
  const r = await api(S, kind, p, 'add-install', { install_limit: String(limit), note: linkKind });
  const j = r.json;
  if (r.status !== 200 || j?.rc !== 1 || j.msg !== 'Ok' || !/^[A-Za-z0-9]{12}$/.test(j.install_code) ||
      !Number.isInteger(j.id)) {
    return fail(S, r, why(r)) || null;
  }
  const link = linkRecord(p, linkKind, j.id, j.install_code, limit);
  S.links.set(link.id, link);
  S.kinds[linkKind].push(link);
  return link;
}

function dev(link, hwid) {
  let d = link.devs.get(hwid);
  if (!d) { d = { attempts: [], deletes: [] }; link.devs.set(hwid, d); }
  return d;
}

const newHwid = (S) => `sk-${S.tag}-${(S.seq++).toString(36)}`;

// The app's check. The answer is one of the three a live link can give
// ('T' admitted, 'F10' refused while active, 'F5' refused, disabled), or
// '?' (a failure: judged against the fault windows, and counted as a
// possible admission). Whether a refusal was right is decided after the
// run, from everything seen on the link.
async function check(S, kind, link, hwid) {
  const r = await http(S, kind, `/install?id=${link.hash}&installid=${link.code}`,
    { headers: { ...APP_HEADERS, 'X-HWID': hwid } });
  let res = '?';
  if (r.status === 200) {
    if (r.text === link.ansT) res = 'T';
    else if (r.text === link.ansF10) res = 'F10';
    else if (r.text === link.ansF5) res = 'F5';
  }
  const a = { kind, t0: r.t0, t1: r.t1, res };
  dev(link, hwid).attempts.push(a);
  if (res === '?') {
    a.why = why(r);
    return false;
  }
  if (res === 'T' && !link.held.has(hwid)) {
    link.held.add(hwid);
    S.known.push([link, hwid]);
  }
  return true;
}

// --- the traffic -------------------------------------------------------

const MIX = [
  [30, checkNew], [38, checkKnown], [2, providerCheck], [5, updateInstall],
  [4, deleteHwid], [3, listInstall], [3, listHwid], [2, domainCycle],
];
const MIX_TOTAL = MIX.reduce((s, [w]) => s + w, 0);

function mixed(S) {
  let x = rand(MIX_TOTAL);
  for (const [w, fn] of MIX) {
    if (x < w) return fn(S);
    x -= w;
  }
  return checkNew(S);
}

const linksOf = (S, ...kinds) => kinds.flatMap((k) => S.kinds[k]);

async function checkNew(S) {
  const all = linksOf(S, 'plain', 'churn', 'web');
  const x = rand(100);
  if (x < 10) {
    // a device deleted earlier comes back
    const back = all.filter((l) => l.returning.length > 0);
    if (back.length > 0) {
      const link = pick(back);
      return check(S, 'check-new', link, link.returning.splice(rand(link.returning.length), 1)[0]);
    }
  }
  let link;
  if (x < 25) {
    link = pick(all);	// full or not
  } else {
    const open = all.filter((l) => l.held.size < l.limitNow && l.statusNow === 10);
    if (open.filter((l) => l.kind === 'plain').length < 6 && !S.creating) {
      S.creating = true;
      try {
        const l = await addLink(S, 'api-add-install', S.P.A, 'plain', 20 + rand(81));
        if (l) open.push(l);
      } finally {
        S.creating = false;
      }
    }
    link = open.length > 0 ? pick(open) : pick(all);
  }
  return check(S, 'check-new', link, newHwid(S));
}

async function checkKnown(S) {
  for (let tries = 0; tries < 8 && S.known.length > 0; tries++) {
    const i = rand(S.known.length);
    const [link, hwid] = S.known[i];
    if (!link.held.has(hwid)) {
      S.known[i] = S.known[S.known.length - 1];
      S.known.pop();
      continue;
    }
    return check(S, 'check-known', link, hwid);
  }
  return checkNew(S);
}

async function providerCheck(S) {
  const p = pick([S.P.A, S.P.B, S.P.C]);
  const r = await http(S, 'provider', `/provider?id=${p.provider_code}`);
  if (r.status !== 200 || r.text !== '{"status":1}') return fail(S, r, why(r));
  return true;
}

async function updateInstall(S) {
  const link = pick(linksOf(S, 'churn'));
  const x = rand(10);
  const params = { id: String(link.id) };
  let set;
  if (x < 4) {
    params.install_limit = String(3 + rand(18));
    set = { v: Number(params.install_limit), list: link.limits };
  } else if (x < 7) {
    params.note = `note ${randomCode(6)} ✓`;
  } else {
    // disabled for a short while, then active again
    params.status = link.statusNow === 10 && rand(2) === 0 ? '5' : '10';
    set = { v: Number(params.status), list: link.statuses };
  }
  const r = await api(S, 'api-update-install', link.p, 'update-install', params);
  const j = r.json;
  let res = '?';
  if (r.status === 200 && j?.rc === 1 && j.msg === 'Ok' && j.install_code === link.code) res = 'ok';
  else if (r.status === 200 && j?.rc === 0 && params.install_limit &&
    /^Install limit error: install_limit cannot go below install_count \(\d+\)$/.test(j.msg)) res = 'refused';
  if (set) set.list.push({ v: set.v, t0: r.t0, t1: r.t1, res });
  if (res === '?') return fail(S, r, why(r));
  if (res === 'ok' && params.install_limit) link.limitNow = set.v;
  if (res === 'ok' && params.status) link.statusNow = set.v;
  return true;
}

async function deleteHwid(S) {
  const links = linksOf(S, 'churn').filter((l) => l.held.size > 0);
  if (links.length === 0) return checkNew(S);
  const link = pick(links);
  const hwid = pick([...link.held]);
  link.held.delete(hwid);
  const byId = rand(2) === 0;
  const r = await api(S, 'api-delete-hwid', link.p, 'delete-hwid',
    byId ? { install_id: String(link.id), hwid } : { install_code: link.code, hwid });
  const j = r.json;
  let res = '?';
  if (r.status === 200 && j?.rc === 1 && j.msg === 'Ok' && Number.isInteger(j.install_count)) res = 'del';
  else if (r.status === 200 && j?.rc === 0 && j.msg === 'HWID not found') res = 'nf';
  // whether "not found" was right is decided after the run
  dev(link, hwid).deletes.push({ t0: r.t0, t1: r.t1, res, kind: r.kind });
  if (res !== '?') link.returning.push(hwid);
  if (res === '?') return fail(S, r, why(r));
  return true;
}

// A list row is a link the provider owns, within its limit.
function sane(row) {
  return Number.isInteger(row.id) && /^[A-Za-z0-9]{12}$/.test(row.install_code) &&
    Number.isInteger(row.install_count) && row.install_count >= 0 &&
    row.install_count <= row.install_limit && (row.status === 5 || row.status === 10);
}

async function listInstall(S) {
  if (rand(4) === 0) {
    const churn = linksOf(S, 'churn');
    const r = await api(S, 'api-list-install', S.P.B, 'list-install');
    const d = r.json?.data;
    if (r.status !== 200 || r.json?.rc !== 1 || !Array.isArray(d) || d.length !== churn.length ||
      !d.every(sane)) return fail(S, r, why(r));
    return true;
  }
  const link = pick(linksOf(S, 'plain', 'churn', 'race'));
  const r = await api(S, 'api-list-install', link.p, 'list-install', { id: String(link.id) });
  const d = r.json?.data;
  if (r.status !== 200 || r.json?.rc !== 1 || !Array.isArray(d) || d.length !== 1 ||
    d[0].id !== link.id || d[0].install_code !== link.code || !sane(d[0])) return fail(S, r, why(r));
  return true;
}

async function listHwid(S) {
  const link = pick(linksOf(S, 'plain', 'churn', 'race'));
  const r = await api(S, 'api-list-hwid', link.p, 'list-hwid', { install_code: link.code });
  const d = r.json?.data;
  if (r.status !== 200 || r.json?.rc !== 1 || !Array.isArray(d) || d.length > 100 ||
    !d.every((x) => typeof x.hwid === 'string' && typeof x.device_name === 'string')) {
    return fail(S, r, why(r));
  }
  return true;
}

// A domain added, found in the list, deleted; never one a link uses.
async function domainCycle(S) {
  const hash = sha256hex(`churn-${randomCode(10)}.example.net`);
  let r = await api(S, 'api-add-domain', S.P.B, 'add-domain', { domain_hash: hash, domain_name: 'churn' });
  if (r.status !== 200 || r.json?.rc !== 1 || r.json.msg !== 'Ok') return fail(S, r, why(r));
  r = await api(S, 'api-list-domain', S.P.B, 'list-domain');
  const row = Array.isArray(r.json?.data) ? r.json.data.find((d) => d.domain_hash === hash) : undefined;
  if (r.status !== 200 || r.json?.rc !== 1 || !row || !r.json.data.some((d) => d.domain_hash === S.P.B.hash)) {
    return fail(S, r, why(r));
  }
  r = await api(S, 'api-delete-domain', S.P.B, 'delete-domain', { id: String(row.id) });
  if (r.status !== 200 || r.json?.rc !== 1 || r.json.msg !== 'Ok') return fail(S, r, why(r));
  return true;
}

// A fresh link of limit 1 to 3 and 10 to 16 new devices at once, one of
// them twice; then its winners again with newcomers (one twice).
async function raceRound(S) {
  const link = await addLink(S, 'api-add-install', S.P.A, 'race', 1 + rand(3));
  if (!link) return false;
  const first = Array.from({ length: 10 + rand(7) }, () => newHwid(S));
  first.push(first[0]);
  await Promise.all(first.map((h) => check(S, 'check-race', link, h)));
  const later = Array.from({ length: 3 }, () => newHwid(S));
  const second = [...link.held, ...later, later[0]];
  await Promise.all(second.map((h) => check(S, 'check-race', link, h)));
  await sleep(20);
  return true;
}

// One provider's browsing in the web account: signs in when it has no
// session, then the links, one link's page, and its note edited (the
// limit sent as it is); now and then the domains, or a sign-out.
async function webRound(S) {
  const W = S.web ?? (S.web = { session: null, round: 0 });
  const p = S.P.C;
  W.round++;
  if (!W.session) {
    let r = await http(S, 'web-signin-form', '/account/');
    const pre = r.headers?.getSetCookie?.().find((c) => c.startsWith('ll_signin='));
    const token = /name="csrf" value="([^"]+)"/.exec(r.text)?.[1];
    if (r.status !== 200 || !pre || !token) return fail(S, r, why(r));
    r = await http(S, 'web-signin', '/account/signin', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: pre.split(';')[0] },
      body: new URLSearchParams({ csrf: token, provider_code: p.provider_code, auth_key: p.auth_key }).toString(),
    });
    const session = r.headers?.getSetCookie?.().find((c) => c.startsWith('ll_session='));
    if (r.status !== 303 || r.headers.get('location') !== '/account/links' || !session) {
      return fail(S, r, why(r));
    }
    W.session = session.split(';')[0];
  }
  const headers = { Cookie: W.session };
  const web = linksOf(S, 'web');
  let r = await http(S, 'web-links', '/account/links', { headers });
  if (r.status !== 200 || !web.every((l) => r.text.includes(l.code))) {
    W.session = null;
    return fail(S, r, why(r));
  }
  const link = pick(web);
  r = await http(S, 'web-link', `/account/links/${link.id}`, { headers });
  const token = /name="csrf" value="([^"]+)"/.exec(r.text)?.[1];
  if (r.status !== 200 || !r.text.includes(link.code) || !token) {
    W.session = null;
    return fail(S, r, why(r));
  }
  const form = { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: W.session };
  r = await http(S, 'web-edit', `/account/links/${link.id}/edit`, {
    method: 'POST', headers: form,
    body: new URLSearchParams({ csrf: token, limit: String(link.limit0),
      note: `web ${randomCode(8)} <b>&</b>` }).toString(),
  });
  if (r.status !== 303 || r.headers.get('location') !== `/account/links/${link.id}?m=saved`) {
    W.session = null;
    return fail(S, r, why(r));
  }
  if (W.round % 10 === 0) {
    r = await http(S, 'web-domains', '/account/domains', { headers });
    if (r.status !== 200 || !r.text.includes(p.hash)) {
      W.session = null;
      return fail(S, r, why(r));
    }
  }
  if (W.round % 25 === 0) {
    r = await http(S, 'web-signout', '/account/signout', {
      method: 'POST', headers: form, body: new URLSearchParams({ csrf: token }).toString(),
    });
    W.session = null;
    if (r.status !== 303 || r.headers.get('location') !== '/account/?m=signed-out') {
      return fail(S, r, why(r));
    }
  }
  return true;
}

// --- memory and open files ---------------------------------------------

function sample(S) {
  const t = now();
  const master = currentMaster();
  if (!master) return;
  const pids = [[master, 'master'], ...kids(master).map((p) => [p, 'worker'])];
  const kept = keptConnections();
  for (const [pid, role] of pids) {
    const s = procSample(pid, kept);
    if (!s) continue;
    let e = S.samples.get(pid);
    if (!e) { e = { pid, role, born: t, list: [] }; S.samples.set(pid, e); }
    // a worker waiting for a connection holds no request: its open
    // files are then exactly its own
    const idle = role === 'master' || s.waiting;
    e.list.push({ t, rss: s.rss, fds: s.fds, idle });
  }
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

// The rule: a process is judged on its own samples, taken while it was
// idle (a worker waiting in epoll) and outside every fault window; its
// baseline is the first three such samples at least MEM_WARM_MS after it
// appeared (and after the run's first fault), its end the last three, and
// it is judged when they lie at least MEM_MIN_SPAN_MS apart. Its resident
// memory (median of three) may grow by at most MEM_RSS_TOLERANCE_KB; its
// open files (the fewest of three, not counting the connections nginx
// keeps open to it) not at all. The sanitizer build's
// workers are judged on open files only: AddressSanitizer holds freed
// memory back on purpose (up to 256 MB), so their RSS climbs for minutes
// whether or not anything leaks.
function memory(S, inWindow) {
  const warmEnd = S.windows.length > 0 ? S.windows[0].start : S.start;
  const judged = [];
  for (const e of S.samples.values()) {
    const ok = e.list.filter((s) => s.idle && !inWindow(s.t, s.t) &&
      s.t >= e.born + MEM_WARM_MS && s.t >= warmEnd);
    if (ok.length < 6) continue;
    const base = ok.slice(0, 3);
    const last = ok.slice(-3);
    const span = last[2].t - base[0].t;
    if (span < MEM_MIN_SPAN_MS) continue;
    const rss0 = median(base.map((s) => s.rss));
    const rss1 = median(last.map((s) => s.rss));
    const fd0 = Math.min(...base.map((s) => s.fds));
    const fd1 = Math.min(...last.map((s) => s.fds));
    const asan = S.asan && e.role === 'worker';
    judged.push({
      pid: e.pid, role: e.role, span: Math.round(span / 1000), rss0, rss1, fd0, fd1,
      grew: (!asan && rss1 - rss0 > MEM_RSS_TOLERANCE_KB) || fd1 > fd0,
    });
  }
  return judged;
}

// --- the proofs --------------------------------------------------------

// Values a setting may have held at some moment of [a, b]: the initial
// one and every change not refused, unless a change acknowledged later
// certainly replaced it before a.
function possible(initial, changes, a, b) {
  const cands = [{ v: initial, t0: -Infinity, t1x: -Infinity },
    ...changes.filter((c) => c.res !== 'refused').map((c) => ({
      v: c.v, t0: c.t0, t1x: c.res === 'ok' ? c.t1 : c.t1 + UNKNOWN_TAIL_MS }))];
  return cands.filter((c) => c.t0 <= b &&
    !changes.some((d) => d.res === 'ok' && d.t0 >= c.t1x && d.t1 <= a)).map((c) => c.v);
}

// When an attempt or a delete may have taken effect, at the latest.
const latest = (x) => (x.res === '?' ? x.t1 + UNKNOWN_TAIL_MS : x.t1);

// Whether the device certainly held a slot all through [a, b]: admitted
// before a, and no delete (but `except`) that may have run since.
function certainHolder(d, a, b, except) {
  return d.attempts.some((A) => A.res === 'T' && A.t1 <= a &&
    !d.deletes.some((D) => D !== except && D.res !== 'nf' && D.t0 < b && latest(D) > A.t0));
}

// Whether the device may have held a slot at some moment of [a, b].
function mayHold(d, a, b) {
  return d.attempts.some((A) => (A.res === 'T' || A.res === '?') && A.t0 <= b &&
    !d.deletes.some((D) => D.res === 'del' && D.t0 >= latest(A) && D.t1 <= a));
}

async function prove(S, { pgLog, srvLog }) {
  const windowOf = (t0, t1) => S.windows.find((w) => t0 <= (w.end || S.stopped) + GRACE_MS && t1 >= w.start);
  const inWindow = (t0, t1) => windowOf(t0, t1) !== undefined;
  const links = [...S.links.values()];
  const ids = links.map((l) => l.id);
  const providerIds = Object.values(S.P).map((p) => p.id);
  const stored = await sql(`SELECT l.id, l.install_limit, l.install_count, l.status,
      (SELECT count(*)::int FROM devices d WHERE d.link_id = l.id) AS rows
    FROM links l WHERE l.provider_id = ANY($1::bigint[])`, [providerIds]);
  const byId = new Map(stored.map((r) => [Number(r.id), r]));
  const rows = await sql('SELECT link_id, hwid FROM devices WHERE link_id = ANY($1::bigint[])', [ids]);
  const present = new Set(rows.map((r) => `${r.link_id} ${r.hwid}`));

  // what the clients saw, judged. A failure (no answer, an error, an
  // answer that may come from a fault) is excused in a fault window; an
  // answer the database gave that no order of events explains is never.
  const failed = (x, kind, reason) => S.failures.push({ kind, t0: x.t0, t1: x.t1, why: reason });
  const wrong = [];
  const contradicts = (x, kind, reason) => wrong.push(
    `${kind} at ${((x.t0 - S.start) / 1000).toFixed(2)} s: ${reason}`);
  let admitted = 0, deleted = 0, mustHave = 0, raceLinks = 0;
  const lost = [], over = [];
  for (const link of links) {
    const row = byId.get(link.id);
    const deviceIds = [...link.devs.keys()];
    const everAdmitted = new Set();
    for (const [hwid, d] of link.devs) {
      if (d.attempts.some((A) => A.res === 'T')) everAdmitted.add(hwid);
      if (d.deletes.length > 0) deleted++;
      for (const A of d.attempts) {
        if (A.res === '?') { failed(A, A.kind, A.why); continue; }
        const statuses = possible(10, link.statuses, A.t0, A.t1);
        if (A.res === 'F5' || A.res === 'T') {
          if (!statuses.includes(A.res === 'F5' ? 5 : 10)) {
            contradicts(A, A.kind, `answer ${A.res} on ${link.kind} link ${link.id} of status ${statuses}`);
          }
          continue;
        }
        if (!statuses.includes(10)) {
          contradicts(A, A.kind, `status 10 on disabled ${link.kind} link ${link.id}`);
          continue;
        }
        if (certainHolder(d, A.t0, A.t1)) {
          contradicts(A, A.kind, `refused ${hwid}, which holds a slot on ${link.kind} link ${link.id}`);
          continue;
        }
        // a link disabled while a new device's check ran refuses it with
        // the status it read first (10), whatever the room
        if (statuses.includes(5)) continue;
        const others = deviceIds.filter((h) => h !== hwid && mayHold(link.devs.get(h), A.t0, A.t1)).length;
        const limit = Math.min(...possible(link.limit0, link.limits, A.t0, A.t1));
        if (others < limit) {
          contradicts(A, A.kind, `refused ${hwid} with room: ${others} devices may hold a slot of ` +
            `${limit} on ${link.kind} link ${link.id}`);
        }
      }
      for (const D of d.deletes) {
        // (a delete retried on a new connection after its first try
        // committed unseen would say this too: a failure, not a contradiction)
        if (D.res === 'nf' && certainHolder(d, D.t0, D.t1, D)) {
          failed(D, D.kind, `HWID not found for ${hwid}, which holds a slot`);
        }
      }
      // stored, unless a delete may have run after its admission began
      if (d.attempts.some((A) => A.res === 'T' && d.deletes.every((D) => latest(D) < A.t0))) {
        mustHave++;
        if (!present.has(`${link.id} ${hwid}`)) lost.push({ link: link.id, hwid });
      }
    }
    admitted += everAdmitted.size;

    // never over the limit: the devices never deleted, against the
    // limit now; and at every moment, the devices that certainly held a
    // slot against the highest limit the link may have had then
    const kept = [...everAdmitted].filter((h) => link.devs.get(h).deletes.length === 0).length;
    if (row && kept > row.install_limit) {
      over.push(`link ${link.id}: ${kept} devices admitted and kept, limit ${row.install_limit}`);
    }
    const spans = [];
    for (const d of link.devs.values()) {
      for (const A of d.attempts) {
        if (A.res !== 'T') continue;
        const ends = d.deletes.filter((D) => D.res !== 'nf' && latest(D) > A.t0).map((D) => D.t0);
        const e = Math.min(Infinity, ...ends);
        if (e > A.t1) spans.push([A.t1, e, d]);
      }
    }
    for (const [s] of spans) {
      const holders = new Set(spans.filter(([a, b]) => a <= s && s < b).map(([, , d]) => d)).size;
      const limit = Math.max(...possible(link.limit0, link.limits, s, s));
      if (holders > limit) {
        over.push(`link ${link.id}: ${holders} devices held a slot at once, limit ${limit}`);
        break;
      }
    }
    if (link.kind === 'race') {
      raceLinks++;
      // no deletes and a fixed limit: a device is admitted always or never
      for (const [hwid, d] of link.devs) {
        const seen = new Set(d.attempts.filter((A) => A.res !== '?').map((A) => A.res));
        if (seen.size > 1) {
          contradicts(d.attempts[0], 'check-race', `${hwid} both admitted and refused on race link ${link.id}`);
        }
      }
    }
  }

  // what is stored: the count is the rows, within the limit
  const drift = stored.filter((r) => r.install_count !== r.rows || r.install_count > r.install_limit)
    .map((r) => `link ${r.id}: install_count ${r.install_count}, ${r.rows} device rows, ` +
      `limit ${r.install_limit}`);
  const missing = ids.filter((id) => !byId.has(id));
  const violations = logSince('postgresql.log', pgLog).split('\n')
    .filter((l) => /links_count_within_limit|violates check constraint/.test(l));
  // every worker that died was one the soak killed
  const crashes = [];
  for (const m of logSince('limited-links.log', srvLog).matchAll(
    /worker (\d+) (killed by signal (\d+)|exited with (\d+))/g)) {
    if (!(m[3] === '9' && S.killed.has(Number(m[1])))) crashes.push(m[0]);
  }

  const judged = memory(S, inWindow);
  const grown = judged.filter((j) => j.grew);
  const failures = S.failures.map((f) => ({ ...f, fault: windowOf(f.t0, f.t1)?.kind }));
  const outside = failures.filter((f) => f.fault === undefined);
  const unrecovered = S.windows.filter((w) => !w.recovered);
  const faults = {};
  const recovery = {};
  for (const w of S.windows) {
    faults[w.kind] = (faults[w.kind] || 0) + 1;
    recovery[w.kind] = Math.max(recovery[w.kind] || 0, Math.round(w.end - w.start));
  }
  const tally = (list, key) => {
    const o = {};
    for (const x of list) o[key(x)] = (o[key(x)] || 0) + 1;
    return o;
  };
  const healthy = workersReady(S.want) && (await limitedLinksBackends()) >= S.want;
  const report = {
    seconds: S.seconds, lanes: S.lanes + 2, workers: S.want,
    requests: Object.values(S.counts).reduce((a, b) => a + b, 0), byKind: S.counts,
    faults, recovery, unrecovered: unrecovered.length,
    windows: S.windows.map((w) => ({ kind: w.kind, start: Math.round(w.start - S.start),
      ms: Math.round(w.end - w.start), detail: w.detail, recovered: w.recovered, error: w.error })),
    failures: failures.length,
    failuresByKind: tally(failures, (f) => f.kind),
    failuresByFault: tally(failures.filter((f) => f.fault), (f) => f.fault),
    // one line per kind of failure: long numbers and device ids left out
    failuresByReason: tally(failures, (f) =>
      `${f.kind}: ${f.why.replace(/sk-[\w-]+/g, 'HWID').replace(/\d{4,}/g, 'N').slice(0, 90)}`),
    outside: outside.length,
    outsideSample: outside.slice(0, 8).map((f) => `${f.kind} at ` +
      `${((f.t0 - S.start) / 1000).toFixed(2)} s (${Math.round(f.t1 - f.t0)} ms): ${f.why}`),
    links: stored.length, missing, drift, admitted, deleted, mustHave, lost, overAdmitted: over,
    raceLinks, violations: violations.length, crashes,
    wrong: wrong.slice(0, 8), wrongCount: wrong.length,
    memory: judged, grown, healthy, asan: !!S.asan, errors: S.errors.slice(0, 3),
    allKinds: S.faultKinds.every((k) => faults[k] > 0),
    rule: `per process, idle samples outside fault windows; baseline = first 3 samples ` +
      `>= ${MEM_WARM_MS / 1000} s after it appeared, end = last 3, judged when ` +
      `>= ${MEM_MIN_SPAN_MS / 1000} s apart; RSS (median of 3) may grow <= ` +
      `${MEM_RSS_TOLERANCE_KB} kB, open files (fewest of 3, less the FastCGI connections ` +
      `nginx keeps) not at all`,
  };
  report.ok = report.outside === 0 && wrong.length === 0 && report.unrecovered === 0 &&
    missing.length === 0 && drift.length === 0 && lost.length === 0 && over.length === 0 &&
    violations.length === 0 && crashes.length === 0 && grown.length === 0 &&
    judged.some((j) => j.role === 'worker') && report.allKinds && healthy &&
    S.errors.length === 0;
  // how small a leak the tolerance catches: the requests a judged worker
  // served between its two samples, at the run's mean rate
  const spans = judged.filter((j) => j.role === 'worker').map((j) => j.span);
  if (spans.length > 0 && !S.asan) {
    const served = (report.requests / S.seconds) * Math.min(...spans) / S.want;
    report.sensitivity = `the shortest-judged worker served about ${Math.round(served)} requests: ` +
      `a leak of ${Math.ceil(MEM_RSS_TOLERANCE_KB * 1024 / served)} bytes a request or more would show`;
  }
  return report;
}

// The report as the lines scripts/soak prints.
export function formatReport(r) {
  const kinds = (o) => Object.entries(o).sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`).join(', ');
  const workers = r.memory.filter((j) => j.role === 'worker');
  const stored = [...r.drift, ...r.missing.map((m) => `link ${m} missing`)];
  const lines = [
    `requests: ${r.requests} in ${r.seconds} s (${Math.round(r.requests / r.seconds)}/s), ` +
      `${r.lanes} lanes, ${r.workers} workers`,
    `  ${kinds(r.byKind)}`,
    `faults: ${r.windows.length} (${kinds(r.faults)}); longest recovery: ` +
      Object.entries(r.recovery).map(([k, ms]) => `${k} ${ms} ms`).join(', ') +
      (r.unrecovered ? `; NOT RECOVERED: ${r.unrecovered}` : ''),
    `failures: ${r.failures}, ${r.failures - r.outside} within fault windows ` +
      `(${kinds(r.failuresByFault) || 'none'}), ${r.outside} outside`,
    ...(r.failures ? [`  ${kinds(r.failuresByKind)}`] : []),
    ...Object.entries(r.failuresByReason).sort((a, b) => b[1] - a[1]).slice(0, 12)
      .map(([k, n]) => `    ${String(n).padStart(6)}  ${k}`),
    ...r.outsideSample.map((s) => `  OUTSIDE: ${s}`),
    `answers no order of events explains: ${r.wrongCount}`,
    ...r.wrong.map((s) => `  WRONG: ${s}`),
    `links: ${r.links}, install_count = device rows on all, none over its limit: ` +
      (stored.length === 0 ? 'yes' : `NO (${stored.slice(0, 5).join('; ')})`),
    `admitted devices: ${r.admitted} (${r.deleted} deleted by the API), ` +
      `${r.mustHave} must be stored, lost: ${r.lost.length}` +
      (r.lost.length ? ` (${r.lost.slice(0, 5).map((x) => `${x.link}/${x.hwid}`).join(', ')})` : ''),
    `over-admitted: ${r.overAdmitted.length} (race links: ${r.raceLinks})` +
      (r.overAdmitted.length ? `: ${r.overAdmitted.slice(0, 5).join('; ')}` : ''),
    `check constraint violations logged: ${r.violations}; ` +
      `workers that died unkilled: ${r.crashes.length}` +
      (r.crashes.length ? ` (${r.crashes.slice(0, 3).join('; ')})` : ''),
    `memory and open files: ${r.grown.length === 0 ? 'no growth' : 'GREW'} over ` +
      `${workers.length} workers and ${r.memory.length - workers.length} master(s) judged` +
      (r.asan ? ' (sanitizer build: open files only for workers)' : ''),
    ...r.memory.map((j) => `  ${j.role} ${j.pid}: ${j.span} s, RSS ${j.rss0} -> ${j.rss1} kB, ` +
      `open files ${j.fd0} -> ${j.fd1}${j.grew ? '  GREW' : ''}`),
    `  rule: ${r.rule}`,
    ...(r.sensitivity ? [`  ${r.sensitivity}`] : []),
    `stack healthy at the end: ${r.healthy ? 'yes' : 'NO'}`,
    ...r.errors.map((e) => `SOAK ERROR: ${e}`),
    `result: ${r.ok ? 'PASS' : 'FAIL'}`,
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seconds = Number(process.argv[2] || 600);
  let code = 1;
  try {
    const r = await runSoak({ seconds, lanes: Number(process.env.LL_SOAK_LANES || 6),
      faults: (process.env.LL_SOAK_FAULTS || FAULT_KINDS.join(',')).split(','), say: console.log });
    console.log(formatReport(r));
    code = r.ok ? 0 : 1;
  } catch (e) {
    console.error(e.stack || e);
  } finally {
    await closeDb();
  }
  process.exit(code);
}
