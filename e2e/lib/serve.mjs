// A static server for dist/ (node's http module), mounted under a path prefix to prove the
// bundle uses relative URLs. Serves .wasm as application/wasm, and every file with the app's
// Content-Security-Policy (docs/deploy.md), so the whole suite runs under it.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { DIST } from './env.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

// The same policy as xtask/src/serve_csp.rs (keep them equal), minus connect-src.
export const CSP_BASE = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "img-src 'self' https: data: blob: http://127.0.0.1:* http://localhost:*; " +
  "media-src 'self' https: blob: http://127.0.0.1:* http://localhost:*; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
/** connect-src when the tests type the Connection URL (any server, also dead ports). */
export const ANY_ENDPOINT = "'self' ws: wss: http: https:";

/**
 * The CSP header value for a page that may connect to `connectSrc`: a source list, or the XMPP
 * endpoints' URLs (then 'self' comes first: the page fetches its own wasm under connect-src).
 */
export function cspFor(connectSrc = ANY_ENDPOINT) {
  const list = Array.isArray(connectSrc) ? ["'self'", ...connectSrc].join(' ') : connectSrc;
  if (/[;,\r\n]/.test(list)) throw new Error(`connect-src must be one source list: ${list}`);
  return `${CSP_BASE}; connect-src ${list}`;
}

/**
 * @param {object} [o]
 * @param {string} [o.dir]        the bundle (NATTER_DIST)
 * @param {string} [o.prefix]     the path it is served under
 * @param {string|string[]} [o.connectSrc]  the CSP's connect-src: a source list, or the XMPP
 *   endpoints the page may use (default: any ws/wss/http/https URL, for tests that type one)
 */
export async function serveDist({ dir = DIST, prefix = '/natter/', connectSrc = ANY_ENDPOINT } = {}) {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`${dir}/index.html is missing: run \`cargo xtask dist\` first`);
  }
  // A bundle built before the strict CSP still starts through Trunk's inline loader, which the
  // policy blocks: say so instead of timing out on a blank page.
  if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(readFileSync(join(dir, 'index.html'), 'utf8'))) {
    throw new Error(`${dir}/index.html has an inline <script>: rebuild it (\`cargo xtask dist\`; Trunk.toml pattern_script)`);
  }
  const csp = cspFor(connectSrc);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path === prefix.slice(0, -1)) {
      res.writeHead(301, { Location: prefix });
      return res.end();
    }
    if (!path.startsWith(prefix)) {
      res.writeHead(404);
      return res.end('not found');
    }
    let file = normalize(join(dir, path.slice(prefix.length)));
    if (file !== dir && !file.startsWith(dir + sep)) {
      res.writeHead(403);
      return res.end('forbidden');
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404);
      return res.end('not found');
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      // The widget (widget.js) is imported by pages on other origins, which then fetch its
      // glue, wasm and CSS from here (as xtask serve does).
      'Access-Control-Allow-Origin': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    port,
    csp,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}
