// A 2,000-contact roster arrives complete and any contact is reachable through the filter.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, launch, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { SERVER_NAME, eventually } from '../lib/env.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';
import { recordWire } from '../lib/wire.mjs';

const N = 2000;
let server, site, browser;

before(async () => {
  [server, site, browser] = await Promise.all([
    startServer({ users: [['dave', 'many-friends']], contacts: [['dave', N]] }),
    serveDist(),
    launch(),
  ]);
});

after(async () => {
  await Promise.allSettled([browser?.close(), site?.close(), server?.stop()]);
});

/** The full size of the Contacts list: aria-setsize when virtualized, else the item count. */
async function rosterSize(u) {
  const items = u.contacts.getByRole('listitem');
  const setsize = await items.first().getAttribute('aria-setsize', { timeout: 1000 }).catch(() => null)
    ?? await u.contacts.getAttribute('aria-setsize', { timeout: 1000 }).catch(() => null);
  return setsize !== null ? Number(setsize) : items.count();
}

test(`a ${N}-contact roster is complete and filterable`, { timeout: 120_000 }, async () => {
  // The server with its 2,000 roster items must be up in a few seconds (xtask writes Prosody's
  // roster file directly; ejabberd imports one XEP-0227 file).
  assert.ok(server.startMs < 20_000, `${SERVER_NAME} with a ${N}-contact roster took ${server.startMs} ms to start`);
  const page = await newPage(browser);
  // On a failure the page's last XMPP frames go into the message (a sign-in that stalls
  // says where).
  const wire = recordWire(page);
  try {
    await open(page, site.url);
    await signIn(page, { jid: 'dave@localhost', password: 'many-friends', service: server.url });
    const u = ui(page);
    await u.contacts.waitFor({ timeout: 30_000 });
    await eventually(async () => (await rosterSize(u)) === N, {
      timeout: 60_000,
      interval: 200,
      message: `the Contacts list to hold ${N} contacts`,
    });

    // Far down the list: reachable by name …
    await u.filter.fill('Contact 1987');
    await u.contact('contact1987@localhost').waitFor({ timeout: 10_000 });
    await eventually(async () => (await rosterSize(u)) === 1, { timeout: 5000, message: 'the filter to leave one contact' });
    // … and by address.
    await u.filter.fill('contact1999@');
    await u.contact('contact1999@localhost').waitFor({ timeout: 10_000 });
    assert.equal(await u.contact('contact1987@localhost').count(), 0, 'the previous match is filtered out');
    // Clearing the filter brings everyone back.
    await u.filter.fill('');
    await eventually(async () => (await rosterSize(u)) === N, { timeout: 10_000, message: 'the full roster back' });
    assertNoPageErrors(page, assert);
  } catch (e) {
    e.message += `\n--- the page's last XMPP frames ---\n${wire.tail(30, 200)}`;
    throw e;
  } finally {
    await page.context().close();
  }
});
