// Every field the client renders from the network, as a row: how a hostile peer puts a payload
// into it, and where the page shows it. To cover a new field (rooms, vCard, files, reactions…),
// add a row: `send` delivers payload `p` (the i-th) through the real server, `shows` returns
// the locator that must then hold the text literally (or null if the client does not render
// the field yet: then only the detectors judge it); `exact: true` when that locator is a set
// of messages one of which must read the payload and nothing else.
import { NS, childText, el } from '../lib/peer.mjs';
import { ui } from '../lib/browser.mjs';

const iqSet = (payload) => el('iq', { type: 'set' }, payload);
const rosterItem = (jid, name, groups = []) =>
  iqSet(el('query', { xmlns: NS.roster }, el('item', { jid, name }, groups.map((g) => el('group', {}, g)))));

async function writeRoster(peer, item, what) {
  const reply = await peer.request(item);
  if (reply.attrs.type !== 'result') throw new Error(`${what}: the server refused the roster set: ${JSON.stringify(reply)}`);
}

/**
 * ctx: { page, alice (bare JID of the browser user), mallory (bare JID of the hostile contact),
 *        self (peer: the browser user's account, another resource), evil (peer: mallory) }
 */
export const FIELDS = [
  {
    name: 'message body',
    async send(ctx, p, i) {
      ctx.evil.send(el('message', { to: ctx.alice, type: 'chat', id: `xss-body-${i}` }, el('body', {}, p.text)));
    },
    shows: (ctx) => ui(ctx.page).messagesFrom(ctx.mallory),
    exact: true,
  },
  {
    // XEP-0393: the payload inside a strong span, a quotation and a preformatted block (the
    // longest payloads only in the span, to stay within the server's stanza size limit).
    name: 'styled message body',
    async send(ctx, p, i) {
      const body = p.text.length > 20_000 ? `*${p.text}*` : `*${p.text}*\n> ${p.text}\n\`\`\`\n${p.text}\n\`\`\``;
      ctx.evil.send(el('message', { to: ctx.alice, type: 'chat', id: `xss-styled-${i}` }, el('body', {}, body)));
    },
    shows: (ctx) => ui(ctx.page).messagesFrom(ctx.mallory).last(),
  },
  {
    name: 'roster name',
    send: (ctx, p) => writeRoster(ctx.self, rosterItem(ctx.mallory, p.text, ['Friends']), 'roster name'),
    shows: (ctx) => ui(ctx.page).contact(ctx.mallory),
  },
  {
    name: 'roster group',
    send: (ctx, p) => writeRoster(ctx.self, rosterItem(ctx.mallory, 'Mallory', [p.text]), 'roster group'),
    // Groups are stored, not shown yet.
    shows: () => null,
  },
  {
    name: 'status text (presence)',
    send: async (ctx, p) => ctx.evil.send(el('presence', {}, el('show', {}, 'away'), el('status', {}, p.text))),
    shows: (ctx) => ui(ctx.page).contact(ctx.mallory),
  },
  {
    // XEP-0085: "NAME is typing…" under the chat header, NAME being the roster name.
    name: 'typing notice (roster name, XEP-0085)',
    async send(ctx, p, i) {
      await writeRoster(ctx.self, rosterItem(ctx.mallory, p.text), 'typing name');
      ctx.evil.send(el('message', { to: ctx.alice, type: 'chat', id: `xss-typing-${i}` },
        el('composing', { xmlns: 'http://jabber.org/protocol/chatstates' })));
    },
    shows: (ctx) => ctx.page.getByRole('status', { name: 'Chat state' }),
  },
  {
    name: 'error text (message bounce)',
    async send(ctx, p, i) {
      // Our message goes out through the composer; the peer bounces it with the payload as
      // the error's <text>, from the address it was sent to (so the core accepts the bounce).
      const u = ui(ctx.page);
      const marker = `bounce me #${i}.`;
      await u.composer.fill(marker);
      await u.composer.press('Enter');
      const sent = await ctx.evil.waitFor(
        (s) => s.name === 'message' && childText(s, 'body') === marker, `our message "${marker}"`);
      ctx.evil.send(el('message', { to: sent.attrs.from, type: 'error', id: sent.attrs.id },
        el('error', { type: 'cancel' },
          el('undefined-condition', { xmlns: NS.stanzas }),
          el('text', { xmlns: NS.stanzas, 'xml:lang': 'en' }, p.text))));
      ctx.marker = marker;
    },
    shows: (ctx) => ui(ctx.page).messagesFrom(ctx.alice).filter({ hasText: ctx.marker }),
  },
  // ---- corrections, reactions, replies (XEP-0308, XEP-0444, XEP-0461) ----
  {
    name: 'corrected body (XEP-0308)',
    async send(ctx, p, i) {
      ctx.evil.send(el('message', { to: ctx.alice, type: 'chat', id: `xss-orig-${i}` }, el('body', {}, `to be corrected #${i}`)));
      ctx.evil.send(el('message', { to: ctx.alice, type: 'chat', id: `xss-fix-${i}` },
        el('body', {}, p.text), el('replace', { xmlns: 'urn:xmpp:message-correct:0', id: `xss-orig-${i}` })));
      ctx.corrected = `to be corrected #${i}`;
    },
    // The original's place now holds the payload (the original text must be gone).
    shows: (ctx) => ui(ctx.page).messagesFrom(ctx.mallory).last(),
  },
  {
    name: 'reaction text (XEP-0444)',
    async send(ctx, p, i) {
      ctx.evil.send(el('message', { to: ctx.alice, type: 'chat', id: `xss-rb-${i}` }, el('body', {}, `react to this #${i}`)));
      // Paced like the other rows (most reactions are refused and not waited for): a burst
      // would run into the server's rate limit and slow the rows after this one.
      await ui(ctx.page).messagesFrom(ctx.mallory).filter({ hasText: `react to this #${i}` }).last().waitFor({ timeout: 15_000 });
      ctx.evil.send(el('message', { to: ctx.alice, type: 'chat', id: `xss-rx-${i}` },
        el('reactions', { xmlns: 'urn:xmpp:reactions:0', id: `xss-rb-${i}` }, el('reaction', {}, p.text)),
        el('store', { xmlns: 'urn:xmpp:hints' })));
      // Long reactions, control and bidi characters are refused by design: only the
      // detectors judge those.
      ctx.reactionShown = validReaction(p.text);
    },
    shows: (ctx) => ctx.reactionShown
      ? ui(ctx.page).messagesFrom(ctx.mallory).last().getByRole('group', { name: 'Reactions' })
      : null,
  },
  {
    name: 'reply quote of a known message (XEP-0461)',
    async send(ctx, p, i) {
      ctx.evil.send(el('message', { to: ctx.alice, type: 'chat', id: `xss-rq-${i}` }, el('body', {}, p.text)));
      ctx.evil.send(el('message', { to: ctx.alice, type: 'chat', id: `xss-ra-${i}` },
        el('body', {}, `answer #${i}`), el('reply', { xmlns: 'urn:xmpp:reply:0', id: `xss-rq-${i}` })));
      // The quote holds the first 200 characters.
      ctx.quoteShown = [...p.text].length <= 200;
    },
    shows: (ctx) => ctx.quoteShown
      ? ui(ctx.page).messagesFrom(ctx.mallory).last().getByRole('blockquote', { name: /^In reply to / })
      : null,
  },
  {
    name: 'reply fallback quote (XEP-0461 + XEP-0428)',
    async send(ctx, p, i) {
      // A reply to a message we never had: the quote is the sender's fallback text.
      const prefix = `> ${p.text}\n`;
      ctx.evil.send(el('message', { to: ctx.alice, type: 'chat', id: `xss-rf-${i}` },
        el('body', {}, `${prefix}answer #${i}`),
        el('reply', { xmlns: 'urn:xmpp:reply:0', id: `xss-unknown-${i}` }),
        el('fallback', { xmlns: 'urn:xmpp:fallback:0', for: 'urn:xmpp:reply:0' },
          el('body', { start: '0', end: String([...prefix].length) }))));
      // One quoted line reads back as the payload; more lines lose their `> ` markers.
      ctx.fallbackShown = [...p.text].length <= 200 && !/[\r\n]/.test(p.text) && !/^\s*>/.test(p.text);
    },
    shows: (ctx) => ctx.fallbackShown
      ? ui(ctx.page).messagesFrom(ctx.mallory).last().getByRole('blockquote', { name: /^In reply to / })
      : null,
  },
  // ---- profiles (XEP-0054 vCard-temp, mirrored into XEP-0292 vCard4 by Prosody; XEP-0172) ----
  {
    // XEP-0066: a file shared by URL (the URL is the whole body, as after an HTTP upload). The
    // name the client shows is the URL's last path segment, decoded: here the payload.
    name: 'shared file name (XEP-0066 URL)',
    async send(ctx, p, i) {
      const url = `https://files.invalid/${encodeURIComponent(p.text)}.txt`;
      // natter_core::file_url: longer URLs are never fetched or linked, only shown as text.
      ctx.oobLinked = url.length <= 4096;
      ctx.evil.send(el('message', { to: ctx.alice, type: 'chat', id: `xss-oob-name-${i}` },
        el('body', {}, url), el('x', { xmlns: 'jabber:x:oob' }, el('url', {}, url))));
    },
    shows: (ctx) => (ctx.oobLinked ? ui(ctx.page).messagesFrom(ctx.mallory).last().getByRole('link') : null),
  },
  {
    // The payload itself as the shared URL (quotes, `javascript:`, markup): never a link
    // unless it is a plain http(s) URL (the DOM scan fails on any other scheme), shown as
    // text otherwise.
    name: 'shared file URL (XEP-0066)',
    async send(ctx, p, i) {
      ctx.evil.send(el('message', { to: ctx.alice, type: 'chat', id: `xss-oob-url-${i}` },
        el('body', {}, p.text), el('x', { xmlns: 'jabber:x:oob' }, el('url', {}, p.text))));
      ctx.oobAsText = !/^\s*https?:\/\//i.test(p.text) && p.text.trim() !== '';
    },
    shows: (ctx) => (ctx.oobAsText ? ui(ctx.page).messagesFrom(ctx.mallory).last() : null),
  },
  {
    name: 'vCard full name and nickname (Contact details)',
    async send(ctx, p) {
      const reply = await ctx.evil.request(el('iq', { type: 'set' },
        el('vCard', { xmlns: 'vcard-temp' }, el('FN', {}, p.text), el('NICKNAME', {}, p.text))));
      // Names are fetched when the dialog opens: close it and open it again.
      const dialog = ctx.page.getByRole('dialog', { name: 'Contact details' });
      if (await dialog.count()) await dialog.getByRole('button', { name: 'Close' }).click();
      await ctx.page.getByRole('button', { name: 'Contact details' }).click();
      ctx.nameShown = reply.attrs.type === 'result' && keptAsName(p.text);
    },
    shows: (ctx) => ctx.nameShown ? ctx.page.getByRole('dialog', { name: 'Contact details' }) : null,
  },
  {
    name: 'nickname (XEP-0172, PEP)',
    async send(ctx, p) {
      const reply = await ctx.evil.request(el('iq', { type: 'set' },
        el('pubsub', { xmlns: 'http://jabber.org/protocol/pubsub' },
          el('publish', { node: 'http://jabber.org/protocol/nick' },
            el('item', { id: 'current' }, el('nick', { xmlns: 'http://jabber.org/protocol/nick' }, p.text))))));
      const dialog = ctx.page.getByRole('dialog', { name: 'Contact details' });
      if (!(await dialog.count())) await ctx.page.getByRole('button', { name: 'Contact details' }).click();
      ctx.nameShown = reply.attrs.type === 'result' && keptAsName(p.text);
    },
    shows: (ctx) => ctx.nameShown
      ? ctx.page.getByRole('dialog', { name: 'Contact details' }).getByRole('definition').nth(1)
      : null,
  },
];

/** What the client keeps of a vCard or PEP name unchanged (natter_core vcard::clean_name:
 * one line, at most 100 characters). */
function keptAsName(text) {
  const n = [...text].length;
  return n > 0 && n <= 100 && text.trim() === text && text !== ''
    && !/[\p{Cc}\uFFFE\uFFFF]/u.test(text);
}

/** What the client keeps as a reaction (natter_core::edits::valid_reaction). */
function validReaction(text) {
  const n = [...text].length;
  return n > 0 && n <= 32 && text.trim() !== '' && !/[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u.test(text);
}
