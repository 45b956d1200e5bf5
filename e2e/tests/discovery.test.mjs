// One origin (`xtask serve` in front of the server under test, page at http://localhost:<port>/,
// host = the account domain): XEP-0156 discovery on the page's own origin and the WebSocket →
// BOSH fallback "through any firewall"; and a Connection URL typed by the user beats discovery.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, connected, launch, newPage, open, signIn, submitSignIn, ui, usesTransport } from '../lib/browser.mjs';
import { SERVER_NAME, TRANSPORT, TRANSPORT_NAME, eventually, freePort } from '../lib/env.mjs';
import { startProxy } from '../lib/proxy.mjs';
import { startServer } from '../lib/server.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const BOB = { jid: 'bob@localhost', password: 'builder' };
// The fallback tests do not depend on the transport parameter (the client picks): they run in
// the BOSH combinations only, to keep the matrix short.
const FALLBACK_SKIP = TRANSPORT === 'bosh' ? false : 'transport-independent; runs in the BOSH combinations';

let server, browser;
const proxies = [];

before(async () => {
  [server, browser] = await Promise.all([
    startServer({ users: [['alice', 'wonderland'], ['bob', 'builder']] }),
    launch(),
  ]);
});

after(async () => {
  await Promise.allSettled([browser?.close(), ...proxies.map((p) => p.stop()), server?.stop()]);
});

async function proxy(websocket, connectSrc) {
  const p = await startProxy({ xmppPort: server.http_port, websocket, connectSrc });
  proxies.push(p);
  return p;
}

/** Records the page's requests and WebSocket attempts, with times relative to `t0()`. */
function recorder(page) {
  const rec = { t0: 0, requests: [], sockets: [] };
  page.on('request', (r) => rec.requests.push({ url: r.url(), method: r.method(), at: Date.now() - rec.t0 }));
  page.on('websocket', (ws) => rec.sockets.push({ url: ws.url(), at: Date.now() - rec.t0 }));
  return rec;
}

for (const [mode, what, limit] of [
  ['refuse', 'refused (403)', 5000],
  ['hang', 'swallowed (no answer)', 5000],
]) {
  test(`${SERVER_NAME}, WebSocket ${what} by the proxy, empty Connection URL: signed in over BOSH, fallback within ${limit / 1000} s`,
    { timeout: 90_000, skip: FALLBACK_SKIP }, async () => {
      const site = await proxy(mode);
      const page = await newPage(browser);
      try {
        const rec = recorder(page);
        await open(page, site.url);
        const u = ui(page);
        assert.equal(await u.service.inputValue(), '', 'Connection URL starts empty');
        await u.address.fill(ALICE.jid);
        await u.password.fill(ALICE.password);
        rec.t0 = Date.now();
        await u.signIn.click();
        await connected(page, 20_000);
        const took = Date.now() - rec.t0;
        await usesTransport(page, 'BOSH');

        const origin = new URL(site.url).origin;
        assert.ok(rec.requests.some((r) => r.url.startsWith(`${origin}/.well-known/host-meta`)),
          `host-meta asked on the page's own origin: ${JSON.stringify(rec.requests.map((r) => r.url))}`);
        assert.ok(rec.sockets.some((s) => s.url === `ws://localhost:${site.port}/xmpp-websocket`),
          `WebSocket tried first, on this origin: ${JSON.stringify(rec.sockets)}`);
        const firstBosh = rec.requests.find((r) => r.url === `${origin}/http-bind`);
        assert.ok(firstBosh, 'BOSH used, on this origin');
        assert.ok(firstBosh.at <= limit, `fell back to BOSH ${firstBosh.at} ms after Sign in (limit ${limit} ms)`);
        if (mode === 'refuse') {
          // A refused WebSocket fails at once: the whole sign-in fits in the limit.
          assert.ok(took <= limit, `signed in over BOSH ${took} ms after Sign in (limit ${limit} ms)`);
        }
        await u.contact(BOB.jid).waitFor({ timeout: 10_000 });
        assertNoPageErrors(page, assert);
      } finally {
        await page.context().close();
      }
    });
}

test(`${SERVER_NAME}, ${TRANSPORT_NAME}: a Connection URL typed by the user wins over discovery`, { timeout: 90_000 }, async () => {
  // On this origin discovery would give the proxy's endpoints (WebSocket refused, then BOSH).
  // The user types the server's own URL for the transport under test: only that one is used.
  const site = await proxy('refuse');
  const page = await newPage(browser);
  try {
    const rec = recorder(page);
    await open(page, site.url);
    await signIn(page, { ...ALICE, service: server.url });
    await usesTransport(page, TRANSPORT_NAME);
    const toProxy = [...rec.requests, ...rec.sockets]
      .filter((r) => r.url.includes(`localhost:${site.port}`) && /host-meta|\/http-bind|\/xmpp-websocket/.test(r.url));
    assert.deepEqual(toProxy, [], 'no discovery and no proxy endpoint when the user typed a URL');
    assert.equal(rec.requests.filter((r) => r.url.includes('/.well-known/host-meta')).length, 0, 'no host-meta request');
    await ui(page).contact(BOB.jid).waitFor({ timeout: 10_000 });
    assertNoPageErrors(page, assert);
  } finally {
    await page.context().close();
  }
});

test(`${SERVER_NAME}, ${TRANSPORT_NAME}: a typed URL that does not answer is not replaced by discovery`, { timeout: 90_000 }, async () => {
  // Here discovery WOULD work. The CSP lets the page try any URL: the dead port is the user's
  // typo, not the policy's doing.
  const site = await proxy('proxy', 'any');
  const page = await newPage(browser);
  try {
    const rec = recorder(page);
    await open(page, site.url);
    const port = await freePort(); // nothing listens there
    const service = TRANSPORT === 'bosh' ? `http://127.0.0.1:${port}/http-bind` : `ws://127.0.0.1:${port}/xmpp-websocket`;
    await submitSignIn(page, { ...ALICE, service });
    const u = ui(page);
    await u.alert.first().waitFor({ timeout: 20_000 });
    assert.doesNotMatch((await u.status.textContent().catch(() => '')) ?? '', /\bConnected\b/);
    assert.equal(rec.requests.filter((r) => r.url.includes('/.well-known/host-meta')).length, 0, 'no host-meta request');
    assert.equal(rec.sockets.filter((s) => s.url.includes(`localhost:${site.port}`)).length, 0, 'no WebSocket to the proxy');
    assert.equal(rec.requests.filter((r) => r.url.includes(`localhost:${site.port}/http-bind`)).length, 0, 'no BOSH to the proxy');
    assertNoPageErrors(page, assert);
  } finally {
    await page.context().close();
  }
});

test(`${SERVER_NAME}: empty Connection URL on the one origin signs in (discovery, no fallback needed)`,
  { timeout: 90_000, skip: TRANSPORT === 'websocket' ? false : 'transport-independent; runs in the WebSocket combinations' }, async () => {
    const site = await proxy('proxy');
    const page = await newPage(browser);
    try {
      await open(page, site.url);
      await signIn(page, { ...ALICE, service: '' }, { transport: 'WebSocket' });
      await ui(page).contact(BOB.jid).waitFor({ timeout: 10_000 });
      // Static files and the piped WebSocket share one port: later static requests still work.
      const res = await page.evaluate(async () => (await fetch('./index.html', { cache: 'no-store' })).status);
      assert.equal(res, 200, 'static files still served next to the piped WebSocket');
      assertNoPageErrors(page, assert);
    } finally {
      await page.context().close();
    }
  });
