// The two pages under test, each from its own static node server on loopback, uncompressed
// (every byte counts the same for both; scenario 5 gzips what was transferred itself):
//  - Natter: the release bundle (`--dist`), through ../../lib/serve.mjs, i.e. under the app's
//    Content-Security-Policy, at /natter/;
//  - Converse.js 14.0.0 from npm (e2e/node_modules/converse.js/dist, served at /dist/, its
//    default `assets_path`) with the page in ../converse/ at /.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIST } from '../../lib/env.mjs';
import { serveDist } from '../../lib/serve.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const CONVERSE_DIST = resolve(HERE, '..', '..', 'node_modules', 'converse.js', 'dist');
const CONVERSE_PAGE = resolve(HERE, '..', 'converse');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.map': 'application/json',
};

/** The version in converse.js's package.json (the benchmark pins 14.0.0 in e2e/package.json). */
export async function converseVersion() {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(join(CONVERSE_DIST, '..', 'package.json'), 'utf8')).version;
}

function fileFor(root, rel) {
  const file = normalize(join(root, rel));
  if (file !== root && !file.startsWith(root + sep)) return null;
  if (!existsSync(file) || statSync(file).isDirectory()) return null;
  return file;
}

/** Converse's page at `/` and its dist at `/dist/`: `{ url, close() }`. */
export async function serveConverse() {
  if (!existsSync(join(CONVERSE_DIST, 'converse.min.js'))) {
    throw new Error(`${CONVERSE_DIST}/converse.min.js is missing: run \`npm ci\` in e2e/`);
  }
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path === '/' ? join(CONVERSE_PAGE, 'index.html')
      : path.startsWith('/dist/') ? fileFor(CONVERSE_DIST, path.slice('/dist/'.length))
        : fileFor(CONVERSE_PAGE, path.slice(1));
    if (!file) {
      res.writeHead(404);
      return res.end('not found');
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] || 'application/octet-stream',
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    fileFor: (path) => (path === '/' ? join(CONVERSE_PAGE, 'index.html')
      : path.startsWith('/dist/') ? fileFor(CONVERSE_DIST, path.slice('/dist/'.length))
        : fileFor(CONVERSE_PAGE, path.slice(1))),
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}

/** Natter's bundle in `dir` under its CSP: `{ url, fileFor(path), close() }`. */
export async function serveNatter(dir = DIST) {
  const site = await serveDist({ dir });
  const prefix = new URL(site.url).pathname;
  site.fileFor = (path) => {
    if (!path.startsWith(prefix)) return null;
    const rel = path.slice(prefix.length);
    return fileFor(dir, rel === '' ? 'index.html' : rel);
  };
  return site;
}
