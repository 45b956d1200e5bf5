// Room management against Prosody (conference.localhost) with a bot (natter-bot) on the other
// side: nickname and subject both ways, owner settings saved and read back, room discovery,
// invitations both ways, bookmarks set here and on another device, and autojoin at the next
// sign-in in a fresh browser context.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startBot } from '../lib/bot.mjs';
import { assertNoPageErrors, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { SERVICE, roomSuite, rooms, roomItem, occupant, joinRoom } from '../lib/rooms.mjs';
import { eventually } from '../lib/env.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const BOB = { jid: 'bob@localhost', password: 'builder' };
const SHOTS = process.env.NATTER_SHOTS || '/tmp';

const env = roomSuite([['alice', 'wonderland'], ['bob', 'builder']]);

const button = (scope, name) => scope.getByRole('button', { name, exact: true });
const alertText = async (page) => (await page.getByRole('alert').allTextContents()).join(' | ');

test('nickname, subject, settings, discovery and invitations with a bot', { timeout: 180_000 }, async () => {
  const stamp = Date.now();
  const room = `manage-${stamp}@${SERVICE}`;
  const botRoom = `bobs-${stamp}@${SERVICE}`;
  const page = await newPage(env.browser);
  let bot;
  try {
    await open(page, env.site.url);
    await signIn(page, { ...ALICE, service: env.server.url });
    await joinRoom(page, room, 'alice');
    bot = await startBot({ url: env.server.ws, ...BOB });
    bot.send(`join ${room} bob`);
    await bot.waitFor((e) => e.type === 'room_joined' && e.room === room, { message: 'bot joined' });
    await occupant(page, 'bob').waitFor({ timeout: 10_000 });

    // Nickname: a taken one is refused in plain words, a free one is seen by the bot.
    await button(page, 'Change nickname').click();
    const nickForm = page.getByRole('form', { name: 'Change nickname' });
    await nickForm.getByRole('textbox', { name: 'New nickname' }).fill('bob');
    await button(nickForm, 'Change').click();
    await eventually(async () => /already in use/.test(await alertText(page)), {
      message: 'an alert saying the nickname is in use',
    });
    await nickForm.getByRole('textbox', { name: 'New nickname' }).fill('alicia');
    await button(nickForm, 'Change').click();
    await bot.waitFor((e) => e.type === 'nick_changed' && e.room === room && e.old === 'alice' && e.new === 'alicia', {
      message: 'bot sees alice become alicia',
    });
    await occupant(page, 'alicia').waitFor({ timeout: 10_000 });
    await nickForm.waitFor({ state: 'detached', timeout: 5_000 });

    // Subject both ways.
    await button(page, 'Change subject').click();
    const subjectForm = page.getByRole('form', { name: 'Change subject' });
    await subjectForm.getByRole('textbox', { name: 'Subject' }).fill('Brewing tonight');
    await button(subjectForm, 'Save subject').click();
    await bot.waitFor((e) => e.type === 'subject' && e.room === room && e.subject === 'Brewing tonight', {
      message: 'bot sees the new subject',
    });
    await page.getByText('Brewing tonight').first().waitFor({ timeout: 10_000 });

    // Owner settings: members-only on, saved, and read back (by the bot and in the form).
    await button(page, 'Room settings').click();
    const settings = page.getByRole('form', { name: 'Room settings' });
    await settings.waitFor({ timeout: 10_000 });
    await settings.getByRole('textbox', { name: 'Room name' }).fill('Management room');
    await settings.getByRole('textbox', { name: 'Description' }).fill('Where settings are tested');
    const membersOnly = settings.getByRole('checkbox', { name: 'Members only' });
    assert.equal(await membersOnly.isChecked(), false, 'a new room is open to all');
    await membersOnly.check();
    // Prosody lists only public rooms, and makes new ones hidden.
    await settings.getByRole('checkbox', { name: 'Listed publicly' }).check();
    await settings.getByRole('checkbox', { name: 'Persistent' }).waitFor();
    await settings.getByRole('textbox', { name: 'Room password' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/room-manage-settings.png` });
    await button(settings, 'Save settings').click();
    await page.getByRole('status').filter({ hasText: 'Settings saved' }).waitFor({ timeout: 10_000 });
    bot.send(`roominfo ${room}`);
    const info = await bot.waitFor((e) => e.type === 'room_info' && e.room === room, { message: 'room info' });
    assert.equal(info.members_only, true, 'the room is members-only now');
    assert.equal(info.public, true, 'the room is public now');
    assert.equal(info.name, 'Management room');
    await page.getByRole('heading', { name: 'Management room' }).waitFor({ timeout: 10_000 });
    await button(page, 'Close').click();
    await button(page, 'Room settings').click();
    await page.getByRole('form', { name: 'Room settings' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByRole('checkbox', { name: 'Members only' }).isChecked(), true, 'read back');
    assert.equal(await page.getByRole('textbox', { name: 'Room name' }).inputValue(), 'Management room');
    await button(page, 'Room settings').click();

    // Inviting bob into the members-only room goes through the room (mediated).
    await button(page, 'Invite').click();
    const invite = page.getByRole('form', { name: 'Invite to room' });
    await invite.getByText('Members only').waitFor({ timeout: 10_000 });
    await invite.getByRole('textbox', { name: 'Contact address' }).fill(BOB.jid);
    await invite.getByRole('textbox', { name: 'Reason' }).fill('stay for tea');
    await button(invite, 'Send invitation').click();
    const inv = await bot.waitFor((e) => e.type === 'invitation' && e.room === room, { message: 'bot invited' });
    // Mediated, with the reason (Prosody also adds a XEP-0249 copy without it: the room's own
    // <invite/> wins). The room names the inviter by occupant JID (Prosody, semi-anonymous
    // room) or by real JID (ejabberd).
    assert.equal(inv.direct, false, `mediated for a members-only room: ${JSON.stringify(inv)}`);
    assert.equal(inv.reason, 'stay for tea');
    assert.ok([room, ALICE.jid].includes(inv.from.split('/')[0]), `from the room or alice: ${inv.from}`);
    await page.screenshot({ path: `${SHOTS}/room-manage-header.png` });

    // Discovery: the room is listed by the service and the filter finds it.
    await button(page, 'Join room').click();
    await button(page, 'Browse rooms').click();
    const listed = page.getByRole('list', { name: 'Public rooms' });
    const ours = listed.getByRole('listitem').and(page.locator(`[data-jid="${room}"]`));
    await ours.waitFor({ timeout: 10_000 });
    await page.getByRole('textbox', { name: 'Filter rooms' }).fill(`MANAGE-${stamp}`);
    await eventually(async () => (await listed.getByRole('listitem').count()) === 1, {
      message: 'the filter to leave one room',
    });
    await page.getByRole('textbox', { name: 'Filter rooms' }).fill('no such room anywhere');
    await eventually(async () => (await listed.getByRole('listitem').count()) === 0, {
      message: 'the filter to leave none',
    });
    await page.getByRole('textbox', { name: 'Filter rooms' }).fill('');
    await ours.getByRole('button').click();
    assert.equal(await page.getByRole('textbox', { name: 'Room address' }).inputValue(), room);
    await button(page, 'Cancel').click();

    // bob invites alice into his own room: Accept joins it.
    bot.send(`join ${botRoom} bob`);
    await bot.waitFor((e) => e.type === 'room_joined' && e.room === botRoom, { message: 'bot in its room' });
    bot.send(`invite ${botRoom} ${ALICE.jid} direct come <i>brew</i>`);
    const invitations = page.getByRole('list', { name: 'Invitations' });
    const item = invitations.getByRole('listitem').and(page.locator(`[data-jid="${botRoom}"]`));
    await item.waitFor({ timeout: 10_000 });
    assert.match(await item.textContent(), /bob@localhost invites you .*come <i>brew<\/i>/);
    await button(item, 'Accept').click();
    await roomItem(page, botRoom).waitFor({ timeout: 10_000 });
    await bot.waitFor((e) => e.type === 'occupant' && e.room === botRoom && e.nick === 'alice' && e.available, {
      message: 'bot sees alice join through the invitation',
    });
    await invitations.waitFor({ state: 'detached', timeout: 5_000 });
    // bob owns this room (a plain participant may not change a Prosody room's subject): his
    // subject shows in the header, as text.
    bot.send(`subject ${botRoom} Bob's <b>subject</b>`);
    await page.getByText("Bob's <b>subject</b>").first().waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('header b').count(), 0, 'the subject is text');
    assertNoPageErrors(page, assert);
  } finally {
    await bot?.stop();
    await page.context().close();
  }
});

test('bookmarks: set here, set on another device, autojoin at the next sign-in', { timeout: 150_000 }, async () => {
  const stamp = Date.now();
  const room = `marked-${stamp}@${SERVICE}`;
  const other = `elsewhere-${stamp}@${SERVICE}`;
  const page = await newPage(env.browser);
  let device, again;
  try {
    await open(page, env.site.url);
    await signIn(page, { ...ALICE, service: env.server.url });
    await joinRoom(page, room, 'alice');
    const mark = button(page, 'Bookmark room');
    assert.equal(await mark.getAttribute('aria-pressed'), 'false');
    await mark.click();
    await eventually(async () => (await mark.getAttribute('aria-pressed')) === 'true', {
      message: '"Bookmark room" to be pressed',
    });
    const auto = page.getByRole('checkbox', { name: 'Join automatically' });
    assert.equal(await auto.isChecked(), false);
    await auto.check();

    // alice's other device sees the bookmark with autojoin, and adds one of its own.
    device = await startBot({ url: env.server.ws, ...ALICE, resource: 'phone' });
    await device.waitFor((e) => e.type === 'bookmarks', { timeout: 20_000, message: 'the device loads bookmarks' });
    device.send(`bookmark ${other} manual alice`);
    await device.waitFor((e) => e.type === 'bookmarks'
      && e.items.some((b) => b.room === room && b.autojoin)
      && e.items.some((b) => b.room === other), { message: 'the other device has both bookmarks' });
    // …live here: listed, not joined, `Enter room` joins it (pushed as XEP-0402 items by
    // Prosody, as the whole XEP-0048 set mirrored into PEP by ejabberd 23.01).
    await roomItem(page, other).waitFor({ timeout: 10_000 });
    await roomItem(page, other).click();
    await button(page, 'Enter room').click();
    await occupant(page, 'alice').waitFor({ timeout: 15_000 });
    await eventually(async () => (await button(page, 'Bookmark room').getAttribute('aria-pressed')) === 'true', {
      message: 'the other device’s bookmark pressed here',
    });
    // Removed on the other device: leaving now takes it off the list.
    const removedFrom = device.events.length;
    device.send(`unbookmark ${other}`);
    await device.waitFor((e) => e.type === 'bookmarks' && !e.items.some((b) => b.room === other),
      { from: removedFrom, message: 'the other device removed its bookmark' });
    await eventually(async () => (await button(page, 'Bookmark room').getAttribute('aria-pressed')) === 'false', {
      message: 'the bookmark removed elsewhere shows here',
    });

    await button(page, 'Sign out').click();
    await ui(page).form.waitFor({ timeout: 10_000 });
    await page.context().close();

    again = await newPage(env.browser);
    await open(again, env.site.url);
    await signIn(again, { ...ALICE, service: env.server.url });
    await roomItem(again, room).waitFor({ timeout: 15_000 });
    await roomItem(again, room).click();
    await occupant(again, 'alice').waitFor({ timeout: 15_000 });
    assert.equal(await button(again, 'Bookmark room').getAttribute('aria-pressed'), 'true');
    assert.equal(await again.getByRole('checkbox', { name: 'Join automatically' }).isChecked(), true);
    assert.equal(await roomItem(again, other).count(), 0, 'the removed bookmark is not listed');
    assertNoPageErrors(again, assert);
  } finally {
    await device?.stop();
    await Promise.allSettled([page, again].filter(Boolean).map((p) => p.context().close()));
  }
});
