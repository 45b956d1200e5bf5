// XEP-0308 corrections, XEP-0424 retractions, XEP-0444 reactions and XEP-0461 replies between
// two browser users, each change seen on the other side, and kept across a reload.
// Rendering and the stanzas do not depend on the transport: runs in the WebSocket combinations.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, connected, launch, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { SERVER_NAME, TRANSPORT, eventually } from '../lib/env.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const BOB = { jid: 'bob@localhost', password: 'builder' };
const SKIP = TRANSPORT !== 'websocket' ? 'edits do not depend on the transport; run in the WebSocket combinations' : false;

let server, site, browser;

before(async () => {
  if (SKIP) return;
  [server, site, browser] = await Promise.all([
    startServer({ users: [['alice', 'wonderland'], ['bob', 'builder']] }),
    serveDist(),
    launch(),
  ]);
});

after(async () => {
  await Promise.allSettled([browser?.close(), site?.close(), server?.stop()]);
});

async function say(page, text) {
  const u = ui(page);
  await u.composer.fill(text);
  await u.composer.press('Enter');
}

/** Opens the `Message actions` menu of `article` and picks `item`. */
async function act(article, item) {
  await article.hover();
  await article.getByRole('button', { name: 'Message actions' }).click();
  const menu = article.page().getByRole('menu', { name: 'Message actions' });
  await menu.getByRole('menuitem', { name: item, exact: true }).click();
}

/** The reaction buttons under `article`, as "EMOJI COUNT" → pressed. */
async function reactions(article) {
  const group = article.getByRole('group', { name: 'Reactions' });
  if (!(await group.count())) return {};
  const out = {};
  for (const b of await group.getByRole('button').all()) {
    out[(await b.textContent()).trim()] = (await b.getAttribute('aria-pressed')) === 'true';
  }
  return out;
}

async function seesReactions(article, want, who) {
  let last;
  await eventually(async () => {
    last = await reactions(article);
    // Order aside: each button and whether it is pressed.
    const sorted = (o) => JSON.stringify(Object.entries(o).sort());
    return sorted(last) === sorted(want);
  }, { timeout: 10_000, message: `${who} to see reactions ${JSON.stringify(want)}` }).catch((e) => {
    e.message += `\n  shown: ${JSON.stringify(last)}`;
    throw e;
  });
}

test(`${SERVER_NAME}: edit, react, reply and retract, each seen on the other side`, { timeout: 120_000, skip: SKIP }, async () => {
  const alice = await newPage(browser);
  const bob = await newPage(browser);
  try {
    await Promise.all([open(alice, site.url), open(bob, site.url)]);
    await Promise.all([
      signIn(alice, { ...ALICE, service: server.url }),
      signIn(bob, { ...BOB, service: server.url }),
    ]);
    const a = ui(alice);
    const b = ui(bob);
    await a.contact(BOB.jid).click();
    await b.contact(ALICE.jid).click();

    // ---- XEP-0308: Up arrow in the empty composer edits the last message ----
    await say(alice, 'Helo Bob');
    await a.messagesFrom(ALICE.jid).filter({ hasText: 'Helo Bob' }).waitFor({ timeout: 10_000 });
    await b.messagesFrom(ALICE.jid).filter({ hasText: 'Helo Bob' }).waitFor({ timeout: 10_000 });
    await a.composer.press('ArrowUp');
    await alice.getByRole('status').filter({ hasText: 'Editing message' }).waitFor({ timeout: 5_000 });
    assert.equal(await a.composer.inputValue(), 'Helo Bob', 'the message to edit fills the composer');
    await a.composer.fill('Hello Bob');
    await a.composer.press('Enter');
    for (const [who, u] of [['Alice', a], ['Bob', b]]) {
      const edited = u.messagesFrom(ALICE.jid).filter({ hasText: 'Hello Bob' });
      await edited.waitFor({ timeout: 10_000 });
      await edited.getByText('edited', { exact: true }).waitFor({ timeout: 5_000 });
      assert.equal(await u.messagesFrom(ALICE.jid).count(), 1, `${who}: the correction replaced the message, no second one`);
      assert.equal(await u.messages.getByText('Helo Bob').count(), 0, `${who}: the old text is gone`);
    }
    assert.equal(await alice.getByRole('status').filter({ hasText: 'Editing message' }).count(), 0, 'editing ends with Send');

    // The menu offers Edit on our last message; Cancel edit leaves it as it was.
    const aliceMsg = a.messagesFrom(ALICE.jid).first();
    await act(aliceMsg, 'Edit');
    await alice.getByRole('status').filter({ hasText: 'Editing message' }).waitFor({ timeout: 5_000 });
    await alice.getByRole('button', { name: 'Cancel edit' }).click();
    assert.equal(await alice.getByRole('status').filter({ hasText: 'Editing message' }).count(), 0);
    assert.equal(await a.composer.inputValue(), '', 'cancelling empties the composer');

    // Bob's menu on Alice's message: no Edit, no Retract.
    const bobSeesAlice = b.messagesFrom(ALICE.jid).first();
    await bobSeesAlice.hover();
    await bobSeesAlice.getByRole('button', { name: 'Message actions' }).click();
    const items = await bob.getByRole('menu', { name: 'Message actions' }).getByRole('menuitem').allTextContents();
    assert.deepEqual(items.map((t) => t.trim()), ['Reply', 'React'], 'only the sender may edit or retract');
    await bob.keyboard.press('Escape');
    assert.equal(await bob.getByRole('menu', { name: 'Message actions' }).count(), 0, 'Escape closes the menu');

    // ---- XEP-0444: react, count, toggle ----
    await act(bobSeesAlice, 'React');
    await bob.getByRole('button', { name: 'React with 👍' }).click();
    await seesReactions(bobSeesAlice, { '👍 1': true }, 'Bob');
    await seesReactions(aliceMsg, { '👍 1': false }, 'Alice');
    await aliceMsg.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: '👍 1' }).click();
    await seesReactions(aliceMsg, { '👍 2': true }, 'Alice');
    await seesReactions(bobSeesAlice, { '👍 2': true }, 'Bob');
    await act(bobSeesAlice, 'React');
    await bob.getByRole('button', { name: 'React with ❤️' }).click();
    await seesReactions(aliceMsg, { '👍 2': true, '❤️ 1': false }, 'Alice');
    // Bob takes his 👍 back: the full set he sends now is ❤️ alone.
    await bobSeesAlice.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: '👍 2' }).click();
    await seesReactions(bobSeesAlice, { '👍 1': false, '❤️ 1': true }, 'Bob');
    await seesReactions(aliceMsg, { '👍 1': true, '❤️ 1': false }, 'Alice');

    // ---- XEP-0461: a reply quotes the message; the fallback is not shown ----
    await act(bobSeesAlice, 'Reply');
    await bob.getByRole('status').filter({ hasText: /^Replying to / }).waitFor({ timeout: 5_000 });
    await say(bob, 'Sure thing');
    assert.equal(await bob.getByRole('status').filter({ hasText: /^Replying to / }).count(), 0, 'replying ends with Send');
    for (const [who, u] of [['Bob', b], ['Alice', a]]) {
      const answer = u.messagesFrom(BOB.jid).filter({ hasText: 'Sure thing' });
      await answer.waitFor({ timeout: 10_000 });
      const quote = answer.getByRole('blockquote', { name: /^In reply to / });
      await eventually(async () => (await quote.count()) === 1 && /Hello Bob/.test(await quote.textContent()),
        { timeout: 10_000, message: `${who}: the reply to quote Alice's message` });
      assert.doesNotMatch(await answer.textContent(), />\s*Hello Bob/, `${who}: the "> " fallback is not shown`);
    }

    // ---- XEP-0424: Alice takes a message back ----
    await say(alice, 'oops, secret');
    const secret = b.messagesFrom(ALICE.jid).filter({ hasText: 'oops, secret' });
    await secret.waitFor({ timeout: 10_000 });
    await act(a.messagesFrom(ALICE.jid).filter({ hasText: 'oops, secret' }), 'Retract');
    for (const [who, u] of [['Alice', a], ['Bob', b]]) {
      await eventually(async () => (await u.messages.getByText('oops, secret').count()) === 0,
        { timeout: 10_000, message: `${who}: the retracted text to go` });
      await u.messagesFrom(ALICE.jid).filter({ hasText: 'This message was retracted' }).waitFor({ timeout: 10_000 });
      assert.equal(await u.messagesFrom(ALICE.jid).count(), 2, `${who}: the retracted message keeps its place`);
    }

    // ---- after a reload, Bob's client still shows all of it ----
    // The tab signs in again by itself (its session keeps the credential); the form, if it
    // comes, is answered.
    await bob.reload();
    const after = await Promise.race([
      connected(bob, 30_000).then(() => 'connected'),
      b.form.waitFor({ timeout: 30_000 }).then(() => 'form', () => 'no form'),
    ]);
    if (after === 'form') await signIn(bob, { ...BOB, service: server.url });
    else await connected(bob, 30_000);
    await b.contact(ALICE.jid).click();
    const again = b.messagesFrom(ALICE.jid).filter({ hasText: 'Hello Bob' });
    await again.getByText('edited', { exact: true }).waitFor({ timeout: 10_000 });
    await seesReactions(again, { '👍 1': false, '❤️ 1': true }, 'Bob after a reload');
    await b.messagesFrom(ALICE.jid).filter({ hasText: 'This message was retracted' }).waitFor({ timeout: 10_000 });
    assert.equal(await b.messages.getByText('oops, secret').count(), 0, 'the retracted text stays gone');
    const quote = b.messagesFrom(BOB.jid).filter({ hasText: 'Sure thing' }).getByRole('blockquote', { name: /^In reply to / });
    await quote.waitFor({ timeout: 10_000 });
    assert.match(await quote.textContent(), /Hello Bob/);

    assertNoPageErrors(alice, assert);
    assertNoPageErrors(bob, assert);
  } finally {
    await Promise.allSettled([alice.context().close(), bob.context().close()]);
  }
});
