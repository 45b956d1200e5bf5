// Scenario 2, one run: a fresh Prosody with the room's archive and accounts written directly
// (lib/room.mjs), P occupants joined, then the client signs in, and the user opens the room
// through the client's own UI. Timed in the page: from the click on the join button (a capture
// listener stamps it) to the first animation frame showing every occupant (P and the user) and
// the newest archived message.
import { startServer } from '../../lib/server.mjs';
import { sleep } from '../../lib/env.mjs';
import { longTasks, waitMark, watchFromStart, watchNow } from './instrument.mjs';
import { MUC_DOMAIN, archivedBody, fillRoom, writeAccounts, writeRoomArchive } from './room.mjs';

const USER = { jid: 'bench@localhost', password: 'bench-pass' };
const ROOM = 'benchroom';

export async function roomRun({ site, i, CLIENT, openPage, LIMIT_MS, occupants, archived }) {
  const server = await startServer({ kind: 'prosody', users: [['bench', USER.password]] });
  let room;
  let s;
  try {
    const t = Date.now();
    writeAccounts(server.state, 'occ', occupants);
    writeRoomArchive(server.state, ROOM, archived, occupants);
    const written = Date.now() - t;
    room = await fillRoom(server.c2s_port, `${ROOM}@${MUC_DOMAIN}`, occupants);
    const joined = Date.now() - t - written;
    s = await openPage(site, server, USER);
    await watchFromStart(s.page, 'signed-in', CLIENT.room.signedIn, {});
    await s.page.goto(s.url, { waitUntil: 'commit' });
    await waitMark(s.page, 'signed-in', { timeout: LIMIT_MS, what: 'signed in' });
    await sleep(1500);
    const roomJid = `${ROOM}@${MUC_DOMAIN}`;
    await CLIENT.room.prepareJoin(s.page, roomJid, 'benchuser');
    await s.page.evaluate(() => addEventListener('click', () => { window.__bench.marks.start ??= performance.now(); }, { capture: true, once: true }));
    await watchNow(s.page, 'room', CLIENT.room.ready, { room: roomJid, occupants: occupants + 1, body: archivedBody(archived) });
    await CLIENT.room.join(s.page);
    const end = await waitMark(s.page, 'room', { timeout: LIMIT_MS, what: `${occupants + 1} occupants and message ${archived}` });
    const start = await s.page.evaluate(() => window.__bench.marks.start);
    if (typeof start !== 'number') throw new Error('the join click was not seen');
    const long = await longTasks(s.page, end);
    const during = (await s.page.evaluate(() => window.__bench.longtasks)).filter((x) => x.start >= start && x.start < end);
    return {
      ms: end - start,
      longtasks: {
        longest_ms: Math.round(Math.max(0, ...during.map((x) => x.duration))),
        count: during.length,
        total_ms: Math.round(during.reduce((n, x) => n + x.duration, 0)),
        last_end_ms: Math.round(Math.max(0, ...during.map((x) => x.start + x.duration - start))),
      },
      since_navigation: long,
      page_errors: s.errors,
      data: { written_ms: written, occupants_joined_ms: joined },
    };
  } finally {
    await s?.browser.close().catch(() => {});
    room?.closeAll();
    await server.stop();
  }
}
