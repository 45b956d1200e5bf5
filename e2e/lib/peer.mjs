// A hostile XMPP peer for the hardening tests: a bare client over the server's plain c2s TCP
// port (loopback test servers only: no TLS, SASL PLAIN) that sends whatever stanza a test builds,
// with any text in any field. natter-bot cannot: it speaks through natter-core, which only
// sends what a well-behaved client would.
//
// Stanzas are element trees (`el(name, attrs, ...children)`), serialized with escaping here, so
// a payload always arrives as the text of the field it was put in, never as markup. Incoming
// stanzas are parsed by a small XML reader that is enough for what servers send (elements,
// attributes, text, the five entities and character references).
import { connect } from 'node:net';
import { eventually } from './env.mjs';

const STREAM_NS = 'http://etherx.jabber.org/streams';
export const NS = {
  client: 'jabber:client',
  sasl: 'urn:ietf:params:xml:ns:xmpp-sasl',
  bind: 'urn:ietf:params:xml:ns:xmpp-bind',
  register: 'jabber:iq:register',
  roster: 'jabber:iq:roster',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
};

/** An element: `el('message', { to, type: 'chat' }, el('body', {}, text))`. */
export function el(name, attrs = {}, ...children) {
  return { name, attrs, children: children.flat().filter((c) => c !== null && c !== undefined && c !== false) };
}

// XML 1.0 Char: a payload outside it would end the stream, not test the client.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function escape(text, attr) {
  if (NOT_XML_CHAR.test(text)) throw new Error(`not sendable as XML 1.0 text: ${JSON.stringify(text.slice(0, 80))}`);
  let out = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  // CR would be normalized away by the receiving parser; keep it as a reference.
  out = out.replace(/\r/g, '&#13;');
  if (attr) out = out.replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
  return out;
}

/** The XML text of an element tree (strings are text nodes). */
export function serialize(node) {
  if (typeof node === 'string') return escape(node, false);
  const attrs = Object.entries(node.attrs)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => ` ${k}="${escape(String(v), true)}"`)
    .join('');
  if (node.children.length === 0) return `<${node.name}${attrs}/>`;
  return `<${node.name}${attrs}>${node.children.map(serialize).join('')}</${node.name}>`;
}

const ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const unescape = (s) => s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e) => {
  if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  return ENTITIES[e] ?? m;
});

/** Text of the first child named `name` (or undefined). */
export function childText(node, name) {
  const c = node.children.find((x) => typeof x !== 'string' && x.name === name);
  return c ? c.children.filter((x) => typeof x === 'string').join('') : undefined;
}

export function child(node, name) {
  return node.children.find((x) => typeof x !== 'string' && x.name === name);
}

/**
 * Reads the server's stream: `feed(text)` as it arrives; complete top-level stanzas (children
 * of `<stream:stream>`) go to `onStanza`. Names keep their prefix (`stream:features`).
 */
class StreamReader {
  constructor(onStanza) {
    this.buf = '';
    this.stack = [];
    this.onStanza = onStanza;
  }

  feed(text) {
    this.buf += text;
    // An index into buf, cut once at the end: slicing per tag would copy the rest each time.
    let at = 0;
    for (;;) {
      const lt = this.buf.indexOf('<', at);
      if (lt < 0) {
        this.text(this.buf.slice(at));
        this.buf = '';
        return;
      }
      if (lt > at) this.text(this.buf.slice(at, lt));
      const end = this.tagEnd(lt);
      if (end < 0) {
        this.buf = this.buf.slice(lt); // incomplete
        return;
      }
      this.tag(this.buf.slice(lt, end + 1));
      at = end + 1;
    }
  }

  /** Index of the `>` closing the tag that starts at `from`, quotes respected; -1 if not yet. */
  tagEnd(from) {
    let quote = null;
    for (let i = from + 1; i < this.buf.length; i++) {
      const c = this.buf[i];
      if (quote) {
        if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') return i;
    }
    return -1;
  }

  text(t) {
    const top = this.stack[this.stack.length - 1];
    if (top && this.stack.length > 1 && t) top.children.push(unescape(t));
  }

  tag(raw) {
    if (raw.startsWith('<?') || raw.startsWith('<!')) return;
    if (raw.startsWith('</')) {
      const done = this.stack.pop();
      if (this.stack.length === 1 && done) this.onStanza(done);
      return;
    }
    const selfClosing = raw.endsWith('/>');
    const body = raw.slice(1, selfClosing ? -2 : -1);
    const name = body.match(/^[^\s/>]+/)[0];
    const attrs = {};
    for (const m of body.slice(name.length).matchAll(/([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
      attrs[m[1]] = unescape(m[3] ?? m[4]);
    }
    const node = { name, attrs, children: [] };
    const parent = this.stack[this.stack.length - 1];
    if (parent && this.stack.length > 1) parent.children.push(node);
    if (selfClosing) {
      if (this.stack.length === 1) this.onStanza(node);
    } else {
      this.stack.push(node);
    }
  }
}

/**
 * Signs in over c2s (optionally registering the account in-band first, XEP-0077) and binds
 * `resource`. Returns { jid, stanzas, send(tree), request(iq) → reply, waitFor(pred), close() }.
 */
export async function connectPeer({ port, host = '127.0.0.1', domain = 'localhost', user, password, resource = 'peer', register = false }) {
  const socket = connect({ port, host });
  socket.setEncoding('utf8');
  socket.setNoDelay(true);
  const stanzas = [];
  let reader;
  let closed = false;
  const restart = () => {
    reader = new StreamReader((s) => stanzas.push(s));
    socket.write(`<?xml version='1.0'?><stream:stream to="${escape(domain, true)}" version="1.0" ` +
      `xmlns="${NS.client}" xmlns:stream="${STREAM_NS}">`);
  };
  socket.on('data', (d) => reader.feed(d));
  socket.on('close', () => { closed = true; });
  socket.on('error', () => { closed = true; });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });

  let seen = 0;
  const waitFor = async (pred, what, timeout = 10_000) => {
    const found = await eventually(() => {
      if (closed) throw new Error(`${user}: the server closed the stream`);
      const i = stanzas.findIndex((s, k) => k >= seen && pred(s));
      return i >= 0 ? { i } : null;
    }, { timeout, interval: 5, message: `${user}@${domain}/${resource}: ${what}` });
    seen = found.i + 1;
    return stanzas[found.i];
  };
  const send = (tree) => socket.write(serialize(tree));
  let ids = 0;
  const request = async (iq) => {
    const id = iq.attrs.id ?? `p${++ids}`;
    send({ ...iq, attrs: { ...iq.attrs, id } });
    const reply = await waitFor((s) => s.name === 'iq' && s.attrs.id === id, `reply to iq ${id}`);
    return reply;
  };
  const features = () => waitFor((s) => s.name === 'stream:features', 'stream features');

  restart();
  await features();
  if (register) {
    const r = await request(el('iq', { type: 'set' }, el('query', { xmlns: NS.register },
      el('username', {}, user), el('password', {}, password))));
    if (r.attrs.type !== 'result') throw new Error(`registering ${user}@${domain} failed: ${JSON.stringify(r)}`);
  }
  send(el('auth', { xmlns: NS.sasl, mechanism: 'PLAIN' },
    Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64')));
  const auth = await waitFor((s) => s.name === 'success' || s.name === 'failure', 'SASL outcome');
  if (auth.name !== 'success') throw new Error(`${user}@${domain}: SASL PLAIN failed`);
  restart();
  await features();
  const bound = await request(el('iq', { type: 'set' }, el('bind', { xmlns: NS.bind }, el('resource', {}, resource))));
  const jid = bound.attrs.type === 'result' ? childText(child(bound, 'bind'), 'jid') : undefined;
  if (!jid) throw new Error(`${user}@${domain}: bind failed: ${JSON.stringify(bound)}`);

  return {
    jid,
    bare: jid.split('/')[0],
    stanzas,
    send,
    request,
    /** The next stanza (after the last one waited for) matching `pred`. */
    waitFor: (pred, what = 'a stanza', timeout) => waitFor(pred, what, timeout),
    async close() {
      if (!closed) {
        socket.end('</stream:stream>');
        await new Promise((r) => { socket.once('close', r); setTimeout(r, 2000); });
      }
      socket.destroy();
    },
  };
}
