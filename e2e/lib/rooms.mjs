// What the group-chat tests share: the MUC service, the suite's server + site + browser, and
// the room UI found by role and accessible name (README "Group chat").
import { after, before } from 'node:test';
import { launch } from './browser.mjs';
import { startServer } from './server.mjs';
import { serveDist } from './serve.mjs';

export const SERVICE = 'conference.localhost';

/**
 * Starts a server with `users` ([name, password] pairs), serves the dist and launches Chromium
 * before the file's tests, and stops them after. Returns `{ server, site, browser }`, filled in
 * once `before` has run.
 */
export function roomSuite(users) {
  const env = {};
  before(async () => {
    [env.server, env.site, env.browser] = await Promise.all([startServer({ users }), serveDist(), launch()]);
  });
  after(async () => {
    await Promise.allSettled([env.browser?.close(), env.site?.close(), env.server?.stop()]);
  });
  return env;
}

export const rooms = (page) => page.getByRole('list', { name: 'Rooms' });
export const roomItem = (page, jid) => rooms(page).getByRole('listitem').and(page.locator(`[data-jid="${jid}"]`));
export const occupants = (page) => page.getByRole('list', { name: 'Occupants' });
export const occupant = (page, nick) => occupants(page).getByRole('listitem').and(page.locator(`[data-nick="${nick}"]`));

/** Joins `room` as `nick` through the `Join room` form; waits until listed and in. */
export async function joinRoom(page, room, nick) {
  await page.getByRole('button', { name: 'Join room', exact: true }).click();
  await page.getByRole('textbox', { name: 'Room address' }).fill(room);
  await page.getByRole('textbox', { name: 'Nickname' }).fill(nick);
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await roomItem(page, room).waitFor({ timeout: 15_000 });
  await occupant(page, nick).waitFor({ timeout: 15_000 });
}

/** Opens `Actions for NICK` and picks `item` in the menu named NICK. */
export async function act(page, nick, item) {
  await page.getByRole('button', { name: `Actions for ${nick}`, exact: true }).click();
  const menu = page.getByRole('menu', { name: nick, exact: true });
  await menu.waitFor({ timeout: 5_000 });
  await menu.getByRole('menuitem', { name: item, exact: true }).click();
  await menu.waitFor({ state: 'detached', timeout: 5_000 });
}
