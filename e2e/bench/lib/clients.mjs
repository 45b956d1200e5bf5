// The two clients behind one interface, so that every scenario drives them the same way:
//   url(site, account, transport)  the page that signs in by itself from navigation start;
//   autoLogin                      init-script arguments for that (Natter only; Converse signs
//                                  in through its own `auto_login` setting);
//   rosterReady                    "the complete N-contact roster is on screen" (page source,
//                                  arg { n, self }), watched every animation frame;
//   openChat(page, jid)            opens the one-to-one chat with `jid` as a user does;
//   lastShown                      "the message `body` from `from` is the newest one shown in
//                                  the open chat" (page source, arg { from, body });
//   room                           scenario 2 (null while the client has no group chat UI):
//                                  signedIn (page source), prepareJoin(page, room, nick) up to
//                                  the last click, join(page) that click, ready (page source,
//                                  arg { room, occupants, body }): every occupant listed and
//                                  the newest message shown;
//   shown                          what the open chat holds once the last is shown (page source,
//                                  arg { from }): { total, numbers } where total is the count
//                                  the client says it holds and numbers the #k# of the
//                                  rendered rows (both clients render a window of the log).
// Natter is found by role and accessible name (shared/ui-contract.md); Converse by its own
// custom elements and classes (converse-roster-contact, converse-chat, .chat-msg__text).
import { serveConverse, serveNatter } from './sites.mjs';

/**
 * Natter's sign-in, at document start: as soon as the `Sign in` form exists, fill Address,
 * Password and Connection URL (native value setter + `input` events, as typing does) and press
 * `Sign in`. The same moment Converse's auto_login starts, without a CDP round trip per field.
 */
function natterAutoLogin({ jid, password, service }) {
  const fill = (form, label, value) => {
    const l = [...form.querySelectorAll('label')].find((x) => x.textContent.trim() === label);
    const input = l && l.control;
    if (!input) return false;
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    return true;
  };
  const attempt = () => {
    const form = document.querySelector('form[aria-label="Sign in"]');
    if (!form) return false;
    const button = [...form.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Sign in');
    if (!button || !fill(form, 'Address', jid) || !fill(form, 'Password', password)
      || !fill(form, 'Connection URL', service)) return false;
    button.click();
    return true;
  };
  const observer = new MutationObserver(() => { if (attempt()) observer.disconnect(); });
  observer.observe(document, { childList: true, subtree: true });
}

export const natter = {
  name: 'Natter',
  serve: ({ dist }) => serveNatter(dist),
  url: (site) => site.url,
  autoLogin: natterAutoLogin,
  // The Contacts list says its full size in aria-setsize (it is virtualized), and the status
  // says Connected.
  rosterReady: `
    const list = document.querySelector('[role="list"][aria-label="Contacts"]');
    const status = document.querySelector('[role="status"][aria-label="Connection"]');
    if (!list || !status || !/\\bConnected\\b/.test(status.textContent)) return false;
    const items = list.querySelectorAll('[role="listitem"]');
    const size = Number(list.getAttribute('aria-setsize') || (items[0] && items[0].getAttribute('aria-setsize')) || items.length);
    return size >= arg.n;`,
  async openChat(page, jid) {
    const item = page.getByRole('list', { name: 'Contacts' }).getByRole('listitem').and(page.locator(`[data-jid="${jid}"]`));
    await item.click({ timeout: 30_000 });
    await page.getByRole('log', { name: 'Messages' }).waitFor({ timeout: 10_000 });
  },
  lastShown: `
    const log = document.querySelector('[role="log"][aria-label="Messages"]');
    if (!log) return false;
    const arts = log.querySelectorAll('article[data-from]');
    const last = arts[arts.length - 1];
    return !!last && last.getAttribute('data-from') === arg.from && last.textContent.includes(arg.body);`,
  // The log is virtualized: aria-setsize is every message in memory.
  shown: `
    const log = document.querySelector('[role="log"][aria-label="Messages"]');
    if (!log) return { total: 0, numbers: [] };
    const arts = [...log.querySelectorAll('article')];
    return {
      total: Number(log.getAttribute('aria-setsize') || arts.length),
      numbers: arts.map((a) => Number((a.textContent.match(/#(\\d+)#/) || [])[1])),
    };`,
};

/**
 * Natter's room UI as shared/ui-contract.md names it (button `Join room`, textboxes `Room
 * address` and `Nickname`, button `Join`, list `Occupants` with `data-nick`, log `Messages`).
 * Used only if the page has a `Join room` button (see compare.mjs).
 */
const natterRoom = {
  signedIn: `
    const status = document.querySelector('[role="status"][aria-label="Connection"]');
    return !!status && /\\bConnected\\b/.test(status.textContent);`,
  async available(page) {
    return (await page.getByRole('button', { name: 'Join room' }).count()) > 0;
  },
  async prepareJoin(page, room, nick) {
    await page.getByRole('button', { name: 'Join room' }).click();
    await page.getByRole('textbox', { name: 'Room address' }).fill(room);
    await page.getByRole('textbox', { name: 'Nickname' }).fill(nick);
  },
  async join(page) {
    await page.getByRole('button', { name: 'Join', exact: true }).click();
  },
  async closeView(page) {
    // The back button shows on narrow screens only; the bench page is wide.
    await page.locator('button[aria-label="Back to contacts"]').dispatchEvent('click');
    await page.getByRole('log', { name: 'Messages' }).waitFor({ state: 'detached', timeout: 10_000 });
  },
  async reopen(page, room) {
    await page.getByRole('list', { name: 'Rooms' }).getByRole('listitem').and(page.locator(`[data-jid="${room}"]`)).click();
  },
  ready: `
    const list = document.querySelector('[role="list"][aria-label="Occupants"]');
    const log = document.querySelector('[role="log"][aria-label="Messages"]');
    if (!list || !log) return false;
    const items = list.querySelectorAll('[role="listitem"]');
    const size = Number(list.getAttribute('aria-setsize') || (items[0] && items[0].getAttribute('aria-setsize')) || items.length);
    const arts = log.querySelectorAll('article');
    const last = arts[arts.length - 1];
    return size >= arg.occupants && !!last && last.textContent.includes(arg.body);`,
};
natter.room = natterRoom;

export const converse = {
  name: 'Converse.js',
  serve: () => serveConverse(),
  url: (site, { jid, password }, endpoint) => {
    const q = new URLSearchParams({ jid, password });
    q.set(endpoint.transport === 'bosh' ? 'bosh' : 'ws', endpoint.url);
    return `${site.url}?${q}`;
  },
  autoLogin: null,
  // Converse renders every roster contact (no virtualization), grouped by roster group, all
  // groups expanded by default: one <converse-roster-contact> per contact and group, plus one
  // for the user (show_self_in_roster, default true). The bench roster puts each contact in
  // exactly one group. Complete = N rendered rows (their `a.open-chat`) other than the user's;
  // the live tag count keeps the check cheap until then.
  rosterReady: `
    if (document.getElementsByTagName('converse-roster-contact').length < arg.n) return false;
    let n = 0;
    for (const a of document.querySelectorAll('converse-roster a.open-chat[data-jid]')) {
      if (a.getAttribute('data-jid') !== arg.self) n++;
    }
    return n >= arg.n;`,
  async openChat(page, jid) {
    await page.locator(`converse-roster a.open-chat[data-jid="${jid}"]`).click({ timeout: 30_000 });
    await page.locator(`converse-chat[jid="${jid}"] converse-chat-content`).waitFor({ timeout: 10_000 });
  },
  lastShown: `
    const chat = document.querySelector('converse-chat[jid="' + arg.from + '"]');
    if (!chat) return false;
    const texts = chat.getElementsByClassName('chat-msg__text');
    const last = texts[texts.length - 1];
    return !!last && last.textContent.includes(arg.body);`,
  // Converse renders a window of at most 101 messages (chat-content.js, WINDOW_SIZE) and says
  // nothing about the rest in the DOM: total is what is rendered.
  shown: `
    const chat = document.querySelector('converse-chat[jid="' + arg.from + '"]');
    const texts = chat ? [...chat.getElementsByClassName('chat-msg__text')] : [];
    const numbers = texts.map((t) => Number((t.textContent.match(/#(\\d+)#/) || [])[1]));
    return { total: numbers.length, numbers };`,
};

// Converse: the "Add groupchat" entry of the Groupchats menu opens its add-MUC modal
// (fields `chatroom` and `nickname`, submit `join`); the room is a <converse-muc> whose sidebar
// lists every occupant (no virtualization) and whose log renders the newest messages.
converse.room = {
  signedIn: `return !!document.querySelector('converse-rooms-list') && !!document.querySelector('converse-roster');`,
  async prepareJoin(page, room, nick) {
    await page.locator('converse-rooms-list a.show-add-muc-modal').dispatchEvent('click');
    const modal = page.locator('converse-add-muc-modal');
    await modal.locator('input[name="chatroom"]').fill(room, { timeout: 10_000 });
    const nickname = modal.locator('input[name="nickname"]');
    if (await nickname.count()) await nickname.fill(nick);
  },
  async join(page) {
    await page.locator('converse-add-muc-modal input[name="join"]').click();
  },
  ready: `
    const muc = document.querySelector('converse-muc[jid="' + arg.room + '"]');
    if (!muc) return false;
    if (muc.getElementsByTagName('converse-muc-occupant-list-item').length < arg.occupants) return false;
    const texts = muc.getElementsByClassName('chat-msg__text');
    const last = texts[texts.length - 1];
    return !!last && last.textContent.includes(arg.body);`,
};

export const CLIENTS = { natter, converse };
