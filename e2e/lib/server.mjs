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
 *   transport under test, NATTER_E2E_TRANSPORT), `kind`, `kill()`, `freeze()`, `restart()` (Prosody)
 *   and `stop()`.
 */
export async function startServer({ kind = SERVER, users = [], contacts = [], httpPort, c2sPort, mutual = true } = {}) {
  const state = mkdtempSync(join(tmpdir(), `natter-${kind}-`));
  httpPort ??= await freePort();
  c2sPort ??= await freePort();
  const base = [kind, '--state', state, '--http-port', String(httpPort), '--c2s-port', String(c2sPort)];
  const args = [...base];
  for (const [u, p] of users) args.push('--user', `${u}:${p}`);
  for (const [u, n] of contacts) args.push('--contacts', `${u}:${n}`);
  if (!mutual) args.push('--no-mutual');
  const t0 = Date.now();
  let run = await spawnServer(kind, args);
  const startMs = Date.now() - t0;
  const info = run.info;
  const server = {
    ...info,
    kind,
    state,
    startMs,
    /** The endpoint of the transport under test. */
    url: TRANSPORT === 'bosh' ? info.bosh : info.ws,
    /** Kills the server process itself with SIGKILL (not a clean shutdown), as a crash would. */
    kill() {
      try { process.kill(server.pid, 'SIGKILL'); } catch { /* already gone */ }
    },
    /**
     * Stops the server process in its tracks (SIGSTOP): the kernel still takes what clients
     * send, nothing is processed or answered. kill() after it loses all of that, as a crash would.
     */
    freeze() {
      try { process.kill(server.pid, 'SIGSTOP'); } catch { /* already gone */ }
    },
    /**
     * Starts the server again on the same state directory and ports (Prosody only), after
     * `kill()`: accounts, rosters, archives and offline messages are what the crash left.
     */
    async restart() {
      if (kind !== 'prosody') throw new Error(`restart(): Prosody only, not ${kind}`);
      server.kill();
      await exitedWithin(run.exited, 12_000);
      run = await spawnServer(kind, [...base, '--keep-state']);
      server.pid = run.info.pid;
      return server;
    },
    async stop() {
      const { child, exited } = run;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exitedWithin(exited, 12_000);
      try { process.kill(server.pid, 'SIGKILL'); } catch { /* gone, as expected */ }
      // NATTER_E2E_KEEP_STATE=1 keeps the state directory (the server's log) for a post-mortem.
      if (process.env.NATTER_E2E_KEEP_STATE) console.error(`# kept ${kind} state: ${state}`);
      else rmSync(state, { recursive: true, force: true });
    },
  };
  return server;
}

/** `xtask <kind> <args>` until its READY line: { child, exited, info }. */
async function spawnServer(kind, args) {
  const [cmd, ...pre] = xtaskCommand();
  const child = spawn(cmd, [...pre, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
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
  return { child, exited, info };
}
