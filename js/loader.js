// Starts the app without an inline script, so that the page runs under `script-src 'self'`
// (no 'unsafe-inline', no nonce). Trunk writes the hashed names of the wasm-bindgen glue and of
// the wasm into two <meta> elements (Trunk.toml `pattern_script`); this module, loaded from the
// page's own origin with an integrity hash, imports the glue and instantiates the wasm
// (`'wasm-unsafe-eval'`).
const asset = (name) => {
  const meta = document.querySelector(`meta[name="${name}"]`);
  if (!meta) throw new Error(`natter: <meta name="${name}"> is missing from index.html`);
  const url = new URL(meta.content, document.baseURI);
  // The bundle is always served next to index.html; anything else is not ours to run.
  if (url.origin !== location.origin) throw new Error(`natter: ${name} is not on this origin`);
  return url;
};

const { default: init, start } = await import(asset('natter-js'));
const wasm = await init({ module_or_path: asset('natter-wasm') });
// The wasm starts nothing by itself (the widget mounts the same bundle its own way).
start();
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
