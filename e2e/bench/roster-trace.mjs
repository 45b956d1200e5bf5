// Where the time from navigation start to the complete roster goes (issue 9), one run, Natter:
//
//   node e2e/bench/roster-trace.mjs [--transport websocket|bosh] [--contacts 2000]
//                                   [--server prosody|ejabberd] [--dist DIR]
//
// The page signs in from an init script exactly as compare.mjs does, and the timeline is in
// the page's clock (ms from navigation start):
//  - the app's files (Resource Timing: request start, response end), DOMContentLoaded, the
//    first frame with the `Sign in` form, the click on `Sign in` (the auto-login's own mark);
//  - every XMPP frame (WebSocket frames; BOSH request bodies when sent and response bodies when
//    done, with Playwright's request timing) and which step of the sign-in it is;
//  - the first frame showing the complete roster (the bench's own condition);
//  - a CPU profile of the page (CDP Profiler, 200 µs sampling): self time per function, and the
//    long tasks.
import { parseArgs } from 'node:util';
import { startServer } from '../lib/server.mjs';
import { launch } from '../lib/browser.mjs';
import { CLIENTS } from './lib/clients.mjs';
import { instrument, waitMark, watchFromStart } from './lib/instrument.mjs';

const { values } = parseArgs({
  options: {
    transport: { type: 'string', default: 'bosh' },
    contacts: { type: 'string', default: '2000' },
    server: { type: 'string', default: 'prosody' },
    dist: { type: 'string', default: process.env.NATTER_DIST || '' },
  },
});
const N = Number(values.contacts);
const USER = { jid: 'bench@localhost', password: 'bench-pass' };
const CLIENT = CLIENTS.natter;

/** What a frame is, for the timeline (the first match names it). */
const STEPS = [
  [/<open\b|<stream:stream\b|<body[^>]*\bto=/, 'stream open / session request'],
  [/<auth\b|<authenticate\b/, 'SASL auth'],
  [/<challenge\b/, 'SASL challenge'],
  [/<response\b/, 'SASL response'],
  [/<success\b/, 'SASL success'],
  [/urn:ietf:params:xml:ns:xmpp-bind|<bound\b/, 'bind'],
  [/urn:xmpp:sm:3'?"?\s*[^>]*>?<enabled|<enable\b|<enabled\b/, 'stream management'],
  [/jabber:iq:roster/, 'roster'],
  [/<presence\b/, 'presence'],
  [/urn:xmpp:mam/, 'archive'],
  [/disco#info/, 'disco#info'],
  [/<stream:features|<features\b/, 'stream features'],
];
const stepOf = (text) => (STEPS.find(([re]) => re.test(text)) || [null, ''])[1];

const site = await CLIENT.serve({ dist: values.dist || undefined });
const server = await startServer({ kind: values.server, users: [['bench', USER.password]], contacts: [['bench', N]] });
const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log('page error:', String(e)));
  await instrument(page);
  const service = values.transport === 'bosh' ? server.bosh : server.ws;
  await page.addInitScript(CLIENT.autoLogin, { ...USER, service });
  // The click the auto-login makes, in the page's clock.
  await page.addInitScript(() => addEventListener('click', () => {
    window.__bench.marks.click ??= performance.now();
  }, { capture: true }));
  await watchFromStart(page, 'form', `return !!document.querySelector('form[aria-label="Sign in"]');`, {});
  await watchFromStart(page, 'roster', CLIENT.rosterReady, { n: N, self: USER.jid });

  const frames = [];
  const wall = () => Date.now();
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.push({ dir: 'out', wall: wall(), text: String(f.payload) }));
    ws.on('framereceived', (f) => frames.push({ dir: 'in', wall: wall(), text: String(f.payload) }));
  });
  page.on('requestfinished', async (r) => {
    if (!r.url().includes('/http-bind') || r.method() !== 'POST') return;
    const t = r.timing();
    const body = await r.response().then((res) => res.text()).catch(() => '');
    frames.push({ dir: 'out', wall: t.startTime, text: r.postData() ?? '' });
    frames.push({ dir: 'in', wall: t.startTime + t.responseEnd, text: body, waited: t.responseEnd - t.responseStart });
  });

  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await page.goto(site.url, { waitUntil: 'commit' });
  const end = await waitMark(page, 'roster', { timeout: 120_000, what: `the ${N}-contact roster` });
  const { profile } = await cdp.send('Profiler.stop');
  const stoppedAt = await page.evaluate(() => performance.now());
  const info = await page.evaluate(() => ({
    origin: performance.timeOrigin,
    marks: window.__bench.marks,
    dcl: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd,
    resources: performance.getEntriesByType('resource').map((r) => ({
      name: r.name.split('/').pop(), start: r.startTime, end: r.responseEnd, bytes: r.transferSize || r.encodedBodySize,
    })),
    tasks: window.__bench.longtasks,
  }));
  const at = (w) => Math.round(w - info.origin);

  console.log(`${values.server} × ${values.transport}, ${N} contacts: navigation start -> complete roster ${Math.round(end)} ms\n`);
  const rows = [];
  for (const r of info.resources) {
    if (r.name.includes('http-bind')) continue;
    rows.push([Math.round(r.start), `fetch ${r.name} (${Math.round(r.bytes / 1024)} KB) done at ${Math.round(r.end)}`]);
  }
  rows.push([Math.round(info.dcl), 'DOMContentLoaded']);
  rows.push([Math.round(info.marks.form), 'first frame with the Sign in form']);
  rows.push([Math.round(info.marks.click), 'Sign in clicked (auto-login)']);
  for (const f of frames) {
    const what = stepOf(f.text);
    let size = '';
    if (f.text.length > 2048) {
      // What a big frame holds: its element names and how often each occurs.
      const names = new Map();
      for (const m of f.text.matchAll(/<([a-zA-Z][\w:-]*)/g)) names.set(m[1], (names.get(m[1]) || 0) + 1);
      const top = [...names].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([n, c]) => `${c} ${n}`).join(', ');
      size = ` ${Math.round(f.text.length / 1024)} KB: ${top}`;
    }
    const wait = f.waited !== undefined && f.waited > 5 ? ` (server held it ${Math.round(f.waited)} ms)` : '';
    const raw = process.env.RAW ? `  ${f.text.slice(0, Number(process.env.RAW))}` : "";
    rows.push([at(f.wall), `${f.dir === "out" ? "->" : "<-"} ${what || f.text.slice(0, 60)}${size}${wait}${raw}`]);
  }
  rows.push([Math.round(end), `complete roster on screen`]);
  rows.sort((a, b) => a[0] - b[0]);
  for (const [t, what] of rows) console.log(`${String(t).padStart(6)}  ${what}`);

  console.log(`\nlong tasks: ${info.tasks.map((t) => `${Math.round(t.duration)} ms at ${Math.round(t.start)}`).join(', ') || 'none'}`);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parentOf.set(c, n.id);
  // Sample times in the page's clock, approximately: the profile ends when it was stopped.
  let t = profile.startTime;
  const times = profile.timeDeltas.map((d) => (t += d));
  const shift = stoppedAt - profile.endTime / 1000;
  const summary = (title, from, to = Infinity) => {
    const self = new Map();
    let busy = 0;
    profile.samples.forEach((id, i) => {
      const at = times[i] / 1000 + shift;
      if (at < from || at > to) return;
      const n = byId.get(id);
      const url = n.callFrame.url.split('/').pop();
      const k = `${n.callFrame.functionName || '(anonymous)'}${url ? ` ${url}` : ''}`;
      const us = profile.timeDeltas[i] || 0;
      if (k !== '(idle)' && k !== '(program)') busy += us;
      self.set(k, (self.get(k) || 0) + us);
    });
    console.log(`\n${title}: ${(busy / 1000).toFixed(0)} ms in script (self time, top 25):`);
    for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
      console.log(`  ${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
    }
    // Total (inclusive) time of the app's own functions: where the self time above is spent.
    const total = new Map();
    profile.samples.forEach((id, i) => {
      const at = times[i] / 1000 + shift;
      if (at < from || at > to) return;
      const us = profile.timeDeltas[i] || 0;
      const seen = new Set();
      for (let n = byId.get(id); n; n = byId.get(parentOf.get(n.id))) {
        const name = n.callFrame.functionName;
        if (/^natter/.test(name) && !seen.has(name)) {
          seen.add(name);
          total.set(name, (total.get(name) || 0) + us);
        }
      }
    });
    console.log(`${title}: the app's functions by total time (top 15):`);
    for (const [k, us] of [...total].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
      console.log(`  ${(us / 1000).toFixed(1).padStart(8)} ms  ${k.replace(/::h[0-9a-f]{16}$/, '')}`);
    }
  };
  summary('CPU profile from navigation to the roster', -Infinity);
  // The roster's answer: the biggest frame received.
  const big = frames.filter((f) => f.dir === 'in').sort((a, b) => b.text.length - a.text.length)[0];
  if (big) summary(`CPU profile from the roster's arrival (${at(big.wall)} ms) on`, at(big.wall) - 5);
  // NATTER_TRACE_UNTIL=ms: also the profile from navigation to that time (start-up).
  const until = Number(process.env.NATTER_TRACE_UNTIL);
  if (until) summary(`CPU profile up to ${until} ms`, -Infinity, until);
} finally {
  await browser.close().catch(() => {});
  await server.stop();
  await site.close();
}
