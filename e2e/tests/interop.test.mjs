// Issue 7's interop bar: every modern-messaging XEP checked against a client that shares no code
// with Natter. Alice signs in in the browser; Bob is slixbot (slixmpp 1.8.3, e2e/interop/
// slixbot.py), which sends and reads the same XEPs through slixmpp's own plugins. Each test
// goes both ways where the XEP has two sides: what Natter sends must be understood by slixmpp,
// and what slixmpp sends must show in Natter.
//
// WebSocket combinations only (stanzas, not the transport, are under test); both servers.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, launch, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { TRANSPORT, eventually, sleep } from '../lib/env.mjs';
import { makePng } from '../lib/png.mjs';
import { serveDist } from '../lib/serve.mjs';
import { startServer } from '../lib/server.mjs';
import { slixmppMissing, startSlixbot } from '../lib/slixbot.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const BOB = { jid: 'bob@localhost', password: 'builder' };
const CAROL = { jid: 'carol@localhost', password: 'singing' };

const SKIP = TRANSPORT !== 'websocket'
  ? 'interop is about the stanzas, not the transport; runs in the WebSocket combinations'
  : slixmppMissing();

let server, site, browser, page, bob, files;

before(async () => {
  if (SKIP) return;
  files = mkdtempSync(join(tmpdir(), 'natter-interop-'));
  [server, site, browser] = await Promise.all([
    startServer({ users: [['alice', ALICE.password], ['bob', BOB.password], ['carol', CAROL.password]] }),
    serveDist(),
    launch(),
  ]);
  page = await newPage(browser);
  await open(page, site.url);
  [bob] = await Promise.all([
    startSlixbot({ server, ...BOB }),
    signIn(page, { ...ALICE, service: server.url }),
  ]);
  await ui(page).contact(BOB.jid).waitFor({ timeout: 15_000 });
});

after(async () => {
  // What slixmpp saw, for a failure that a Playwright wait (not a slixbot wait) reports.
  if (process.env.NATTER_SLIXBOT_EVENTS) console.log(`slixbot events:\n${bob?.events.map((e) => JSON.stringify(e)).join('\n')}`);
  await Promise.allSettled([bob?.stop(), page?.context().close()]);
  await Promise.allSettled([browser?.close(), site?.close(), server?.stop()]);
  if (files) rmSync(files, { recursive: true, force: true });
});

const T = { timeout: 60_000, skip: SKIP };
const u = () => ui(page);

async function openChat(jid) {
  await u().contact(jid).click();
  await u().composer.waitFor({ timeout: 10_000 });
}

async function say(text) {
  await u().composer.fill(text);
  await u().composer.press('Enter');
}

/** The one message article in the open chat from `jid` whose text contains `text`. */
const article = (jid, text) => u().messagesFrom(jid).filter({ hasText: text });

/** Alice sends `text` to Bob; returns slixmpp's `message` event for it (`from`: her full JID). */
async function aliceSays(text) {
  const from = bob.mark();
  await say(text);
  return bob.waitFor((e) => e.type === 'message' && e.body === text, { from, message: `slixmpp to receive "${text}"` });
}

/** Bob (slixmpp) sends `text`; waits until Alice's open chat shows it; returns the `sent` event. */
async function bobSays(text) {
  const s = await bob.sent({ cmd: 'send', to: ALICE.jid, body: text });
  await article(BOB.jid, text).waitFor({ timeout: 10_000 });
  return s;
}

/** Opens `art`'s `Message actions` menu and picks `item`. */
async function act(art, item) {
  await art.hover();
  await art.getByRole('button', { name: 'Message actions' }).click();
  await page.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem', { name: item, exact: true }).click();
}

async function until(probe, message, timeout = 10_000) {
  return eventually(probe, { timeout, message });
}

const noVs16 = (s) => s.replace(/\uFE0F/g, '');
/** `text` without its first `n` code points (XEP-0428 offsets count code points). */
const afterCodePoints = (text, n) => [...text].slice(n).join('');

test('receipts and read markers: Alice → slixmpp shows Delivered, then Read', T, async () => {
  await openChat(BOB.jid);
  const m = await aliceSays('interop: receipt please');
  assert.equal(m.receipt_requested, true, 'Natter asks for a XEP-0184 receipt');
  assert.equal(m.markable, true, 'Natter marks the message markable (XEP-0333)');
  const art = article(ALICE.jid, 'interop: receipt please');
  // slixmpp's xep_0184 acknowledges by itself (auto_ack).
  await art.getByRole('img', { name: 'Delivered', exact: true }).waitFor({ timeout: 10_000 });
  assert.equal(await art.getAttribute('data-state'), 'delivered');
  // Type-less, as slixmpp's own send_marker() sends it (as its receipts are).
  await bob.sent({ cmd: 'marker', to: m.from, id: m.id, marker: 'displayed', mtype: 'normal' });
  await art.getByRole('img', { name: 'Read', exact: true }).waitFor({ timeout: 10_000 });
  assert.equal(await art.getAttribute('data-state'), 'read');
  assertNoPageErrors(page, assert);
});

test('receipts and read markers: slixmpp → Alice gets a receipt, and displayed once she opens the chat', T, async () => {
  await openChat(CAROL.jid);
  const s = await bob.sent({ cmd: 'send', to: ALICE.jid, body: 'interop: did you read this?' });
  await bob.waitFor((e) => e.type === 'receipt' && e.id === s.id, { message: 'a XEP-0184 receipt from Natter' });
  // Not displayed while another chat is open.
  await sleep(1500);
  assert.equal(bob.events.some((e) => e.type === 'marker' && e.id === s.id && e.marker === 'displayed'), false,
    'no displayed marker before Alice opens the chat');
  await openChat(BOB.jid);
  await article(BOB.jid, 'interop: did you read this?').waitFor({ timeout: 10_000 });
  const d = await bob.waitFor((e) => e.type === 'marker' && e.marker === 'displayed' && e.id === s.id,
    { message: 'a XEP-0333 displayed marker from Natter' });
  assert.equal(d.peer, ALICE.jid);
  assertNoPageErrors(page, assert);
});

test('chat states both ways: Bob is typing…, and Alice’s composing reaches slixmpp', T, async () => {
  await openChat(BOB.jid);
  const status = page.getByRole('status', { name: 'Chat state' });
  // An empty state may also be no element at all.
  const now = async () => ((await status.count()) ? ((await status.textContent({ timeout: 1000 })) ?? '') : '').trim();
  let seen;
  const shows = (text) => until(async () => (seen = await now()) === text, `Chat state "${text}"`)
    .catch((e) => { e.message += ` (it says ${JSON.stringify(seen)})`; throw e; });
  await bob.sent({ cmd: 'chat_state', to: ALICE.jid, state: 'composing' });
  await shows('Bob is typing…');
  await bob.sent({ cmd: 'chat_state', to: ALICE.jid, state: 'paused' });
  await shows('Bob paused typing');
  await bob.sent({ cmd: 'chat_state', to: ALICE.jid, state: 'active' });
  await shows('');

  const from = bob.mark();
  await u().composer.fill('');
  await u().composer.pressSequentially('interop: typing', { delay: 40 });
  await bob.waitFor((e) => e.type === 'chat_state' && e.peer === ALICE.jid && e.state === 'composing',
    { from, message: 'Alice’s <composing/> at slixmpp' });
  await u().composer.fill('');
  assertNoPageErrors(page, assert);
});

test('corrections both ways (XEP-0308)', T, async () => {
  await openChat(BOB.jid);
  const s = await bobSays('interop: colour');
  await bob.sent({ cmd: 'correct', to: ALICE.jid, id: s.id, body: 'interop: color' });
  const fixed = article(BOB.jid, 'interop: color');
  await fixed.getByText('edited', { exact: true }).waitFor({ timeout: 10_000 });
  assert.equal(await article(BOB.jid, 'interop: colour').count(), 0, 'the corrected text replaces the original');
  assert.equal(await fixed.count(), 1, 'a correction is not a second message');

  const m = await aliceSays('interop: teh end');
  await act(article(ALICE.jid, 'interop: teh end'), 'Edit');
  await page.getByRole('status').filter({ hasText: 'Editing message' }).waitFor({ timeout: 5000 });
  const from = bob.mark();
  await say('interop: the end');
  const c = await bob.waitFor((e) => e.type === 'correction' && e.replace === m.id, { from, message: 'the correction at slixmpp' });
  assert.equal(c.body, 'interop: the end');
  await article(ALICE.jid, 'interop: the end').getByText('edited', { exact: true }).waitFor({ timeout: 10_000 });
  assertNoPageErrors(page, assert);
});

test('retractions both ways (XEP-0424; slixmpp 1.8.3 sends version 0)', T, async () => {
  await openChat(BOB.jid);
  const s = await bobSays('interop: oops, wrong chat');
  await bob.sent({ cmd: 'retract', to: ALICE.jid, id: s.id });
  await until(async () => (await article(BOB.jid, 'interop: oops, wrong chat').count()) === 0, 'the retracted text to go');
  const gone = u().messagesFrom(BOB.jid).filter({ hasText: 'This message was retracted' });
  await gone.first().waitFor({ timeout: 10_000 });
  assert.equal(await u().messagesFrom(BOB.jid).filter({ hasText: 'This person attempted to retract' }).count(), 0,
    'the fallback body of the retraction is not shown as a message');

  const m = await aliceSays('interop: take this back');
  const from = bob.mark();
  await act(article(ALICE.jid, 'interop: take this back'), 'Retract');
  const confirm = page.getByRole('dialog').getByRole('button', { name: 'Retract', exact: true });
  if (await confirm.isVisible().catch(() => false)) await confirm.click();
  const r = await bob.waitFor((e) => e.type === 'retraction' && e.id === m.id, { from, message: 'the retraction at slixmpp' });
  assert.ok(r.body, 'a fallback body for clients without XEP-0424');
  await until(async () => (await article(ALICE.jid, 'interop: take this back').count()) === 0, 'Alice’s retracted text to go');
  assertNoPageErrors(page, assert);
});

test('reactions both ways (XEP-0444)', T, async () => {
  await openChat(BOB.jid);
  const m = await aliceSays('interop: react to me');
  await bob.sent({ cmd: 'react', to: ALICE.jid, id: m.id, reactions: ['👍'] });
  const mine = article(ALICE.jid, 'interop: react to me').getByRole('group', { name: 'Reactions' });
  const thumbs = mine.getByRole('button', { name: '👍 1' });
  await thumbs.waitFor({ timeout: 10_000 });
  assert.equal(await thumbs.getAttribute('aria-pressed'), 'false', 'Bob’s reaction is not ours');
  // The full set again, type-less as slixmpp's own send_reactions() sends it.
  await bob.sent({ cmd: 'react', to: ALICE.jid, id: m.id, reactions: ['👍', '🎉'], mtype: 'normal' });
  await mine.getByRole('button', { name: '🎉 1' }).waitFor({ timeout: 10_000 });
  assert.equal(await thumbs.count(), 1, 'the earlier reaction stays in the new set');

  const s = await bobSays('interop: react here');
  let from = bob.mark();
  await act(article(BOB.jid, 'interop: react here'), 'React');
  await page.getByRole('button', { name: 'React with ❤️' }).click();
  const r = await bob.waitFor((e) => e.type === 'reactions' && e.id === s.id, { from, message: 'Alice’s reaction at slixmpp' });
  assert.deepEqual(r.reactions.map(noVs16), ['❤'], 'the full set: one heart');
  const heart = article(BOB.jid, 'interop: react here').getByRole('group', { name: 'Reactions' })
    .getByRole('button', { name: /^❤️? 1$/ });
  await heart.waitFor({ timeout: 10_000 });
  assert.equal(await heart.getAttribute('aria-pressed'), 'true');
  from = bob.mark();
  await heart.click();
  const removed = await bob.waitFor((e) => e.type === 'reactions' && e.id === s.id, { from, message: 'the removal at slixmpp' });
  assert.deepEqual(removed.reactions, [], 'toggling off sends the empty set');
  assertNoPageErrors(page, assert);
});

test('replies both ways (XEP-0461 with the XEP-0428 fallback)', T, async () => {
  await openChat(BOB.jid);
  // Alice answers Bob: slixmpp sees the reference and a fallback body for old clients.
  const s = await bobSays('interop: which port?');
  await act(article(BOB.jid, 'interop: which port?'), 'Reply');
  await page.getByRole('status').filter({ hasText: 'Replying to Bob' }).waitFor({ timeout: 5000 });
  const from = bob.mark();
  await say('interop: 5222');
  const m = await bob.waitFor((e) => e.type === 'message' && e.reply && e.body.endsWith('interop: 5222'),
    { from, message: 'the reply at slixmpp' });
  assert.equal(m.reply.id, s.id, 'the reply names Bob’s message');
  assert.equal(m.reply.to?.split('/')[0], BOB.jid, 'the reply names Bob as the author');
  const fb = m.fallbacks.find((f) => f.for === 'urn:xmpp:reply:0');
  assert.ok(fb && fb.bodies.length === 1, `a XEP-0428 fallback for the reply: ${JSON.stringify(m.fallbacks)}`);
  const { start, end } = fb.bodies[0];
  const quoted = [...m.body].slice(Number(start), Number(end)).join('');
  assert.match(quoted, /^> .*interop: which port\?/s, 'the fallback range is the quote');
  assert.equal(afterCodePoints(m.body, Number(end)).trim(), 'interop: 5222', 'the rest is the answer');
  const own = article(ALICE.jid, 'interop: 5222');
  await own.getByRole('blockquote', { name: 'In reply to Bob' }).filter({ hasText: 'interop: which port?' })
    .waitFor({ timeout: 10_000 });

  // Bob answers Alice with a quote: Natter shows the quote once, from the reference, and the
  // fallback lines ("> …") are stripped from the body.
  const q = await aliceSays('interop: lunch at noon?');
  await bob.sent({ cmd: 'reply', to: ALICE.jid, reply_to: q.from, id: q.id, body: 'interop: yes, noon', quote: 'interop: lunch at noon?' });
  const theirs = article(BOB.jid, 'interop: yes, noon');
  await theirs.getByRole('blockquote', { name: /^In reply to / }).filter({ hasText: 'interop: lunch at noon?' })
    .waitFor({ timeout: 10_000 });
  const outside = await theirs.evaluate((el) => {
    const copy = el.cloneNode(true);
    for (const b of copy.querySelectorAll('blockquote')) b.remove();
    return copy.textContent;
  });
  assert.doesNotMatch(outside, /> interop: lunch/, 'the fallback quote is stripped from the body');
  assertNoPageErrors(page, assert);
});

test('files both ways (XEP-0363 upload, XEP-0066 OOB): inline image, download link, SHA-256 intact', T, async () => {
  await openChat(BOB.jid);
  const png = join(files, 'interop-pixel.png');
  writeFileSync(png, makePng(32, 24));
  await bob.call({ cmd: 'upload', to: ALICE.jid, path: png, content_type: 'image/png' });
  const pixel = u().messagesFrom(BOB.jid).getByRole('img', { name: 'interop-pixel.png' });
  await pixel.waitFor({ timeout: 15_000 });
  // Loaded from the upload service's URL (not just an element): the page may show it.
  await until(async () => (await pixel.evaluate((i) => i.complete && i.naturalWidth)) === 32, 'the inline image loaded');

  const txt = join(files, 'interop-notes.txt');
  writeFileSync(txt, 'plain notes\n');
  const up = await bob.call({ cmd: 'upload', to: ALICE.jid, path: txt, content_type: 'text/plain' });
  const link = u().messagesFrom(BOB.jid).getByRole('link', { name: 'Download interop-notes.txt' });
  await link.waitFor({ timeout: 15_000 });
  assert.equal(await link.getAttribute('href'), up.url);

  const data = randomBytes(300 * 1024);
  const from = bob.mark();
  await page.getByLabel('File to send').setInputFiles({ name: 'interop-data.bin', mimeType: 'application/octet-stream', buffer: data });
  const m = await bob.waitFor((e) => e.type === 'message' && e.oob, { from, timeout: 30_000, message: 'the OOB message at slixmpp' });
  assert.equal(m.body, m.oob, 'the body is the URL, for clients without OOB');
  assert.match(decodeURIComponent(new URL(m.oob).pathname), /interop-data\.bin$/);
  const res = await fetch(m.oob);
  assert.equal(res.status, 200);
  const got = Buffer.from(await res.arrayBuffer());
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  assert.equal(sha(got), sha(data), 'the file arrives intact');
  assertNoPageErrors(page, assert);
});

test('blocking (XEP-0191): Alice blocks slixmpp, its messages stop; unblocked, they arrive again', T, async () => {
  await openChat(BOB.jid);
  await page.getByRole('button', { name: 'Block contact' }).click();
  await page.getByRole('dialog', { name: 'Block contact?' }).getByRole('button', { name: 'Block', exact: true }).click();
  await page.getByRole('button', { name: 'Unblock contact' }).waitFor({ timeout: 10_000 });

  const s = await bob.sent({ cmd: 'send', to: ALICE.jid, body: 'interop: while blocked' });
  // Both servers bounce a message to a user who blocked the sender; after the bounce the
  // server has decided, so its absence in the log is an answer, not a race.
  const bounce = await bob.waitFor((e) => e.type === 'message_error' && e.id === s.id, { message: 'the server’s bounce' });
  assert.equal(bounce.condition, 'service-unavailable');
  await sleep(500);
  assert.equal(await article(BOB.jid, 'interop: while blocked').count(), 0, 'a blocked contact’s message never shows');

  await page.getByRole('button', { name: 'Unblock contact' }).click();
  await page.getByRole('button', { name: 'Block contact' }).waitFor({ timeout: 10_000 });
  await bobSays('interop: after unblock');
  assert.equal(await article(BOB.jid, 'interop: while blocked').count(), 0);
  assertNoPageErrors(page, assert);
});

/** The width of the image (decorative, alt="") in `jid`'s roster row once loaded, else 0. */
async function rosterFaceWidth(jid) {
  const img = u().contact(jid).locator('img');
  return (await img.count()) ? img.first().evaluate((i) => (i.complete ? i.naturalWidth : 0)) : 0;
}

test('avatars both ways (XEP-0084) and nicknames (XEP-0172)', T, async () => {
  // slixmpp's avatar in Alice's roster, its nickname in Contact details.
  const face = join(files, 'bob-face.png');
  writeFileSync(face, makePng(96, 96, [30, 120, 200]));
  await bob.call({ cmd: 'publish_avatar', path: face, content_type: 'image/png', width: 96, height: 96 });
  await until(async () => (await rosterFaceWidth(BOB.jid)) === 96, 'Bob’s 96×96 avatar in Alice’s roster', 15_000);
  await bob.call({ cmd: 'nick', nick: 'Bobby Slix' });
  await openChat(BOB.jid);
  await page.getByRole('button', { name: 'Contact details' }).click();
  const details = page.getByRole('dialog', { name: 'Contact details' });
  await details.getByText('Bobby Slix', { exact: true }).waitFor({ timeout: 10_000 });
  await details.getByRole('button', { name: 'Close' }).click();

  // Alice's avatar and nickname at slixmpp.
  const from = bob.mark();
  await page.getByRole('button', { name: 'Profile', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Profile' });
  await dialog.getByLabel('Avatar image').setInputFiles({ name: 'alice.png', mimeType: 'image/png', buffer: makePng(200, 150, [220, 180, 20]) });
  await dialog.getByRole('textbox', { name: 'Nickname' }).fill('Alice Interop');
  await dialog.getByRole('button', { name: 'Save profile' }).click();
  const a = await bob.waitFor((e) => e.type === 'avatar' && e.peer === ALICE.jid && e.source === 'pep' && e.hash,
    { from, timeout: 15_000, message: 'Alice’s avatar metadata at slixmpp' });
  const data = await bob.call({ cmd: 'fetch_avatar', jid: ALICE.jid, id: a.hash });
  assert.equal(data.sha1, a.hash, 'the data item hashes to the id the metadata announced');
  assert.equal(data.size, a.bytes, 'the metadata gives the real size');
  assert.ok(a.width <= 96 && a.height <= 96, `resized in the browser: ${a.width}×${a.height}`);
  const n = await bob.waitFor((e) => e.type === 'nick' && e.peer === ALICE.jid, { from, message: 'Alice’s nick at slixmpp' });
  assert.equal(n.nick, 'Alice Interop');
  assertNoPageErrors(page, assert);
});

test('a vCard-only avatar (XEP-0153, no PEP) shows in Alice’s roster', T, async () => {
  // Carol's client knows only vCard-temp avatars: the photo's hash in her presence, the image
  // in her vCard.
  const carol = await startSlixbot({ server, ...CAROL, resource: 'vcard-only' });
  try {
    const face = join(files, 'carol-face.png');
    writeFileSync(face, makePng(64, 64, [40, 160, 90]));
    const v = await carol.call({ cmd: 'vcard_avatar', path: face, content_type: 'image/png' });
    assert.match(v.hash, /^[0-9a-f]{40}$/);
    await until(async () => (await rosterFaceWidth(CAROL.jid)) === 64, 'Carol’s vCard avatar in Alice’s roster', 15_000);
    assertNoPageErrors(page, assert);
  } finally {
    await carol.stop();
  }
});

test('what slixmpp sends while Alice is away (offline storage, archive) applies when she is back', T, async () => {
  await openChat(BOB.jid);
  const m = await aliceSays('interop: before I go');
  await page.context().close();
  // Bob writes, corrects, retracts and reacts while no resource of Alice is online.
  const first = await bob.sent({ cmd: 'send', to: ALICE.jid, body: 'interop: away original' });
  await bob.sent({ cmd: 'correct', to: ALICE.jid, id: first.id, body: 'interop: away fixed' });
  const oops = await bob.sent({ cmd: 'send', to: ALICE.jid, body: 'interop: away oops' });
  await bob.sent({ cmd: 'retract', to: ALICE.jid, id: oops.id });
  await bob.sent({ cmd: 'react', to: ALICE.jid, id: m.id, reactions: ['🎉'] });

  page = await newPage(browser);
  await open(page, site.url);
  await signIn(page, { ...ALICE, service: server.url });
  await openChat(BOB.jid);
  const fixed = article(BOB.jid, 'interop: away fixed');
  await fixed.getByText('edited', { exact: true }).waitFor({ timeout: 15_000 });
  await u().messagesFrom(BOB.jid).filter({ hasText: 'This message was retracted' }).first().waitFor({ timeout: 10_000 });
  await article(ALICE.jid, 'interop: before I go').getByRole('group', { name: 'Reactions' })
    .getByRole('button', { name: '🎉 1' }).waitFor({ timeout: 10_000 });
  for (const text of ['interop: away original', 'interop: away oops', 'This person attempted to retract']) {
    assert.equal(await u().messagesFrom(BOB.jid).filter({ hasText: text }).count(), 0, `"${text}" is not shown`);
  }
  assertNoPageErrors(page, assert);
});
