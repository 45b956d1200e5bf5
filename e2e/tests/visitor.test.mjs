// Anonymous visitors (XEP-0175) as the support account's full client sees them: a visitor signs
// in with SASL ANONYMOUS to anon.localhost (natter-bot standing in for the widget) and writes to
// the support account; the chat appears under "Other chats" named by the visitor's XEP-0172
// nick (cleaned: no bidi controls), the support opens it and answers, and the visitor's
// made-up account gets the answer. The visitor uses the transport under test, so all four
// combinations run (each server's anonymous host over WebSocket and BOSH).
//
// Then the visitor's side in the browser, through the <xmpp-chat> widget on the sample shop
// (another origin, strict CSP; e2e/tests/widget.test.mjs covers the widget itself): the
// conversation goes on across the shop's pages. Over BOSH the next page continues the SAME
// session, so the visitor keeps its address and a reply sent to it before the navigation's end
// still arrives; over WebSocket it signs in again (a new address: servers resume a stream only
// for the account that owned it) with the same nick and the transcript kept.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBot } from '../lib/bot.mjs';
import { assertNoPageErrors, launch, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { SERVER_NAME, TRANSPORT, TRANSPORT_NAME } from '../lib/env.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';
import { serveShop } from '../lib/shop.mjs';

const SUPPORT = { jid: 'alice@localhost', password: 'wonderland' };
const ANON = 'anon.localhost';

let server, site, shop, browser;
const bots = [];

before(async () => {
  server = await startServer({ users: [['alice', 'wonderland']] });
  [site, browser] = await Promise.all([serveDist({ connectSrc: [server.ws, server.bosh] }), launch()]);
  shop = await serveShop({
    widget: new URL('widget.js', site.url).href,
    service: server.url,
    endpoints: [server.ws, server.bosh],
    contact: SUPPORT.jid,
  });
});

after(async () => {
  await Promise.allSettled(bots.map((b) => b.stop()));
  await Promise.allSettled([browser?.close(), site?.close(), shop?.close(), server?.stop()]);
});

async function visitor(nick) {
  const bot = await startBot({ url: server.url, anonymous: ANON, nick, resource: 'widget' });
  bots.push(bot);
  const online = bot.events.find((e) => e.type === 'online');
  assert.match(online.jid, /^[^@/]+@anon\.localhost\/.+/, 'the server made up an account on the anonymous host');
  return { bot, jid: online.jid };
}

test(`${SERVER_NAME} over ${TRANSPORT_NAME}: a visitor's chat is named by its nick, and the support's answer reaches it`,
  { timeout: 60_000 }, async () => {
    const page = await newPage(browser);
    await open(page, site.url);
    await signIn(page, { ...SUPPORT, service: server.url });
    const u = ui(page);

    const ann = await visitor('Ann');
    const question = 'Hello, is the red one still in stock?';
    ann.bot.send(`send ${SUPPORT.jid} ${question}`);

    const others = page.getByRole('list', { name: 'Other chats' });
    const annChat = others.getByRole('button', { name: /^Ann\b/ });
    await annChat.waitFor({ timeout: 15_000 });
    // Not a roster contact: the contact list does not grow.
    assert.equal(await u.contacts.locator(`[data-jid^="${ann.jid.split('/')[0]}"]`).count(), 0);
    await annChat.click();
    await page.getByRole('region', { name: 'Conversation with Ann' }).waitFor();
    await u.messages.getByText(question).waitFor();

    const answer = 'Yes, three left in red.';
    await u.composer.fill(answer);
    await u.composer.press('Enter');
    const got = await ann.bot.waitFor((e) => e.type === 'message' && e.body === answer, { message: 'the answer at the visitor' });
    assert.match(got.from, /^alice@localhost\//);

    // A second visitor whose nick tries to reorder the text around it: shown cleaned.
    const eve = await visitor('  \u202EEve\u2066 ');
    eve.bot.send(`send ${SUPPORT.jid} hi from eve`);
    await others.getByRole('button', { name: /^Eve\b/ }).waitFor({ timeout: 15_000 });
    const names = await others.getByRole('button').allTextContents();
    assert.ok(names.every((n) => !/[\u202A-\u202E\u2066-\u2069]/.test(n)), JSON.stringify(names));
    // Newest first.
    assert.match(names[0], /^Eve/);
    assertNoPageErrors(page, assert);
  });

test(`${SERVER_NAME} over ${TRANSPORT_NAME}: a visitor's conversation goes on across the shop's pages`,
  { timeout: 60_000 }, async () => {
    const desk = await startBot({ url: server.url, jid: SUPPORT.jid, password: SUPPORT.password, resource: 'desk' });
    bots.push(desk);
    const page = await newPage(browser);
    await page.goto(shop.url);
    const log = page.getByRole('log', { name: 'Messages' });
    const composer = page.getByRole('textbox', { name: 'Message' });
    await page.getByRole('button', { name: 'Open chat' }).click({ timeout: 20_000 });
    await page.getByRole('textbox', { name: 'Your name' }).fill('Nina');
    await page.getByRole('button', { name: 'Start chat' }).click();
    const first = `Do you ship to Tallinn? ${Date.now()}`;
    await composer.fill(first);
    await composer.press('Enter');
    const asked = await desk.waitFor((e) => e.type === 'message' && e.body === first, { message: 'the first question' });
    assert.equal(asked.nick, 'Nina');
    const before = asked.from;

    // Another page of the shop (a real navigation: the old page's wasm is gone).
    await page.getByRole('navigation', { name: 'Shop' }).getByRole('link', { name: 'About us' }).click();
    await page.getByRole('heading', { name: 'About us' }).waitFor();
    // The transcript is back at once, from sessionStorage.
    await log.getByText(first).waitFor({ timeout: 20_000 });
    const saved = await page.evaluate(() => JSON.parse(sessionStorage.getItem('natter.visitor') ?? 'null'));
    assert.equal(saved?.nick, 'Nina');

    if (TRANSPORT === 'bosh') {
      // The same BOSH session: the support answers the address it saw before the navigation.
      const reply = `Yes, in three days. ${Date.now()}`;
      desk.send(`send ${before} ${reply}`);
      await log.getByText(reply).waitFor({ timeout: 20_000 });
    }
    const second = `Great, and returns? ${Date.now()}`;
    await composer.fill(second);
    await composer.press('Enter');
    await log.getByText(second).waitFor();
    const again = await desk.waitFor((e) => e.type === 'message' && e.body === second, { message: 'the follow-up' });
    assert.equal(again.nick, 'Nina');
    if (TRANSPORT === 'bosh') {
      assert.equal(again.from, before, 'the same session and address after the navigation');
    } else {
      assert.notEqual(again.from.split('/')[0], before.split('/')[0], 'over WebSocket a new anonymous account');
    }
    assertNoPageErrors(page, assert);
  });
