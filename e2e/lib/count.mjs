// Counting what each side got in the fault tests: numbered messages ("m1 … mN", one tag per
// direction and run), read back from the browser's `Messages` log (virtualized: every rendered
// article carries aria-posinset/aria-setsize, so the reader scrolls until it has seen them all)
// and from natter-bot's JSON lines; then 0 lost, 0 duplicated, in order.
import { ui } from './browser.mjs';
import { sleep } from './env.mjs';

/** A tag unique to this run and direction, e.g. `k3x9aA`. */
export const runTag = (side) => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}${side}`;

/**
 * The body of message `i` of `tag`: `m7 (k3x9aA)`. The parentheses end the token: an article's
 * text runs on into its time ("m7 (k3x9aA)08:47"), and m1 must not match m10.
 */
export const numbered = (tag, i) => `m${i} (${tag})`;

/** The numbers of `tag`'s messages in `texts`, in order of appearance (repeats kept). */
export function numbersIn(texts, tag) {
  const re = new RegExp(`\\bm(\\d+) \\(${tag}\\)`, 'g');
  const out = [];
  for (const t of texts) for (const m of String(t ?? '').matchAll(re)) out.push(Number(m[1]));
  return out;
}

/**
 * What a sequence of received numbers says about messages 1..n: `missing`, `duplicated` (numbers
 * seen more than once), `outOfOrder` (a number after a higher one), and `ok`.
 */
export function tally(seq, n) {
  const seen = new Map();
  for (const x of seq) seen.set(x, (seen.get(x) ?? 0) + 1);
  const missing = [];
  for (let i = 1; i <= n; i++) if (!seen.has(i)) missing.push(i);
  const duplicated = [...seen].filter(([, c]) => c > 1).map(([x]) => x);
  const unexpected = [...seen.keys()].filter((x) => x < 1 || x > n);
  const outOfOrder = [];
  let max = 0;
  for (const x of seq) {
    if (x < max) outOfOrder.push(x);
    max = Math.max(max, x);
  }
  return {
    seq, missing, duplicated, outOfOrder, unexpected,
    complete: missing.length === 0,
    ok: missing.length === 0 && duplicated.length === 0 && outOfOrder.length === 0 && unexpected.length === 0,
  };
}

/** Fails with the whole sequence and `evidence` unless messages 1..n came exactly once, in order. */
export function assertExactlyOnceInOrder(assert, seq, n, what, evidence = '') {
  const t = tally(seq, n);
  const msg = (k) => `${what}: ${k}; got ${JSON.stringify(seq)}${evidence ? `\n${evidence}` : ''}`;
  assert.deepEqual(t.missing, [], msg('lost'));
  assert.deepEqual(t.duplicated, [], msg('duplicated'));
  assert.deepEqual(t.unexpected, [], msg('unexpected numbers'));
  assert.deepEqual(t.outOfOrder, [], msg('out of order'));
}

/**
 * Every message of the open conversation's `Messages` log, in display order: `{ from, text,
 * pos, delivery }` (`delivery`: the accessible name of an outgoing message's delivery icon,
 * e.g. `Pending`, `Sent`, `Delivered to server`). Only rendered rows are in the DOM; when
 * aria-setsize says there are more, the log is scrolled from top to bottom and rows are
 * collected by aria-posinset, then put back at the bottom.
 */
export async function readLog(page) {
  const log = ui(page).messages;
  const snapshot = () => log.getByRole('article').evaluateAll((els) => els.map((e) => ({
    from: e.getAttribute('data-from'),
    text: e.textContent,
    delivery: e.querySelector('[role="img"][aria-label]')?.getAttribute('aria-label') ?? null,
    pos: Number(e.getAttribute('aria-posinset')) || null,
    size: Number(e.getAttribute('aria-setsize')) || null,
  })));
  const first = await snapshot();
  const size = first.find((r) => r.size)?.size ?? Number(await log.getAttribute('aria-setsize', { timeout: 1000 }).catch(() => 0));
  const row = ({ from, text, pos, delivery }) => ({ from, text, pos, delivery });
  if (!size || first.length >= size) return first.map(row);
  const byPos = new Map();
  const take = (rows) => { for (const r of rows) if (r.pos) byPos.set(r.pos, r); };
  // What is rendered where the reader is (usually the newest, at the bottom) counts first: after
  // a scroll to the top and back, the view may not render its last rows again (seen with 100
  // messages: a blank spacer at the bottom of the viewport where 96..100 belong).
  take(first);
  // Rows are rendered a frame or two after a scroll: pass over the log until every position
  // has been seen or three passes found nothing new.
  for (let pass = 0, stale = 0; pass < 10 && stale < 3 && byPos.size < size; pass++) {
    const before = byPos.size;
    await log.evaluate((el) => { el.scrollTop = 0; });
    for (let guard = 0; guard < 2000; guard++) {
      await sleep(40);
      take(await snapshot());
      const end = await log.evaluate((el) => {
        const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
        if (!atEnd) el.scrollTop += Math.max(50, el.clientHeight * 0.7);
        return atEnd;
      });
      if (end) break;
    }
    for (let settle = 0; settle < 5; settle++) {
      await sleep(60);
      take(await snapshot());
    }
    stale = byPos.size === before ? stale + 1 : 0;
  }
  await log.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  return [...byPos.keys()].sort((a, b) => a - b).map((p) => row(byPos.get(p)));
}

/** The numbers of `tag` in messages from `from` (a bare JID) in the open log, display order. */
export async function browserNumbers(page, from, tag) {
  const rows = await readLog(page);
  return numbersIn(rows.filter((r) => r.from === from).map((r) => r.text), tag);
}

/** `{ number: delivery }` for `tag`'s messages from `from` in the open log (see readLog). */
export async function deliveries(page, from, tag) {
  const out = {};
  for (const r of await readLog(page)) {
    if (r.from !== from) continue;
    for (const n of numbersIn([r.text], tag)) out[n] = r.delivery;
  }
  return out;
}

/**
 * The numbers of `tag` a bot received (`message` events, incoming), in arrival order. A copy
 * with the id of one already counted is a resend that XEP-0359 lets a recipient drop (Natter's
 * store does): it is left out here and listed in `resends`.
 */
export function botNumbers(events, tag) {
  const ids = new Set();
  const seq = [];
  const resends = [];
  for (const e of events) {
    if (e.type !== 'message' || (e.direction && e.direction !== 'in')) continue;
    const [n] = numbersIn([e.body], tag);
    if (n === undefined) continue;
    const key = e.origin_id || e.stanza_id || e.id;
    if (key && ids.has(`${n}/${key}`)) {
      resends.push({ n, id: key });
      continue;
    }
    if (key) ids.add(`${n}/${key}`);
    seq.push(n);
  }
  return { seq, resends };
}
