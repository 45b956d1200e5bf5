// BOSH on a flaky network: one HTTP request of a running session is lost, while messages flow.
// XEP-0124 §14: the client sends the same `rid` again and the server replays its response (or
// processes the payload once), so nothing is lost and nothing is doubled. Only in the BOSH
// combinations of the matrix (NATTER_E2E_TRANSPORT=bosh); the other party is a WebSocket bot.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBot } from '../lib/bot.mjs';
import { assertNoPageErrors, launch, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { SERVER_NAME, TRANSPORT, eventually, sleep } from '../lib/env.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const BOB = { jid: 'bob@localhost', password: 'builder' };
const SKIP = TRANSPORT === 'bosh' ? false : 'BOSH only (NATTER_E2E_TRANSPORT=bosh)';
const N = 10;

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

/** Texts of the messages from `jid` in the open conversation. */
async function texts(page, jid) {
  return ui(page).messagesFrom(jid).allTextContents();
}

/** Message texts that do not contain each other (the log adds a time after the body). */
const incoming = (run, i) => `[${run} in #${i}]`;

function countOf(list, text) {
  return list.filter((t) => t.includes(text)).length;
}

test(`${SERVER_NAME}: a BOSH response lost mid-session (it carried a message): every incoming message arrives exactly once`,
  { timeout: 120_000, skip: SKIP }, async () => {
    const page = await newPage(browser);
    let bot;
    try {
      await open(page, site.url);
      await signIn(page, { ...ALICE, service: server.bosh }, { transport: 'BOSH' });
      const u = ui(page);
      await u.contact(BOB.jid).waitFor({ timeout: 10_000 });
      await u.contact(BOB.jid).click();
      bot = await startBot({ url: server.ws, ...BOB });

      // From now on, the first BOSH response that carries a <message> is lost on its way to the
      // browser: the server has processed the request and sent the response, the page sees a
      // reset connection. Every other request passes untouched.
      let armed = true;
      let lost = null;
      await page.route('**/http-bind', async (route) => {
        if (!armed) return route.continue();
        let response;
        try {
          response = await route.fetch({ timeout: 120_000 });
        } catch {
          return route.abort('failed');
        }
        const body = await response.text();
        if (armed && body.includes('<message')) {
          armed = false;
          lost = body;
          return route.abort('connectionreset');
        }
        return route.fulfill({ response, body });
      });

      const run = Date.now().toString(36);
      for (let i = 1; i <= N; i++) {
        bot.send(`send ${ALICE.jid} ${incoming(run, i)}`);
        await sleep(150);
      }
      await eventually(() => lost !== null, { timeout: 20_000, message: 'a BOSH response with a message to be dropped' });
      await eventually(async () => {
        const seen = await texts(page, BOB.jid);
        return Array.from({ length: N }, (_, k) => incoming(run, k + 1)).every((m) => countOf(seen, m) >= 1);
      }, { timeout: 30_000, message: `all ${N} messages from Bob in Alice's conversation` });
      await sleep(1500); // a late duplicate would show up now
      const seen = await texts(page, BOB.jid);
      for (let i = 1; i <= N; i++) {
        assert.equal(countOf(seen, incoming(run, i)), 1, `message ${i} shown exactly once: ${JSON.stringify(seen)}`);
      }
      assert.match(await u.status.textContent(), /\bConnected\b/);
      assertNoPageErrors(page, assert);
    } finally {
      await page.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => {});
      await bot?.stop();
      await page.context().close();
    }
  });

test(`${SERVER_NAME}: a BOSH request lost before the server (it carried a message): every outgoing message arrives exactly once`,
  { timeout: 120_000, skip: SKIP }, async () => {
    const page = await newPage(browser);
    let bot;
    try {
      await open(page, site.url);
      await signIn(page, { ...ALICE, service: server.bosh }, { transport: 'BOSH' });
      const u = ui(page);
      await u.contact(BOB.jid).waitFor({ timeout: 10_000 });
      bot = await startBot({ url: server.ws, ...BOB, resource: 'bot2' });
      await u.contact(BOB.jid).click();

      // The first request whose payload carries a <message> never reaches the server.
      let armed = true;
      let dropped = null;
      await page.route('**/http-bind', async (route) => {
        const body = route.request().postData() ?? '';
        if (armed && body.includes('<message')) {
          armed = false;
          dropped = body;
          return route.abort('connectionreset');
        }
        return route.continue();
      });

      const mark = bot.events.length;
      const run = Date.now().toString(36);
      for (let i = 1; i <= N; i++) {
        await u.composer.fill(`out-${run}-${i}`);
        await u.composer.press('Enter');
        await sleep(100);
      }
      await eventually(() => dropped !== null, { timeout: 20_000, message: 'a BOSH request with a message to be dropped' });
      const got = () => bot.events.slice(mark).filter((e) => e.type === 'message' && e.body?.startsWith(`out-${run}-`)).map((e) => e.body);
      await eventually(() => Array.from({ length: N }, (_, k) => `out-${run}-${k + 1}`).every((m) => got().includes(m)), {
        timeout: 30_000,
        message: `all ${N} messages from Alice at the bot`,
      });
      await sleep(1500);
      for (let i = 1; i <= N; i++) {
        assert.equal(got().filter((b) => b === `out-${run}-${i}`).length, 1, `message ${i} received exactly once: ${JSON.stringify(got())}`);
      }
      assert.match(await u.status.textContent(), /\bConnected\b/);
      assertNoPageErrors(page, assert);
    } finally {
      await page.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => {});
      await bot?.stop();
      await page.context().close();
    }
  });
