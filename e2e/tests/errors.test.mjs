// What the user sees when things go wrong: wrong password, no server, server killed.
// Runs against the server and over the transport under test (NATTER_E2E_SERVER/_TRANSPORT).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, connected, launch, newPage, open, signIn, submitSignIn, ui } from '../lib/browser.mjs';
import { SERVER_NAME, TRANSPORT, eventually, freePort } from '../lib/env.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const BOB = { jid: 'bob@localhost', password: 'builder' };
let site, browser;

before(async () => {
  [site, browser] = await Promise.all([serveDist(), launch()]);
});

after(async () => {
  await Promise.allSettled([browser?.close(), site?.close()]);
});

async function alertText(page) {
  const alert = ui(page).alert;
  await alert.first().waitFor({ timeout: 20_000 });
  return (await alert.allTextContents()).join(' ').trim();
}

test('a wrong password shows an alert in plain words and the form stays usable', { timeout: 90_000 }, async () => {
  const server = await startServer({ users: [['alice', 'wonderland'], ['bob', 'builder']] });
  const page = await newPage(browser);
  try {
    await open(page, site.url);
    await submitSignIn(page, { jid: ALICE.jid, password: 'not-the-password', service: server.url });
    const text = await alertText(page);
    assert.match(text, /wrong.*password|password.*(wrong|incorrect|invalid)/i, `the alert says what went wrong: ${text}`);
    assert.doesNotMatch(text, /undefined|null|\[object|\{|<\w/, `plain words, no code leaking: ${text}`);
    const u = ui(page);
    assert.doesNotMatch((await u.status.textContent().catch(() => '')) ?? '', /\bConnected\b/);
    // The form is still there and works: the right password signs in.
    await u.form.waitFor();
    assert.ok(await u.signIn.isEnabled(), 'Sign in is enabled again');
    assert.equal(await u.address.inputValue(), ALICE.jid, 'the address is kept');
    await u.password.fill(ALICE.password);
    await u.signIn.click();
    await connected(page);
    await eventually(async () => (await u.alert.count()) === 0, { timeout: 5000, message: 'the alert to go away' });
    assertNoPageErrors(page, assert);
  } finally {
    await page.context().close();
    await server.stop();
  }
});

test('an unreachable server shows an alert', { timeout: 90_000 }, async () => {
  const page = await newPage(browser);
  try {
    const port = await freePort(); // nothing listens there
    await open(page, site.url);
    const service = TRANSPORT === 'bosh' ? `http://127.0.0.1:${port}/http-bind` : `ws://127.0.0.1:${port}/xmpp-websocket`;
    await submitSignIn(page, { ...ALICE, service });
    const text = await alertText(page);
    assert.ok(text.length > 10, `the alert explains: ${text}`);
    assert.match(text, /server|connect|reach/i, `the alert says the server was not reached: ${text}`);
    const u = ui(page);
    await u.form.waitFor();
    assert.ok(await u.signIn.isEnabled(), 'Sign in is enabled again');
    assert.doesNotMatch((await u.status.textContent().catch(() => '')) ?? '', /\bConnected\b/);
    assertNoPageErrors(page, assert);
  } finally {
    await page.context().close();
  }
});

test(`${SERVER_NAME} killed mid-session: status leaves Connected, an alert appears, the page stays usable`, { timeout: 90_000 }, async () => {
  const server = await startServer({ users: [['alice', 'wonderland'], ['bob', 'builder']] });
  const page = await newPage(browser);
  try {
    await open(page, site.url);
    await signIn(page, { ...ALICE, service: server.url });
    const u = ui(page);
    await u.contact(BOB.jid).waitFor({ timeout: 10_000 });
    assert.equal(await u.alert.count(), 0, 'no alert while connected');

    server.kill(); // SIGKILL: no stream close, the socket just drops (BOSH: requests fail)
    await eventually(async () => /\b(Reconnecting|Offline)\b/.test(await u.status.textContent()), {
      timeout: 15_000,
      message: 'status "Connection" to say Reconnecting or Offline',
    });
    assert.doesNotMatch(await u.status.textContent(), /\bConnected\b/);
    const text = await alertText(page);
    assert.ok(text.length > 10, `the alert explains: ${text}`);

    // Still usable: the roster is still shown and can be filtered.
    await u.filter.fill('bob');
    await eventually(async () => (await u.contacts.getByRole('listitem').count()) === 1, {
      timeout: 5000,
      message: 'the filter to narrow the roster to Bob',
    });
    assert.equal(await u.contact(BOB.jid).count(), 1);
    assertNoPageErrors(page, assert);
  } finally {
    await page.context().close();
    await server.stop();
  }
});
