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
];
