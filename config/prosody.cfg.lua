-- Prosody 0.12 configuration for Natter's demo and tests. LOOPBACK ONLY: it allows plain-text
-- auth without TLS, open CORS and open registration. Never expose it.
--
-- Started by `cargo xtask prosody|demo|test` as `prosody --config config/prosody.cfg.lua -F`
-- (and `prosodyctl --config …` with the same environment). Everything instance-specific comes
-- from the environment, so several instances can run side by side:
--
--   NATTER_STATE      state directory (required): data/, prosody.pid, prosody.log, www/
--   NATTER_HTTP_PORT  HTTP port for WebSocket (/xmpp-websocket) and BOSH (/http-bind); default 5280
--   NATTER_C2S_PORT   plain TCP client port; default 5222
--   NATTER_LOG_LEVEL  lowest level written to prosody.log (debug, info, warn); default info
--   NATTER_ARCHIVE_STORAGE  "sql": message archives (MAM, the rooms' too) in SQLite
--                     (data/archive.sqlite, Debian's lua-dbi-sqlite3) instead of files; the
--                     benchmark's second room row (`internal` reads a whole archive per query)

local state = os.getenv("NATTER_STATE")
if not state or state == "" then
	error("NATTER_STATE (the state directory) is not set; start Prosody through `cargo xtask prosody`")
end
local http_port = tonumber(os.getenv("NATTER_HTTP_PORT") or "5280")
local c2s_port = tonumber(os.getenv("NATTER_C2S_PORT") or "5222")
local log_level = os.getenv("NATTER_LOG_LEVEL") or "info"

-- Process
run_as_root = true -- CI and dev containers run as root
daemonize = false -- deprecated in 0.12 (xtask passes -F), kept for anyone starting it without -F
pidfile = state .. "/prosody.pid"
data_path = state .. "/data"
log = {
	{ levels = { min = log_level }, to = "file", filename = state .. "/prosody.log" };
	{ levels = { min = "error" }, to = "console" };
}

-- Network: loopback only, no server-to-server, no TLS ports.
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_interfaces = { "127.0.0.1" }
http_interfaces = { "127.0.0.1" }
https_interfaces = { "127.0.0.1" }
c2s_ports = { c2s_port }
c2s_direct_tls_ports = {}
http_ports = { http_port }
https_ports = {}
s2s_ports = {}
s2s_direct_tls_ports = {}
component_ports = {}
proxy65_ports = {}
modules_disabled = { "s2s" }

-- Authentication: SCRAM against hashed storage; PLAIN allowed on loopback (test servers only).
authentication = "internal_hashed"
if os.getenv("NATTER_ARCHIVE_STORAGE") == "sql" then
	storage = { archive = "sql", muc_log = "sql" }
	sql = { driver = "SQLite3", database = "archive.sqlite" }
else
	storage = "internal"
end
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
allow_registration = true -- in-band registration (XEP-0077) for tests; loopback only
min_seconds_between_registrations = 0

modules_enabled = {
	"roster"; "saslauth"; "disco"; "carbons"; "mam"; "csi_simple"; "smacks"; "pep";
	"bookmarks"; "vcard4"; "vcard_legacy"; "private"; "offline"; "blocklist"; "ping";
	"register"; "time"; "version"; "uptime";
	"http"; "websocket"; "bosh"; "http_files";
	-- "limits" is deliberately absent: tests and benchmarks send large bursts.
}

-- HTTP: WebSocket and BOSH for browsers on another origin (the page is served from :8080).
-- mod_websocket in 0.12 has no Origin check; CORS headers are on by default for both apps,
-- made explicit here (the old cross_domain_* options are obsolete in 0.12).
http_default_host = "localhost"
http_paths = { websocket = "/xmpp-websocket"; bosh = "/http-bind"; files = "/" }
http_cors_override = {
	websocket = { enabled = true; origins = { "*" } };
	bosh = { enabled = true; origins = { "*" } };
	files = { enabled = true; origins = { "*" } };
}
http_external_url = "http://127.0.0.1:" .. http_port .. "/"
consider_websocket_secure = true
consider_bosh_secure = true
http_files_dir = state .. "/www" -- xtask writes /.well-known/host-meta(.json) here (XEP-0156)
http_max_content_size = 16 * 1024 * 1024
certificates = state .. "/certs" -- empty: no TLS anywhere

-- Big rosters (10,000 contacts) and archives: no small limits.
c2s_stanza_size_limit = 10 * 1024 * 1024
websocket_frame_buffer_limit = 20 * 1024 * 1024
websocket_frame_fragment_limit = 64
max_archive_query_results = 10000
archive_expires_after = "never"
default_archive_policy = true
smacks_hibernation_time = 60

VirtualHost "localhost"

-- XEP-0388 SASL2 + XEP-0386 Bind2 + XEP-0198 inline, from Debian's prosody-modules (2023-02
-- snapshot, installed as /usr/lib/prosody/modules/mod_<name>/mod_<name>.lua, which the default
-- plugin path finds). On a host of their own because on Prosody 0.12.3 mod_sasl2 breaks BOSH
-- ("mod_sasl2.lua:115: attempt to concatenate a nil value (field 'base_type')": BOSH sessions
-- have no base_type), and the e2e suite signs in over BOSH to "localhost". mod_sasl2_fast is
-- left out: it fails every stream's features on 0.12.3 ("mod_sasl2_fast.lua:100: attempt to
-- index a nil value (field 'stream')": 0.12's stream-features event carries no stream header).
VirtualHost "sasl2.localhost"
	modules_enabled = { "sasl2"; "sasl2_bind2"; "sasl2_sm" }

-- XEP-0175 anonymous visitors (the embeddable widget's shop visitors): SASL ANONYMOUS makes up
-- a throwaway account per sign-in. Same WebSocket and BOSH endpoints as "localhost" (the stream's
-- `to` picks the host; CORS above covers both). Messages to localhost accounts are local
-- delivery, not s2s, so `allow_anonymous_s2s` stays off. Nothing of a visitor is stored
-- (`allow_anonymous_storage` defaults to false): no roster, no archive, no offline messages.
VirtualHost "anon.localhost"
	authentication = "anonymous"

Component "conference.localhost" "muc"
	modules_enabled = { "muc_mam" }
	muc_room_locking = false
	restrict_room_creation = false
	max_history_messages = 100

Component "upload.localhost" "http_file_share"
	http_file_share_size_limit = 10 * 1024 * 1024
	-- Served on the main host's HTTP paths: requests to 127.0.0.1 carry no upload.localhost
	-- Host header, so without this every PUT and GET of a slot would be a 404.
	http_host = "localhost"
