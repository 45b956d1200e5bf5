// The one-origin dev server (`xtask serve`): dist/ at the root, /xmpp-websocket and /http-bind
// forwarded to an XMPP server's HTTP port, /.well-known/host-meta(.json) generated for this
// origin. Its URL uses the host `localhost`, the account domain, so the client's XEP-0156
// discovery asks the page's own origin.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { DIST, ROOT, exitedWithin, xtaskCommand } from './env.mjs';

/**
 * @param {object} o
 * @param {number} o.xmppPort   the XMPP server's HTTP port (READY's http_port)
 * @param {'proxy'|'refuse'|'hang'} [o.websocket]  what happens to WebSocket upgrades
 * @param {string} [o.connectSrc]  the CSP's connect-src (`any`, or a source list); default:
 *   xtask serve's own (this origin and the server's loopback port)
 */
export async function startProxy({ xmppPort, websocket = 'proxy', dir = DIST, connectSrc } = {}) {
  const [cmd, ...pre] = xtaskCommand();
  const args = [...pre, 'serve', '--port', '0', '--dir', dir, '--xmpp-port', String(xmppPort)];
  if (websocket === 'refuse') args.push('--no-websocket');
  if (websocket === 'hang') args.push('--hang-websocket');
  if (connectSrc) args.push('--connect-src', connectSrc);
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`xtask serve: no READY within 60 s\n${stderr}`)), 60_000);
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) {
        clearTimeout(timer);
        resolveReady(JSON.parse(line.slice(6)));
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`xtask serve exited (${code ?? signal}) before READY:\n${stderr}`));
    });
  });
  return {
    ...info,
    /** http://localhost:<port>/ */
    url: info.url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exitedWithin(exited, 5000);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
