// Scenario 2's data: a room on Prosody's MUC component with P occupants and A archived
// messages, made fast.
//  - Archive: written straight into Prosody's `internal` storage, the file mod_muc_mam's
//    archive store reads (`<state>/data/conference%2elocalhost/muc_log/<room>.list`, one
//    `item{…};` line per message: the stanza as util.stanza's preserialize makes it, plus key,
//    when, with = "message<groupchat"), the format Prosody 0.12's datamanager writes itself.
//    mod_storage_internal reads the whole file on every query, so it can be written after start.
//  - Occupants: live sessions (occupants are presence, not storage). Their accounts are written
//    as `accounts/<user>.dat` with a plain password (mod_auth_internal_hashed accepts that and
//    hashes it on first use); then P plain c2s connections (SASL PLAIN on loopback, bind) each
//    join with their own nick, 25 at a time, until Prosody reflects each one's self-presence.
// All our strings are generated ASCII; Lua and XML text is escaped anyway.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export const MUC_DOMAIN = 'conference.localhost';
const DOMAIN = 'localhost';

/** Prosody's datamanager file-name encoding: every byte but [A-Za-z0-9] as %xx. */
const encode = (s) => [...Buffer.from(s)].map((b) => (/[A-Za-z0-9]/.test(String.fromCharCode(b))
  ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');

const lua = (s) => `"${String(s).replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\x00-\x1f]/g, (c) => `\\${c.charCodeAt(0)}`)}"`;

const xml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  .replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** ISO 8601 UTC without fractions, as Prosody's util.datetime.datetime writes stamps. */
const stamp = (secs) => new Date(Math.floor(secs) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

/** The body of archived message k (1 = oldest). */
export const archivedBody = (k) => `Archived message #${k}# in the benchmark room`;

/** Nick of occupant i (1-based). */
export const occupantNick = (i) => `occupant${i}`;

/**
 * Writes A archived groupchat messages of `room` (its node name) into the MUC archive of the
 * Prosody whose state directory is `state`; occupant i (of P) wrote message k when
 * i = (k - 1) % P + 1, one message a second, the newest a minute ago.
 */
export function writeRoomArchive(state, room, archived, occupants) {
  if (process.env.NATTER_ARCHIVE_STORAGE === 'sql') {
    writeRoomArchiveSql(state, room, archived, occupants);
    return;
  }
  const dir = join(state, 'data', encode(MUC_DOMAIN), 'muc_log');
  mkdirSync(dir, { recursive: true });
  const newest = Date.now() / 1000 - 60;
  const lines = [];
  for (let k = 1; k <= archived; k++) {
    const when = Math.floor(newest - (archived - k));
    const from = `${room}@${MUC_DOMAIN}/${occupantNick(((k - 1) % occupants) + 1)}`;
    lines.push(`item({["key"]=${lua(`bench-${k}`)};["when"]=${when};["with"]="message<groupchat";` +
      `["name"]="message";["attr"]={["type"]="groupchat";["from"]=${lua(from)};["id"]=${lua(`m-${k}`)};["stamp"]=${lua(stamp(when))};};` +
      `[1]={["name"]="body";["attr"]={};[1]=${lua(archivedBody(k))};};});\n`);
  }
  writeFileSync(join(dir, `${encode(room)}.list`), lines.join(''));
}

/**
 * [writeRoomArchive] for a Prosody whose archives are in SQLite (NATTER_ARCHIVE_STORAGE=sql,
 * config/prosody.cfg.lua): the same messages as rows of the `prosodyarchive` table that
 * Prosody's mod_storage_sql created at start (`data/archive.sqlite`), through the sqlite3 CLI
 * in one transaction; `value` is the stanza's XML, as mod_storage_sql stores type "xml".
 */
function writeRoomArchiveSql(state, room, archived, occupants) {
  const db = join(state, 'data', 'archive.sqlite');
  const sql = (v) => `'${String(v).replace(/'/g, "''")}'`;
  const newest = Date.now() / 1000 - 60;
  // Prosody makes its tables on its first query, not at start: the same statements it runs
  // (util/sql.lua for SQLite3, both IF NOT EXISTS), so whichever comes first makes them.
  const rows = [
    'CREATE TABLE IF NOT EXISTS "prosodyarchive" ("sort_id" INTEGER PRIMARY KEY AUTOINCREMENT, '
      + '"host" TEXT NOT NULL, "user" TEXT NOT NULL, "store" TEXT NOT NULL, "key" TEXT NOT NULL, '
      + '"when" INTEGER NOT NULL, "with" TEXT NOT NULL, "type" TEXT NOT NULL, "value" TEXT NOT NULL);',
    'CREATE UNIQUE INDEX IF NOT EXISTS "prosodyarchive_index" ON "prosodyarchive" ("host", "user", "store", "key");',
    'CREATE INDEX IF NOT EXISTS "prosodyarchive_with_when" ON "prosodyarchive" ("host", "user", "store", "with", "when");',
    'CREATE INDEX IF NOT EXISTS "prosodyarchive_when" ON "prosodyarchive" ("host", "user", "store", "when");',
    'CREATE INDEX IF NOT EXISTS "prosodyarchive_sort" ON "prosodyarchive" ("host", "user", "store", "sort_id");',
    'BEGIN;',
  ];
  for (let k = 1; k <= archived; k++) {
    const when = Math.floor(newest - (archived - k));
    const from = `${room}@${MUC_DOMAIN}/${occupantNick(((k - 1) % occupants) + 1)}`;
    const stanza = `<message xmlns='jabber:client' type='groupchat' from='${xml(from)}' id='m-${k}'><body>${xml(archivedBody(k))}</body></message>`;
    rows.push('INSERT INTO "prosodyarchive" ("host","user","store","when","with","key","type","value") VALUES ('
      + [MUC_DOMAIN, room, 'muc_log'].map(sql).join(',') + `,${when},'message<groupchat',${sql(`bench-${k}`)},'xml',${sql(stanza)});`);
  }
  rows.push('COMMIT;');
  const r = spawnSync('sqlite3', [db], { input: rows.join('\n') });
  if (r.status !== 0) throw new Error(`sqlite3 ${db}: ${r.stderr}`);
}

/** Accounts `<prefix><i>` (i = 1..count), password `<prefix><i>-pass`, written directly. */
export function writeAccounts(state, prefix, count) {
  const dir = join(state, 'data', encode(DOMAIN), 'accounts');
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= count; i++) {
    writeFileSync(join(dir, `${encode(`${prefix}${i}`)}.dat`), `return {\n\t["password"] = ${lua(`${prefix}${i}-pass`)};\n};\n`);
  }
}

/**
 * One occupant: a c2s session on `port` that signs in as `user` and joins `roomJid` as `nick`.
 * Resolves with `{ close() }` once the room reflected its presence (status 110).
 */
/** When any occupant session last received bytes (Date.now()). */
let lastData = 0;

function joinOne(port, user, password, roomJid, nick, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    let step = 'features1';
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`${user}: no join within ${timeoutMs} ms (step ${step})`)); }, timeoutMs);
    const open = () => sock.write(`<?xml version='1.0'?><stream:stream to='${DOMAIN}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`);
    sock.on('error', (e) => { clearTimeout(timer); reject(new Error(`${user}: ${e.message}`)); });
    sock.on('data', (d) => {
      lastData = Date.now();
      buf += d.toString('utf8');
      for (;;) {
        if (step === 'features1' && buf.includes('</stream:features>')) {
          buf = '';
          step = 'auth';
          const token = Buffer.from(`\0${user}\0${password}`).toString('base64');
          sock.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${token}</auth>`);
        } else if (step === 'auth' && /<(success|failure)\b/.test(buf)) {
          if (!buf.includes('<success')) { clearTimeout(timer); sock.destroy(); return reject(new Error(`${user}: SASL failure ${buf}`)); }
          buf = '';
          step = 'features2';
          open();
        } else if (step === 'features2' && buf.includes('</stream:features>')) {
          buf = '';
          step = 'bind';
          sock.write(`<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>bench</resource></bind></iq>`);
        } else if (step === 'bind' && buf.includes('</iq>')) {
          if (!buf.includes("type='result'") && !buf.includes('type="result"')) { clearTimeout(timer); sock.destroy(); return reject(new Error(`${user}: bind ${buf}`)); }
          buf = '';
          step = 'join';
          sock.write(`<presence to='${xml(`${roomJid}/${nick}`)}'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>`);
        } else if (step === 'join' && /<presence\b[^>]*>[\s\S]*?<status code=['"]110['"]/.test(buf)) {
          buf = '';
          step = 'joined';
          clearTimeout(timer);
          resolve({ close: () => { sock.end('</stream:stream>'); sock.destroy(); } });
        } else if (step === 'join' && /type=['"]error['"]/.test(buf) && /<presence\b/.test(buf)) {
          clearTimeout(timer);
          sock.destroy();
          return reject(new Error(`${user}: join error ${buf.slice(0, 500)}`));
        } else {
          // Once joined, everything else (other occupants' presence, messages) is dropped.
          if (step === 'joined') buf = '';
          return;
        }
      }
    });
    open();
  });
}

/**
 * P occupants in `roomJid`, 25 joining at a time (the first one creates the room: instant
 * rooms, `muc_room_locking = false`). Returns `{ closeAll() }` once the server is done: each join
 * sends every occupant a presence (P² in all), which Prosody still delivers after the last join
 * is reflected; measuring while it does would time the harness's backlog, not the client.
 */
export async function fillRoom(port, roomJid, occupants, prefix = 'occ') {
  const sessions = [];
  for (let i = 1; i <= occupants; i += 25) {
    const batch = [];
    for (let j = i; j < Math.min(i + 25, occupants + 1); j++) {
      batch.push(joinOne(port, `${prefix}${j}`, `${prefix}${j}-pass`, roomJid, occupantNick(j)));
    }
    sessions.push(...await Promise.all(batch));
  }
  const deadline = Date.now() + 300_000;
  while (Date.now() - lastData < 1_000 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  return { closeAll: () => sessions.forEach((s) => s.close()) };
}

/**
 * The room with P occupants as a room Prosody saved while they were in it, written straight
 * into its MUC storage (what mod_muc's room_save(room, forced, savestate) writes when it swaps a
 * live room out: the `config` store holds the frozen room, the `state` store each occupant's nick
 * -> { bare_jid, role, jid } and session jid -> presence). The room is restored, occupants and
 * all, by the first stanza for it: our client's join. The occupants' sessions are not connected
 * (presence to them is dropped), which spares the P² presences P live joins cost Prosody
 * (36 million for 6,000): only what our client receives is real, and that is what is measured.
 */
export function writeRoomState(state, room, occupants, prefix = 'occ') {
  const base = join(state, 'data', encode(MUC_DOMAIN));
  const roomJid = `${room}@${MUC_DOMAIN}`;
  mkdirSync(join(base, 'config'), { recursive: true });
  mkdirSync(join(base, 'state'), { recursive: true });
  writeFileSync(join(base, 'config', `${encode(room)}.dat`),
    `return {\n\t["_jid"] = ${lua(roomJid)};\n\t["_data"] = { ["persistent"] = true; };\n` +
    `\t[${lua(`${prefix}1@${DOMAIN}`)}] = "owner";\n};\n`);
  const lines = ['return {\n'];
  for (let i = 1; i <= occupants; i++) {
    const nickJid = `${roomJid}/${occupantNick(i)}`;
    const bare = `${prefix}${i}@${DOMAIN}`;
    const full = `${bare}/bench`;
    lines.push(`\t[${lua(nickJid)}] = { ["bare_jid"] = ${lua(bare)}; ["role"] = ${i === 1 ? '"moderator"' : '"participant"'}; ["jid"] = ${lua(full)}; };\n`);
    lines.push(`\t[${lua(full)}] = { ["name"] = "presence"; ["attr"] = { ["from"] = ${lua(nickJid)}; }; };\n`);
  }
  lines.push('};\n');
  writeFileSync(join(base, 'state', `${encode(room)}.dat`), lines.join(''));
}
