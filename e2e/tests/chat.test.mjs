// Two browser users chat; a bot (natter-bot) changes presence and chats with a browser user.
// The browser uses the transport under test (NATTER_E2E_TRANSPORT); the bot always WebSocket.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBot } from '../lib/bot.mjs';
import { assertNoPageErrors, connected, launch, newPage, open, signIn, submitSignIn, ui } from '../lib/browser.mjs';
import { TRANSPORT_NAME, eventually } from '../lib/env.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const BOB = { jid: 'bob@localhost', password: 'builder' };
const CAROL = { jid: 'carol@localhost', password: 'singing' };

let server, site, browser;

before(async () => {
  [server, site, browser] = await Promise.all([
    startServer({ users: [['alice', 'wonderland'], ['bob', 'builder'], ['carol', 'singing']] }),
    serveDist(),
    launch(),
  ]);
});

after(async () => {
  await Promise.allSettled([browser?.close(), site?.close(), server?.stop()]);
});

/** Sends `text` from the open conversation's composer with Enter. */
async function say(page, text) {
  const u = ui(page);
  await u.composer.fill(text);
  await u.composer.press('Enter');
}

test('two users sign in, see each other and chat both ways', { timeout: 90_000 }, async () => {
  const alice = await newPage(browser);
  const bob = await newPage(browser);
  try {
    // Alice uses the demo's prefilled link (?service=…&jid=…); Bob fills in everything.
    const q = `?service=${encodeURIComponent(server.url)}&jid=${encodeURIComponent(ALICE.jid)}`;
    await open(alice, site.url + q);
    assert.equal(await ui(alice).service.inputValue(), server.url, 'service query parameter prefills Connection URL');
    assert.equal(await ui(alice).address.inputValue(), ALICE.jid, 'jid query parameter prefills Address');
    await open(bob, site.url);
    await Promise.all([
      signIn(alice, { password: ALICE.password, jid: ALICE.jid }),
      signIn(bob, { ...BOB, service: server.url }),
    ]);
    const a = ui(alice);
    const b = ui(bob);
    assert.match(await a.status.textContent(), new RegExp(`\\b${TRANSPORT_NAME}\\b`), 'status names the transport');
    assert.match(await b.status.textContent(), new RegExp(`\\b${TRANSPORT_NAME}\\b`), 'status names the transport');

    await a.contact(BOB.jid).waitFor({ timeout: 15_000 });
    await b.contact(ALICE.jid).waitFor({ timeout: 15_000 });
    assert.equal(await a.contact(CAROL.jid).count(), 1, 'carol is in alice’s roster too');

    // Alice → Bob
    await a.contact(BOB.jid).click();
    await say(alice, 'Hello Bob, it is Alice');
    await a.messagesFrom(ALICE.jid).filter({ hasText: 'Hello Bob, it is Alice' }).waitFor({ timeout: 10_000 });
    assert.equal(await a.composer.inputValue(), '', 'Enter sends and clears the composer');

    // Bob sees an unread count, opens the conversation, reads it and answers.
    await eventually(async () => /1 unread/.test(await b.contact(ALICE.jid).textContent()), {
      timeout: 10_000,
      message: 'Bob’s roster item for Alice to show "1 unread"',
    });
    await b.contact(ALICE.jid).click();
    await b.messagesFrom(ALICE.jid).filter({ hasText: 'Hello Bob, it is Alice' }).waitFor({ timeout: 10_000 });
    await say(bob, 'Hi Alice! <b>not bold</b>');
    await b.messagesFrom(BOB.jid).filter({ hasText: 'Hi Alice!' }).waitFor({ timeout: 10_000 });

    // Bob → Alice, rendered as text, never as HTML.
    const reply = a.messagesFrom(BOB.jid).filter({ hasText: 'Hi Alice! <b>not bold</b>' });
    await reply.waitFor({ timeout: 10_000 });
    assert.equal(await reply.locator('b').count(), 0, 'message bodies are text, not markup');
    assert.equal(await a.messages.getByRole('article').count(), 2, 'exactly the two messages in Alice’s log');

    assertNoPageErrors(alice, assert);
    assertNoPageErrors(bob, assert);
  } finally {
    await Promise.allSettled([alice.context().close(), bob.context().close()]);
  }
});

test('a contact’s presence change shows within a second', { timeout: 90_000 }, async () => {
  const page = await newPage(browser);
  let bot;
  try {
    await open(page, site.url);
    await signIn(page, { ...ALICE, service: server.url });
    const u = ui(page);
    bot = await startBot({ url: server.ws, ...CAROL });
    const item = u.contact(CAROL.jid);
    await item.waitFor({ timeout: 10_000 });
    // The roster item shows Carol available (not away) first …
    await eventually(async () => /\bonline|available\b/i.test(await presenceText(item)), {
      timeout: 10_000,
      message: 'Carol’s roster item to show her online',
    });
    assert.doesNotMatch(await presenceText(item), /\baway\b/i);
    // … then away, within 1 s of the bot's change reaching the server.
    const t0 = Date.now();
    bot.send('presence away back soon');
    await eventually(async () => /\baway\b/i.test(await presenceText(item)), {
      timeout: 1000,
      interval: 20,
      message: 'Carol’s roster item to show "away" within 1 s',
    });
    const took = Date.now() - t0;
    assert.ok(took <= 1000, `presence shown after ${took} ms`);
    assertNoPageErrors(page, assert);
  } finally {
    await bot?.stop();
    await page.context().close();
  }
});

/** Everything a user (or screen reader) gets from a roster item: its text, labels and titles. */
async function presenceText(item) {
  return item.evaluate((el) => {
    const parts = [el.innerText, el.getAttribute('aria-label') ?? '', el.getAttribute('aria-description') ?? '', el.title];
    for (const d of el.querySelectorAll('[aria-label],[title]')) parts.push(d.getAttribute('aria-label') ?? '', d.title);
    return parts.join(' ');
  });
}

test('the bot writes to a browser user, who answers', { timeout: 90_000 }, async () => {
  const page = await newPage(browser);
  let bot;
  try {
    await open(page, site.url);
    await signIn(page, { ...ALICE, service: server.url });
    const u = ui(page);
    bot = await startBot({ url: server.ws, ...CAROL, resource: 'bot2' });
    bot.send(`send ${ALICE.jid} Ping from the bot`);
    await eventually(async () => /1 unread/.test(await u.contact(CAROL.jid).textContent()), {
      timeout: 10_000,
      message: 'Carol’s roster item to show "1 unread"',
    });
    await u.contact(CAROL.jid).click();
    await u.messagesFrom(CAROL.jid).filter({ hasText: 'Ping from the bot' }).waitFor({ timeout: 10_000 });
    const mark = bot.events.length;
    await say(page, 'Pong from the browser');
    const got = await bot.waitFor((e) => e.type === 'message' && e.body === 'Pong from the browser', {
      from: mark,
      message: 'the bot to receive the answer',
    });
    assert.equal(got.peer, ALICE.jid);
    assert.ok(got.from.startsWith(`${ALICE.jid}/`), `sent from a full JID: ${got.from}`);
    assertNoPageErrors(page, assert);
  } finally {
    await bot?.stop();
    await page.context().close();
  }
});
