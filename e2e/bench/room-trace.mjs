// Where the time to open a big room goes (issue 5), one run, Natter only:
//
//   node e2e/bench/room-trace.mjs [--occupants 500] [--archived 5000] [--scroll N] [--shot FILE]
//                                 [--live]   (occupants as live sessions, as compare.mjs has them)
// NATTER_ARCHIVE_STORAGE=sql: the archive in SQLite (see lib/room.mjs).
//
// The room as lib/room.mjs writes it (occupants stored in Prosody's MUC storage, archive in its
// MUC log), then the join through the UI, as compare.mjs times it, with:
//  - page marks from the join click: occupant list complete, newest archived message shown;
//  - the WebSocket frames the page sent and got (Playwright's events), as a timeline from the
//    click: disco#info, join presence, first and last occupant presence, archive query, first
//    result, <fin/>: the gaps between them are the server's;
//  - a CPU profile of the page through CDP (Profiler, 200 µs sampling): self time per function;
//  - the long tasks after the click;
//  - `--scroll N`: N times to the top of the log, printing what it holds (older archive pages);
//  - `--shot FILE`: a screenshot at the end.
import { parseArgs } from 'node:util';
import { startServer } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { sleep } from '../lib/env.mjs';
import { CLIENTS } from './lib/clients.mjs';
import { instrument, waitMark, watchFromStart, watchNow } from './lib/instrument.mjs';
import { MUC_DOMAIN, archivedBody, fillRoom, writeAccounts, writeRoomArchive, writeRoomState } from './lib/room.mjs';

const { values } = parseArgs({
  options: {
    occupants: { type: 'string', default: '500' },
    archived: { type: 'string', default: '5000' },
    scroll: { type: 'string', default: '0' },
    live: { type: 'boolean', default: false },
    shot: { type: 'string' },
    dist: { type: 'string', default: process.env.NATTER_DIST || '' },
  },
});
const P = Number(values.occupants);
const A = Number(values.archived);
const USER = { jid: 'bench@localhost', password: 'bench-pass' };
const CLIENT = CLIENTS.natter;
const roomJid = `benchroom@${MUC_DOMAIN}`;

const site = await CLIENT.serve({ dist: values.dist || undefined });
const server = await startServer({ kind: 'prosody', users: [['bench', USER.password]] });
const browser = await launch();
let live;
try {
  // --live: the occupants are live sessions, as compare.mjs's room scenario has them.
  if (values.live) writeAccounts(server.state, 'occ', P);
  else writeRoomState(server.state, 'benchroom', P);
  writeRoomArchive(server.state, 'benchroom', A, P);
  if (values.live) live = await fillRoom(server.c2s_port, roomJid, P);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log('page error:', String(e)));
  await instrument(page);
  await page.addInitScript(CLIENT.autoLogin, { ...USER, service: server.ws });
  const frames = [];
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.push({ out: true, at: Date.now(), text: String(f.payload) }));
    ws.on('framereceived', (f) => frames.push({ out: false, at: Date.now(), text: String(f.payload) }));
  });
  await watchFromStart(page, 'signed-in', CLIENT.room.signedIn, {});
  await page.goto(CLIENT.url(site, USER, { transport: 'websocket', url: server.ws }), { waitUntil: 'commit' });
  await waitMark(page, 'signed-in', { timeout: 60_000, what: 'signed in' });
  await sleep(1500);
  await CLIENT.room.prepareJoin(page, roomJid, 'benchuser');
  await page.evaluate(() => addEventListener('click', () => {
    window.__bench.marks.start ??= performance.now();
    window.__bench.clickedAt = Date.now();
  }, { capture: true, once: true }));
  await watchNow(page, 'room', CLIENT.room.ready, { room: roomJid, occupants: P + 1, body: archivedBody(A) });
  await watchNow(page, 'occupants', `const l = document.querySelector('[role="list"][aria-label="Occupants"]');
    return !!l && Number(l.getAttribute('aria-setsize')) >= arg.n;`, { n: P + 1 });
  await watchNow(page, 'newest', `return [...document.querySelectorAll('[role="log"] article')]
    .some((a) => a.textContent.includes(arg.body));`, { body: archivedBody(A) });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await CLIENT.room.join(page);
  const end = await waitMark(page, 'room', { timeout: 300_000, what: 'the room' });
  const { profile } = await cdp.send('Profiler.stop');
  const marks = await page.evaluate(() => window.__bench.marks);
  const clickedAt = await page.evaluate(() => window.__bench.clickedAt);
  console.log(`click -> ${P + 1} occupants listed: ${Math.round(marks.occupants - marks.start)} ms`);
  console.log(`click -> newest archived message shown: ${Math.round(marks.newest - marks.start)} ms`);
  console.log(`click -> both: ${Math.round(end - marks.start)} ms`);

  console.log('\nWebSocket timeline (ms after the click, as the page saw the frames):');
  const seen = frames.filter((f) => f.at >= clickedAt);
  const first = (out, re) => seen.find((f) => f.out === out && re.test(f.text));
  const last = (out, re) => seen.filter((f) => f.out === out && re.test(f.text)).pop();
  for (const [name, f] of [
    ['disco#info sent', first(true, /disco#info/)],
    ['join presence sent', first(true, /<presence/)],
    ['first presence received', first(false, /<presence/)],
    ['last presence received', last(false, /<presence/)],
    ['own presence (110) received', first(false, /code=["']110["']/)],
    ['archive query sent', first(true, /urn:xmpp:mam:2/)],
    ['first archive result', first(false, /<result/)],
    ['archive <fin/>', first(false, /<fin/)],
  ]) console.log(`  ${name.padEnd(30)} ${f ? f.at - clickedAt : '-'}`);
  console.log(`  frames received: ${seen.filter((f) => !f.out).length}`);

  const start = marks.start;
  const tasks = (await page.evaluate(() => window.__bench.longtasks)).filter((t) => t.start >= start);
  console.log(`\nlong tasks after the click: ${tasks.map((t) => `${Math.round(t.duration)} ms at +${Math.round(t.start - start)}`).join(', ') || 'none'}`);

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const url = n.callFrame.url.split('/').pop();
    const k = `${n.callFrame.functionName || '(anonymous)'}${url ? ` ${url}` : ''}`;
    self.set(k, (self.get(k) || 0) + (profile.timeDeltas[i] || 0));
  });
  console.log('\nCPU profile, self time from the click to the room shown:');
  for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`  ${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
  }

  const log = page.getByRole('log', { name: 'Messages' });
  for (let i = 0; i < Number(values.scroll); i++) {
    // As a reader does: the wheel, up to the top.
    await log.hover();
    for (let k = 0; k < 10; k++) await page.mouse.wheel(0, -2000);
    await sleep(700);
    const [size, oldest, head] = await log.evaluate((el) => [
      el.getAttribute('aria-setsize'),
      el.querySelector('article')?.textContent.match(/#(\d+)#/)?.[1],
      el.querySelector('.log-head')?.textContent.trim(),
    ]);
    console.log(`scroll ${i + 1}: ${size} messages held, oldest rendered #${oldest}; ${head}`);
  }
  if (values.shot) await page.screenshot({ path: values.shot });
} finally {
  live?.closeAll();
  await browser.close().catch(() => {});
  await server.stop();
  await site.close();
}
