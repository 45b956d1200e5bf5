// The embeddable Natter widget: `<script type="module" src="https://chat.example.org/widget.js">`
// and `<xmpp-chat domain=… contact=…>` (or `NatterWidget.mount(target, options)`).
//
// Until the chat is first opened only this file and widget.css load: a bubble in an open shadow
// root. Opening it imports the app's wasm-bindgen glue, instantiates the same wasm the full app
// uses, and calls its `mount_widget` export with a container inside the shadow root. Everything
// is fetched from this file's own origin (import.meta.url), so the host page may be anywhere;
// nothing here needs 'unsafe-inline' or 'unsafe-eval' (no inline style, no style attribute:
// run-time styles go through the CSSOM).

// `cargo xtask dist` writes dist/widget.js with the hashed names Trunk produced.
const GLUE = '__NATTER_GLUE__';
const WASM = '__NATTER_WASM__';
const APP_CSS = '__NATTER_APP_CSS__';

const asset = (name) => new URL(name, import.meta.url).href;
// The anonymous visitor's session in this tab (the client's own key, see src/session).
const VISITOR_KEY = 'natter.visitor';
const OPEN_KEY = 'natter.widget.open';
// The account this tab is signed in to, and the one "Remember me" keeps (src/persist/local.rs).
const ACCOUNT_KEYS = { tab: 'natter.tab.account', remembered: 'natter.account' };

// Visible words only: the accessible names (Open chat, Close chat, N unread) are a public
// interface (shared/ui-contract.md) and stay English in every language.
const WORDS = {
  en: { title: 'Chat', loading: 'Loading the chat…', failed: 'The chat could not be loaded.' },
  ru: { title: 'Чат', loading: 'Загружаем чат…', failed: 'Не удалось загрузить чат.' },
};

/** `auto`: the browser's first language we have; else the one asked for, else English. */
function pickLang(lang) {
  if (lang && lang !== 'auto') return WORDS[lang] ? lang : 'en';
  for (const l of navigator.languages || [navigator.language || 'en']) {
    const base = String(l).toLowerCase().split('-')[0];
    if (WORDS[base]) return base;
  }
  return 'en';
}

function storage() {
  try { return sessionStorage; } catch { return null; } // blocked storage: no resumption
}

let glue;
/** The wasm, instantiated once per page however many widgets it has. */
function loadWasm() {
  glue ??= import(asset(GLUE)).then(async (m) => {
    await m.default({ module_or_path: asset(WASM) });
    return m;
  });
  return glue;
}

const ATTRS = ['service', 'domain', 'account', 'contact', 'room', 'mode', 'theme', 'lang'];

class XmppChat extends HTMLElement {
  static get observedAttributes() { return ['theme', 'lang', 'mode']; }

  #root = null;
  #bubble = null;
  #badge = null;
  #panel = null;
  #body = null;
  #title = null;
  #opened = false;
  #mounting = null;
  #unread = 0;

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
  }

  connectedCallback() {
    if (this.#root) return;
    const shadow = this.shadowRoot;
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = asset('widget.css');
    this.#root = document.createElement('div');
    this.#root.className = 'nw-root';
    this.#apply();
    shadow.append(css, this.#root);
    shadow.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.#opened && this.mode === 'bubble') {
        this.close();
        this.#bubble?.focus();
      }
    });
    if (this.mode === 'bubble') {
      this.#bubble = document.createElement('button');
      this.#bubble.type = 'button';
      this.#bubble.className = 'nw-bubble';
      this.#bubble.setAttribute('aria-expanded', 'false');
      this.#bubble.setAttribute('aria-label', 'Open chat');
      const icon = document.createElement('span');
      icon.className = 'nw-icon';
      icon.setAttribute('aria-hidden', 'true');
      this.#bubble.append(icon);
      this.#bubble.addEventListener('click', () => this.toggle());
      this.#badge = document.createElement('span');
      this.#badge.className = 'nw-badge';
      this.#badge.setAttribute('role', 'status');
      this.#badge.hidden = true;
      this.#root.append(this.#bubble, this.#badge);
    }
    const s = storage();
    const visitor = s?.getItem(VISITOR_KEY);
    if (this.mode !== 'bubble') {
      this.open();
    } else if (visitor || this.#signedIn(s)) {
      // A visitor's conversation goes on across the site's pages, and a signed-in account
      // (this tab, or "Remember me") gets its messages while the bubble is closed: connect at
      // once so that they keep arriving, and come back as open or closed as it was.
      if (s.getItem(OPEN_KEY) === '1') this.open();
      else this.#mount();
    }
    // Reading the chat (the tab shown again with the panel open) clears the count.
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && this.#opened) this.#setUnread(0);
    });
    queueMicrotask(() => this.#emit('ready', {}));
  }

  /** The page's `account` is the one this site's tab or browser is signed in to. */
  #signedIn(s) {
    const account = (this.getAttribute('account') || '').trim().toLowerCase();
    if (!account || account === 'anonymous') return false;
    let remembered = null;
    try { remembered = localStorage.getItem(ACCOUNT_KEYS.remembered); } catch { /* blocked */ }
    return [s?.getItem(ACCOUNT_KEYS.tab), remembered].some((a) => a && a.toLowerCase() === account);
  }

  attributeChangedCallback() {
    if (this.#root) this.#apply();
  }

  get mode() {
    const m = this.getAttribute('mode');
    return m === 'inline' || m === 'page' ? m : 'bubble';
  }

  /** Messages that arrived while the chat was closed (or the tab hidden). */
  get unread() { return this.#unread; }

  get isOpen() { return this.#opened; }

  open() {
    if (this.#opened) return;
    this.#opened = true;
    this.#ensurePanel();
    this.#panel.hidden = false;
    this.#bubble?.setAttribute('aria-expanded', 'true');
    this.#bubble?.setAttribute('aria-label', 'Close chat');
    this.#root.dataset.open = 'true';
    if (this.mode === 'bubble') storage()?.setItem(OPEN_KEY, '1'); // inline and page are always open
    this.#setUnread(0);
    this.#mount();
    this.#emit('open', {});
  }

  close() {
    if (!this.#opened || this.mode !== 'bubble') return;
    this.#opened = false;
    if (this.#panel) this.#panel.hidden = true;
    this.#bubble?.setAttribute('aria-expanded', 'false');
    this.#bubble?.setAttribute('aria-label', 'Open chat');
    delete this.#root.dataset.open;
    if (this.mode === 'bubble') storage()?.setItem(OPEN_KEY, '0');
    this.#emit('close', {});
  }

  toggle() {
    if (this.#opened) this.close();
    else this.open();
  }

  #apply() {
    const theme = this.getAttribute('theme');
    if (theme === 'light' || theme === 'dark') this.#root.dataset.theme = theme;
    else delete this.#root.dataset.theme;
    this.#root.dataset.mode = this.mode;
    this.#root.lang = pickLang(this.getAttribute('lang'));
    if (this.#panel) this.#panel.setAttribute('aria-label', WORDS[this.#root.lang].title);
    if (this.#title) this.#title.textContent = WORDS[this.#root.lang].title;
  }

  #ensurePanel() {
    if (this.#panel) return;
    const words = WORDS[this.#root.lang];
    this.#panel = document.createElement('section');
    this.#panel.className = 'nw-panel';
    this.#panel.setAttribute('aria-label', words.title);
    const head = document.createElement('header');
    head.className = 'nw-head';
    this.#title = document.createElement('span');
    this.#title.className = 'nw-title';
    this.#title.textContent = words.title;
    head.append(this.#title);
    this.#body = document.createElement('div');
    this.#body.className = 'nw-body';
    const wait = document.createElement('p');
    wait.className = 'nw-wait';
    wait.textContent = words.loading;
    this.#body.append(wait);
    this.#panel.append(head, this.#body);
    this.#root.prepend(this.#panel);
  }

  /** Loads the app (CSS, glue, wasm) and mounts it, once. */
  #mount() {
    if (this.#mounting) return this.#mounting;
    this.#ensurePanel();
    if (!this.#opened) this.#panel.hidden = true;
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = asset(APP_CSS);
    this.shadowRoot.insertBefore(css, this.#root);
    const options = {};
    for (const a of ATTRS) {
      const v = this.getAttribute(a);
      if (v !== null) options[a] = v;
    }
    options.lang = this.#root.lang;
    this.#mounting = loadWasm().then((m) => {
      this.#body.replaceChildren();
      m.mount_widget(this.#body, options, (type, detail) => this.#fromApp(type, detail));
    }).catch((e) => {
      const p = document.createElement('p');
      p.setAttribute('role', 'alert');
      p.className = 'nw-wait';
      p.textContent = WORDS[this.#root.lang].failed;
      this.#body.replaceChildren(p);
      console.error('natter widget:', e);
    });
    return this.#mounting;
  }

  #fromApp(type, detail) {
    if (type === 'ready') return; // the element's own `ready` went out at connect
    if (type === 'message') {
      this.#emit('message', { from: String(detail.from), body: String(detail.body) });
      if (!this.#opened || document.hidden) this.#setUnread(this.#unread + 1);
      return;
    }
    this.#emit(type, detail);
  }

  #setUnread(n) {
    if (n === this.#unread) return;
    this.#unread = n;
    if (this.#badge) {
      this.#badge.hidden = n === 0;
      this.#badge.textContent = n > 99 ? '99+' : String(n);
      this.#badge.setAttribute('aria-label', `${n} unread`);
    }
    this.#emit('unread', { count: n });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(`xmpp-chat:${type}`, { detail, bubbles: true, composed: true }));
  }
}

if (!customElements.get('xmpp-chat')) customElements.define('xmpp-chat', XmppChat);

/** The JS-call embed: `NatterWidget.mount(document.body, { domain, contact, mode: 'inline' })`. */
export function mount(target, options = {}) {
  const el = document.createElement('xmpp-chat');
  for (const [k, v] of Object.entries(options)) {
    if (ATTRS.includes(k) && v != null) el.setAttribute(k, String(v));
  }
  target.append(el);
  return el;
}

globalThis.NatterWidget = Object.freeze({ mount });
