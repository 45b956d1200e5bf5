// What the comparison measures in the page, the same way for both clients:
//  - `window.__bench`, installed by an init script before any page script runs (it also works
//    under Natter's CSP: Playwright injects it through the DevTools protocol):
//      longtasks  every `longtask` entry (PerformanceObserver, buffered) as { start, duration };
//      wasm       every WebAssembly.Memory a module instantiated by the page exports (wrapped
//                 instantiate/instantiateStreaming), so the WASM heap can be read without any
//                 hook in the app;
//      marks      name -> performance.now() of the first animation frame at which a condition
//                 held (`watch`), i.e. when the state was on screen, from navigation start;
//  - through a CDP session of its own: the JS heap (Runtime.getHeapUsage) before and after a
//    forced GC (HeapProfiler.collectGarbage);
//  - every HTTP response of the page's own origin (Playwright's network events), sized from
//    the files served, raw and gzip -9 in node.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

function pageInstrumentation() {
  if (window.__bench) return;
  // WeakRefs: the instrument must not keep a memory alive that the page has dropped.
  const bench = { longtasks: [], wasm: [], marks: {} };
  const seenMemories = new WeakSet();
  const track = (m) => {
    if (!seenMemories.has(m)) {
      seenMemories.add(m);
      bench.wasm.push(new WeakRef(m));
    }
  };
  window.__bench = bench;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) bench.longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch { /* no longtask support: the report says longtasks: [] */ }
  const keep = (result) => {
    const instance = result instanceof WebAssembly.Instance ? result : result && result.instance;
    for (const v of Object.values((instance && instance.exports) || {})) {
      if (v instanceof WebAssembly.Memory) track(v);
    }
    return result;
  };
  // Memories made in JS and imported (Emscripten's way) are not exports: catch their creation.
  const NativeMemory = WebAssembly.Memory;
  WebAssembly.Memory = new Proxy(NativeMemory, {
    construct(target, args, newTarget) {
      const m = Reflect.construct(target, args, newTarget);
      track(m);
      return m;
    },
  });
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    if (typeof original !== 'function') continue;
    WebAssembly[name] = function (...args) {
      return original.apply(this, args).then(keep);
    };
  }
  /** Sets marks[name] at the first animation frame at which `ready()` is true. */
  bench.watch = (name, ready) => {
    const tick = () => {
      if (bench.marks[name] !== undefined) return;
      let ok = false;
      try { ok = ready(); } catch { ok = false; }
      if (ok) bench.marks[name] = performance.now();
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  /** Bytes of the WASM memories still alive. */
  bench.wasmBytes = () => bench.wasm.reduce((n, r) => n + (r.deref()?.buffer.byteLength ?? 0), 0);
}

/** Installs `window.__bench` in every document of `page` (call before the first goto). */
export async function instrument(page) {
  await page.addInitScript(pageInstrumentation);
}

/**
 * Arms a watch from the start of every document: `readySource` is the body of a function of
 * `arg` run in the page each animation frame until it returns true.
 */
export async function watchFromStart(page, name, readySource, arg) {
  await page.addInitScript(({ name, readySource, arg }) => {
    // eslint-disable-next-line no-new-func
    const ready = new Function('arg', readySource);
    window.__bench.watch(name, () => ready(arg));
  }, { name, readySource, arg });
}

/** Arms a watch now, in the current document. */
export async function watchNow(page, name, readySource, arg) {
  await page.evaluate(({ name, readySource, arg }) => {
    // eslint-disable-next-line no-new-func
    const ready = new Function('arg', readySource);
    window.__bench.watch(name, () => ready(arg));
  }, { name, readySource, arg });
}

/** The mark `name` once set (performance.now() of the page), polling every 20 ms. */
export async function waitMark(page, name, { timeout, what = name } = {}) {
  const start = Date.now();
  for (;;) {
    const v = await page.evaluate((n) => window.__bench && window.__bench.marks[n], name).catch(() => undefined);
    if (typeof v === 'number') return v;
    if (Date.now() - start > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Long tasks that started before `until` (page ms): the longest, their count and sum, the last end. */
export async function longTasks(page, until = Infinity) {
  const all = await page.evaluate(() => window.__bench.longtasks);
  const tasks = all.filter((t) => t.start < until);
  return {
    longest_ms: Math.round(Math.max(0, ...tasks.map((t) => t.duration))),
    count: tasks.length,
    total_ms: Math.round(tasks.reduce((n, t) => n + t.duration, 0)),
    last_end_ms: Math.round(Math.max(0, ...tasks.map((t) => t.start + t.duration))),
  };
}

/**
 * JS heap (V8: used and total) and WASM memories, before and after a forced full GC.
 */
export async function memory(page, cdp, { limitMs = 60_000 } = {}) {
  // Both answers come from the page's main thread: a page still busy after its roster answers
  // late (Converse: minutes), so each reading is bounded and says how long it waited.
  const bounded = (p) => Promise.race([p, new Promise((_, no) => setTimeout(() => no(new Error('busy')), limitMs))]);
  const read = async () => {
    const t = Date.now();
    const h = await bounded(cdp.send('Runtime.getHeapUsage'));
    const wasm = await bounded(page.evaluate(() => window.__bench.wasmBytes()));
    return { js_used: h.usedSize, js_total: h.totalSize, wasm, waited_ms: Date.now() - t };
  };
  let before;
  try {
    before = await read();
  } catch {
    return { before_gc: null, after_gc: null, note: `the page did not answer within ${limitMs} ms` };
  }
  // Without HeapProfiler.enable (object tracking) and without Memory.getDOMCounters: with
  // Converse still busy after its roster, either made the next call hang until Chromium went away.
  try {
    await bounded(cdp.send('HeapProfiler.collectGarbage'));
    return { before_gc: before, after_gc: await read() };
  } catch {
    return { before_gc: before, after_gc: null, note: `no answer within ${limitMs} ms after the GC` };
  }
}

const KIND = [
  [/wasm/, 'wasm'],
  [/javascript|ecmascript/, 'js'],
  [/css/, 'css'],
  [/font|ttf|woff|otf/, 'font'],
];

function kindOf(url, mime) {
  for (const [re, k] of KIND) if (re.test(mime || '')) return k;
  const ext = new URL(url).pathname.split('.').pop().toLowerCase();
  return { wasm: 'wasm', js: 'js', mjs: 'js', css: 'css', ttf: 'font', woff: 'font', woff2: 'font', otf: 'font' }[ext] || 'other';
}

/**
 * Counts every response the page gets from `site` (the static server; not the XMPP server):
 * Playwright's `requestfinished` events (the DevTools Network domain it already has enabled)
 * give the URLs, `site.fileFor(path)` the file each one served (both servers send files as
 * they are, uncompressed), and `totals()` returns raw and gzip -9 bytes per kind (js, css,
 * wasm, font, other = html, json, images, sounds…), for the app (all but other) and for
 * everything. Reading the bodies back through the DevTools protocol instead took minutes
 * while Converse kept its renderer busy, and a second Network domain slowed the page itself.
 */
export function countResponses(page, site) {
  const origin = new URL(site.url).origin;
  const fetches = new Map();
  page.on('requestfinished', async (req) => {
    const url = req.url();
    if (!url.startsWith(origin)) return;
    const res = await req.response().catch(() => null);
    if (!res || res.status() !== 200) return;
    const prev = fetches.get(url);
    fetches.set(url, { mime: res.headers()['content-type'] || '', count: (prev?.count ?? 0) + 1 });
  });
  return {
    totals() {
      const by = {};
      const files = [];
      let requests = 0;
      // A resource fetched again (Converse's OMEMO code fetches its curve25519 wasm once per
      // key it makes) is counted once: an ordinary server answers the repeats from cache.
      for (const [url, { mime, count }] of fetches) {
        requests += count;
        const file = site.fileFor(new URL(url).pathname);
        if (!file) continue;
        const body = readFileSync(file);
        const kind = kindOf(url, mime);
        const gz = gzipSync(body, { level: 9 }).length;
        by[kind] ??= { raw: 0, gzip9: 0, files: 0 };
        by[kind].raw += body.length;
        by[kind].gzip9 += gz;
        by[kind].files += 1;
        files.push({ path: new URL(url).pathname, kind, raw: body.length, gzip9: gz, fetches: count });
      }
      const sum = (kinds) => kinds.reduce((a, k) => ({
        raw: a.raw + (by[k]?.raw ?? 0), gzip9: a.gzip9 + (by[k]?.gzip9 ?? 0),
      }), { raw: 0, gzip9: 0 });
      return {
        app: sum(['js', 'css', 'wasm', 'font']),
        all: sum(Object.keys(by)),
        by_kind: by,
        requests,
        files: files.sort((a, b) => b.raw - a.raw),
      };
    },
  };
}
