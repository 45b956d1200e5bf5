// Group chat: the browser user joins a room, a bot (natter-bot) joins too, they talk both ways,
// the occupant list shows both, and a message naming the browser user is highlighted and counted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startBot } from '../lib/bot.mjs';
import { assertNoPageErrors, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { SERVICE, roomSuite, roomItem, occupants, occupant } from '../lib/rooms.mjs';
import { eventually } from '../lib/env.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const BOB = { jid: 'bob@localhost', password: 'builder' };

const env = roomSuite([['alice', 'wonderland'], ['bob', 'builder']]);


test('join a room, talk with a bot both ways, see occupants and a counted mention', { timeout: 120_000 }, async () => {
  const room = `coven-${Date.now()}@${SERVICE}`;
  const page = await newPage(env.browser);
  let bot;
  try {
    await open(page, env.site.url);
    await signIn(page, { ...ALICE, service: env.server.url });
    const u = ui(page);

    await page.getByRole('button', { name: 'Join room', exact: true }).click();
    await page.getByRole('textbox', { name: 'Room address' }).fill(room);
    await page.getByRole('textbox', { name: 'Nickname' }).fill('alice');
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await roomItem(page, room).waitFor({ timeout: 15_000 });
    await occupant(page, 'alice').waitFor({ timeout: 15_000 });

    bot = await startBot({ url: env.server.ws, ...BOB });
    bot.send(`join ${room} bob`);
    await bot.waitFor((e) => e.type === 'room_joined' && e.room === room, { message: 'bot joined the room' });
    await occupant(page, 'bob').waitFor({ timeout: 10_000 });
    assert.equal(await occupants(page).getAttribute('aria-setsize'), '2', 'two occupants');
    assert.equal(await occupants(page).getByRole('listitem').count(), 2);

    // Browser → room, seen by the bot.
    await u.composer.fill('Hello room, alice here');
    await u.composer.press('Enter');
    await bot.waitFor((e) => e.type === 'group_message' && e.nick === 'alice' && e.body === 'Hello room, alice here', {
      message: 'bot receives alice’s message',
    });
    await u.messages.getByRole('article').and(page.locator(`[data-from="${room}/alice"]`)).waitFor({ timeout: 10_000 });

    // Bot → room, seen in the open room, as text.
    bot.send(`say ${room} Hi everyone <b>not bold</b>`);
    const hi = u.messages.getByRole('article').and(page.locator(`[data-from="${room}/bob"]`));
    await hi.filter({ hasText: 'Hi everyone <b>not bold</b>' }).waitFor({ timeout: 10_000 });
    assert.equal(await hi.locator('b').count(), 0, 'bodies are text');
    assert.equal(await hi.first().evaluate((el) => el.classList.contains('mention')), false, 'no mention');

    // With the room closed, a message naming alice is counted and then shown highlighted.
    await page.locator('button[aria-label="Back to contacts"]').dispatchEvent('click');
    await u.messages.waitFor({ state: 'detached', timeout: 5_000 });
    bot.send(`say ${room} alice: are you there?`);
    await eventually(async () => /1 unread/.test(await roomItem(page, room).textContent()), {
      timeout: 10_000,
      message: 'the room’s item to show "1 unread"',
    });
    assert.match(await roomItem(page, room).textContent(), /1 mention/);
    await roomItem(page, room).click();
    const ping = u.messages.getByRole('article').filter({ hasText: 'alice: are you there?' });
    await ping.waitFor({ timeout: 10_000 });
    assert.equal(await ping.evaluate((el) => el.classList.contains('mention')), true, 'highlighted');
    assert.match(await ping.textContent(), /Mentions you/);
    assert.doesNotMatch(await roomItem(page, room).textContent(), /unread/, 'opening clears the count');
    await page.screenshot({ path: process.env.NATTER_ROOM_SHOT || '/tmp/natter-room.png' });

    // Leaving takes the room off the list.
    await page.getByRole('button', { name: 'Leave room', exact: true }).click();
    await roomItem(page, room).waitFor({ state: 'detached', timeout: 10_000 });
    await bot.waitFor((e) => e.type === 'occupant' && e.nick === 'alice' && e.available === false, {
      message: 'bot sees alice leave',
    });
    assertNoPageErrors(page, assert);
  } finally {
    await bot?.stop();
    await page.context().close();
  }
});
