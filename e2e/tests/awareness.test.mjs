// Awareness between two browser users (issue 7 items 3, 4, 8): XEP-0184 receipts and XEP-0333
// markers shown as `Delivered` then `Read`, XEP-0085 typing under the chat header, the unread
// count in the page title, and desktop notifications through a stubbed `window.Notification`
// (headless Chromium shows none) while the tab is "hidden" (a stubbed `document.hidden`).
// None of it depends on the transport: WebSocket only, both servers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, launch, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { TRANSPORT, eventually } from '../lib/env.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const BOB = { jid: 'bob@localhost', password: 'builder' };
const SKIP = TRANSPORT !== 'websocket' ? 'awareness does not depend on the transport; runs in the WebSocket combinations' : false;

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

/**
 * Replaces the Notification API with a recorder (`window.__notes`) that answers permission
 * requests with `answer`, and makes `document.hidden` follow `window.__hidden`.
 */
async function stubBrowser(page, answer) {
  await page.addInitScript((answer) => {
    window.__notes = [];
    window.__shown = [];
    window.__hidden = false;
    class FakeNotification {
      constructor(title, options = {}) {
        window.__notes.push({ title, body: options.body, tag: options.tag });
        window.__shown.push(this);
        this.onclick = null;
      }
      close() {}
      static permission = 'default';
      static requestPermission() {
        FakeNotification.permission = answer;
        return Promise.resolve(answer);
      }
    }
    window.Notification = FakeNotification;
    Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => window.__hidden });
  }, answer);
}

async function setHidden(page, hidden) {
  await page.evaluate((h) => {
    window.__hidden = h;
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

const settingsDialog = (page) => page.getByRole('dialog', { name: 'Settings' });

test('delivered, read, typing, title and notifications between two users', { timeout: 90_000, skip: SKIP }, async () => {
  const alice = await newPage(browser);
  const bob = await newPage(browser);
  try {
    await stubBrowser(alice, 'denied');
    await stubBrowser(bob, 'granted');
    await Promise.all([open(alice, site.url), open(bob, site.url)]);
    await Promise.all([
      signIn(alice, { ...ALICE, service: server.url }),
      signIn(bob, { ...BOB, service: server.url }),
    ]);
    const a = ui(alice);
    const b = ui(bob);

    // Settings: typing and receipts on, notifications off by default.
    await bob.getByRole('button', { name: 'Settings' }).click();
    const dialog = settingsDialog(bob);
    await dialog.waitFor();
    const notifications = dialog.getByRole('checkbox', { name: 'Desktop notifications' });
    assert.equal(await notifications.isChecked(), false, 'notifications start off');
    assert.equal(await dialog.getByRole('checkbox', { name: 'Send typing notifications' }).isChecked(), true);
    assert.equal(await dialog.getByRole('checkbox', { name: 'Send read receipts' }).isChecked(), true);
    await notifications.click();
    await eventually(() => notifications.isChecked(), { message: 'notifications on once the browser allowed them' });
    await dialog.getByRole('button', { name: 'Close' }).click();

    // Alice's browser refuses: the box stays off and the dialog says why.
    await alice.getByRole('button', { name: 'Settings' }).click();
    const aliceDialog = settingsDialog(alice);
    await aliceDialog.getByRole('checkbox', { name: 'Desktop notifications' }).click();
    await aliceDialog.getByRole('alert').filter({ hasText: /blocked/ }).waitFor({ timeout: 5_000 });
    assert.equal(await aliceDialog.getByRole('checkbox', { name: 'Desktop notifications' }).isChecked(), false);
    await aliceDialog.getByRole('button', { name: 'Close' }).click();

    // Bob's tab goes to the background; Alice writes.
    await setHidden(bob, true);
    await a.contact(BOB.jid).click();
    await a.composer.fill('Hello Bob <b>x</b>');
    await a.composer.press('Enter');
    const mine = a.messagesFrom(ALICE.jid).filter({ hasText: 'Hello Bob' });
    await mine.waitFor({ timeout: 10_000 });
    // Bob's client received it: a receipt comes back.
    await mine.getByRole('img', { name: 'Delivered', exact: true }).waitFor({ timeout: 10_000 });
    assert.equal(await mine.getAttribute('data-state'), 'delivered');

    // Bob: unread in the title, and one notification with the body as plain text.
    await eventually(async () => (await bob.title()) === '(1) Natter', { message: 'Bob’s title to read "(1) Natter"' });
    await eventually(async () => (await bob.evaluate(() => window.__notes.length)) === 1, {
      message: 'one notification for Bob',
    });
    const [note] = await bob.evaluate(() => window.__notes);
    assert.match(note.title, /alice/i);
    assert.equal(note.body, 'Hello Bob <b>x</b>');
    assert.equal(note.tag, 'chat:alice@localhost');
    assert.equal(await alice.evaluate(() => window.__notes.length), 0, 'Alice, visible and notifications off: none');

    // Bob comes back through the notification, which opens the chat: Alice sees it read;
    // Bob's title is plain again.
    await setHidden(bob, false);
    assert.equal(await b.messages.count(), 0, 'no chat open before the click');
    await bob.evaluate(() => window.__shown[0].onclick());
    await b.messagesFrom(ALICE.jid).filter({ hasText: 'Hello Bob' }).waitFor({ timeout: 10_000 });
    await mine.getByRole('img', { name: 'Read', exact: true }).waitFor({ timeout: 10_000 });
    assert.equal(await mine.getAttribute('data-state'), 'read');
    await eventually(async () => (await bob.title()) === 'Natter', { message: 'Bob’s title back to "Natter"' });

    // Bob types: Alice sees it under the header, then the pause, then the message.
    const chatState = alice.getByRole('status', { name: 'Chat state' });
    assert.equal((await chatState.textContent()).trim(), '');
    await b.composer.fill('Hi Al');
    await eventually(async () => /is typing…$/.test((await chatState.textContent()).trim()), {
      message: 'Alice to see "… is typing…"',
    });
    assert.match(await chatState.textContent(), /bob/i, 'names Bob');
    await eventually(async () => /paused typing$/.test((await chatState.textContent()).trim()), {
      timeout: 12_000,
      message: 'Alice to see "… paused typing"',
    });
    await b.composer.fill('Hi Alice');
    await b.composer.press('Enter');
    await a.messagesFrom(BOB.jid).filter({ hasText: 'Hi Alice' }).waitFor({ timeout: 10_000 });
    await eventually(async () => (await chatState.textContent()).trim() === '', {
      message: 'the typing notice to go once the message came',
    });
    // Alice has the chat open and visible: Bob's message is read at once.
    const bobs = b.messagesFrom(BOB.jid).filter({ hasText: 'Hi Alice' });
    await bobs.getByRole('img', { name: 'Read', exact: true }).waitFor({ timeout: 10_000 });

    assertNoPageErrors(alice, assert);
    assertNoPageErrors(bob, assert);
  } finally {
    await Promise.allSettled([alice.context().close(), bob.context().close()]);
  }
});

test('with read receipts off, nothing tells the sender', { timeout: 60_000, skip: SKIP }, async () => {
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
    await bob.getByRole('button', { name: 'Settings' }).click();
    await settingsDialog(bob).getByRole('checkbox', { name: 'Send read receipts' }).click();
    await settingsDialog(bob).getByRole('button', { name: 'Close' }).click();
    await b.contact(ALICE.jid).click();
    await a.contact(BOB.jid).click();
    await a.composer.fill('Do not tell me');
    await a.composer.press('Enter');
    await b.messagesFrom(ALICE.jid).filter({ hasText: 'Do not tell me' }).waitFor({ timeout: 10_000 });
    // Bob saw it; a control message from Bob proves everything before it had time to arrive.
    await b.composer.fill('later');
    await b.composer.press('Enter');
    await a.messagesFrom(BOB.jid).filter({ hasText: 'later' }).waitFor({ timeout: 10_000 });
    const mine = a.messagesFrom(ALICE.jid).filter({ hasText: 'Do not tell me' });
    const state = await mine.getAttribute('data-state');
    assert.ok(!['delivered', 'read'].includes(state), `no receipt or marker from Bob (state ${state})`);
    assertNoPageErrors(alice, assert);
    assertNoPageErrors(bob, assert);
  } finally {
    await Promise.allSettled([alice.context().close(), bob.context().close()]);
  }
});
