// Natter against Converse.js 14.0.0, same Prosody, same headless Chromium, same data (issue 9).
//
//   node e2e/bench/compare.mjs --scenario roster|messages|room --client natter|converse
//        [--transport websocket|bosh] [--runs 5] [--contacts 2000] [--messages 1000]
//        [--occupants 200] [--archived 5000] [--stored-occupants] [--memory] [--dist DIR]
//        [--archive internal|sql]
//
// Every run: a fresh Prosody (fresh state, generated data: lib/server.mjs + xtask prosody, and
// lib/room.mjs for the room), a fresh Chromium with a fresh profile, one page.
//  roster    navigation start -> the complete N-contact roster on screen (scenario 1), and in
//            the same run: JS heap + WASM memory after it, before and after a forced GC (4),
//            bytes of every response from the page's own origin, raw and gzip -9 (5), and the
//            long tasks from navigation start to the roster (6).
//  messages  with the chat with natter-bot open, the bot writes M one-to-one messages as fast
//            as it can; from the first write to the first frame that shows the last one (3).
//  room      a room with P occupants (live sessions) and A archived messages; from the click
//            that joins it to the first frame showing every occupant and the newest archived
//            message (2), and the long tasks in between (6). --stored-occupants: the occupants
//            are written into Prosody's MUC storage instead of joining live (lib/room.mjs
//            writeRoomState; for thousands); --memory: JS heap + wasm per occupant;
//            --archive sql: Prosody keeps archives in SQLite instead of its files.
// NATTER_BENCH_TRACE=1 prints when each reading of a roster run is done (to stderr).
// Uncaught page errors are recorded per run (Converse rejects IQ promises after 60 s while its
// main thread is blocked), not fatal. Prints a line per run and, last, `RESULT {json}` for `cargo xtask bench`.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { startBot } from '../lib/bot.mjs';
import { launch } from '../lib/browser.mjs';
import { sleep } from '../lib/env.mjs';
import { startServer } from '../lib/server.mjs';
import { CLIENTS } from './lib/clients.mjs';
import { converseVersion } from './lib/sites.mjs';
import { countResponses, instrument, longTasks, memory, waitMark, watchFromStart, watchNow } from './lib/instrument.mjs';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'roster' },
    client: { type: 'string', default: 'natter' },
    transport: { type: 'string', default: 'websocket' },
    runs: { type: 'string', default: '5' },
    contacts: { type: 'string', default: '2000' },
    messages: { type: 'string', default: '1000' },
    occupants: { type: 'string', default: '200' },
    archived: { type: 'string', default: '5000' },
    'stored-occupants': { type: 'boolean', default: false },
    memory: { type: 'boolean', default: false },
    archive: { type: 'string', default: 'internal' },
    dist: { type: 'string', default: process.env.NATTER_DIST || '' },
  },
});
const SCENARIO = values.scenario;
const CLIENT = CLIENTS[values.client];
const TRANSPORT = values.transport;
if (!CLIENT) throw new Error(`--client ${values.client}: natter or converse`);
if (!['roster', 'messages', 'room'].includes(SCENARIO)) throw new Error(`--scenario ${SCENARIO}: roster, messages or room`);
if (!['websocket', 'bosh'].includes(TRANSPORT)) throw new Error(`--transport ${TRANSPORT}: websocket or bosh`);
if (!['internal', 'sql'].includes(values.archive)) throw new Error(`--archive ${values.archive}: internal or sql`);
// Prosody's archive storage (config/prosody.cfg.lua reads it; lib/room.mjs writes the room's
// archive to match): `internal` files are read whole on every archive query.
process.env.NATTER_ARCHIVE_STORAGE = values.archive;
const RUNS = Number(values.runs);
const N = Number(values.contacts);
const M = Number(values.messages);
const LIMIT_MS = 300_000;
const USER = { jid: 'bench@localhost', password: 'bench-pass' };
const BOT = { jid: 'bot@localhost', password: 'bot-pass' };

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (!s.length) return null;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
/** Node's wall clock in ms with sub-ms resolution, comparable with the page's timeOrigin + now. */
const epochNow = () => performance.timeOrigin + performance.now();

async function openPage(site, server, account) {
  const browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const cdp = await context.newCDPSession(page);
  const net = countResponses(page, site);
  await instrument(page);
  const endpoint = { transport: TRANSPORT, url: TRANSPORT === 'bosh' ? server.bosh : server.ws };
  if (CLIENT.autoLogin) await page.addInitScript(CLIENT.autoLogin, { ...account, service: endpoint.url });
  return { browser, page, cdp, net, errors, url: CLIENT.url(site, account, endpoint) };
}

async function rosterRun(site) {
  const server = await startServer({ kind: 'prosody', users: [[USER.jid.split('@')[0], USER.password]], contacts: [['bench', N]] });
  const s = await openPage(site, server, USER).catch(async (e) => { await server.stop(); throw e; });
  try {
    await watchFromStart(s.page, 'roster', CLIENT.rosterReady, { n: N, self: USER.jid });
    await s.page.goto(s.url, { waitUntil: 'commit' });
    const ms = await waitMark(s.page, 'roster', { timeout: LIMIT_MS, what: `the ${N}-contact roster` });
    const phase = (what) => process.env.NATTER_BENCH_TRACE && console.error(`  [${new Date().toISOString()}] ${what}`);
    phase('roster shown');
    const long = await longTasks(s.page, ms);
    phase('long tasks read');
    const mem = await memory(s.page, s.cdp);
    phase('memory read');
    const bytes = s.net.totals();
    phase('bytes read');
    return { ms, longtasks: long, memory: mem, bytes, page_errors: s.errors };
  } finally {
    await s.browser.close().catch(() => {});
    await server.stop();
  }
}

async function messagesRun(site, i) {
  const server = await startServer({
    kind: 'prosody',
    users: [['bench', USER.password], ['bot', BOT.password]],
  });
  let bot;
  let s;
  try {
    bot = await startBot({ url: server.ws, ...BOT });
    s = await openPage(site, server, USER);
    await watchFromStart(s.page, 'roster', CLIENT.rosterReady, { n: 1, self: USER.jid });
    await s.page.goto(s.url, { waitUntil: 'commit' });
    await waitMark(s.page, 'roster', { timeout: LIMIT_MS, what: 'the roster with the bot' });
    await CLIENT.openChat(s.page, BOT.jid);
    // Let whatever opening the chat started (history query, chat states) finish first.
    await sleep(1500);
    const tag = `${Date.now().toString(36)}r${i}`;
    const body = (k) => `${tag} #${k}#`;
    await watchNow(s.page, 'last', CLIENT.lastShown, { from: BOT.jid, body: body(M) });
    const pageOrigin = await s.page.evaluate(() => performance.timeOrigin);
    const t0 = epochNow();
    for (let k = 1; k <= M; k++) bot.send(`send ${USER.jid} ${body(k)}`);
    const mark = await waitMark(s.page, 'last', { timeout: LIMIT_MS, what: `message ${M} of ${M} shown` });
    const ms = pageOrigin + mark - t0;
    const sent = bot.events.filter((e) => e.type === 'message_sent' && String(e.body ?? '').startsWith(tag)).length;
    // Checked once the last one is shown (not part of the time): the rendered rows are the
    // newest ones, consecutive and in order, ending with M.
    // eslint-disable-next-line no-new-func
    const shown = await s.page.evaluate(({ src, from }) => new Function('arg', src)({ from }), { src: CLIENT.shown, from: BOT.jid });
    const rows = shown.numbers;
    const tail = rows.length > 0 && rows.every((k, j) => k === M - rows.length + 1 + j);
    if (!tail) throw new Error(`run ${i}: the rendered rows are not the newest ${rows.length} in order: ${rows.join(',')}`);
    if (shown.total < Math.min(M, rows.length)) throw new Error(`run ${i}: ${JSON.stringify(shown)}`);
    return { ms, page_errors: s.errors, rendered_rows: rows.length, total: shown.total, bot_sent_events: sent };
  } finally {
    await s?.browser.close().catch(() => {});
    await bot?.stop().catch(() => {});
    await server.stop();
  }
}

/** Signs in once (small roster) and asks the client adapter whether it has a room UI. */
async function roomAvailable(site) {
  const server = await startServer({ kind: 'prosody', users: [['bench', USER.password]] });
  const s = await openPage(site, server, USER).catch(async (e) => { await server.stop(); throw e; });
  try {
    await watchFromStart(s.page, 'signed-in', CLIENT.room.signedIn, {});
    await s.page.goto(s.url, { waitUntil: 'commit' });
    await waitMark(s.page, 'signed-in', { timeout: 60_000, what: 'signed in' });
    await sleep(500);
    return await CLIENT.room.available(s.page);
  } finally {
    await s.browser.close().catch(() => {});
    await server.stop();
  }
}

async function roomRun(site, i) {
  const { roomRun: run } = await import('./lib/room-run.mjs');
  return run({ site, i, CLIENT, TRANSPORT, openPage, LIMIT_MS, occupants: Number(values.occupants), archived: Number(values.archived), stored: values['stored-occupants'], measureMemory: values.memory });
}

const site = await CLIENT.serve({ dist: values.dist || undefined });
if (SCENARIO === 'room' && CLIENT.room.available && !(await roomAvailable(site))) {
  await site.close();
  console.log(`${CLIENT.name} room: not yet: no group chat UI (no \`Join room\` button once signed in)`);
  console.log(`RESULT ${JSON.stringify({ scenario: SCENARIO, client: values.client, client_name: CLIENT.name, transport: TRANSPORT, unsupported: 'not yet: no group chat UI' })}`);
  process.exit(0);
}
const runs = [];
try {
  for (let i = 1; i <= RUNS; i++) {
    const r = SCENARIO === 'roster' ? await rosterRun(site, i)
      : SCENARIO === 'messages' ? await messagesRun(site, i)
        : await roomRun(site, i);
    r.ms = Math.round(r.ms);
    runs.push(r);
    const extra = SCENARIO === 'roster'
      ? `; heap ${((r.memory.before_gc?.js_used ?? NaN) / 1e6).toFixed(1)} -> ${((r.memory.after_gc?.js_used ?? NaN) / 1e6).toFixed(1)} MB JS` +
        ` + ${((r.memory.after_gc?.wasm ?? NaN) / 1e6).toFixed(1)} MB wasm (read after ${r.memory.before_gc?.waited_ms ?? '-'} ms); app ${r.bytes.app.raw} B (${r.bytes.app.gzip9} gzip); longest task ${r.longtasks.longest_ms} ms`
      : r.longtasks ? (typeof r.reopen_ms === 'number' ? `; reopened in ${r.reopen_ms} ms` : '') + `; longest task ${r.longtasks.longest_ms} ms` +
        (r.memory ? `; ${((r.memory.js_plus_wasm_bytes ?? NaN) / 1e6).toFixed(1)} MB JS + wasm, ${r.memory.per_occupant_bytes} B per occupant` : '') : '';
    const errs = r.page_errors?.length ? `; ${r.page_errors.length} uncaught page errors (first: ${r.page_errors[0].slice(0, 80)})` : '';
    console.log(`${CLIENT.name} ${SCENARIO} ${TRANSPORT} run ${i}/${RUNS}: ${r.ms} ms${extra}${errs}`);
  }
} finally {
  await site.close();
}
const pick = (f) => median(runs.map(f));
const summary = {
  ms: pick((r) => r.ms),
  longest_task_ms: runs[0]?.longtasks ? pick((r) => r.longtasks.longest_ms) : null,
  last_long_task_end_ms: runs[0]?.longtasks ? pick((r) => r.longtasks.last_end_ms) : null,
};
if (SCENARIO === 'room' && typeof runs[0]?.reopen_ms === 'number') summary.reopen_ms = pick((r) => r.reopen_ms);
if (SCENARIO === 'room' && runs[0]?.memory) {
  Object.assign(summary, {
    js_plus_wasm_bytes: pick((r) => r.memory.js_plus_wasm_bytes),
    per_occupant_bytes: pick((r) => r.memory.per_occupant_bytes),
  });
}
if (SCENARIO === 'roster') {
  Object.assign(summary, {
    js_heap_before_gc: pick((r) => r.memory.before_gc?.js_used),
    js_heap_after_gc: pick((r) => r.memory.after_gc?.js_used),
    wasm_before_gc: pick((r) => r.memory.before_gc?.wasm),
    wasm_after_gc: pick((r) => r.memory.after_gc?.wasm),
    heap_read_after_ms: pick((r) => r.memory.before_gc?.waited_ms),
    app_raw: pick((r) => r.bytes.app.raw),
    app_gzip9: pick((r) => r.bytes.app.gzip9),
    all_raw: pick((r) => r.bytes.all.raw),
    all_gzip9: pick((r) => r.bytes.all.gzip9),
  });
}
console.log(`RESULT ${JSON.stringify({
  scenario: SCENARIO,
  client: values.client,
  client_name: CLIENT.name,
  client_version: values.client === 'converse' ? await converseVersion() : null,
  transport: TRANSPORT,
  contacts: SCENARIO === 'roster' ? N : undefined,
  messages: SCENARIO === 'messages' ? M : undefined,
  occupants: SCENARIO === 'room' ? Number(values.occupants) : undefined,
  archived: SCENARIO === 'room' ? Number(values.archived) : undefined,
  runs: runs.length,
  runs_ms: runs.map((r) => r.ms),
  median: summary,
  details: runs,
})}`);
