//! Our own Prosody instances: a fresh state directory, accounts, pre-written rosters, start,
//! wait until ready, stop.
//!
//! Configuration lives in `config/prosody.cfg.lua` and reads `NATTER_STATE`, `NATTER_HTTP_PORT`,
//! `NATTER_C2S_PORT` and `NATTER_LOG_LEVEL` from the environment, so instances never collide.
//! Storage is Prosody's `internal` backend: one Lua table file per user and store under
//! `<state>/data/<host>/<store>/<user>.dat` (names escaped like Prosody's datamanager does), which
//! lets us write rosters of thousands of contacts directly, in milliseconds, before start.

use crate::server;
use crate::util::{self, Args, Result};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const DOMAIN: &str = "localhost";
/// Marks a directory as ours, so that re-creating it may delete it.
const MARKER: &str = ".natter-prosody-state";

#[derive(Clone, Debug)]
pub struct Account {
    pub user: String,
    pub password: String,
}

impl Account {
    pub fn new(user: &str, password: &str) -> Self {
        Account {
            user: user.into(),
            password: password.into(),
        }
    }
    pub fn jid(&self) -> String {
        format!("{}@{DOMAIN}", self.user)
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    pub state: PathBuf,
    pub http_port: u16,
    pub c2s_port: u16,
    pub accounts: Vec<Account>,
    /// Put every account in every other account's roster, subscription both ways.
    pub mutual: bool,
    /// (user, n): give `user` n contacts `contact<i>@localhost` ("Contact <i>"), i = 1..=n,
    /// subscribed both ways. The contacts have no accounts and no roster files of their own:
    /// Prosody 0.12 answers the user's presence probes from the user's own (online) roster
    /// (rostermanager.is_contact_subscribed), with `unavailable`, so nothing changes on sign-in.
    pub contacts: Vec<(String, usize)>,
    pub log_level: String,
}

impl Options {
    pub fn new(state: PathBuf, http_port: u16, c2s_port: u16) -> Self {
        Options {
            state,
            http_port,
            c2s_port,
            accounts: Vec::new(),
            mutual: true,
            contacts: Vec::new(),
            log_level: "info".into(),
        }
    }
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/xmpp-websocket", self.http_port)
    }
    pub fn bosh_url(&self) -> String {
        format!("http://127.0.0.1:{}/http-bind", self.http_port)
    }
}

pub fn config_file() -> PathBuf {
    util::root().join("config/prosody.cfg.lua")
}

/// The environment every `prosody`/`prosodyctl` process of this instance gets.
pub fn apply_env(cmd: &mut Command, opts: &Options) {
    cmd.env("NATTER_STATE", &opts.state)
        .env("NATTER_HTTP_PORT", opts.http_port.to_string())
        .env("NATTER_C2S_PORT", opts.c2s_port.to_string())
        .env("NATTER_LOG_LEVEL", &opts.log_level);
}

/// Prosody's datamanager encoding of host and user names: every non-alphanumeric byte as `%xx`.
pub fn path_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02x}");
        }
    }
    out
}

fn lua_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\{}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub struct RosterEntry {
    pub jid: String,
    pub name: Option<String>,
    pub subscription: &'static str,
    pub groups: Vec<String>,
}

/// Writes `<data>/<host>/roster/<user>.dat` the way Prosody 0.12's rostermanager stores it.
pub fn write_roster(state: &Path, user: &str, entries: &[RosterEntry]) -> Result {
    let dir = state.join("data").join(path_encode(DOMAIN)).join("roster");
    std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    let mut lua = String::with_capacity(64 + entries.len() * 96);
    lua.push_str(
        "return {\n\t[false] = {\n\t\t[\"version\"] = 1;\n\t\t[\"pending\"] = {};\n\t};\n",
    );
    for e in entries {
        let _ = write!(
            lua,
            "\t[{}] = {{\n\t\t[\"subscription\"] = \"{}\";\n",
            lua_string(&e.jid),
            e.subscription
        );
        if let Some(name) = &e.name {
            let _ = writeln!(lua, "\t\t[\"name\"] = {};", lua_string(name));
        }
        lua.push_str("\t\t[\"groups\"] = {");
        for g in &e.groups {
            let _ = write!(lua, " [{}] = true;", lua_string(g));
        }
        lua.push_str(" };\n\t};\n");
    }
    lua.push_str("};\n");
    let file = dir.join(format!("{}.dat", path_encode(user)));
    std::fs::write(&file, lua).map_err(|e| format!("write {}: {e}", file.display()))
}

fn capitalized(user: &str) -> String {
    let mut c = user.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A fresh state directory with accounts and rosters; Prosody must not be running on it.
pub fn prepare(opts: &Options) -> Result {
    let state = &opts.state;
    if let Some(pid) = running_pid(state) {
        return Err(format!(
            "a Prosody (pid {pid}) still runs on {}: stop it first (kill {pid})",
            state.display()
        ));
    }
    if state.exists() {
        let ours = state.join(MARKER).exists()
            || std::fs::read_dir(state)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
        if !ours {
            return Err(format!(
                "{} exists and is not a Natter Prosody state directory (no {MARKER}); refusing to delete it",
                state.display()
            ));
        }
        std::fs::remove_dir_all(state).map_err(|e| format!("remove {}: {e}", state.display()))?;
    }
    for sub in ["data", "certs", "www/.well-known"] {
        std::fs::create_dir_all(state.join(sub))
            .map_err(|e| format!("create {}/{sub}: {e}", state.display()))?;
    }
    std::fs::write(state.join(MARKER), "").map_err(|e| e.to_string())?;
    // XEP-0156 discovery documents, served by mod_http_files at /.well-known/.
    let (ws, bosh) = (opts.ws_url(), opts.bosh_url());
    std::fs::write(
        state.join("www/.well-known/host-meta"),
        format!(
            "<?xml version='1.0' encoding='utf-8'?>\n<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>\n  \
             <Link rel='urn:xmpp:alt-connections:websocket' href='{ws}'/>\n  \
             <Link rel='urn:xmpp:alt-connections:xbosh' href='{bosh}'/>\n</XRD>\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(
        state.join("www/.well-known/host-meta.json"),
        format!(
            "{{\"links\":[{{\"rel\":\"urn:xmpp:alt-connections:websocket\",\"href\":\"{ws}\"}},\
             {{\"rel\":\"urn:xmpp:alt-connections:xbosh\",\"href\":\"{bosh}\"}}]}}\n"
        ),
    )
    .map_err(|e| e.to_string())?;

    for a in &opts.accounts {
        register(opts, a)?;
    }

    // Rosters: accounts with each other (mutual), plus generated contacts.
    let mut rosters: Vec<(String, Vec<RosterEntry>)> = opts
        .accounts
        .iter()
        .map(|a| {
            let entries = if opts.mutual {
                opts.accounts
                    .iter()
                    .filter(|b| b.user != a.user)
                    .map(|b| RosterEntry {
                        jid: b.jid(),
                        name: Some(capitalized(&b.user)),
                        subscription: "both",
                        groups: vec!["Friends".into()],
                    })
                    .collect()
            } else {
                Vec::new()
            };
            (a.user.clone(), entries)
        })
        .collect();
    for (user, n) in &opts.contacts {
        let entries = (1..=*n).map(|i| RosterEntry {
            jid: format!("contact{i}@{DOMAIN}"),
            name: Some(format!("Contact {i}")),
            subscription: "both",
            groups: vec![format!("Team {}", i % 20 + 1)],
        });
        match rosters.iter_mut().find(|(u, _)| u == user) {
            Some((_, list)) => list.extend(entries),
            None => rosters.push((user.clone(), entries.collect())),
        }
    }
    for (user, entries) in &rosters {
        write_roster(state, user, entries)?;
    }
    Ok(())
}

/// The pid in `<state>/prosody.pid`, if that process is a live Prosody.
fn running_pid(state: &Path) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(state.join("prosody.pid"))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    String::from_utf8_lossy(&cmdline)
        .contains("prosody")
        .then_some(pid)
}

/// `prosodyctl register` (works whether or not the server runs: it writes the account store).
pub fn register(opts: &Options, a: &Account) -> Result {
    let mut cmd = Command::new("prosodyctl");
    cmd.arg("--config")
        .arg(config_file())
        .args(["register", &a.user, DOMAIN, &a.password]);
    apply_env(&mut cmd, opts);
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run prosodyctl: {e} (is prosody installed?)"))?;
    if !out.status.success() {
        return Err(format!(
            "prosodyctl register {} failed: {}{}",
            a.user,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

pub struct Prosody {
    child: Option<Child>,
    pub opts: Options,
    pub pid: u32,
}

impl Prosody {
    /// `prepare` + `start`.
    pub fn fresh(opts: Options) -> Result<Prosody> {
        let t = Instant::now();
        prepare(&opts)?;
        let prepared = t.elapsed();
        let p = Prosody::start(opts)?;
        eprintln!(
            "prosody: ready on {} (c2s {}, pid {}, state {}) in {} (accounts and rosters: {} ms)",
            p.opts.ws_url(),
            p.opts.c2s_port,
            p.pid,
            p.opts.state.display(),
            util::fmt_duration(t.elapsed()),
            prepared.as_millis()
        );
        Ok(p)
    }

    /// Starts `prosody -F` on a prepared state directory and waits until it serves WebSocket.
    pub fn start(opts: Options) -> Result<Prosody> {
        if !util::on_path("prosody") {
            return Err("prosody is not installed: run `cargo xtask ensure`".into());
        }
        for port in [opts.http_port, opts.c2s_port] {
            if TcpListener::bind(("127.0.0.1", port)).is_err() {
                return Err(format!(
                    "port {port} on 127.0.0.1 is already in use (an old Prosody? see `ss -ltnp | grep {port}`)"
                ));
            }
        }
        let console =
            std::fs::File::create(opts.state.join("console.log")).map_err(|e| e.to_string())?;
        let mut cmd = Command::new("prosody");
        cmd.arg("--config").arg(config_file()).arg("-F");
        apply_env(&mut cmd, &opts);
        cmd.stdin(Stdio::null())
            .stdout(console.try_clone().map_err(|e| e.to_string())?)
            .stderr(console);
        // If xtask dies (Ctrl-C, kill), Prosody goes too.
        util::die_with_us(&mut cmd);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start prosody: {e}"))?;
        let pid = child.id();
        let mut p = Prosody {
            child: Some(child),
            opts,
            pid,
        };
        p.wait_ready(Duration::from_secs(30))?;
        Ok(p)
    }

    fn failure(&self, what: &str) -> String {
        format!(
            "Prosody {what}.\n--- {}/prosody.log (tail) ---\n{}\n--- console.log ---\n{}",
            self.opts.state.display(),
            util::tail(&self.opts.state.join("prosody.log"), 25),
            util::tail(&self.opts.state.join("console.log"), 15)
        )
    }

    fn wait_ready(&mut self, limit: Duration) -> Result {
        let start = Instant::now();
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                return Err(self.failure(&format!("exited during start-up ({status})")));
            }
            if http_status(self.opts.http_port, "/xmpp-websocket") == Some(200)
                && TcpStream::connect(("127.0.0.1", self.opts.c2s_port)).is_ok()
            {
                return Ok(());
            }
            if start.elapsed() > limit {
                self.stop();
                return Err(self.failure(&format!(
                    "did not answer on 127.0.0.1:{} within {}s",
                    self.opts.http_port,
                    limit.as_secs()
                )));
            }
            util::sleep_ms(50);
        }
    }

    /// `Some(status)` once Prosody has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        util::child_exited(&mut self.child)
    }

    /// SIGTERM, then SIGKILL after 5 s.
    pub fn stop(&mut self) {
        util::stop_child(&mut self.child, Duration::from_secs(5));
    }
}

impl Drop for Prosody {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A minimal HTTP/1.0 GET; the status code, if anything answered.
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut s =
        TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(500))
            .ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    let head = std::str::from_utf8(&buf[..n]).ok()?;
    head.split_whitespace().nth(1)?.parse().ok()
}

/// `cargo xtask prosody`: one instance in the foreground, for browser tests and manual use.
///
/// ```text
/// cargo xtask prosody [--state DIR] [--http-port 5280] [--c2s-port 5222]
///                     [--user NAME:PASSWORD]... [--contacts NAME:COUNT]... [--no-mutual]
///                     [--log-level info] [--keep-state]
/// ```
/// Prints `READY {json}` (ws, bosh, pid, …) on stdout once it serves, then waits. Exits, stopping
/// Prosody, on SIGINT/SIGTERM, when its parent process dies, or when Prosody itself exits (e.g.
/// killed by a test, which finds the pid in the READY line or in `<state>/prosody.pid`).
/// `--keep-state` starts on an existing state directory as it is (accounts, rosters, archives,
/// offline messages): the fault tests restart a Prosody they killed, on the same ports.
pub fn run_cmd(args: &[String]) -> Result {
    util::die_with_parent();
    util::catch_interrupts();
    let mut a = Args::new(args);
    let opts = server::options_from_args(&mut a, server::Kind::Prosody)?;
    let keep = a.flag("--keep-state");
    a.finish()?;

    let p = if keep {
        if !opts.state.join(MARKER).exists() {
            return Err(format!(
                "--keep-state: {} is not a Natter Prosody state directory (no {MARKER})",
                opts.state.display()
            ));
        }
        if let Some(pid) = running_pid(&opts.state) {
            return Err(format!(
                "--keep-state: a Prosody (pid {pid}) still runs on {}",
                opts.state.display()
            ));
        }
        Prosody::start(opts)?
    } else {
        Prosody::fresh(opts)?
    };
    let ready = serde_json::json!({
        "server": "prosody",
        "log": p.opts.state.join("prosody.log"),
        "ws": p.opts.ws_url(),
        "bosh": p.opts.bosh_url(),
        "pid": p.pid,
        "state": p.opts.state,
        "http_port": p.opts.http_port,
        "c2s_port": p.opts.c2s_port,
        "domain": DOMAIN,
    });
    server::announce_and_wait(server::Running::Prosody(p), ready)
}

pub fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}
