// A TCP proxy on loopback between the browser and the XMPP server's HTTP port, so a test can take
// the network away from one browser while the server and the other party stay up.
//
// Why not Playwright's `context.setOffline(true)` alone: in Chromium 156 it fails new requests
// and fires `offline`, but an open WebSocket stays open and keeps working (checked: frames still
// flow). A real outage takes the connections with it, so the fault tests do both: setOffline for
// what the page sees (navigator.onLine, the offline/online events, failing fetches) and `cut()`
// here for the connections themselves.
import { connect, createServer } from 'node:net';

/**
 * @param {object} o
 * @param {number} o.targetPort  where to forward (the server's HTTP port: WebSocket and BOSH)
 * @returns {Promise<{port, ws, bosh, cut, hold, restore, close, stats}>}
 */
export async function startNetCut({ targetPort, targetHost = '127.0.0.1' }) {
  // pass: forward; down: every connection is closed at once; hold: connections are accepted
  // but nothing moves until restore() (the page's requests hang, as on a dead link).
  let mode = 'pass';
  const live = new Set();
  const held = [];
  const stats = { accepted: 0, cut: 0, refused: 0 };

  function pipe(client) {
    const upstream = connect(targetPort, targetHost);
    const pair = { client, upstream };
    live.add(pair);
    const drop = () => {
      live.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  }

  const server = createServer({ pauseOnConnect: true }, (client) => {
    stats.accepted++;
    client.setNoDelay(true);
    if (mode === 'down') {
      stats.refused++;
      client.resetAndDestroy?.() ?? client.destroy();
      return;
    }
    if (mode === 'hold') {
      client.on('error', () => {});
      held.push(client);
      return;
    }
    pipe(client);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();

  return {
    port,
    ws: `ws://127.0.0.1:${port}/xmpp-websocket`,
    bosh: `http://127.0.0.1:${port}/http-bind`,
    stats,
    /** Connections currently forwarded. */
    get open() { return live.size; },
    /**
     * The network goes away: every forwarded connection is reset on both sides (the server sees
     * the client vanish, the browser sees its socket fail) and new ones are refused until
     * restore().
     */
    cut() {
      mode = 'down';
      for (const { client, upstream } of [...live]) {
        stats.cut++;
        client.resetAndDestroy?.() ?? client.destroy();
        upstream.destroy();
      }
      live.clear();
      for (const c of held.splice(0)) c.destroy();
    },
    /** New connections are accepted but hang until restore(); open ones keep working. */
    hold() { mode = 'hold'; },
    /** Back to normal: held connections are forwarded now. */
    restore() {
      mode = 'pass';
      for (const c of held.splice(0)) if (!c.destroyed) pipe(c);
    },
    close() {
      for (const { client, upstream } of live) { client.destroy(); upstream.destroy(); }
      for (const c of held.splice(0)) c.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
