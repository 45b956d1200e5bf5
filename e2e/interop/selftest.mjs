// slixbot against itself: two slixmpp clients exchange every XEP slixbot speaks, with no Natter
// in between. Run it by hand when an interop test fails, to tell a slixbot (or server) problem
// from a Natter one:
//   node e2e/interop/selftest.mjs                          (Prosody)
//   NATTER_E2E_SERVER=ejabberd node e2e/interop/selftest.mjs
// Exit status 0 when every step passed.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePng } from '../lib/png.mjs';
import { startServer } from '../lib/server.mjs';
import { startSlixbot } from '../lib/slixbot.mjs';

const dir = mkdtempSync(join(tmpdir(), 'slixbot-selftest-'));
const server = await startServer({ users: [['alice', 'wonderland'], ['bob', 'builder']] });
const sha = (b) => createHash('sha256').update(b).digest('hex');
let a, b;
let failed = false;
const step = async (name, fn) => {
  const t0 = Date.now();
  await fn();
  console.log(`ok ${name} (${Date.now() - t0} ms)`);
};
try {
  a = await startSlixbot({ server, jid: 'alice@localhost', password: 'wonderland', resource: 'a' });
  b = await startSlixbot({ server, jid: 'bob@localhost', password: 'builder', resource: 'b' });
  let s;
  await step('message + receipt', async () => {
    s = await a.sent({ cmd: 'send', to: 'bob@localhost', body: 'hello <b>' });
    const m = await b.waitFor((e) => e.type === 'message' && e.id === s.id);
    assert.equal(m.body, 'hello <b>');
    assert.ok(m.receipt_requested && m.markable);
    await a.waitFor((e) => e.type === 'receipt' && e.id === s.id);
  });
  await step('displayed marker', async () => {
    await b.sent({ cmd: 'marker', to: a.jid, id: s.id });
    await a.waitFor((e) => e.type === 'marker' && e.id === s.id && e.marker === 'displayed');
  });
  await step('chat state', async () => {
    await b.sent({ cmd: 'chat_state', to: a.jid, state: 'composing' });
    await a.waitFor((e) => e.type === 'chat_state' && e.state === 'composing');
  });
  await step('correction', async () => {
    await a.sent({ cmd: 'correct', to: 'bob@localhost', id: s.id, body: 'hello fixed' });
    const c = await b.waitFor((e) => e.type === 'correction' && e.replace === s.id);
    assert.equal(c.body, 'hello fixed');
  });
  await step('reactions', async () => {
    await a.sent({ cmd: 'react', to: 'bob@localhost', id: s.id, reactions: ['👍', '❤️'] });
    const r = await b.waitFor((e) => e.type === 'reactions' && e.id === s.id);
    assert.deepEqual(r.reactions, ['👍', '❤️']);
  });
  await step('reply with fallback', async () => {
    await b.sent({ cmd: 'reply', to: a.jid, reply_to: a.jid, id: s.id, body: 'answer', quote: 'hello <b>' });
    const m = await a.waitFor((e) => e.type === 'message' && e.reply);
    assert.equal(m.reply.id, s.id);
    assert.deepEqual(m.fallbacks, [{ for: 'urn:xmpp:reply:0', bodies: [{ start: '0', end: '12' }] }]);
  });
  await step('retraction (version 0)', async () => {
    await a.sent({ cmd: 'retract', to: 'bob@localhost', id: s.id });
    const r = await b.waitFor((e) => e.type === 'retraction' && e.id === s.id);
    assert.equal(r.version, 0);
  });
  await step('upload + OOB, SHA-256 intact', async () => {
    const data = Buffer.alloc(100_000, 7);
    writeFileSync(join(dir, 'f.bin'), data);
    const up = await a.call({ cmd: 'upload', to: 'bob@localhost', path: join(dir, 'f.bin') });
    const m = await b.waitFor((e) => e.type === 'message' && e.oob === up.url, { timeout: 30_000 });
    assert.equal(m.body, m.oob);
    assert.equal(sha(Buffer.from(await (await fetch(m.oob)).arrayBuffer())), sha(data));
  });
  await step('avatar (PEP) + fetch by hash', async () => {
    writeFileSync(join(dir, 'a.png'), makePng(8, 8));
    const pub = await a.call({ cmd: 'publish_avatar', path: join(dir, 'a.png'), content_type: 'image/png', width: 8, height: 8 });
    await b.waitFor((e) => e.type === 'avatar' && e.hash === pub.hash);
    const f = await b.call({ cmd: 'fetch_avatar', jid: 'alice@localhost', id: pub.hash });
    assert.equal(f.sha1, pub.hash);
  });
  await step('nick (PEP)', async () => {
    await a.call({ cmd: 'nick', nick: 'Ally' });
    await b.waitFor((e) => e.type === 'nick' && e.nick === 'Ally');
  });
  await step('block: bounce while blocked, list, unblock', async () => {
    await b.call({ cmd: 'block', jid: 'alice@localhost' });
    assert.deepEqual((await b.call({ cmd: 'blocklist' })).jids, ['alice@localhost']);
    const s2 = await a.sent({ cmd: 'send', to: 'bob@localhost', body: 'blocked?' });
    await a.waitFor((e) => e.type === 'message_error' && e.id === s2.id);
    await b.call({ cmd: 'unblock', jid: 'alice@localhost' });
    assert.deepEqual((await b.call({ cmd: 'blocklist' })).jids, []);
  });
} catch (e) {
  failed = true;
  console.error(`not ok: ${e.stack ?? e}`);
} finally {
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
