// A contact floods the browser: thousands of presence changes from many resources and a
// thousand messages, as fast as the server relays them. The page must stay responsive (a click
// answers) and end in the right state. The longest main-thread task (PerformanceObserver
// `longtask`) is recorded and printed, not asserted: timings belong in benchmarks.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertNoPageErrors, launch, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { SERVER, SERVER_NAME, TRANSPORT_NAME, eventually } from '../lib/env.mjs';
import { connectPeer, el } from '../lib/peer.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const MALLORY = 'mallory@localhost';
const PRESENCES = 5_000;
const RESOURCES = 50;
const MESSAGES = 1_000;
const SKIP = SERVER !== 'prosody' ? 'the flooding peer uses the Prosody test config; runs with Prosody' : false;

let server, site, browser, evil;

before(async () => {
  if (SKIP) return;
  server = await startServer({ users: [['alice', 'wonderland'], ['mallory', 'evil']] });
  [site, browser] = await Promise.all([serveDist({ connectSrc: [server.ws, server.bosh] }), launch()]);
});

after(async () => {
  await Promise.allSettled([evil?.close(), browser?.close(), site?.close(), server?.stop()]);
});

test(`${SERVER_NAME}, ${TRANSPORT_NAME}: a flood of ${PRESENCES} presences and ${MESSAGES} messages leaves the page responsive`,
  { timeout: 300_000, skip: SKIP }, async (t) => {
    const page = await newPage(browser);
    await page.addInitScript(() => {
      globalThis.__natterLongTasks = { longest: 0, count: 0, total: 0 };
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          const s = globalThis.__natterLongTasks;
          s.longest = Math.max(s.longest, e.duration);
          s.count += 1;
          s.total += e.duration;
        }
      }).observe({ type: 'longtask', buffered: true });
    });
    try {
      await open(page, site.url);
      await signIn(page, { ...ALICE, service: server.url });
      const u = ui(page);
      await u.contact(MALLORY).click();
      await u.messages.waitFor();
      // Sign-in is not what is measured.
      await page.waitForTimeout(500);
      await page.evaluate(() => Object.assign(globalThis.__natterLongTasks, { longest: 0, count: 0, total: 0 }));

      evil = await connectPeer({ port: server.c2s_port, user: 'mallory', password: 'evil', resource: 'r0' });
      const resources = [evil];
      for (let r = 1; r < RESOURCES; r++) {
        resources.push(await connectPeer({ port: server.c2s_port, user: 'mallory', password: 'evil', resource: `r${r}` }));
      }
      const t0 = Date.now();
      // Interleaved: every resource changes its presence again and again, and messages arrive
      // in between. The sockets' buffers take it all at once.
      const shows = ['away', 'dnd', 'xa', 'chat'];
      let m = 0;
      for (let i = 0; i < PRESENCES; i++) {
        const peer = resources[i % RESOURCES];
        peer.send(el('presence', {}, el('show', {}, shows[i % shows.length]), el('status', {}, `flood ${i}`)));
        if (i % (PRESENCES / MESSAGES) === 0 && m < MESSAGES) {
          evil.send(el('message', { to: ALICE.jid, type: 'chat', id: `flood-${m}` }, el('body', {}, `flood message ${m}`)));
          m++;
        }
      }
      // The last word: one resource stays, with a known status.
      evil.send(el('presence', {}, el('status', {}, 'the flood is over')));
      for (const peer of resources.slice(1)) peer.send(el('presence', { type: 'unavailable' }));

      // While it pours in: a click must answer.
      const clickT0 = Date.now();
      await u.filter.click();
      await u.filter.fill('no such contact');
      await page.getByText('No contacts match the filter.').waitFor({ timeout: 30_000 });
      const clickMs = Date.now() - clickT0;
      await u.filter.fill('');

      // The end state: the last status and the last message are shown.
      await eventually(async () => /the flood is over/.test((await u.contact(MALLORY).textContent()) ?? ''),
        { timeout: 120_000, message: 'the last status to show' });
      const log = u.messages;
      await eventually(async () => {
        await log.evaluate((e) => { e.scrollTop = e.scrollHeight; });
        return (await u.messagesFrom(MALLORY).allTextContents()).some((x) => x.includes(`flood message ${MESSAGES - 1}`));
      }, { timeout: 120_000, message: 'the last message to show' });
      const settledMs = Date.now() - t0;
      const tasks = await page.evaluate(() => globalThis.__natterLongTasks);
      t.diagnostic(`flood settled in ${settledMs} ms; a click during it answered in ${clickMs} ms; ` +
        `longest main-thread task ${Math.round(tasks.longest)} ms (${tasks.count} tasks over 50 ms, ${Math.round(tasks.total)} ms in all)`);
      // Responsive: the page still answers a click at once after the flood.
      const after0 = Date.now();
      await u.filter.fill('mallory');
      await u.contact(MALLORY).waitFor({ timeout: 5_000 });
      t.diagnostic(`a click after the flood answered in ${Date.now() - after0} ms`);
      assertNoPageErrors(page, assert);
    } finally {
      await page.context().close();
    }
  });
