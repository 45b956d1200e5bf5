// Issue 5's bar in one room: two browser users (alice, carol) and a non-browser client (bob,
// natter-bot) — messages all ways, private messages, a nick change, the subject, a kick, history
// after the kicked user rejoins (nothing twice), and the bookmark's autojoin on a second sign-in.
// Elements are found by role and accessible name only (shared/ui-contract.md + the room names
// documented in README.md).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startBot } from '../lib/bot.mjs';
import { assertNoPageErrors, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { SERVICE, roomSuite, roomItem, occupants, occupant, joinRoom, act } from '../lib/rooms.mjs';
import { eventually } from '../lib/env.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const CAROL = { jid: 'carol@localhost', password: 'christmas' };
const BOB = { jid: 'bob@localhost', password: 'builder' };

const env = roomSuite([['alice', 'wonderland'], ['carol', 'christmas'], ['bob', 'builder']]);

const said = (page, from, text) => ui(page).messages.getByRole('article')
  .and(page.locator(`[data-from="${from}"]`)).filter({ hasText: text });

async function send(page, text) {
  const u = ui(page);
  await u.composer.fill(text);
  await u.composer.press('Enter');
}

test('two browser users and a bot: messages, private messages, nick, subject, kick, history after rejoin, autojoin',
  { timeout: 240_000 }, async () => {
    const room = `bar-${Date.now()}@${SERVICE}`;
    const alice = await newPage(env.browser);
    const carol = await newPage(env.browser);
    let bob, alice2;
    try {
      // alice creates the room (she is its owner) and bookmarks it with autojoin.
      await open(alice, env.site.url);
      await signIn(alice, { ...ALICE, service: env.server.url });
      await joinRoom(alice, room, 'alice');
      const mark = alice.getByRole('button', { name: 'Bookmark room', exact: true });
      await mark.click();
      await eventually(async () => (await mark.getAttribute('aria-pressed')) === 'true', {
        message: '"Bookmark room" to be pressed',
      });
      const auto = alice.getByRole('checkbox', { name: 'Join automatically', exact: true });
      if (!(await auto.isChecked())) await auto.check();

      await open(carol, env.site.url);
      await signIn(carol, { ...CAROL, service: env.server.url });
      await joinRoom(carol, room, 'carol');

      bob = await startBot({ url: env.server.ws, ...BOB });
      bob.send(`join ${room} bob`);
      await bob.waitFor((e) => e.type === 'room_joined' && e.room === room, { message: 'bob joined' });
      for (const page of [alice, carol]) {
        await occupant(page, 'bob').waitFor({ timeout: 10_000 });
        await eventually(async () => (await occupants(page).getAttribute('aria-setsize')) === '3', {
          message: 'three occupants',
        });
      }

      // Messages, every way.
      await send(alice, 'alice to all');
      await said(carol, `${room}/alice`, 'alice to all').waitFor({ timeout: 10_000 });
      await bob.waitFor((e) => e.type === 'group_message' && e.nick === 'alice' && e.body === 'alice to all');
      await send(carol, 'carol to all');
      await said(alice, `${room}/carol`, 'carol to all').waitFor({ timeout: 10_000 });
      bob.send(`say ${room} bob to all`);
      await said(alice, `${room}/bob`, 'bob to all').waitFor({ timeout: 10_000 });
      await said(carol, `${room}/bob`, 'bob to all').waitFor({ timeout: 10_000 });

      // Private messages between alice and bob; carol sees neither.
      await act(alice, 'bob', 'Private message');
      const pm = alice.getByRole('region', { name: 'Private chat with bob', exact: true });
      await pm.waitFor({ timeout: 5_000 });
      await pm.getByRole('textbox', { name: 'Message' }).fill('psst, bob');
      await pm.getByRole('textbox', { name: 'Message' }).press('Enter');
      await bob.waitFor((e) => e.type === 'private_message' && e.direction === 'in' && e.nick === 'alice'
        && e.body === 'psst, bob', { message: 'bob gets alice’s private message' });
      bob.send(`pm ${room} alice psst, alice`);
      await pm.getByRole('log', { name: 'Messages' }).getByRole('article')
        .and(alice.locator(`[data-from="${room}/bob"]`)).filter({ hasText: 'psst, alice' })
        .waitFor({ timeout: 10_000 });
      assert.equal(await ui(carol).messages.getByRole('article').filter({ hasText: /psst/ }).count(), 0,
        'carol sees no private message');
      await pm.getByRole('button', { name: 'Back to room', exact: true }).click();
      await occupants(alice).waitFor({ timeout: 5_000 });

      // carol takes another nick: alice and bob see it.
      const nickFrom = bob.events.length;
      await carol.getByRole('button', { name: 'Change nickname', exact: true }).click();
      await carol.getByRole('textbox', { name: 'New nickname' }).fill('caroline');
      await carol.getByRole('button', { name: 'Change', exact: true }).click();
      await bob.waitFor((e) => e.type === 'nick_changed' && e.old === 'carol' && e.new === 'caroline',
        { from: nickFrom, message: 'bob sees carol become caroline' });
      await occupant(alice, 'caroline').waitFor({ timeout: 10_000 });
      await occupant(alice, 'carol').waitFor({ state: 'detached', timeout: 10_000 });
      assert.equal(await occupants(alice).getAttribute('aria-setsize'), '3', 'still three occupants');

      // alice sets the subject: carol's header and bob see it.
      await alice.getByRole('button', { name: 'Change subject', exact: true }).click();
      await alice.getByRole('textbox', { name: 'Subject' }).fill('Plans for Friday');
      await alice.getByRole('button', { name: 'Save subject', exact: true }).click();
      await bob.waitFor((e) => e.type === 'subject' && e.subject === 'Plans for Friday', { message: 'bob sees the subject' });
      await carol.getByText('Plans for Friday').first().waitFor({ timeout: 10_000 });

      // alice kicks caroline, who is told so in plain words.
      await act(alice, 'caroline', 'Kick');
      const dialog = alice.getByRole('dialog', { name: 'Kick caroline', exact: true });
      await dialog.getByRole('textbox', { name: 'Reason' }).fill('time out');
      await dialog.getByRole('button', { name: 'Kick', exact: true }).click();
      await occupant(alice, 'caroline').waitFor({ state: 'detached', timeout: 10_000 });
      await bob.waitFor((e) => e.type === 'occupant' && e.nick === 'caroline' && e.available === false,
        { message: 'bob sees caroline go' });
      await eventually(async () => /kicked/i.test((await carol.getByRole('alert').allTextContents()).join(' ')), {
        message: 'caroline’s alert to say she was kicked',
      });
      assert.match((await carol.getByRole('alert').allTextContents()).join(' '), /time out/, 'the reason is shown');
      await carol.screenshot({ path: process.env.NATTER_KICK_SHOT || '/tmp/natter-kicked.png' });

      // While caroline is out the room goes on; she rejoins and finds it, each message once.
      bob.send(`say ${room} while you were out`);
      await said(alice, `${room}/bob`, 'while you were out').waitFor({ timeout: 10_000 });
      await joinRoom(carol, room, 'caroline');
      await said(carol, `${room}/bob`, 'while you were out').waitFor({ timeout: 15_000 });
      await said(carol, `${room}/alice`, 'alice to all').waitFor({ timeout: 10_000 });
      for (const text of ['alice to all', 'carol to all', 'bob to all', 'while you were out']) {
        assert.equal(await ui(carol).messages.getByRole('article').filter({ hasText: text }).count(), 1,
          `"${text}" shown once after the rejoin`);
      }

      // alice signs in again elsewhere: the bookmark joins the room by itself.
      await alice.getByRole('button', { name: 'Sign out', exact: true }).click();
      const gone = await bob.waitFor((e) => e.type === 'occupant' && e.nick === 'alice' && e.available === false,
        { message: 'bob sees alice go' });
      const back = bob.events.indexOf(gone) + 1;
      alice2 = await newPage(env.browser);
      await open(alice2, env.site.url);
      await signIn(alice2, { ...ALICE, service: env.server.url });
      await bob.waitFor((e) => e.type === 'occupant' && e.nick === 'alice' && e.available === true,
        { from: back, timeout: 20_000, message: 'bob sees alice come back by herself' });
      await roomItem(alice2, room).click();
      await occupant(alice2, 'alice').waitFor({ timeout: 15_000 });
      await occupant(alice2, 'caroline').waitFor({ timeout: 10_000 });
      await said(alice2, `${room}/bob`, 'while you were out').waitFor({ timeout: 15_000 });
      await alice2.getByText('Plans for Friday').first().waitFor({ timeout: 10_000 });

      for (const page of [alice, carol, alice2]) assertNoPageErrors(page, assert);
    } finally {
      await bob?.stop();
      await Promise.allSettled([alice, carol, alice2].filter(Boolean).map((p) => p.context().close()));
    }
  });
