// A load that runs while a test changes the stack under it: wrk with
// tests/integration/load.lua, 64 connections on loopback, bounded in time,
// stopped (SIGINT) once the test is done. Every answer that is not HTTP
// 200 with an expected body is a failed request.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LUA = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load.lua');

// Starts wrk against base (http://127.0.0.1:PORT) with hwid, sending the
// [path, expected body] pairs in turn for at most seconds, each
// connection pausing pause ms between requests (so that the load leaves
// the machine's other work some room). Returns
// { stop() }: stop() ends the load and resolves to wrk's counts:
// { requests, good, bad, connect, read, write, status, timeout, sample }.
export function startLoad(base, hwid, pairs,
  { connections = 64, seconds = 180, pause = 10 } = {}) {
  const args = ['-t2', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s',
    '-s', LUA, base, '--', String(pause), hwid, ...pairs.flat()];
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const ended = new Promise((resolve) => {
    child.on('error', (e) => { out += String(e); resolve(); });
    child.on('exit', resolve);
  });
  return {
    async stop() {
      child.kill('SIGINT');
      await ended;
      const m = /^LOAD (\{.*\})$/m.exec(out);
      if (!m) throw new Error(`wrk gave no counts:\n${out}`);
      return { ...JSON.parse(m[1]), out };
    },
  };
}

// The counts of a load that failed nothing: every request answered as
// expected, no connection error, no timeout.
export function failures(r) {
  return r.bad + r.connect + r.read + r.write + r.status + r.timeout;
}
