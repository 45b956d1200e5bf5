// Natter's service worker: keeps the app shell (the page, its hashed glue, wasm, stylesheet and
// loader, the manifest, the icons the page names) in Cache Storage, so that the full app starts
// with the network off and can be installed. The app's data (roster, messages, avatars) is the
// app's own IndexedDB cache, not this worker's business.
//
// `cargo xtask dist` writes the two constants below (xtask/src/dist_sw.rs): the shell files of
// that build and a version that changes with their contents. A bundle built without it (a plain
// `trunk build`) keeps the empty list, and the worker then leaves every request alone.
//
// What it answers:
// - navigations to the app's page (the scope itself or its index.html): the network first; the
//   cached page when the network fails, answers 5xx or takes longer than NAVIGATION_TIMEOUT_MS;
// - GET requests for the other shell files: from the cache (their names are hashed, so a cached
//   copy is never stale), the network on a miss;
// - nothing else: WebSocket, BOSH, host-meta, uploads, avatars and other pages go to the network
//   untouched.
//
// A new build installs under a new cache name and takes over at once (skipWaiting); activate
// deletes this scope's older versions. A page already open is never reloaded: it keeps running
// the code it loaded, and its next load is the new build. clients.claim() is not called: the
// page that registers the worker runs without it until its next load, so a first visit behaves
// exactly as it would without a worker.

const PRECACHE = []; // natter:precache
const VERSION = 'dev'; // natter:version

const NAVIGATION_TIMEOUT_MS = 3000;
const SCOPE = new URL(self.registration.scope);
// Per scope: two deployments on one origin (say /natter/ and /natter-next/) share Cache Storage.
const PREFIX = `natter-shell ${SCOPE.pathname} `;
const CACHE = PREFIX + VERSION;
const INDEX = new URL('index.html', SCOPE).href;
const SHELL = new Set(PRECACHE.map((name) => new URL(name, SCOPE).href));

self.addEventListener('install', (event) => {
  if (PRECACHE.length === 0) return;
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all([...SHELL].map(async (url) => {
      // Past the HTTP cache: the copy kept must be the file of this build.
      const response = await fetch(url, { cache: 'reload' });
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      await cache.put(url, await unredirected(response));
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith(PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)));
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (PRECACHE.length === 0 || request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== SCOPE.origin) return;
  if (request.mode === 'navigate') {
    if (url.pathname === SCOPE.pathname || url.href.split(/[?#]/)[0] === INDEX) {
      event.respondWith(navigation(request));
    }
    return;
  }
  if (url.search === '' && SHELL.has(url.href.split('#')[0])) {
    event.respondWith(shellFile(request));
  }
});

/** The page from the network, or from the cache when the network cannot give it in time. */
async function navigation(request) {
  const network = fetch(request);
  // Not awaited when the cache answers: no "Uncaught (in promise)" for a late failure.
  network.catch(() => {});
  let response;
  try {
    response = await Promise.race([
      network,
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), NAVIGATION_TIMEOUT_MS)),
    ]);
    // A proxy in front of a stopped server answers 502/503/504: the shell is worth more.
    if (response.status < 500) return response;
  } catch {
    // Offline, refused, or too slow: the cached page below.
  }
  const cached = await caches.open(CACHE).then((cache) => cache.match(INDEX));
  // Nothing cached (an install that failed): the network's own answer, late or an error.
  return cached ?? response ?? network;
}

/** A shell file from this version's cache, else from the network. */
async function shellFile(request) {
  const cache = await caches.open(CACHE);
  // ignoreVary: the dev server varies on Accept-Encoding, which the page's requests and the
  // install's fetches need not share.
  return (await cache.match(request, { ignoreVary: true })) ?? fetch(request);
}

/**
 * `response` as a non-redirected response: a navigation answered with a response that went
 * through a redirect fails in Chromium ("a redirected response was used for a request whose
 * redirect mode is not follow").
 */
async function unredirected(response) {
  if (!response.redirected) return response;
  return new Response(await response.blob(), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
