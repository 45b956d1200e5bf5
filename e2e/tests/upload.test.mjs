// Files over XEP-0363 HTTP upload and XEP-0066 OOB, browser to natter-bot: a 5 MB file shows
// its progress and arrives intact (SHA-256 of what the bot's URL serves against the
// original), a small PNG shows inline, a cancelled upload sends nothing, a file above the
// server's limit is refused before any upload. The page runs under the strict CSP with
// connect-src limited to the server's endpoints and its HTTP origin (the upload service).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { startBot } from '../lib/bot.mjs';
import { assertNoPageErrors, launch, newPage, open, signIn, ui } from '../lib/browser.mjs';
import { SERVER_NAME, TRANSPORT, TRANSPORT_NAME, eventually, sleep } from '../lib/env.mjs';
import { startServer } from '../lib/server.mjs';
import { serveDist } from '../lib/serve.mjs';

const ALICE = { jid: 'alice@localhost', password: 'wonderland' };
const BOB = { jid: 'bob@localhost', password: 'builder' };
// Uploads are HTTP between the page and the upload service, whatever carries the XMPP stream.
const SKIP = TRANSPORT !== 'websocket' ? 'uploads do not depend on the XMPP transport; runs in the WebSocket combination' : false;
const MB = 1024 * 1024;
// Both test servers take up to 10 MB (config/prosody.cfg.lua, config/ejabberd.yml).
const LIMIT_MB = 10;

// A 1×1 PNG.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5f6e1d40000000049454e44ae426082', 'hex');

let server, site, browser, bot, page;

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

before(async () => {
  if (SKIP) return;
  server = await startServer({ users: [['alice', 'wonderland'], ['bob', 'builder']] });
  [site, browser, bot] = await Promise.all([
    // The upload service is the server's HTTP port (Prosody http_file_share, ejabberd /upload).
    serveDist({ connectSrc: [server.ws, server.bosh, `http://127.0.0.1:${server.http_port}`] }),
    launch(),
    startBot({ url: server.ws, ...BOB }),
  ]);
  page = await newPage(browser);
  await open(page, site.url);
  await signIn(page, { ...ALICE, service: server.url }, { transport: TRANSPORT_NAME });
  const u = ui(page);
  await u.contact(BOB.jid).click();
  await u.messages.waitFor();
  // Shown once the server's upload service has been found.
  await page.getByRole('button', { name: 'Attach file' }).waitFor({ timeout: 15_000 });
});

after(async () => {
  await Promise.allSettled([bot?.stop(), page?.context().close(), browser?.close(), site?.close(), server?.stop()]);
});

/** Slows the page's uploads to `bytesPerSecond` (CDP network emulation), or lifts it. */
async function throttle(bytesPerSecond) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: bytesPerSecond ?? -1,
  });
  return cdp;
}

/** Records every aria-valuenow the progressbar `name` takes, from now on. */
async function watchProgress(name) {
  await page.evaluate((label) => {
    window.__progress = [];
    const seen = () => {
      const bar = [...document.querySelectorAll('progress')].find((p) => p.getAttribute('aria-label') === label);
      if (bar) window.__progress.push([Number(bar.getAttribute('aria-valuenow')), Number(bar.getAttribute('aria-valuemax'))]);
    };
    new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  }, name);
}

const attach = (files) => page.getByLabel('File to send').setInputFiles(files);

test(`${SERVER_NAME}: a 5 MB file uploads with progress and arrives intact`, { timeout: 60_000, skip: SKIP }, async () => {
  const name = 'random-5mb.bin';
  const data = randomBytes(5 * MB);
  const from = bot.events.length;
  // About 1.5 s of upload: enough progress events to see it grow.
  const cdp = await throttle(4 * MB);
  try {
    await watchProgress(`Uploading ${name}`);
    await attach({ name, mimeType: 'application/octet-stream', buffer: data });
    const bar = page.getByRole('progressbar', { name: `Uploading ${name}` });
    await bar.waitFor({ timeout: 10_000 });
    assert.equal(await page.getByRole('button', { name: 'Cancel upload' }).count(), 1, 'a Cancel upload button while it runs');
    const got = await bot.waitFor((e) => e.type === 'message' && e.oob, { from, timeout: 30_000, message: 'the file message' });
    assert.equal(got.body, got.oob, 'the URL is the body too');
    assert.match(got.oob, new RegExp(`^http://127\\.0\\.0\\.1:${server.http_port}/.+/${name}$`));
    const values = await page.evaluate(() => window.__progress);
    const sent = values.map(([now]) => now);
    assert.ok(values.every(([, max]) => max === data.length), `aria-valuemax is the size: ${JSON.stringify(values.slice(0, 3))}`);
    assert.ok(sent.some((n) => n > 0 && n < data.length), `progress in between: ${JSON.stringify(sent)}`);
    assert.ok(sent.every((n, i) => i === 0 || n >= sent[i - 1]), `never going back: ${JSON.stringify(sent)}`);
    await page.getByRole('link', { name: `Download ${name}` }).waitFor({ timeout: 10_000 });
    await eventually(async () => (await bar.count()) === 0, { message: 'the progressbar to go once sent' });
    const res = await fetch(got.oob);
    assert.equal(res.status, 200);
    const back = Buffer.from(await res.arrayBuffer());
    assert.equal(back.length, data.length);
    assert.equal(sha256(back), sha256(data), 'the file arrives intact');
  } finally {
    await throttle(null);
    await cdp.detach();
  }
  assertNoPageErrors(page, assert);
});

test(`${SERVER_NAME}: a small PNG shows inline with its name as alt text`, { timeout: 30_000, skip: SKIP }, async () => {
  const from = bot.events.length;
  await attach({ name: 'dot.png', mimeType: 'image/png', buffer: PNG });
  const got = await bot.waitFor((e) => e.type === 'message' && e.oob?.endsWith('/dot.png'), { from, message: 'the PNG message' });
  const img = ui(page).messages.getByRole('img', { name: 'dot.png' });
  await img.waitFor({ timeout: 10_000 });
  assert.equal(await img.getAttribute('src'), got.oob);
  assert.equal(await img.getAttribute('loading'), 'lazy');
  assert.equal(await img.getAttribute('referrerpolicy'), 'no-referrer');
  // Loaded under the page's CSP (img-src allows the loopback upload service).
  await eventually(() => img.evaluate((el) => el.complete && el.naturalWidth === 1), { message: 'the image to load' });
  assert.deepEqual(page.natterCsp, [], 'no CSP violation');
});

test(`${SERVER_NAME}: an image pasted into the composer and a file dropped on the chat are sent`, { timeout: 30_000, skip: SKIP }, async () => {
  const from = bot.events.length;
  // What the browser builds for a real paste or drop: a DataTransfer holding the files.
  await ui(page).composer.evaluate((el, png) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(png)], 'pasted.png', { type: 'image/png' }));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, [...PNG]);
  await bot.waitFor((e) => e.type === 'message' && e.oob?.endsWith('/pasted.png'), { from, message: 'the pasted image' });
  await ui(page).messages.getByRole('img', { name: 'pasted.png' }).waitFor({ timeout: 10_000 });
  assert.equal(await ui(page).composer.inputValue(), '', 'nothing pasted into the text');
  await ui(page).messages.evaluate((el) => {
    const dt = new DataTransfer();
    dt.items.add(new File(['dropped text'], 'notes.txt', { type: 'text/plain' }));
    el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  const got = await bot.waitFor((e) => e.type === 'message' && e.oob?.endsWith('/notes.txt'), { from, message: 'the dropped file' });
  await page.getByRole('link', { name: 'Download notes.txt' }).waitFor({ timeout: 10_000 });
  assert.equal(await (await fetch(got.oob)).text(), 'dropped text');
});

test(`${SERVER_NAME}: a cancelled upload sends nothing`, { timeout: 40_000, skip: SKIP }, async () => {
  const name = 'cancel-me.bin';
  const from = bot.events.length;
  const articles = await ui(page).messages.getByRole('article').count();
  // 5 MB at 256 KB/s: twenty seconds, cancelled within the first few.
  const cdp = await throttle(256 * 1024);
  try {
    await attach({ name, mimeType: 'application/octet-stream', buffer: randomBytes(5 * MB) });
    const bar = page.getByRole('progressbar', { name: `Uploading ${name}` });
    await eventually(async () => Number(await bar.getAttribute('aria-valuenow', { timeout: 1000 }).catch(() => 0)) > 0,
      { timeout: 15_000, message: 'the upload to be under way' });
    await page.getByRole('button', { name: 'Cancel upload' }).click();
    await eventually(async () => (await bar.count()) === 0, { message: 'the progressbar to go' });
  } finally {
    await throttle(null);
    await cdp.detach();
  }
  await sleep(1500);
  assert.equal(bot.events.slice(from).filter((e) => e.type === 'message').length, 0, 'the bot got no message');
  assert.equal(await ui(page).messages.getByRole('article').count(), articles, 'no message in the log');
  assert.equal(await page.getByRole('link', { name: `Download ${name}` }).count(), 0);
  assertNoPageErrors(page, assert);
});

test(`${SERVER_NAME}: a file above the server's limit is refused before uploading`, { timeout: 30_000, skip: SKIP }, async () => {
  const name = 'too-big.bin';
  const from = bot.events.length;
  await attach({ name, mimeType: 'application/octet-stream', buffer: Buffer.alloc(LIMIT_MB * MB + 1) });
  const alert = page.getByRole('alert').filter({ hasText: name });
  await alert.waitFor({ timeout: 10_000 });
  assert.equal((await alert.textContent()).trim(), `${name} is too large: the server accepts up to ${LIMIT_MB} MB.`);
  assert.equal(await page.getByRole('progressbar', { name: `Uploading ${name}` }).count(), 0, 'no upload started');
  await page.getByRole('button', { name: 'Dismiss upload error' }).click();
  await eventually(async () => (await alert.count()) === 0, { message: 'the alert to go' });
  await sleep(300);
  assert.equal(bot.events.slice(from).filter((e) => e.type === 'message').length, 0);
});
