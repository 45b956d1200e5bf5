// slixbot (e2e/interop/slixbot.py, slixmpp) as a child process: JSON events in, JSON commands
// out. The independent client of the interop tests; natter-bot (lib/bot.mjs) shares Natter's
// core and so cannot tell whether Natter's stanzas make sense to anyone else.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, eventually } from './env.mjs';

/** Debian's interpreter: python3-slixmpp lives in its dist-packages (a pyenv python3 lacks it). */
export const PYTHON = process.env.NATTER_PYTHON || '/usr/bin/python3';
export const SLIXBOT = join(ROOT, 'e2e', 'interop', 'slixbot.py');

/** Why slixbot cannot run here (a skip reason), or false. */
export function slixmppMissing() {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  if (!existsSync('/usr/lib/python3/dist-packages/slixmpp')) {
    return 'python3-slixmpp is not installed (`cargo xtask ensure` installs it)';
  }
  return false;
}

/**
 * Starts slixbot against `server` (the READY info of lib/server.mjs: its plain c2s port) and
 * waits until it is online.
 * @returns {{ events, jid, send(cmd), waitFor(pred, o), stop() }}
 */
export async function startSlixbot({ server, jid, password, resource = 'slixbot', debug = !!process.env.NATTER_SLIXBOT_DEBUG }) {
  const args = [SLIXBOT, '--port', String(server.c2s_port), '--jid', jid, '--password', password, '--resource', resource];
  if (debug) args.push('--debug');
  const child = spawn(PYTHON, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const events = [];
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    // Bounded: a debug log of a long test would otherwise fill memory.
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    try { events.push(JSON.parse(line)); } catch { events.push({ type: 'unparsed', line }); }
  });
  const exited = new Promise((r) => child.on('exit', (code) => r(code)));
  const bot = {
    events,
    jid: `${jid}/${resource}`,
    /** Sends one command object ({ cmd: 'send', to, body }, …): see slixbot.py. */
    send(cmd) { child.stdin.write(JSON.stringify(cmd) + '\n'); },
    /** The index the next event will have: `waitFor(…, { from: bot.mark() })`. */
    mark() { return events.length; },
    /** Waits for an event matching `pred` among those from index `from` on. */
    async waitFor(pred, { timeout = 15_000, from = 0, message = 'a slixbot event' } = {}) {
      try {
        return await eventually(() => events.slice(from).find(pred), { timeout, interval: 20, message });
      } catch (e) {
        e.message += `\nslixbot events:\n${events.map((x) => JSON.stringify(x)).join('\n')}` +
          `\nslixbot stderr:\n${stderr.slice(-4000)}`;
        throw e;
      }
    },
    /** Sends `cmd` and waits for its `done` (or `error`) event; throws on `error`. */
    async call(cmd, { timeout = 30_000 } = {}) {
      const from = events.length;
      bot.send(cmd);
      const e = await bot.waitFor((x) => (x.type === 'done' || x.type === 'error') && x.cmd === cmd.cmd,
        { timeout, from, message: `slixbot ${cmd.cmd} to finish` });
      if (e.type === 'error') throw new Error(`slixbot ${cmd.cmd}: ${e.error}`);
      return e;
    },
    /** Sends a message-sending `cmd` and returns its `sent` event (with the stanza id). */
    async sent(cmd, { timeout = 15_000 } = {}) {
      const from = events.length;
      bot.send(cmd);
      const e = await bot.waitFor((x) => (x.type === 'sent' || x.type === 'error') && x.cmd === cmd.cmd,
        { timeout, from, message: `slixbot ${cmd.cmd} to go out` });
      if (e.type === 'error') throw new Error(`slixbot ${cmd.cmd}: ${e.error}`);
      return e;
    },
    async stop() {
      if (child.exitCode === null) {
        child.stdin.end(JSON.stringify({ cmd: 'quit' }) + '\n');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
  const first = await bot.waitFor((e) => e.type === 'online' || e.type === 'failed', {
    timeout: 30_000,
    message: `${jid} (slixbot) online`,
  }).catch(async (e) => { child.kill('SIGKILL'); throw e; });
  if (first.type !== 'online') {
    await bot.stop();
    throw new Error(`slixbot ${jid} did not come online: ${JSON.stringify(first)}\n${stderr.slice(-4000)}`);
  }
  return bot;
}
