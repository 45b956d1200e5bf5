// Registers the service worker (sw.js, next to index.html) that lets the full app start with the
// network off and be installed. Only index.html loads this module: the embeddable widget runs
// the same bundle on other sites' pages, where a worker of ours has no place.
//
// After the app has started, so that caching the shell never competes with the first paint and
// the sign-in; the page that registers stays as it is (see sw.js), the next load uses the worker.
if ('serviceWorker' in navigator && window.isSecureContext) {
  addEventListener('TrunkApplicationStarted', () => {
    const idle = window.requestIdleCallback ?? ((f) => setTimeout(f, 200));
    idle(() => {
      navigator.serviceWorker
        .register(new URL('sw.js', document.baseURI), { updateViaCache: 'none' })
        .catch((e) => console.warn(`natter: no offline start (service worker not registered: ${e.message})`));
    }, { timeout: 3000 });
  }, { once: true });
}
