// Hostile input through a real server: the XSS corpus (e2e/xss/payloads.json) in every field
// the client renders (e2e/xss/fields.mjs), the sign-in form and the query parameters that fill
// it, and discovery answers. Nothing may run: no dialog, no CSP violation, no console or page
// error, no request to the attacker's origin, no element or attribute a payload could have
// created; and every rendered payload must read back as literal text. The page runs under the
// strict CSP with connect-src limited to the server's two endpoints.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { SERVER, SERVER_NAME, TRANSPORT, TRANSPORT_NAME, eventually } from '../lib/env.mjs';
import { connectPeer, el, serialize } from '../lib/peer.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';
import {
  ATTACKER, BIDI_CONTROLS, arm, assertClean, bidiLeaks, findings, label, loadPayloads, messageReads, norm, showsLiterally,
} from '../xss/corpus.mjs';
import { FIELDS } from '../xss/fields.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const MALLORY = { jid: 'mallory@localhost', password: 'evil' };
const PAYLOADS = loadPayloads();
const EMPTY_XRD = "<?xml version='1.0'?><XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'/>";
// Rendering does not depend on the transport or on the server's brand; the hostile peer needs
// Prosody's test config (plain c2s, in-band registration). One combination is enough.
const SKIP = SERVER !== 'prosody' ? 'the hostile peer uses the Prosody test config; runs with Prosody'
  : TRANSPORT !== 'websocket' ? 'rendering is transport-independent; runs in the WebSocket combination' : false;

let server, site, browser, openSite;
const closers = [];

before(async () => {
  if (SKIP) return;
  server = await startServer({ users: [['alice', 'wonderland'], ['mallory', 'evil']] });
  [site, openSite, browser] = await Promise.all([
    serveDist({ connectSrc: [server.ws, server.bosh] }),
    // For the sign-in form tests: no XMPP endpoint at all may be reached.
    serveDist({ connectSrc: "'self'" }),
    launch(),
  ]);
});

after(async () => {
  await Promise.allSettled(closers.map((c) => c()));
  await Promise.allSettled([browser?.close(), site?.close(), openSite?.close(), server?.stop()]);
});

async function peer(opts) {
  const p = await connectPeer({ port: server.c2s_port, ...opts });
  closers.push(() => p.close());
  return p;
}

/** Fails at once, naming the payload, if a cheap detector fired. */
function assertQuiet(page, where) {
  const fired = { dialogs: page.xss.dialogs, attacker: page.xss.attacker, csp: page.natterCsp, pageErrors: page.natterErrors };
  for (const [what, list] of Object.entries(fired)) assert.deepEqual(list, [], `${where}: ${what}`);
}

async function armedPage(url) {
  const page = await newPage(browser);
  await arm(page);
  await open(page, url);
  return page;
}

test(`${SERVER_NAME}: ${PAYLOADS.length} payloads in every field the client renders show as text and run nothing`,
  { timeout: 900_000, skip: SKIP }, async (t) => {
    assert.ok(PAYLOADS.length >= 100, `at least 100 payloads (${PAYLOADS.length})`);
    const [self, evil] = await Promise.all([
      peer({ user: 'alice', password: ALICE.password, resource: 'xss-self' }),
      peer({ user: 'mallory', password: MALLORY.password, resource: 'xss' }),
    ]);
    evil.send(el('presence'));
    const page = await armedPage(site.url);
    try {
      await signIn(page, { ...ALICE, service: server.url }, { transport: TRANSPORT_NAME });
      const u = ui(page);
      await u.contact(MALLORY.jid).click();
      await u.messages.waitFor();
      const ctx = { page, alice: ALICE.jid, mallory: MALLORY.jid, self, evil };
      const tally = [];
      for (const field of FIELDS) {
        const t0 = Date.now();
        let literal = 0;
        for (const [i, p] of PAYLOADS.entries()) {
          const where = `${field.name}, payload ${label(p)}`;
          await field.send(ctx, p, i);
          const shown = field.shows(ctx);
          if (shown && field.exact) {
            await messageReads(shown, p.text, where);
            literal++;
          } else if (shown) {
            await showsLiterally(shown, p.text, where);
            literal++;
          }
          if (shown && BIDI_CONTROLS.test(p.text)) {
            assert.deepEqual(await bidiLeaks(page), [], `${where}: text that can reorder what follows it`);
          }
          assertQuiet(page, where);
        }
        // Unrendered fields: the last push reached the client before the DOM is judged.
        await page.waitForTimeout(field.shows(ctx) ? 0 : 300);
        assertClean(assert, await findings(page), field.name);
        tally.push(`${field.name}: ${PAYLOADS.length} sent, ${literal} checked as literal text (${Date.now() - t0} ms)`);
      }
      for (const line of tally) t.diagnostic(line);
    } finally {
      await page.context().close();
    }
  });

test(`${SERVER_NAME}: the sign-in form (Address, Connection URL, ?jid= and ?service=) shows hostile input as text`,
  { timeout: 600_000, skip: SKIP }, async (t) => {
    const page = await armedPage(openSite.url);
    try {
      const u = ui(page);
      let address = 0;
      let url = 0;
      const dismiss = page.getByRole('button', { name: 'Dismiss message' });
      // Submits the form and returns the alert it raised (a fresh one: the last is dismissed).
      const submit = async () => {
        if (await dismiss.count()) await dismiss.click();
        await u.alert.first().waitFor({ state: 'detached', timeout: 5000 });
        await u.signIn.click();
        await u.alert.first().waitFor({ timeout: 5000 });
        return u.alert.first();
      };
      for (const p of PAYLOADS) {
        // An address that is not one is named in the alert; a valid one reaches the URL check,
        // and "x" is no URL: either way nothing connects.
        await u.address.fill(p.text);
        await u.password.fill('x');
        await u.service.fill('x');
        const typed = norm(await u.address.inputValue());
        const alert = await submit();
        if (typed && !(await alert.textContent()).includes('is not a connection URL')) {
          await showsLiterally(alert, typed, `Address alert, payload ${label(p)}`);
          address++;
        }
        // A payload that is a ws/http URL would be tried (and blocked by connect-src): only the
        // others are typed as the Connection URL; each is refused in an alert that names it.
        const lower = p.text.trim().toLowerCase();
        if (/^(wss?|https?):\/\//.test(lower)) continue;
        await u.address.fill(ALICE.jid);
        await u.service.fill(p.text);
        const service = norm(await u.service.inputValue());
        await showsLiterally(await submit(), service, `Connection URL alert, payload ${label(p)}`);
        url++;
        assertQuiet(page, `sign-in form, payload ${label(p)}`);
      }
      assertClean(assert, await findings(page), 'sign-in form');
      t.diagnostic(`Address: ${address} payloads shown in the alert; Connection URL: ${url}`);

      // The query parameters fill the form: values, never markup.
      const sample = PAYLOADS.filter((p) => p.text.length < 1500).filter((_, i) => i % 8 === 0);
      for (const p of sample) {
        const target = new URL(openSite.url);
        target.searchParams.set('jid', p.text);
        target.searchParams.set('service', p.text);
        await open(page, target.href);
        const [jid, service] = [await u.address.inputValue(), await u.service.inputValue()];
        // A text input drops line breaks from its value; nothing else may change.
        const want = p.text.replace(/[\r\n]/g, '');
        assert.equal(jid, want, `?jid= fills Address with payload ${label(p)}`);
        assert.equal(service, want, `?service= fills Connection URL with payload ${label(p)}`);
        assertQuiet(page, `query parameters, payload ${label(p)}`);
      }
      assertClean(assert, await findings(page), 'query parameters');
      t.diagnostic(`?jid= and ?service=: ${sample.length} payloads`);
    } finally {
      await page.context().close();
    }
  });

test(`${SERVER_NAME}: subscription requests from hostile addresses and resources show as text`,
  { timeout: 300_000, skip: SKIP }, async (t) => {
    // Only what nodeprep lets through can be a localpart (no space, " & ' / : < > @).
    const locals = [...new Set(PAYLOADS.map((p) => p.text.toLowerCase())
      .filter((s) => /^[\x21-\x7e]{1,200}$/.test(s) && !/["&'/:<>@]/.test(s)))];
    assert.ok(locals.length >= 5, `enough localparts in the corpus: ${JSON.stringify(locals)}`);
    const resources = PAYLOADS.filter((p) => p.text.length < 200 && !/[\r\n\t]/.test(p.text));
    const page = await armedPage(site.url);
    try {
      await signIn(page, { ...ALICE, service: server.url }, { transport: TRANSPORT_NAME });
      const requests = page.getByRole('region', { name: 'Contact requests' });
      for (const [i, local] of locals.entries()) {
        const resource = resources[i % resources.length].text;
        let stranger;
        try {
          stranger = await peer({ user: local, password: 'x', resource, register: true });
        } catch (e) {
          // resourceprep refuses some payloads as resources: the address is what is shown.
          if (!/bind failed/.test(e.message)) throw e;
          stranger = await peer({ user: local, password: 'x', resource: 'xss' });
        }
        stranger.send(el('presence', { to: ALICE.jid, type: 'subscribe' }));
        await showsLiterally(requests, stranger.bare, `request from ${stranger.bare}`);
        assertQuiet(page, `request from ${JSON.stringify(stranger.jid)}`);
      }
      assertClean(assert, await findings(page), 'subscription requests');
      t.diagnostic(`${locals.length} hostile addresses: ${locals.join(' ')}`);
    } finally {
      await page.context().close();
    }
  });

test(`${SERVER_NAME}: hostile discovery answers (host-meta XRD and JSON) are parsed, never run`,
  { timeout: 300_000, skip: SKIP }, async (t) => {
    // The page on http://localhost:<port>/ asks its own origin first (host = account domain).
    const local = new URL(site.url);
    local.hostname = 'localhost';
    const hostile = PAYLOADS.filter((p) => p.text.length < 2000);
    const rels = ['urn:xmpp:alt-connections:websocket', 'urn:xmpp:alt-connections:xbosh'];
    const rel = TRANSPORT === 'bosh' ? rels[1] : rels[0];
    const xrd = '<?xml version="1.0" encoding="utf-8"?>' + serialize(el('XRD', { xmlns: 'http://docs.oasis-open.org/ns/xri/xrd-1.0' },
      hostile.map((p, i) => el('Link', { rel: rels[i % 2], href: p.text }, el('Title', {}, p.text))),
      hostile.map((p) => el('Link', { rel: p.text, href: server.url })),
      el('Link', { rel, href: server.url })));
    const jrd = JSON.stringify({
      links: [...hostile.map((p, i) => ({ rel: rels[i % 2], href: p.text, titles: { en: p.text } })), { rel, href: server.url }],
      '<script>': '<img src=x onerror=alert(1)>',
    });
    for (const [doc, body, type] of [['XRD', xrd, 'application/xrd+xml'], ['JSON', jrd, 'application/json']]) {
      const page = await newPage(browser);
      await arm(page);
      try {
        const asked = [];
        await page.route(/\/\.well-known\/host-meta(\.json)?$/, async (route) => {
          asked.push(route.request().url());
          const json = route.request().url().endsWith('.json');
          // One document hostile, the other empty: the client must find the link in this one.
          if (json === (doc === 'JSON')) await route.fulfill({ status: 200, contentType: type, body });
          else if (json) await route.fulfill({ status: 200, contentType: 'application/json', body: '{"links":[]}' });
          else await route.fulfill({ status: 200, contentType: 'application/xrd+xml', body: EMPTY_XRD });
        });
        await open(page, local.href);
        await signIn(page, { ...ALICE, service: '' }, { transport: TRANSPORT_NAME });
        assert.ok(asked.length > 0, 'host-meta was asked for');
        assertClean(assert, await findings(page), `discovery (${doc})`);
      } finally {
        await page.context().close();
      }
    }
    t.diagnostic(`${hostile.length} hostile links (href, rel, title) in each document, then the real endpoint`);
  });

test(`${SERVER_NAME}: the detectors fire on a real injection (the test can fail)`, { timeout: 120_000, skip: SKIP }, async () => {
  const page = await armedPage(site.url);
  try {
    // What a hole would do: markup from a peer inserted as HTML.
    await page.evaluate((host) => {
      const div = document.createElement('div');
      div.innerHTML = `<img src="https://${host}/hole.png"><img src=x onerror="alert(1)"><a href="javascript:alert(2)">x</a>`;
      document.body.append(div);
    }, ATTACKER);
    const f = await eventually(async () => {
      const now = await findings(page);
      return now.attacker.length && now.csp.length && now.dom.length >= 3 ? now : null;
    }, { timeout: 10_000, message: 'every detector to fire' });
    assert.ok(f.attacker.some((r) => r.includes('hole.png')), JSON.stringify(f.attacker));
    assert.ok(f.csp.some((v) => /script-src/.test(v)), `the inline handler was blocked and reported: ${JSON.stringify(f.csp)}`);
    assert.ok(f.dom.some((d) => d.includes('javascript:')), JSON.stringify(f.dom));
    assert.ok(f.dom.some((d) => d.includes('<img>')), JSON.stringify(f.dom));
    // Dialogs: no CSP stops page-world script run by the test itself.
    await page.evaluate(() => setTimeout(() => alert('hole'), 0));
    await eventually(() => page.xss.dialogs.length > 0, { timeout: 5000, message: 'the dialog detector' });
  } finally {
    await page.context().close();
  }
});
