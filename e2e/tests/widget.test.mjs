// The embeddable widget (<xmpp-chat>, widget/widget.js) on a sample shop page (demo/shop/) of
// ANOTHER origin than the widget's files, under the strict CSP of e2e/lib/shop.mjs (no
// 'unsafe-inline', no 'unsafe-eval'): only the bubble loads until the first open; an anonymous
// visitor sends a message that the support account reads in the full client and answers; the
// reply shows in the widget and fires xmpp-chat:message / xmpp-chat:unread; the host page's
// computed styles do not change; a host page with `* { all: unset }` and a 10px root font size
// does not change the widget's looks; screenshots go to docs/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, launch, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { ROOT, SERVER, SERVER_NAME, TRANSPORT, eventually } from '../lib/env.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';
import { serveShop } from '../lib/shop.mjs';
import { startBot } from '../lib/bot.mjs';

const SUPPORT = { jid: 'support@localhost', password: 'helpdesk' };
const SHOTS = join(ROOT, 'docs', 'screenshots');
// The committed screenshots come from one combination (Prosody), not whichever ran last.
const shoot = (page, file) => (SERVER === 'prosody' ? page.screenshot({ path: join(SHOTS, file) }) : null);
// The widget's code paths do not depend on the pairing of transport and server: one WebSocket
// and one BOSH run, on different servers, cover both transports and both servers.
const SKIP = (TRANSPORT === 'websocket' && SERVER === 'prosody') || (TRANSPORT === 'bosh' && SERVER === 'ejabberd')
  ? false
  : 'the widget is checked on WebSocket x Prosody and BOSH x ejabberd; this pairing adds nothing';

let server, app, shop, browser;

before(async () => {
  if (SKIP) return;
  server = await startServer({ users: [['support', SUPPORT.password]] });
  app = await serveDist({ connectSrc: [server.ws, server.bosh] });
  shop = await serveShop({
    widget: new URL('widget.js', app.url).href,
    service: server.url,
    endpoints: [server.ws, server.bosh],
  });
  browser = await launch();
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await Promise.allSettled([browser?.close(), app?.close(), shop?.close(), server?.stop()]);
});

/** The widget's parts, by role and name (Playwright's locators pierce the open shadow root). */
const w = (page) => ({
  openButton: page.getByRole('button', { name: 'Open chat' }),
  closeButton: page.getByRole('button', { name: 'Close chat' }),
  unread: (n) => page.getByRole('status', { name: `${n} unread` }),
  form: page.getByRole('form', { name: 'Start chat' }),
  name: page.getByRole('textbox', { name: 'Your name' }),
  start: page.getByRole('button', { name: 'Start chat' }),
  messages: page.getByRole('log', { name: 'Messages' }),
  composer: page.getByRole('textbox', { name: 'Message' }),
  send: page.getByRole('button', { name: 'Send', exact: true }),
});

/** Computed styles of a few host elements (the widget must not change any of them). */
function hostStyles(page) {
  return page.evaluate(() => {
    const props = ['font-family', 'font-size', 'line-height', 'color', 'background-color', 'margin-top',
      'margin-left', 'padding-top', 'display', 'width', 'height', 'border-top-width', 'box-sizing'];
    const pick = (sel) => {
      const s = getComputedStyle(document.querySelector(sel));
      return Object.fromEntries(props.map((p) => [p, s.getPropertyValue(p)]));
    };
    return { html: pick('html'), body: pick('body'), h1: pick('h1'), button: pick('.products button'), p: pick('.lead'), a: pick('nav a') };
  });
}

/** The widget's own looks, read inside its shadow root. */
function widgetLooks(page) {
  return page.evaluate(() => {
    const root = document.querySelector('xmpp-chat').shadowRoot;
    const style = (el, props) => {
      const s = getComputedStyle(el);
      return Object.fromEntries(props.map((p) => [p, s.getPropertyValue(p)]));
    };
    const rect = (el) => { const r = el.getBoundingClientRect(); return { w: Math.round(r.width), h: Math.round(r.height) }; };
    const panel = root.querySelector('.nw-panel');
    const bubble = root.querySelector('.nw-bubble');
    const input = root.querySelector('input, textarea');
    const button = root.querySelector('button[type=submit]');
    return {
      panel: rect(panel),
      bubble: { ...rect(bubble), ...style(bubble, ['display', 'border-radius']) },
      input: style(input, ['font-size', 'font-family', 'display', 'padding-top', 'border-top-width', 'height']),
      button: style(button, ['display', 'font-size', 'padding-left', 'background-color', 'cursor']),
    };
  });
}

/** Requests the page made, with their sizes on the wire (headers + body). */
function recordBytes(page) {
  const seen = [];
  page.on('requestfinished', async (req) => {
    const sizes = await req.sizes().catch(() => null);
    seen.push({ url: req.url(), bytes: sizes ? sizes.responseBodySize + sizes.responseHeadersSize : 0 });
  });
  return seen;
}
const total = (list, origin) => list.filter((r) => r.url.startsWith(origin)).reduce((n, r) => n + r.bytes, 0);

/** Collects the widget's events (listened to from outside the page's CSP, via CDP). */
async function recordEvents(page) {
  const events = [];
  await page.exposeBinding('__widgetEvent', (_s, type, detail) => events.push({ type, detail }));
  await page.addInitScript(() => {
    for (const t of ['ready', 'message', 'unread', 'open', 'close']) {
      document.addEventListener(`xmpp-chat:${t}`, (e) => globalThis.__widgetEvent(t, e.detail));
    }
  });
  return events;
}

test(`${SERVER_NAME}, ${TRANSPORT}: a visitor on a cross-origin strict-CSP shop talks to support; the host is untouched`,
  { timeout: 120_000, skip: SKIP }, async () => {
    const appOrigin = new URL(app.url).origin;
    assert.notEqual(new URL(shop.url).origin, appOrigin, 'the shop is on another origin');

    // The host page's looks without the widget (its script blocked).
    const plain = await newPage(browser);
    await plain.route('**/widget.js', (r) => r.abort());
    await plain.goto(shop.url);
    const stylesBefore = await hostStyles(plain);
    await plain.context().close();

    const page = await newPage(browser);
    const events = await recordEvents(page);
    const bytes = recordBytes(page);
    await page.goto(shop.url);
    const v = w(page);
    await v.openButton.waitFor({ timeout: 20_000 });
    await page.waitForLoadState('networkidle');
    const before = total(bytes, appOrigin);
    const early = bytes.filter((r) => r.url.startsWith(appOrigin)).map((r) => new URL(r.url).pathname.split('/').pop());
    assert.deepEqual(early.sort(), ['widget.css', 'widget.js'], 'only the bubble loads before the first open');
    assert.ok(before < 20_000, `the bubble costs a few KB (${before} B)`);
    assert.ok(events.some((e) => e.type === 'ready'), 'xmpp-chat:ready');
    await shoot(page, 'widget-bubble.png');

    await v.openButton.click();
    await v.form.waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    const afterOpen = total(bytes, appOrigin);
    assert.ok(bytes.some((r) => r.url.endsWith('.wasm')), 'the wasm loads on the first open');
    console.log(`# widget bytes from ${appOrigin}: before the first open ${before} B, after ${afterOpen} B ` +
      `(${bytes.filter((r) => r.url.startsWith(appOrigin)).map((r) => `${new URL(r.url).pathname.split('/').pop()} ${r.bytes}`).join(', ')})`);
    assert.ok(events.some((e) => e.type === 'open'), 'xmpp-chat:open');

    await v.name.fill('Dana');
    await v.start.click();
    await v.composer.waitFor({ timeout: 30_000 });
    const question = `Is the blue teapot in stock? ${Date.now()}`;
    await v.composer.fill(question);
    await v.send.click();
    await v.messages.getByText(question).waitFor();
    await v.closeButton.click();
    assert.ok(events.some((e) => e.type === 'close'), 'xmpp-chat:close');

    // The support agent, in the full client on the app's own origin.
    const agent = await newPage(browser);
    await open(agent, app.url);
    await signIn(agent, { ...SUPPORT, service: server.url }, { transport: null });
    const a = ui(agent);
    // A visitor is in no roster: its chat is listed under `Other chats`, by the nick it gave.
    const visitor = agent.getByRole('list', { name: 'Other chats' }).getByRole('listitem').filter({ hasText: 'Dana' });
    await visitor.getByRole('button').click({ timeout: 20_000 });
    await a.messages.getByText(question).waitFor({ timeout: 20_000 });
    const answer = `Yes, we have three left. ${Date.now()}`;
    await a.composer.fill(answer);
    await agent.getByRole('button', { name: 'Send', exact: true }).click();

    // The reply reaches the closed widget: a message event, an unread count, a badge.
    const msg = await eventually(() => events.find((e) => e.type === 'message' && e.detail.body === answer), {
      timeout: 20_000, message: 'xmpp-chat:message with the reply',
    });
    assert.equal(msg.detail.from, SUPPORT.jid);
    await eventually(() => events.find((e) => e.type === 'unread' && e.detail.count === 1), { message: 'xmpp-chat:unread 1' });
    await v.unread(1).waitFor();
    assert.equal(await page.locator('xmpp-chat').evaluate((el) => el.unread), 1);
    await v.openButton.click();
    await v.messages.getByText(answer).waitFor();
    await shoot(page, 'widget-open.png');
    await eventually(() => events.find((e) => e.type === 'unread' && e.detail.count === 0), { message: 'xmpp-chat:unread 0' });

    assert.deepEqual(await hostStyles(page), stylesBefore, 'the host page looks the same with the widget open');
    assertNoPageErrors(page, assert);

    // Another page of the shop: the widget connects at once, open as it was, transcript kept.
    await page.getByRole('navigation', { name: 'Shop' }).getByRole('link', { name: 'About us' }).click();
    await page.getByRole('heading', { name: 'About us' }).waitFor();
    await v.messages.getByText(answer).waitFor({ timeout: 30_000 });
    await v.messages.getByText(question).waitFor();
    await v.composer.waitFor({ timeout: 30_000 });
    const followUp = `And the travel teapot? ${Date.now()}`;
    await v.composer.fill(followUp);
    await v.send.click();
    // Over BOSH the same session goes on (the same address, one chat at the support's); over
    // WebSocket the visitor signs in again under a new address with the same nick
    // (src/session/visitor.rs explains why), so the follow-up may be in a second `Dana` chat.
    const danas = agent.getByRole('list', { name: 'Other chats' }).getByRole('listitem').filter({ hasText: 'Dana' });
    await eventually(async () => {
      for (const item of await danas.all()) {
        await item.getByRole('button').click();
        if (await a.messages.getByText(followUp).count()) return true;
      }
      return false;
    }, { timeout: 30_000, message: 'the follow-up at the support' });
    if (TRANSPORT === 'bosh') assert.equal(await danas.count(), 1, 'BOSH: the visitor kept its address');
    const second = `The travel teapot ships tomorrow. ${Date.now()}`;
    await a.composer.fill(second);
    await agent.getByRole('button', { name: 'Send', exact: true }).click();
    await v.messages.getByText(second).waitFor({ timeout: 20_000 });
    assertNoPageErrors(page, assert);
    assertNoPageErrors(agent, assert);
    await agent.context().close();
    await page.context().close();
  });

test(`${SERVER_NAME}: a host page that resets everything does not change the widget`, { timeout: 60_000, skip: SKIP }, async () => {
  const looks = async (path) => {
    const page = await newPage(browser);
    await page.goto(new URL(path, shop.url).href);
    const v = w(page);
    await v.openButton.click({ timeout: 20_000 });
    await v.form.waitFor({ timeout: 30_000 });
    const l = await widgetLooks(page);
    assertNoPageErrors(page, assert);
    return { page, l };
  };
  const normal = await looks('index.html');
  const reset = await looks('reset.html');
  // The reset page really is hostile (its own text shrank and lost its styles).
  const host = await reset.page.evaluate(() => ({
    root: getComputedStyle(document.documentElement).fontSize,
    item: getComputedStyle(document.querySelector('.lead')).display,
  }));
  assert.deepEqual(host, { root: '10px', item: 'inline' });
  assert.deepEqual(reset.l, normal.l, 'the widget looks the same on the hostile page');
  assert.deepEqual(normal.l.panel, { w: 380, h: 560 });
  assert.equal(normal.l.input['font-size'], '15px');
  assert.equal(normal.l.bubble.display, 'flex');
  await normal.page.context().close();
  await reset.page.context().close();
});

test(`${SERVER_NAME}: screenshots of the dark theme and of the Russian widget`, { timeout: 60_000, skip: SKIP }, async () => {
  for (const [query, file] of [['?theme=dark', 'widget-dark.png'], ['?lang=ru', 'widget-ru.png']]) {
    const page = await newPage(browser);
    await page.goto(new URL(query, shop.url).href);
    const v = w(page);
    await v.openButton.click({ timeout: 20_000 });
    await v.form.waitFor({ timeout: 30_000 });
    await shoot(page, file);
    if (query.includes('dark')) {
      const bg = await page.evaluate(() => getComputedStyle(document.querySelector('xmpp-chat').shadowRoot.querySelector('.widget-app')).backgroundColor);
      assert.equal(bg, 'rgb(15, 19, 24)', 'the dark theme');
    }
    assertNoPageErrors(page, assert);
    await page.context().close();
  }
});

test(`${SERVER_NAME}, ${TRANSPORT}: NatterWidget.mount with an account: the sign-in form, then the chat inline`,
  { timeout: 60_000, skip: SKIP }, async () => {
    const page = await newPage(browser);
    await page.goto(new URL('about.html', shop.url).href);
    await page.locator('xmpp-chat').waitFor({ state: 'attached' });
    // The JS-call embed (run through the devtools protocol: the page's CSP allows no inline
    // script, and the shop itself only uses the element).
    await page.evaluate(([service]) => {
      document.querySelector('xmpp-chat').remove();
      const main = document.querySelector('main');
      main.style.height = '520px';
      globalThis.NatterWidget.mount(main, { account: 'support@localhost', contact: 'alice@localhost', service, mode: 'inline' });
    }, [server.url]);
    // inline: no bubble, the panel is there at once.
    assert.equal(await page.getByRole('button', { name: 'Open chat' }).count(), 0);
    const u = ui(page);
    await u.form.waitFor({ timeout: 30_000 });
    await u.password.fill(SUPPORT.password);
    await u.address.fill(SUPPORT.jid);
    await u.service.fill(server.url);
    await u.signIn.click();
    await page.getByRole('heading', { name: 'alice@localhost' }).waitFor({ timeout: 30_000 });
    await w(page).composer.waitFor();

    // Signed in on this site now (this tab): on the next page the closed bubble of that account
    // connects at once, so a message arrives (and is counted) before the chat is first opened.
    const zoe = await startBot({ url: server.url, anonymous: 'anon.localhost', nick: 'Zoe', resource: 'w' });
    try {
      const zoeJid = zoe.events.find((e) => e.type === 'online').jid.split('/')[0];
      await page.goto(new URL('about.html', shop.url).href);
      await page.locator('xmpp-chat').waitFor({ state: 'attached' });
      await page.evaluate(([service, contact]) => {
        document.querySelector('xmpp-chat').remove();
        globalThis.NatterWidget.mount(document.body, { account: 'support@localhost', contact, service });
      }, [server.url, zoeJid]);
      const wv = w(page);
      await wv.openButton.waitFor();
      await eventually(
        () => page.evaluate(() => performance.getEntriesByType('resource').some((r) => r.name.endsWith('.wasm'))),
        { timeout: 20_000, message: 'the wasm loads before the first open for a signed-in account' },
      );
      zoe.send(`send support@localhost while you were away`);
      await wv.unread(1).waitFor({ timeout: 20_000 });
      assert.equal(await wv.closeButton.count(), 0, 'the chat is still closed');
      await wv.openButton.click();
      await wv.messages.getByText('while you were away').waitFor({ timeout: 10_000 });
    } finally {
      await zoe.stop();
    }
    assertNoPageErrors(page, assert);
    await page.context().close();
  });
