// One XMPP server per test file (or per test), through `xtask prosody` or `xtask ejabberd`: fresh
// temporary state, free ports, accounts and rosters. The READY line carries the WebSocket and
// BOSH URLs and the pid of the server process itself (so a test can kill it mid-session).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, SERVER, TRANSPORT, exitedWithin, freePort, xtaskCommand } from './env.mjs';

/**
 * @param {object} o
 * @param {'prosody'|'ejabberd'} [o.kind]      default: NATTER_E2E_SERVER
 * @param {Array<[string,string]>} [o.users]   [name, password] pairs; all in each other's roster
 * @param {Array<[string,number]>} [o.contacts] [name, count]: generated contacts contact<i>@localhost
 * @param {number} [o.httpPort] @param {number} [o.c2sPort]
 * @returns the READY info ({ ws, bosh, pid, http_port, … }) plus `url` (the endpoint of the
 *   transport under test, NATTER_E2E_TRANSPORT), `kind`, `kill()` and `stop()`.
 */
export async function startServer({ kind = SERVER, users = [], contacts = [], httpPort, c2sPort, mutual = true } = {}) {
  const state = mkdtempSync(join(tmpdir(), `natter-${kind}-`));
  httpPort ??= await freePort();
  c2sPort ??= await freePort();
  const [cmd, ...pre] = xtaskCommand();
  const args = [...pre, kind, '--state', state, '--http-port', String(httpPort), '--c2s-port', String(c2sPort)];
  for (const [u, p] of users) args.push('--user', `${u}:${p}`);
  for (const [u, n] of contacts) args.push('--contacts', `${u}:${n}`);
  if (!mutual) args.push('--no-mutual');
  const t0 = Date.now();
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`xtask ${kind}: no READY within 120 s\n${stderr}`)), 120_000);
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(timer);
        resolveReady(JSON.parse(line.slice(6)));
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`xtask ${kind} exited (${code ?? signal}) before READY:\n${stderr}`));
    });
  });
  const startMs = Date.now() - t0;
  return {
    ...info,
    kind,
    state,
    startMs,
    /** The endpoint of the transport under test. */
    url: TRANSPORT === 'bosh' ? info.bosh : info.ws,
    /** Kills the server process itself with SIGKILL (not a clean shutdown), as a crash would. */
    kill() {
      try { process.kill(info.pid, 'SIGKILL'); } catch { /* already gone */ }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exitedWithin(exited, 12_000);
      try { process.kill(info.pid, 'SIGKILL'); } catch { /* gone, as expected */ }
      rmSync(state, { recursive: true, force: true });
    },
  };
}
