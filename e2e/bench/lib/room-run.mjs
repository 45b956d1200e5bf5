// Scenario 2, one run: a fresh Prosody with the room's archive and accounts written directly
// (lib/room.mjs), P occupants joined, then the client signs in, and the user opens the room
// through the client's own UI. Timed in the page: from the click on the join button (a capture
// listener stamps it) to the first animation frame showing every occupant (P and the user) and
// the newest archived message; for Natter then also `reopen_ms`, the same frame after closing
// the room's view and clicking its item in the `Rooms` list.
// `stored`: the occupants are written into the server's MUC storage (lib/room.mjs
// writeRoomState) instead of joining live, for rooms too big to fill with live sessions.
// `measureMemory`: the JS heap + wasm memory after a forced GC just before the click and once
// the room is shown, and their difference per occupant.
import { startServer } from '../../lib/server.mjs';
import { sleep } from '../../lib/env.mjs';
import { longTasks, memory, waitMark, watchFromStart, watchNow } from './instrument.mjs';
import { MUC_DOMAIN, archivedBody, fillRoom, writeAccounts, writeRoomArchive, writeRoomState } from './room.mjs';

const USER = { jid: 'bench@localhost', password: 'bench-pass' };
const ROOM = 'benchroom';

export async function roomRun({ site, i, CLIENT, openPage, LIMIT_MS, occupants, archived, stored = false, measureMemory = false }) {
  const server = await startServer({ kind: 'prosody', users: [['bench', USER.password]] });
  let room;
  let s;
  try {
    const t = Date.now();
    if (stored) {
      writeRoomState(server.state, ROOM, occupants);
    } else {
      writeAccounts(server.state, 'occ', occupants);
    }
    writeRoomArchive(server.state, ROOM, archived, occupants);
    const written = Date.now() - t;
    if (!stored) room = await fillRoom(server.c2s_port, `${ROOM}@${MUC_DOMAIN}`, occupants);
    const joined = Date.now() - t - written;
    s = await openPage(site, server, USER);
    await watchFromStart(s.page, 'signed-in', CLIENT.room.signedIn, {});
    await s.page.goto(s.url, { waitUntil: 'commit' });
    await waitMark(s.page, 'signed-in', { timeout: LIMIT_MS, what: 'signed in' });
    await sleep(1500);
    const roomJid = `${ROOM}@${MUC_DOMAIN}`;
    await CLIENT.room.prepareJoin(s.page, roomJid, 'benchuser');
    const memBefore = measureMemory ? await memory(s.page, s.cdp) : null;
    await s.page.evaluate(() => addEventListener('click', () => { window.__bench.marks.start ??= performance.now(); }, { capture: true, once: true }));
    await watchNow(s.page, 'room', CLIENT.room.ready, { room: roomJid, occupants: occupants + 1, body: archivedBody(archived) });
    await CLIENT.room.join(s.page);
    const end = await waitMark(s.page, 'room', { timeout: LIMIT_MS, what: `${occupants + 1} occupants and message ${archived}` });
    const start = await s.page.evaluate(() => window.__bench.marks.start);
    if (typeof start !== 'number') throw new Error('the join click was not seen');
    const long = await longTasks(s.page, end);
    const during = (await s.page.evaluate(() => window.__bench.longtasks)).filter((x) => x.start >= start && x.start < end);
    // Natter also: the room already joined, back to the lists and a click on its `Rooms` item
    // (what opening a bookmarked, autojoined room costs), to the same complete frame.
    let reopenMs = null;
    if (CLIENT.room.closeView && CLIENT.room.reopen) {
      await CLIENT.room.closeView(s.page);
      await s.page.evaluate(() => addEventListener('click', () => { window.__bench.marks.reopen_start ??= performance.now(); }, { capture: true, once: true }));
      await watchNow(s.page, 'reopened', CLIENT.room.ready, { room: roomJid, occupants: occupants + 1, body: archivedBody(archived) });
      await CLIENT.room.reopen(s.page, roomJid);
      const end2 = await waitMark(s.page, 'reopened', { timeout: LIMIT_MS, what: 'the reopened room complete' });
      reopenMs = Math.round(end2 - (await s.page.evaluate(() => window.__bench.marks.reopen_start)));
    }
    let mem;
    if (measureMemory) {
      const after = await memory(s.page, s.cdp);
      const total = (m) => (m?.after_gc ? m.after_gc.js_used + m.after_gc.wasm : null);
      const [b, a] = [total(memBefore), total(after)];
      mem = {
        before_join: memBefore?.after_gc ?? null,
        after_join: after?.after_gc ?? null,
        js_plus_wasm_bytes: a,
        per_occupant_bytes: a !== null && b !== null ? Math.round((a - b) / occupants) : null,
      };
    }
    return {
      ms: end - start,
      reopen_ms: reopenMs,
      longtasks: {
        longest_ms: Math.round(Math.max(0, ...during.map((x) => x.duration))),
        count: during.length,
        total_ms: Math.round(during.reduce((n, x) => n + x.duration, 0)),
        last_end_ms: Math.round(Math.max(0, ...during.map((x) => x.start + x.duration - start))),
      },
      since_navigation: long,
      page_errors: s.errors,
      data: { written_ms: written, occupants_joined_ms: joined, stored },
      memory: mem,
    };
  } finally {
    await s?.browser.close().catch(() => {});
    room?.closeAll();
    await server.stop();
  }
}
