// Avatars and profiles (issue 7, item 2): Alice sets her avatar (a picture resized to 96×96 in
// her browser, published with XEP-0084) and her nickname (XEP-0172 + vCard) in the `Profile`
// dialog; Bob, a contact in another browser, sees her face in his roster and her nickname in
// `Contact details`; a reload of Bob's page shows her face again from the offline cache,
// without fetching the image again. Rendering and PEP do not depend on the transport: the
// BOSH combinations skip.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, launch, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { SERVER_NAME, TRANSPORT, eventually } from '../lib/env.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';
import { makePng } from '../lib/png.mjs';
import { recordWire } from '../lib/wire.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const BOB = { jid: 'bob@localhost', password: 'builder' };
const NICK = 'Alice «Wonderland» 🐇';

const SKIP = TRANSPORT !== 'websocket' ? 'avatars and profiles do not depend on the transport; run in the WebSocket combinations' : false;

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

/** The natural width of the image inside `locator` (0 while none is loaded). */
const naturalWidth = (locator) => locator.locator('img').first()
  .evaluate((img) => (img.complete ? img.naturalWidth : 0), null, { timeout: 1000 })
  .catch(() => 0);

test(`${SERVER_NAME}: an avatar and a nickname set in the browser reach a contact, and come back from the cache after a reload`,
  { timeout: 120_000, skip: SKIP }, async () => {
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
      await b.contact(ALICE.jid).waitFor({ timeout: 15_000 });
      assert.equal(await b.contact(ALICE.jid).locator('img').count(), 0, 'no avatar before Alice sets one');

      // Alice: Profile → Change avatar (the hidden file input) → a 300×200 picture.
      await alice.getByRole('button', { name: 'Profile' }).click();
      const profile = alice.getByRole('dialog', { name: 'Profile' });
      await profile.waitFor();
      await profile.getByRole('button', { name: 'Change avatar' }).waitFor();
      await alice.getByLabel('Avatar image').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: makePng(300, 200) });
      await eventually(async () => (await naturalWidth(profile)) === 96, {
        timeout: 15_000, message: 'Alice’s own avatar, resized to 96 px, in the Profile dialog',
      });
      await profile.getByRole('textbox', { name: 'Nickname' }).fill(NICK);
      await profile.getByRole('button', { name: 'Save profile' }).click();

      // Bob: her face in his roster, her nickname in Contact details.
      await eventually(async () => (await naturalWidth(b.contact(ALICE.jid))) === 96, {
        timeout: 15_000, message: 'Alice’s avatar (96 px wide) in Bob’s roster row for her',
      });
      assert.equal(await b.contact(ALICE.jid).locator('img').getAttribute('alt'), '', 'the image is decorative');
      await b.contact(ALICE.jid).click();
      await bob.getByRole('button', { name: 'Contact details' }).click();
      const details = bob.getByRole('dialog', { name: 'Contact details' });
      await eventually(async () => (await details.textContent()).includes(NICK), {
        timeout: 15_000, message: `Bob’s Contact details for Alice to show the nickname ${NICK}`,
      });
      assert.ok((await details.textContent()).includes(ALICE.jid), 'the address is shown');
      assert.equal(await naturalWidth(details), 96, 'her face in the dialog too');

      // Bob reloads: the face comes from the offline cache, the image is not fetched again.
      // (The page signs in again by itself with the credential kept for the tab; should it
      // show the form instead, sign in.)
      const wire = recordWire(bob);
      await bob.reload();
      await eventually(async () => (await b.form.isVisible().catch(() => false))
        || /\bConnected\b/.test((await b.status.textContent({ timeout: 500 }).catch(() => '')) ?? ''), {
        timeout: 20_000, message: 'Bob’s page to sign in again or show the form',
      });
      if (await b.form.isVisible().catch(() => false)) await signIn(bob, { ...BOB, service: server.url });
      await eventually(async () => (await naturalWidth(b.contact(ALICE.jid))) === 96, {
        timeout: 15_000, message: 'Alice’s avatar in Bob’s roster after the reload',
      }).catch(async (e) => {
        e.message += `\nstatus: ${await b.status.textContent().catch(() => '?')}` +
          `\nsent: ${JSON.stringify(wire.sent(/avatar|vCard/).map((f) => f.text))}` +
          `\nreceived: ${JSON.stringify(wire.received(/avatar|photo|vCard/).map((f) => f.text.slice(0, 600)))}`;
        throw e;
      });
      await bob.waitForTimeout(1000);
      assert.deepEqual(wire.sent(/urn:xmpp:avatar:data|vcard-temp/).map((f) => f.text), [],
        'no request for the image after the reload: it came from the cache');

      assertNoPageErrors(alice, assert);
      assertNoPageErrors(bob, assert);
    } finally {
      await Promise.allSettled([alice.context().close(), bob.context().close()]);
    }
  });
