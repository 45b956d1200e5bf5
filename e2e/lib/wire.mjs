// What a page said to the XMPP server and heard back, for assertions on nonzas (CSI, stream
// management) and as evidence when a fault test fails: WebSocket frames, and BOSH request and
// response bodies.

/** Starts recording `page`'s XMPP traffic; `at` is ms since recording began. */
export function recordWire(page) {
  const t0 = Date.now();
  const frames = [];
  const push = (dir, text, via) => frames.push({ at: Date.now() - t0, dir, via, text: String(text) });
  page.on('websocket', (ws) => {
    push('open', ws.url(), 'ws');
    ws.on('framesent', (f) => push('out', f.payload, 'ws'));
    ws.on('framereceived', (f) => push('in', f.payload, 'ws'));
    ws.on('close', () => push('close', ws.url(), 'ws'));
  });
  page.on('request', (r) => {
    if (r.url().includes('/http-bind') && r.method() === 'POST') push('out', r.postData() ?? '', 'bosh');
  });
  page.on('response', async (r) => {
    if (!r.url().includes('/http-bind') || r.request().method() !== 'POST') return;
    try { push('in', await r.text(), 'bosh'); } catch { /* the page went away */ }
  });
  page.on('requestfailed', (r) => {
    if (r.url().includes('/http-bind')) push('fail', r.failure()?.errorText ?? 'failed', 'bosh');
  });
  return {
    frames,
    /** Outgoing frames whose text matches `re`. */
    sent: (re) => frames.filter((f) => f.dir === 'out' && re.test(f.text)),
    received: (re) => frames.filter((f) => f.dir === 'in' && re.test(f.text)),
    mark: () => frames.length,
    /** The last `n` frames, one line each, clipped: evidence for a failure message. */
    tail(n = 40, width = 300) {
      return frames.slice(-n).map((f) => `${String(f.at).padStart(7)} ms ${f.dir.padEnd(5)} ${f.via} ${f.text.replace(/\s+/g, ' ').slice(0, width)}`).join('\n');
    },
  };
}
