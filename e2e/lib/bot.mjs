// natter-bot as a child process: JSON events in, command lines out.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ROOT, botCommand, eventually } from './env.mjs';

/** `anonymous`: a domain to sign in to with SASL ANONYMOUS (instead of jid/password), `nick` its XEP-0172 nick. */
export async function startBot({ url, jid, password, resource = 'bot', anonymous, nick }) {
  const [cmd, ...pre] = botCommand();
  const who = anonymous
    ? ['--anonymous', anonymous, ...(nick === undefined ? [] : ['--nick', nick])]
    : ['--jid', jid, '--password', password];
  const child = spawn(cmd, [...pre, '--url', url, ...who, '--resource', resource], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const events = [];
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  createInterface({ input: child.stdout }).on('line', (line) => {
    try { events.push(JSON.parse(line)); } catch { events.push({ type: 'unparsed', line }); }
  });
  const exited = new Promise((r) => child.on('exit', (code) => r(code)));
  const bot = {
    events,
    send(line) { child.stdin.write(line + '\n'); },
    /** Waits for an event matching `pred` (also among those already seen after index `from`). */
    async waitFor(pred, { timeout = 15_000, from = 0, message = 'a bot event' } = {}) {
      try {
        return await eventually(() => events.slice(from).find(pred), { timeout, interval: 20, message });
      } catch (e) {
        e.message += `\nbot events:\n${events.map((x) => JSON.stringify(x)).join('\n')}\nbot stderr:\n${stderr}`;
        throw e;
      }
    },
    async stop() {
      if (child.exitCode === null) {
        child.stdin.end('quit\n');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
  const first = await bot.waitFor((e) => ['online', 'failed', 'connect_failed'].includes(e.type), {
    timeout: 60_000,
    message: `${jid ?? anonymous} (bot) online`,
  });
  if (first.type !== 'online') throw new Error(`bot ${jid ?? anonymous} did not come online: ${JSON.stringify(first)}`);
  return bot;
}
