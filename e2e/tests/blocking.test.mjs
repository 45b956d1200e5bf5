// XEP-0191 blocking: Alice blocks Bob (natter-bot) from the chat header; his messages no longer
// arrive and the composer is disabled; the `Blocked contacts` dialog lists him and blocks an
// address that is not a contact; unblocking from the list lets his messages through again.
// Blocking does not depend on the transport: WebSocket only, both servers.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBot } from '../lib/bot.mjs';
import { assertNoPageErrors, launch, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { TRANSPORT, eventually, sleep } from '../lib/env.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const BOB = { jid: 'bob@localhost', password: 'builder' };
const SPAMMER = 'spammer@localhost';
const SKIP = TRANSPORT !== 'websocket' ? 'blocking does not depend on the transport; runs in the WebSocket combinations' : false;

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

test('block a contact, his messages stop; unblock from the list, they arrive again', { timeout: 120_000, skip: SKIP }, async () => {
  const page = await newPage(browser);
  let bot, other;
  try {
    await open(page, site.url);
    await signIn(page, { ...ALICE, service: server.url });
    const u = ui(page);
    bot = await startBot({ url: server.ws, ...BOB, resource: 'blockee' });
    await u.contact(BOB.jid).click();
    const from = (text) => u.messagesFrom(BOB.jid).filter({ hasText: text });
    bot.send(`send ${ALICE.jid} before the block`);
    await from('before the block').waitFor({ timeout: 10_000 });

    // The header offers blocking once the server has shown it supports it; Cancel does nothing.
    const blockButton = page.getByRole('button', { name: 'Block contact', exact: true });
    const unblockButton = page.getByRole('button', { name: 'Unblock contact', exact: true });
    const confirm = page.getByRole('dialog', { name: 'Block contact?' });
    await blockButton.click({ timeout: 10_000 });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal(await unblockButton.count(), 0, 'Cancel blocks no one');

    await blockButton.click();
    await confirm.getByRole('button', { name: 'Block', exact: true }).click();
    await unblockButton.waitFor({ timeout: 10_000 });
    await page.getByText('You blocked this contact.').waitFor();
    assert.ok(await u.composer.isDisabled(), 'the composer is disabled while blocked');
    await eventually(async () => /\bBlocked\b/.test(await u.contact(BOB.jid).textContent()), {
      message: 'Bob’s roster item to show "Blocked"',
    });

    // The server keeps Bob's messages from Alice now.
    bot.send(`send ${ALICE.jid} while blocked`);
    await sleep(1500);
    assert.equal(await from('while blocked').count(), 0, 'a blocked contact’s message does not arrive');

    // The list shows him; block a stranger by address too.
    await page.getByRole('button', { name: 'Blocked contacts' }).click();
    const dialog = page.getByRole('dialog', { name: 'Blocked contacts' });
    const list = dialog.getByRole('list', { name: 'Blocked' });
    const item = (jid) => list.getByRole('listitem').and(page.locator(`[data-jid="${jid}"]`));
    await item(BOB.jid).waitFor({ timeout: 10_000 });
    await dialog.getByRole('textbox', { name: 'Address to block' }).fill(SPAMMER);
    await dialog.getByRole('button', { name: 'Block', exact: true }).click();
    await item(SPAMMER).waitFor({ timeout: 10_000 });
    assert.equal(await dialog.getByRole('textbox', { name: 'Address to block' }).inputValue(), '', 'the field is cleared');
    assert.equal(await list.getByRole('listitem').count(), 2);

    // Unblock Bob from the list: the chat opens up again.
    await dialog.getByRole('button', { name: `Unblock ${BOB.jid}` }).click();
    await item(BOB.jid).waitFor({ state: 'detached', timeout: 10_000 });
    await blockButton.waitFor({ timeout: 10_000 });
    assert.equal(await page.getByText('You blocked this contact.').count(), 0);
    assert.ok(!(await u.composer.isDisabled()), 'the composer works again');
    assert.doesNotMatch(await u.contact(BOB.jid).textContent(), /\bBlocked\b/);
    assert.equal(await item(SPAMMER).count(), 1, 'the stranger stays blocked');

    bot.send(`send ${ALICE.jid} after the unblock`);
    await from('after the unblock').waitFor({ timeout: 10_000 });
    assert.equal(await from('while blocked').count(), 0, 'what was sent while blocked never arrives');

    assertNoPageErrors(page, assert);

    // The blocklist is the server's: another session (a fresh browser) shows the stranger.
    other = await newPage(browser);
    await open(other, site.url);
    await signIn(other, { ...ALICE, service: server.url });
    await other.getByRole('button', { name: 'Blocked contacts' }).click();
    const list2 = other.getByRole('dialog', { name: 'Blocked contacts' }).getByRole('list', { name: 'Blocked' });
    await list2.getByRole('listitem').and(other.locator(`[data-jid="${SPAMMER}"]`)).waitFor({ timeout: 10_000 });
    assert.equal(await list2.getByRole('listitem').count(), 1);
    // Unblocking there reaches this session too (the server's push).
    await other.getByRole('button', { name: `Unblock ${SPAMMER}` }).click();
    await item(SPAMMER).waitFor({ state: 'detached', timeout: 10_000 });
    await dialog.getByText('No one is blocked.').waitFor();
    assertNoPageErrors(other, assert);
  } finally {
    await bot?.stop();
    await Promise.allSettled([page.context().close(), other?.context().close()]);
  }
});
