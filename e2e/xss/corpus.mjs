// The XSS corpus (payloads.json) and the detectors the XSS test arms on a page: dialogs, CSP
// violations, console and page errors, requests to the attacker's origin, and a scan of the DOM
// for anything a payload could have turned into markup.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../lib/env.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The attacker's origin: payloads load from it, so any request to it is a hole. */
export const ATTACKER = 'attacker.invalid';

/** [{ id, kind, text }]: `prefix` + `repeat` × `times` entries expanded. */
export function loadPayloads() {
  const { payloads } = JSON.parse(readFileSync(join(HERE, 'payloads.json'), 'utf8'));
  return payloads.map((p) => ({
    id: p.id,
    kind: p.kind,
    text: p.text ?? `${p.prefix ?? ''}${p.repeat.repeat(p.times)}`,
  }));
}

/** Whitespace aside: runs of white space are one space, none at the ends. */
export const norm = (s) => (s ?? '').replace(/\s+/g, ' ').trim();

/** A short printable name for a payload in messages. */
export const label = (p) => `${p.id} ${JSON.stringify(p.text.length > 60 ? `${p.text.slice(0, 60)}…` : p.text)}`;

/**
 * Arms the detectors on `page` (before it loads anything). `page.natterCsp`, `natterErrors`
 * and `natterConsole` come from lib/browser.mjs newPage; this adds `page.xss.dialogs` and
 * `page.xss.attacker` (requests to the attacker's origin, answered with a 404 so nothing
 * leaves the machine).
 */
export async function arm(page) {
  page.xss = { dialogs: [], attacker: [] };
  page.on('dialog', async (d) => {
    page.xss.dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
  await page.context().route((url) => url.hostname === ATTACKER || url.hostname.endsWith(`.${ATTACKER}`), async (route) => {
    page.xss.attacker.push(`${route.request().resourceType()} ${route.request().url()}`);
    await route.fulfill({ status: 404, body: '' });
  });
  page.on('websocket', (ws) => {
    if (new URL(ws.url()).hostname.endsWith(ATTACKER)) page.xss.attacker.push(`websocket ${ws.url()}`);
  });
}

/** Everything the detectors caught so far (empty when the page is clean). */
export async function findings(page) {
  const dom = await page.evaluate(scanDom).catch((e) => [`DOM scan failed: ${e.message}`]);
  const bidi = await page.evaluate(scanBidi).catch((e) => [`bidi scan failed: ${e.message}`]);
  return {
    dialogs: page.xss.dialogs,
    attacker: page.xss.attacker,
    csp: page.natterCsp,
    pageErrors: page.natterErrors,
    consoleErrors: page.natterConsole,
    dom,
    bidi,
  };
}

export function assertClean(assert, f, where) {
  for (const [what, list] of Object.entries(f)) {
    assert.deepEqual(list, [], `${where}: ${what}`);
  }
}

/** Runs in the page: what in the body could only be there because a payload became markup. */
function scanDom() {
  const bad = [];
  const LINK_SCHEMES = ['http:', 'https:', 'xmpp:', 'mailto:'];
  // The app renders none of these; a payload that became markup would.
  const FOREIGN = new Set(['script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'base', 'meta', 'link', 'style',
    'svg', 'math', 'img', 'image', 'picture', 'video', 'audio', 'source', 'track', 'portal', 'template', 'xmp',
    'noembed', 'marquee', 'details', 'plaintext', 'applet', 'canvas', 'map', 'area', 'table']);
  const URL_ATTRS = ['src', 'srcset', 'action', 'formaction', 'poster', 'background', 'data', 'xlink:href', 'ping'];
  for (const e of document.body.querySelectorAll('*')) {
    const tag = e.localName;
    if (FOREIGN.has(tag) || e.namespaceURI !== 'http://www.w3.org/1999/xhtml') {
      bad.push(`<${tag}> in the page: ${e.outerHTML.slice(0, 120)}`);
    }
    for (const a of e.getAttributeNames()) {
      if (a.startsWith('on')) bad.push(`event handler attribute ${a} on <${tag}>`);
      if (URL_ATTRS.includes(a)) bad.push(`${a}= on <${tag}>: ${e.getAttribute(a).slice(0, 120)}`);
    }
    if (tag === 'a' && e.hasAttribute('href')) {
      const href = e.getAttribute('href');
      let scheme = '';
      try { scheme = new URL(href, document.baseURI).protocol; } catch { scheme = 'unparsable'; }
      if (!LINK_SCHEMES.includes(scheme)) bad.push(`a link with scheme ${scheme}: ${href.slice(0, 120)}`);
      const rel = (e.getAttribute('rel') ?? '').split(/\s+/);
      if (!rel.includes('noopener') || !rel.includes('noreferrer')) {
        bad.push(`a link without rel="noopener noreferrer": ${href.slice(0, 120)}`);
      }
    }
  }
  return bad;
}

/**
 * Runs in the page: text holding bidi controls (U+202A–U+202E overrides and embeddings,
 * U+2066–U+2069 isolates, marks) must sit in an element that is its own bidi paragraph or
 * isolate, so an unclosed override cannot reorder the text after it (a status, a label).
 */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

/** Bidi leaks (see scanBidi) in the page now. */
export const bidiLeaks = (page) => page.evaluate(scanBidi);

function scanBidi() {
  const CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;
  const leaks = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!CONTROLS.test(n.data)) continue;
    const el = n.parentElement;
    const style = getComputedStyle(el);
    const isolated = ['isolate', 'plaintext', 'isolate-override'].includes(style.unicodeBidi)
      || !style.display.startsWith('inline');
    if (!isolated) {
      leaks.push(`<${el.localName} class="${el.className}"> (unicode-bidi: ${style.unicodeBidi}, display: ` +
        `${style.display}) holds ${JSON.stringify(n.data.slice(0, 40))}`);
    }
  }
  return leaks;
}

/**
 * Waits until one of the messages in `articles` (a locator of `article`s) reads exactly
 * `payload` (whitespace aside), followed only by its time. Exact, so that a payload that is part
 * of an earlier one does not pass on the earlier one's message.
 */
export async function messageReads(articles, payload, what, timeout = 15_000) {
  const want = norm(payload);
  let texts = [];
  // The log may be virtualized: scroll to the newest, as a reader would, then look.
  const log = articles.page().getByRole('log', { name: 'Messages' });
  await eventually(async () => {
    await log.evaluate((el) => { el.scrollTop = el.scrollHeight; }).catch(() => {});
    texts = (await articles.allTextContents()).map(norm);
    return texts.some((t) => t === want || (t.startsWith(want) && CLOCK.test(t.slice(want.length))));
  }, { timeout, interval: 20, message: `${what} to show the payload as a message's text` }).catch((e) => {
    e.message += `\n  wanted: ${JSON.stringify(want.slice(0, 200))}\n  last messages: ${JSON.stringify(texts.slice(-3).map((t) => t.slice(0, 200)))}`;
    throw e;
  });
}

// What follows a message's text: its time (`14:05`, `25 Nov 14:05`), and for ours the delivery.
const CLOCK = /^ ?(\d{1,2} [A-Z][a-z]{2} )?\d{2}:\d{2}( .*)?$/;

/** Waits until `locator`'s text holds `payload` literally (whitespace aside). */
export async function showsLiterally(locator, payload, what, timeout = 15_000) {
  const want = norm(payload);
  let last = '';
  const log = locator.page().getByRole('log', { name: 'Messages' });
  await eventually(async () => {
    if (await log.count()) await log.evaluate((el) => { el.scrollTop = el.scrollHeight; }).catch(() => {});
    last = norm(await locator.textContent({ timeout: 2000 }));
    return last.includes(want);
  }, { timeout, interval: 20, message: `${what} to show the payload as text` }).catch((e) => {
    e.message += `\n  wanted: ${JSON.stringify(want.slice(0, 200))}\n  shown:  ${JSON.stringify(last.slice(0, 400))}`;
    throw e;
  });
}
