// The installable full app that starts offline (issue 8, item 6): the web app manifest is linked
// and parses, Chromium's installability check passes, the service worker (sw.js) activates and
// controls the page from its next load, and with the network off a reload shows the app's shell:
// the `Sign in` form, or for a remembered account the cached `Contacts` with the connection
// status `Offline` or `Reconnecting`. Back online, signing in works.
//
// "The network off" is both halves of an outage: `context.setOffline(true)` (what the page sees:
// navigator.onLine, failing requests) and the page's own web server and the XMPP server cut
// behind TCP proxies (lib/netcut.mjs), so that no request, whoever makes it, reaches them. A page
// that came from the network instead of the worker's cache cannot show up.
//
// Each test has its own persistent profile (a user-data-dir): Chromium refuses installability in
// an incognito-like context, which is what Playwright's browser.newContext() makes.
//
// NATTER_SHOTS=DIR puts the screenshot of the offline shell there (default /tmp);
// docs/screenshots/offline-shell.png comes from this test.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, assertNoPageErrors, connected, ui, watchPage } from '../lib/browser.mjs';
import { DIST, SERVER, TRANSPORT, eventually, sleep } from '../lib/env.mjs';
import { startNetCut } from '../lib/netcut.mjs';
import { serveDist } from '../lib/serve.mjs';
import { startServer } from '../lib/server.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const USERS = [['alice', 'wonderland'], ['bob', 'builder'], ['carol', 'singing']];
const SHOTS = process.env.NATTER_SHOTS || '/tmp';
// The manifest, the worker and the offline start are the same whatever the transport and the
// server: one combination is enough.
const SKIP = SERVER !== 'prosody' || TRANSPORT !== 'websocket'
  ? 'the manifest, the service worker and the offline start do not depend on the transport or the server; runs in the WebSocket × Prosody combination'
  : false;

let server, site, web, xmpp, appUrl;

before(async () => {
  if (SKIP) return;
  [server, site] = await Promise.all([startServer({ users: USERS }), serveDist()]);
  [web, xmpp] = await Promise.all([
    startNetCut({ targetPort: site.port }),
    startNetCut({ targetPort: server.http_port }),
  ]);
  appUrl = `http://127.0.0.1:${web.port}/natter/`;
});

after(async () => {
  await Promise.allSettled([web?.close(), xmpp?.close(), site?.close(), server?.stop()]);
});

/**
 * Runs `body(page)` in a fresh persistent profile, with page errors and CSP violations recorded
 * as lib/browser.mjs's newPage does; the network is back on afterwards.
 */
async function withProfile(body) {
  const profile = mkdtempSync(join(tmpdir(), 'natter-pwa-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = await watchPage(context.pages()[0] ?? await context.newPage());
    await body(page);
  } finally {
    web.restore();
    xmpp.restore();
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Waits until the page's service worker is `activated`; returns its script URL. */
async function workerActivated(page) {
  return eventually(() => page.evaluate(async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    return reg?.active?.state === 'activated' ? reg.active.scriptURL : null;
  }), { timeout: 20_000, message: 'an activated service worker' });
}

/** The network goes away: the page's server and the XMPP server are unreachable. */
async function goOffline(page) {
  await page.context().setOffline(true);
  web.cut();
  xmpp.cut();
}

async function goOnline(page) {
  web.restore();
  xmpp.restore();
  await page.context().setOffline(false);
}

/** True when the page's document came from the service worker (not the network). */
const fromWorker = (page) => page.evaluate(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return Boolean(navigator.serviceWorker.controller) && nav.workerStart > 0;
});

const statusText = (page) => ui(page).status.textContent({ timeout: 2000 }).catch(() => '');

test('the manifest is linked and parses, the app is installable, and the service worker controls the page',
  { timeout: 60_000, skip: SKIP }, async () => {
    await withProfile(async (page) => {
      await page.goto(appUrl);
      await ui(page).form.waitFor({ timeout: 20_000 });
      const cdp = await page.context().newCDPSession(page);

      const { url, errors, data } = await cdp.send('Page.getAppManifest');
      assert.equal(url, `${appUrl}manifest.webmanifest`, 'the page links manifest.webmanifest next to it');
      assert.deepEqual(errors, [], 'the manifest parses without errors');
      const manifest = JSON.parse(data);
      assert.equal(manifest.name, 'Natter');
      assert.ok(manifest.short_name, 'a short_name');
      assert.equal(manifest.start_url, './');
      assert.equal(manifest.scope, './');
      assert.equal(manifest.display, 'standalone');
      assert.match(manifest.theme_color, /^#[0-9a-f]{6}$/i);
      assert.match(manifest.background_color, /^#[0-9a-f]{6}$/i);
      // Every PNG icon is a PNG of the size it claims; there are 192, 512 and a maskable 512.
      const seen = [];
      for (const icon of manifest.icons.filter((i) => i.type === 'image/png')) {
        const res = await page.request.get(new URL(icon.src, url).href);
        assert.equal(res.status(), 200, icon.src);
        const png = await res.body();
        assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG', `${icon.src} is a PNG`);
        const size = `${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`;
        assert.equal(size, icon.sizes, `${icon.src}: its real size`);
        seen.push(`${size} ${icon.purpose ?? 'any'}`);
      }
      for (const want of ['192x192 any', '512x512 any', '512x512 maskable']) {
        assert.ok(seen.includes(want), `a ${want} PNG icon in ${JSON.stringify(seen)}`);
      }

      const script = await workerActivated(page);
      assert.equal(script, `${appUrl}sw.js`, 'the worker is sw.js at the app root');
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      assert.deepEqual(installabilityErrors, [], 'Chromium finds the app installable');

      // The registering page runs without the worker (no clients.claim); its next load has it.
      assert.equal(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)), false,
        'the first load is not taken over');
      await page.reload();
      await ui(page).form.waitFor({ timeout: 20_000 });
      assert.ok(await fromWorker(page), 'after a reload the worker controls the page and served it');

      // One cache for this scope and build, holding the page, the glue and the wasm.
      const caches = await page.evaluate(async () => {
        const names = await caches.keys();
        const out = {};
        for (const n of names) out[n] = (await (await caches.open(n)).keys()).map((r) => r.url);
        return out;
      });
      const names = Object.keys(caches);
      assert.equal(names.length, 1, `one cache: ${JSON.stringify(names)}`);
      assert.match(names[0], /^natter-shell \/natter\/ [0-9a-f]{16}$/);
      const files = caches[names[0]].map((u) => u.slice(appUrl.length));
      assert.ok(files.includes('index.html'), `index.html cached: ${files}`);
      assert.ok(files.some((f) => /^app-[0-9a-f]+_bg\.wasm$/.test(f)), `the wasm cached: ${files}`);
      assert.ok(!files.includes('sw.js'), 'the worker does not cache itself');
      assertNoPageErrors(page, assert);
    });
  });

test('with the network off, a reload shows the Sign in form; back online, signing in works',
  { timeout: 60_000, skip: SKIP }, async () => {
    await withProfile(async (page) => {
      await page.goto(appUrl);
      await ui(page).form.waitFor({ timeout: 20_000 });
      await workerActivated(page);

      await goOffline(page);
      await page.reload();
      const u = ui(page);
      await u.form.waitFor({ timeout: 15_000 });
      assert.ok(await fromWorker(page), 'the page came from the worker');
      assert.match(await statusText(page), /\bOffline\b/, 'the status says Offline');

      await goOnline(page);
      await u.address.fill(ALICE.jid);
      await u.password.fill(ALICE.password);
      await u.service.fill(xmpp.ws);
      await u.signIn.click();
      await connected(page, 30_000);
      await u.contact('bob@localhost').waitFor({ timeout: 15_000 });
      assertNoPageErrors(page, assert);
    });
  });

test('a remembered account reloaded with the network off shows its cached Contacts, Offline or Reconnecting',
  { timeout: 60_000, skip: SKIP }, async (t) => {
    await withProfile(async (page) => {
      await page.goto(appUrl);
      const u = ui(page);
      await u.form.waitFor({ timeout: 20_000 });
      await u.address.fill(ALICE.jid);
      await u.password.fill(ALICE.password);
      await u.service.fill(xmpp.ws);
      await u.form.getByRole('checkbox', { name: /remember me/i }).check();
      await u.signIn.click();
      await connected(page, 30_000);
      await u.contact('carol@localhost').waitFor({ timeout: 15_000 });
      await workerActivated(page);
      // Let the app's own cache (IndexedDB) catch up with the roster on screen.
      await sleep(1000);

      await goOffline(page);
      const t0 = Date.now();
      await page.reload();
      await u.contact('bob@localhost').waitFor({ timeout: 15_000 });
      t.diagnostic(`cached roster shown ${Date.now() - t0} ms after the offline reload`);
      assert.ok(await fromWorker(page), 'the page came from the worker');
      assert.equal(await u.contact('carol@localhost').count(), 1, 'the whole cached roster: Carol too');
      assert.equal(await u.form.count(), 0, 'no sign-in form: the remembered account is shown');
      await eventually(async () => /\b(Offline|Reconnecting)\b/.test(await statusText(page)), {
        timeout: 5000, message: 'the status to say Offline or Reconnecting',
      });
      await page.screenshot({ path: join(SHOTS, 'offline-shell.png') });

      // Back online, the remembered account connects again by itself.
      await goOnline(page);
      await connected(page, 30_000);
      assertNoPageErrors(page, assert);
    });
  });

test('a new build takes over: its cache replaces the old one, and the open page is not reloaded',
  { timeout: 60_000, skip: SKIP }, async () => {
    // A copy of the bundle that the test turns into "the next build" in place: sw.js gets
    // another version (as `cargo xtask dist` writes for changed files) and index.html a marker.
    const dir = mkdtempSync(join(tmpdir(), 'natter-pwa-dist-'));
    cpSync(DIST, dir, { recursive: true });
    const own = await serveDist({ dir });
    try {
      await withProfile(async (page) => {
        await page.goto(own.url);
        await ui(page).form.waitFor({ timeout: 20_000 });
        await workerActivated(page);
        await page.reload();
        await ui(page).form.waitFor({ timeout: 20_000 });
        assert.ok(await fromWorker(page), 'controlled by the first build\'s worker');
        const cacheNames = () => page.evaluate(() => caches.keys());
        const [first] = await cacheNames();
        await page.evaluate(() => { window.natterE2eStillHere = true; });

        const sw = readFileSync(join(dir, 'sw.js'), 'utf8');
        const next = sw.replace(/^const VERSION = .*$/m, 'const VERSION = "e2e-next-build"; // natter:version');
        assert.notEqual(next, sw, 'sw.js has the version line xtask writes');
        writeFileSync(join(dir, 'sw.js'), next);
        const index = readFileSync(join(dir, 'index.html'), 'utf8');
        writeFileSync(join(dir, 'index.html'), index.replace('<title>', '<meta name=natter-e2e-build content=next><title>'));

        // What a navigation would do anyway: ask for sw.js again.
        await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
        const names = await eventually(async () => {
          const n = await cacheNames();
          return n.length === 1 && n[0] !== first ? n : null;
        }, { timeout: 20_000, message: 'the next build\'s cache alone (the first one deleted)' });
        assert.match(names[0], / e2e-next-build$/);
        assert.equal(await page.evaluate(() => window.natterE2eStillHere), true, 'the open page was not reloaded');
        assert.equal(await ui(page).form.count(), 1, 'and still shows its form');

        // With its server gone, the next load is the next build, from its cache.
        await own.close();
        await page.context().setOffline(true);
        await page.reload();
        await ui(page).form.waitFor({ timeout: 15_000 });
        assert.equal(await page.locator('meta[name=natter-e2e-build]').getAttribute('content'), 'next',
          'the page of the next build');
        assertNoPageErrors(page, assert);
      });
    } finally {
      await own.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  });
