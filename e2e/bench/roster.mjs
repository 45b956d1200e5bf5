// Benchmark: time from pressing "Sign in" to the complete N-contact roster.
//
//   node e2e/bench/roster.mjs [--runs 5] [--contacts 2000] [--transport websocket|bosh]
//                             [--server prosody|ejabberd]
//
// Each run gets a fresh server (fresh state: the user has N contacts, subscribed both ways) and
// a fresh browser (fresh profile). The Connection URL is the server's WebSocket or BOSH endpoint.
// Complete = the `list` named `Contacts` has aria-setsize=N (or N items) and the `status` named
// `Connection` says Connected (and names the transport). Prints a line per run and, last,
// `RESULT {json}` for `cargo xtask bench`.
import { parseArgs } from 'node:util';
import { launch, newPage, open, submitSignIn, ui } from '../lib/browser.mjs';
import { sleep } from '../lib/env.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    contacts: { type: 'string', default: '2000' },
    transport: { type: 'string', default: 'websocket' },
    server: { type: 'string', default: 'prosody' },
  },
});
const TRANSPORT = values.transport;
const SERVER = values.server;
if (!['websocket', 'bosh'].includes(TRANSPORT)) throw new Error(`--transport ${TRANSPORT}: websocket or bosh`);
if (!['prosody', 'ejabberd'].includes(SERVER)) throw new Error(`--server ${SERVER}: prosody or ejabberd`);
const TRANSPORT_NAME = TRANSPORT === 'bosh' ? 'BOSH' : 'WebSocket';
const RUNS = Number(values.runs);
const N = Number(values.contacts);
const LIMIT_MS = 180_000;

async function size(u) {
  const s = await u.contacts.getAttribute('aria-setsize', { timeout: 200 }).catch(() => null)
    ?? await u.contacts.getByRole('listitem').first().getAttribute('aria-setsize', { timeout: 200 }).catch(() => null);
  return s !== null ? Number(s) : u.contacts.getByRole('listitem').count();
}

async function oneRun(site, i) {
  const server = await startServer({ kind: SERVER, users: [['bench', 'bench-pass']], contacts: [['bench', N]] });
  const browser = await launch();
  try {
    const page = await newPage(browser);
    await open(page, site.url);
    const u = ui(page);
    await u.address.fill('bench@localhost');
    await u.password.fill('bench-pass');
    await u.service.fill(TRANSPORT === 'bosh' ? server.bosh : server.ws);
    const t0 = performance.now();
    await u.signIn.click();
    let last = { size: 0, status: '' };
    for (;;) {
      const elapsed = performance.now() - t0;
      if (elapsed > LIMIT_MS) throw new Error(`run ${i}: roster not complete after ${LIMIT_MS} ms (last: ${JSON.stringify(last)})`);
      const [n, status] = await Promise.all([
        size(u).catch(() => 0),
        u.status.textContent({ timeout: 200 }).catch(() => ''),
      ]);
      last = { size: n, status };
      if (n === N && /\bConnected\b/.test(status ?? '')) {
        if (!new RegExp(`\\b${TRANSPORT_NAME}\\b`).test(status)) throw new Error(`run ${i}: status does not name ${TRANSPORT_NAME}: ${status}`);
        const ms = performance.now() - t0;
        if (page.natterErrors.length) throw new Error(`page errors: ${page.natterErrors.join('; ')}`);
        return ms;
      }
      await sleep(10);
    }
  } finally {
    await browser.close().catch(() => {});
    await server.stop();
  }
}

const site = await serveDist();
const runs = [];
try {
  for (let i = 1; i <= RUNS; i++) {
    const ms = await oneRun(site, i);
    runs.push(Math.round(ms));
    console.log(`${TRANSPORT} × ${SERVER} run ${i}/${RUNS}: sign-in to ${N}-contact roster ${Math.round(ms)} ms`);
  }
} finally {
  await site.close();
}
const sorted = [...runs].sort((a, b) => a - b);
const mid = Math.floor(sorted.length / 2);
const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
console.log(`RESULT ${JSON.stringify({ transport: TRANSPORT, server: SERVER, contacts: N, runs_ms: runs, median_ms: median, details: { poll_interval_ms: 10 } })}`);
