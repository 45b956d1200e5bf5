// One Prosody per test file (or per test), through `xtask prosody`: fresh temporary state, free
// ports, accounts and pre-written rosters. The READY line carries the WebSocket URL and the pid
// of Prosody itself (so a test can kill the server mid-session).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, freePort, xtaskCommand } from './env.mjs';

/**
 * @param {object} o
 * @param {Array<[string,string]>} [o.users]   [name, password] pairs; all in each other's roster
 * @param {Array<[string,number]>} [o.contacts] [name, count]: generated contacts contact<i>@localhost
 * @param {number} [o.httpPort] @param {number} [o.c2sPort]
 */
export async function startProsody({ users = [], contacts = [], httpPort, c2sPort, mutual = true } = {}) {
  const state = mkdtempSync(join(tmpdir(), 'natter-prosody-'));
  httpPort ??= await freePort();
  c2sPort ??= await freePort();
  const [cmd, ...pre] = xtaskCommand();
  const args = [...pre, 'prosody', '--state', state, '--http-port', String(httpPort), '--c2s-port', String(c2sPort)];
  for (const [u, p] of users) args.push('--user', `${u}:${p}`);
  for (const [u, n] of contacts) args.push('--contacts', `${u}:${n}`);
  if (!mutual) args.push('--no-mutual');
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`xtask prosody: no READY within 120 s\n${stderr}`)), 120_000);
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(timer);
        resolveReady(JSON.parse(line.slice(6)));
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`xtask prosody exited (${code ?? signal}) before READY:\n${stderr}`));
    });
  });
  return {
    ...info,
    state,
    /** Kills Prosody itself with SIGKILL (not a clean shutdown), as a crash would. */
    kill() {
      try { process.kill(info.pid, 'SIGKILL'); } catch { /* already gone */ }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
      try { process.kill(info.pid, 'SIGKILL'); } catch { /* gone, as expected */ }
      rmSync(state, { recursive: true, force: true });
    },
  };
}
