// The sample shop (demo/shop/) on its own origin, embedding the widget from the app's origin,
// under the strict CSP the widget promises to work with (no 'unsafe-inline', no 'unsafe-eval'):
//   default-src 'self'; script-src <widget origin> 'wasm-unsafe-eval';
//   style-src 'self' <widget origin>; connect-src <widget origin> <xmpp endpoints>;
//   img-src 'self' <widget origin> data: blob:
// The pages' placeholders ({{WIDGET_JS}}, {{SERVICE}}, …) are filled per request; `?theme=` and
// `?lang=` pick the widget's attributes (for the screenshots).
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { ROOT } from './env.mjs';

const DIR = join(ROOT, 'demo', 'shop');
const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** The shop's Content-Security-Policy for a widget served from `widgetOrigin`. */
export function shopCsp(widgetOrigin, endpoints) {
  return [
    "default-src 'self'",
    `script-src ${widgetOrigin} 'wasm-unsafe-eval'`,
    `style-src 'self' ${widgetOrigin}`,
    `connect-src ${[widgetOrigin, ...endpoints].join(' ')}`,
    `img-src 'self' ${widgetOrigin} data: blob:`,
  ].join('; ');
}

/**
 * @param {object} o
 * @param {string} o.widget   URL of widget.js (on another origin than the shop)
 * @param {string} o.service  the widget's connection URL
 * @param {string[]} o.endpoints  XMPP endpoints for connect-src
 * @param {string} [o.domain] the visitors' domain  @param {string} [o.contact] the support JID
 * @param {string} [o.host]   the shop's host name (default localhost: another origin than 127.0.0.1)
 */
export async function serveShop({ widget, service, endpoints, domain = 'anon.localhost', contact = 'support@localhost', host = 'localhost' }) {
  const widgetOrigin = new URL(widget).origin;
  const csp = shopCsp(widgetOrigin, endpoints);
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const file = join(DIR, name);
    if (!/^[a-z-]+\.(html|css)$/.test(name) || !existsSync(file)) {
      res.writeHead(404);
      return res.end('not found');
    }
    let body = readFileSync(file, 'utf8');
    if (name.endsWith('.html')) {
      const fill = {
        WIDGET_JS: widget, SERVICE: service, DOMAIN: domain, CONTACT: contact,
        THEME: url.searchParams.get('theme') || 'auto', LANG: url.searchParams.get('lang') || 'en',
      };
      body = body.replace(/\{\{([A-Z_]+)\}\}/g, (_, k) => String(fill[k] ?? '').replace(/[&"<>]/g, ''));
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)],
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': csp,
    });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://${host}:${port}/`,
    csp,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}
