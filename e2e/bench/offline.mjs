// Benchmark: the offline-first numbers of issue 6.
//
//   node e2e/bench/offline.mjs [--runs 5] [--contacts 2000] [--messages 100] [--outage-ms 30000]
//                              [--transport websocket|bosh] [--server prosody|ejabberd]
//
// Per run: a fresh server (Alice with Bob and N generated contacts, Bob) and a fresh browser.
// Alice signs in with "remember me" through a TCP proxy (lib/netcut.mjs) and waits for her
// complete roster; then
//  (1) reload to cached roster: the proxy holds every new connection (accepted, never answered)
//      and the page is reloaded; measured from navigation start (the page's performance.now()
//      origin) to the first animation frame in which the `Contacts` list holds the whole roster
//      (aria-setsize, or its items). The network cannot have answered, so this is the cache.
//  (2) reconnect to caught up: with Bob's chat open, the browser goes offline (setOffline plus
//      every connection cut) for --outage-ms while Bob (natter-bot, direct) sends M messages;
//      measured from the moment the network is back to the first frame in which Alice's
//      `Messages` log holds all M (aria-setsize), then checked: each exactly once, in order.
// Prints a line per run and, last, `RESULT {json}` for `cargo xtask bench`.
import { parseArgs } from 'node:util';
import { startBot } from '../lib/bot.mjs';
import { connected, launch, newPage, open, ui } from '../lib/browser.mjs';
import { browserNumbers, numbered, runTag, tally } from '../lib/count.mjs';
import { eventually, sleep } from '../lib/env.mjs';
import { startNetCut } from '../lib/netcut.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    contacts: { type: 'string', default: '2000' },
    messages: { type: 'string', default: '100' },
    'outage-ms': { type: 'string', default: '30000' },
    transport: { type: 'string', default: 'websocket' },
    server: { type: 'string', default: 'prosody' },
  },
});
const TRANSPORT = values.transport;
const SERVER = values.server;
if (!['websocket', 'bosh'].includes(TRANSPORT)) throw new Error(`--transport ${TRANSPORT}: websocket or bosh`);
if (!['prosody', 'ejabberd'].includes(SERVER)) throw new Error(`--server ${SERVER}: prosody or ejabberd`);
const RUNS = Number(values.runs);
const N = Number(values.contacts);
const M = Number(values.messages);
const OUTAGE_MS = Number(values['outage-ms']);
const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const BOB = { jid: 'bob@localhost', password: 'builder' };
/** Alice's roster: Bob and the generated contacts. */
const ROSTER = N + 1;

/** Arms an in-page probe: the first animation frame at which `ready()` holds, in performance.now(). */
function armProbe(page, name, readySource, arg) {
  return page.evaluate(({ name, readySource, arg }) => {
    // eslint-disable-next-line no-new-func
    const ready = new Function('arg', readySource);
    window[name] = null;
    const tick = () => {
      if (window[name] !== null) return;
      if (ready(arg)) window[name] = performance.now();
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, { name, readySource, arg });
}

// Probes read the DOM by role and accessible name, as the tests do (shared/ui-contract.md).
const CONTACTS_READY = `
  const list = [...document.querySelectorAll('[aria-label="Contacts"]')].find((e) => e.getAttribute('role') === 'list' || e.tagName === 'UL' || e.tagName === 'OL');
  if (!list) return false;
  const items = list.querySelectorAll('li, [role="listitem"]');
  const size = Number(list.getAttribute('aria-setsize') || (items[0] && items[0].getAttribute('aria-setsize')) || items.length);
  return size >= arg;`;
const LOG_READY = `
  const log = [...document.querySelectorAll('[role="log"][aria-label="Messages"]')][0];
  if (!log) return false;
  const size = Number(log.getAttribute('aria-setsize') || log.querySelectorAll('article, [role="article"]').length);
  return size >= arg;`;

async function rosterSize(u) {
  const s = await u.contacts.getAttribute('aria-setsize', { timeout: 200 }).catch(() => null)
    ?? await u.contacts.getByRole('listitem').first().getAttribute('aria-setsize', { timeout: 200 }).catch(() => null);
  return s !== null ? Number(s) : u.contacts.getByRole('listitem').count();
}

async function oneRun(site, i) {
  const server = await startServer({
    kind: SERVER,
    users: [['alice', 'wonderland'], ['bob', 'builder']],
    contacts: [['alice', N]],
  });
  const net = await startNetCut({ targetPort: server.http_port });
  const browser = await launch();
  let bot;
  try {
    const page = await newPage(browser);
    await open(page, site.url);
    const u = ui(page);
    await u.address.fill(ALICE.jid);
    await u.password.fill(ALICE.password);
    await u.service.fill(TRANSPORT === 'bosh' ? net.bosh : net.ws);
    const remember = u.form.getByRole('checkbox', { name: /remember|keep me signed|stay signed/i });
    if ((await remember.count()) === 0) throw new Error('the Sign in form has no "Remember me" checkbox');
    await remember.check();
    await u.signIn.click();
    await connected(page, 120_000);
    await eventually(async () => (await rosterSize(u)) >= ROSTER, { timeout: 120_000, message: `the ${ROSTER}-contact roster` });
    // The store writes to IndexedDB behind the UI; give it a moment before pulling the plug.
    await sleep(2000);

    // (1) Reload with the network holding every connection: what shows is the cache.
    net.hold();
    await page.addInitScript(({ source, arg }) => {
      // eslint-disable-next-line no-new-func
      const ready = new Function('arg', source);
      window.__natterRoster = null;
      const tick = () => {
        if (window.__natterRoster !== null) return;
        if (document.body && ready(arg)) window.__natterRoster = performance.now();
        else requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }, { source: CONTACTS_READY, arg: ROSTER });
    await page.reload({ waitUntil: 'commit' });
    const cachedMs = await eventually(() => page.evaluate(() => window.__natterRoster), {
      timeout: 30_000, interval: 20, message: 'the cached roster after the reload (network held)',
    });
    const status = await u.status.textContent({ timeout: 2000 }).catch(() => '');
    if (/\bConnected\b/.test(status)) throw new Error(`Connected although the network was held: ${status}`);
    const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => ({ name: m.name, ms: Math.round(m.startTime) })));
    net.restore();
    await connected(page, 60_000);

    // (2) A 30 s outage with Bob writing M messages, then back online.
    await u.contact(BOB.jid).click();
    await u.messages.waitFor({ timeout: 10_000 });
    bot = await startBot({ url: server.ws, ...BOB });
    const tag = runTag('B');
    await page.context().setOffline(true);
    net.cut();
    const off = Date.now();
    for (let k = 1; k <= M; k++) bot.send(`send ${ALICE.jid} ${numbered(tag, k)}`);
    await bot.waitFor((e) => e.type === 'message_sent' && e.body === numbered(tag, M), { timeout: 30_000, message: `Bob's ${M} messages sent` });
    await sleep(Math.max(0, off + OUTAGE_MS - Date.now()));
    const before = await browserNumbers(page, BOB.jid, tag);
    if (before.length) throw new Error(`messages arrived during the outage: ${before.join(',')}`);
    await armProbe(page, '__natterCaught', LOG_READY, M);
    const onAt = await page.evaluate(() => performance.now());
    net.restore();
    await page.context().setOffline(false);
    const caughtAt = await eventually(() => page.evaluate(() => window.__natterCaught), {
      timeout: 120_000, interval: 20, message: `all ${M} messages in Alice's log`,
    });
    const seq = await browserNumbers(page, BOB.jid, tag);
    const t = tally(seq, M);
    if (!t.ok) {
      const size = await u.messages.getAttribute('aria-setsize').catch(() => '?');
      throw new Error(`run ${i}: after catching up (log aria-setsize ${size}): missing ${t.missing}, duplicated ${t.duplicated}, ` +
        `out of order ${t.outOfOrder}; seen ${JSON.stringify(seq)}`);
    }
    if (page.natterErrors.length) throw new Error(`page errors: ${page.natterErrors.join('; ')}`);
    return { cachedMs, caughtMs: caughtAt - onAt, marks };
  } finally {
    await bot?.stop();
    await browser.close().catch(() => {});
    await net.close();
    await server.stop();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

const site = await serveDist();
const cached = [];
const caught = [];
let marks = [];
try {
  for (let i = 1; i <= RUNS; i++) {
    const r = await oneRun(site, i);
    cached.push(Math.round(r.cachedMs));
    caught.push(Math.round(r.caughtMs));
    marks = r.marks;
    console.log(`${TRANSPORT} × ${SERVER} run ${i}/${RUNS}: reload to cached ${ROSTER}-contact roster ${Math.round(r.cachedMs)} ms; ` +
      `back online to ${M} messages caught up after ${OUTAGE_MS / 1000} s offline ${Math.round(r.caughtMs)} ms`);
  }
} finally {
  await site.close();
}
console.log(`RESULT ${JSON.stringify({
  transport: TRANSPORT,
  server: SERVER,
  contacts: ROSTER,
  messages: M,
  outage_ms: OUTAGE_MS,
  cached_roster: { runs_ms: cached, median_ms: median(cached) },
  caught_up: { runs_ms: caught, median_ms: median(caught) },
  details: { network_during_reload: 'held (accepted, never answered)', app_marks: marks },
})}`);
