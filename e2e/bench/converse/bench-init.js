// Converse.js 14.0.0 with its public configuration: its defaults, except
//  - auto_login + jid + password: the benchmark signs in without typing, as Natter's harness
//    does through its own form (e2e/bench/lib/clients.mjs);
//  - websocket_url or bosh_service_url: the transport under test;
//  - discover_connection_methods: false. With a URL given it would still first fetch
//    https://<domain>/.well-known/host-meta (XEP-0156), a request no server answers here and
//    that Natter, given a Connection URL, does not make either.
// Every asset Converse loads later (locale chunks, emoji.json, fonts, the OMEMO library) comes
// from its own dist/, served at /dist/, which is the default `assets_path`.
const q = new URLSearchParams(location.search);
const settings = {
  auto_login: true,
  jid: q.get('jid'),
  password: q.get('password'),
  discover_connection_methods: false,
};
if (q.get('ws')) settings.websocket_url = q.get('ws');
if (q.get('bosh')) settings.bosh_service_url = q.get('bosh');
converse.initialize(settings);
