//! Our own ejabberd instances (Debian's ejabberd 23.01), the second server the browser tests run
//! against: a fresh state directory, start, wait until ready, accounts and rosters, stop.
//!
//! Never the distro service and never `/etc/ejabberd`: each instance is an Erlang node of its own,
//! started as the current user with exactly the command line `ejabberdctl foreground` builds, minus
//! `su ejabberd` and epmd (a fixed, free distribution port on 127.0.0.1 instead, as ejabberdctl
//! does with `ERL_DIST_PORT`):
//!
//! ```text
//! erl -sname natter-ejabberd-<http port>@localhost -setcookie <random> -noinput
//!     -erl_epmd_port <dist port> -start_epmd false -kernel inet_dist_use_interface {127,0,0,1}
//!     -mnesia dir "<state>/database" -s ejabberd
//! ```
//!
//! with `EJABBERD_CONFIG_PATH=<state>/ejabberd.yml` (port macros + `include_config_file:
//! config/ejabberd.yml`), `EJABBERD_LOG_PATH=<state>/logs/ejabberd.log` and
//! `ERL_INETRC=<state>/inetrc`. `ejabberdctl` commands run the same way (`erl … -hidden
//! -dist_listen false -s ejabberd_ctl -extra <node> <command> …`, what the script runs), so they
//! work as any user; `<state>/ejabberdctl.cfg` lets a human use the real script too.
//!
//! Data: Mnesia can only be written by the running node, and every `ejabberdctl` call starts an
//! Erlang VM (~0.35 s): `register` per account plus `add_rosteritem` per roster item would take
//! 11 minutes for a 2,000-contact roster. Instead xtask writes one XEP-0227 (PIEFXIS) file with
//! every account, password and roster item and loads it with ONE `ejabberdctl import_piefxis`
//! (each roster in one Mnesia transaction): under a second for 2,000 contacts.

use crate::prosody::{Options, DOMAIN};
use crate::server;
use crate::util::{self, Args, Result};
use std::fmt::Write as _;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Marks a directory as ours, so that re-creating it may delete it.
const MARKER: &str = ".natter-ejabberd-state";
const STARTED: &str = "is started in the node";
const FAILED: &str = "Failed to start ejabberd application";

pub fn config_file() -> PathBuf {
    util::root().join("config/ejabberd.yml")
}

/// The `ERL_LIBS` the Debian package uses (where `ejabberd-23.01/ebin` lives), read from
/// `/usr/sbin/ejabberdctl`, or found under /usr/lib.
fn erl_libs() -> Result<String> {
    let script = ["/usr/sbin/ejabberdctl", "/usr/bin/ejabberdctl"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok());
    if let Some(s) = script {
        for line in s.lines() {
            if let Some(v) = line.trim().strip_prefix("ERL_LIBS=") {
                let v = v.trim_matches(['\'', '"']);
                if has_ejabberd(Path::new(v)) {
                    return Ok(v.to_string());
                }
            }
        }
    }
    let mut dirs = vec![PathBuf::from("/usr/lib"), PathBuf::from("/usr/lib64")];
    if let Ok(rd) = std::fs::read_dir("/usr/lib") {
        dirs.extend(
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with("-linux-gnu")),
        );
    }
    dirs.into_iter()
        .find(|d| has_ejabberd(d))
        .map(|d| d.to_string_lossy().into_owned())
        .ok_or_else(|| "ejabberd is not installed: run `cargo xtask ensure`".to_string())
}

fn has_ejabberd(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|rd| {
        rd.filter_map(|e| e.ok()).any(|e| {
            e.file_name().to_string_lossy().starts_with("ejabberd-")
                && e.path().join("ebin/ejabberd.beam").is_file()
        })
    })
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .is_err()
    {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (t >> ((i % 16) * 8)) as u8 ^ std::process::id() as u8;
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// ejabberd's names for Prosody-style log levels.
fn log_level(level: &str) -> &str {
    match level {
        "warn" => "warning",
        "err" => "error",
        other => other,
    }
}

fn capitalized(user: &str) -> String {
    let mut c = user.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The XEP-0227 file with every account and roster (see the module docs).
pub fn piefxis(opts: &Options) -> String {
    struct Item {
        jid: String,
        name: String,
        group: String,
    }
    let mut users: Vec<(String, String, Vec<Item>)> = opts
        .accounts
        .iter()
        .map(|a| {
            let items = if opts.mutual {
                opts.accounts
                    .iter()
                    .filter(|b| b.user != a.user)
                    .map(|b| Item {
                        jid: b.jid(),
                        name: capitalized(&b.user),
                        group: "Friends".into(),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            (a.user.clone(), a.password.clone(), items)
        })
        .collect();
    for (user, n) in &opts.contacts {
        let items = (1..=*n).map(|i| Item {
            jid: format!("contact{i}@{DOMAIN}"),
            name: format!("Contact {i}"),
            group: format!("Team {}", i % 20 + 1),
        });
        match users.iter_mut().find(|(u, _, _)| u == user) {
            Some((_, _, list)) => list.extend(items),
            // A roster for a user without a password: piefxis needs one; give a random one.
            None => users.push((user.clone(), random_hex(12), items.collect())),
        }
    }
    let mut x = String::with_capacity(256 + users.iter().map(|u| u.2.len() * 120).sum::<usize>());
    x.push_str("<?xml version='1.0' encoding='UTF-8'?>\n<server-data xmlns='urn:xmpp:pie:0'>\n");
    let _ = writeln!(x, "<host jid='{DOMAIN}'>");
    for (user, pass, items) in &users {
        let _ = write!(
            x,
            "<user name='{}' password='{}'>",
            xml_escape(user),
            xml_escape(pass)
        );
        if !items.is_empty() {
            x.push_str("<query xmlns='jabber:iq:roster'>");
            for i in items {
                let _ = write!(
                    x,
                    "<item jid='{}' name='{}' subscription='both'><group>{}</group></item>",
                    xml_escape(&i.jid),
                    xml_escape(&i.name),
                    xml_escape(&i.group)
                );
            }
            x.push_str("</query>");
        }
        x.push_str("</user>\n");
    }
    x.push_str("</host>\n</server-data>\n");
    x
}

/// The pid in `<state>/ejabberd.pid`, if that process is a live Erlang VM.
fn running_pid(state: &Path) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(state.join("ejabberd.pid"))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    String::from_utf8_lossy(&cmdline)
        .contains("beam")
        .then_some(pid)
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

pub struct Ejabberd {
    child: Option<Child>,
    pub opts: Options,
    pub pid: u32,
    /// The Erlang node name, `natter-ejabberd-<http port>@localhost`.
    pub node: String,
    /// The node's distribution port on 127.0.0.1 (no epmd).
    pub dist_port: u16,
    cookie: String,
    erl_libs: String,
}

impl Ejabberd {
    pub fn log_file(&self) -> PathBuf {
        self.opts.state.join("logs/ejabberd.log")
    }

    /// Fresh state, start, wait until ready, load accounts and rosters.
    pub fn fresh(opts: Options) -> Result<Ejabberd> {
        Self::fresh_on(opts, 0)
    }

    /// Like [`fresh`](Self::fresh) with a given distribution port (0: a free one).
    pub fn fresh_on(opts: Options, dist_port: u16) -> Result<Ejabberd> {
        let t = Instant::now();
        let mut e = Ejabberd::start(opts, dist_port)?;
        let started = t.elapsed();
        let t_data = Instant::now();
        if let Err(err) = e.load_data() {
            e.stop();
            return Err(err);
        }
        eprintln!(
            "ejabberd: ready on {} (c2s {}, node {} on 127.0.0.1:{}, pid {}, state {}) in {} \
             (start {}, accounts and rosters {} ms)",
            e.opts.ws_url(),
            e.opts.c2s_port,
            e.node,
            e.dist_port,
            e.pid,
            e.opts.state.display(),
            util::fmt_duration(t.elapsed()),
            util::fmt_duration(started),
            t_data.elapsed().as_millis()
        );
        Ok(e)
    }

    /// A fresh state directory with the per-instance files; ejabberd must not run on it.
    fn prepare(opts: &Options, node: &str, cookie: &str, dist_port: u16) -> Result {
        let state = &opts.state;
        if let Some(pid) = running_pid(state) {
            return Err(format!(
                "an ejabberd (pid {pid}) still runs on {}: stop it first (kill {pid})",
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
                    "{} exists and is not a Natter ejabberd state directory (no {MARKER}); refusing to delete it",
                    state.display()
                ));
            }
            std::fs::remove_dir_all(state)
                .map_err(|e| format!("remove {}: {e}", state.display()))?;
        }
        for sub in ["database", "logs", "upload", "modules/conf"] {
            std::fs::create_dir_all(state.join(sub))
                .map_err(|e| format!("create {}/{sub}: {e}", state.display()))?;
        }
        let write = |name: &str, text: String| {
            std::fs::write(state.join(name), text)
                .map_err(|e| format!("write {}/{name}: {e}", state.display()))
        };
        write(MARKER, String::new())?;
        let http = opts.http_port;
        let q = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        write(
            "ejabberd.yml",
            format!(
                "## Written by `cargo xtask ejabberd` for this instance; the configuration is\n\
                 ## {config}.\ndefine_macro:\n  NATTER_HTTP_PORT: {http}\n  NATTER_C2S_PORT: {c2s}\n  \
                 NATTER_LOG_LEVEL: {level}\n  NATTER_WS_URL: {ws}\n  NATTER_BOSH_URL: {bosh}\n  \
                 NATTER_UPLOAD_URL: {up}\n  NATTER_UPLOAD_DIR: {updir}\ninclude_config_file:\n  - {cfg}\n",
                config = config_file().display(),
                c2s = opts.c2s_port,
                level = log_level(&opts.log_level),
                ws = q(&opts.ws_url()),
                bosh = q(&opts.bosh_url()),
                up = q(&format!("http://127.0.0.1:{http}/upload")),
                updir = q(&state.join("upload").to_string_lossy()),
                cfg = q(&config_file().to_string_lossy()),
            ),
        )?;
        // Host names resolve from this file only: `localhost` (the node's host) is loopback.
        write(
            "inetrc",
            "{lookup,[\"file\",\"native\"]}.\n{host,{127,0,0,1},[\"localhost\"]}.\n".into(),
        )?;
        write("cookie", format!("{cookie}\n"))?;
        // For humans: `ejabberdctl --ctl-config <state>/ejabberdctl.cfg <command>` (as root or
        // the ejabberd user) talks to this node.
        write(
            "ejabberdctl.cfg",
            format!(
                "# ejabberdctl --ctl-config {s}/ejabberdctl.cfg --config {s}/ejabberd.yml --spool {s}/database --logs {s}/logs status\n\
                 ERLANG_NODE={node}\nERL_DIST_PORT={dist_port}\nINET_DIST_INTERFACE=127.0.0.1\n\
                 ERL_OPTIONS=\"-setcookie {cookie}\"\n",
                s = state.display()
            ),
        )?;
        write("natter-data.xml", piefxis(opts))?;
        Ok(())
    }

    /// Prepares the state directory and starts the node; waits until it serves (bounded).
    pub fn start(opts: Options, dist_port: u16) -> Result<Ejabberd> {
        if !util::on_path("erl") {
            return Err("erl (Erlang) is not installed: run `cargo xtask ensure`".into());
        }
        let erl_libs = erl_libs()?;
        let dist_port = if dist_port == 0 {
            free_port()?
        } else {
            dist_port
        };
        for port in [opts.http_port, opts.c2s_port, dist_port] {
            if TcpListener::bind(("127.0.0.1", port)).is_err() {
                return Err(format!(
                    "port {port} on 127.0.0.1 is already in use (an old server? see `ss -ltnp | grep {port}`)"
                ));
            }
        }
        let node = format!("natter-ejabberd-{}@localhost", opts.http_port);
        let cookie = random_hex(16);
        Self::prepare(&opts, &node, &cookie, dist_port)?;

        let state = opts.state.clone();
        let console = std::fs::File::create(state.join("logs/console.log"))
            .map_err(|e| format!("create console.log: {e}"))?;
        let mut cmd = Command::new("erl");
        cmd.args(["-sname", &node, "-setcookie", &cookie, "-noinput"])
            // Scheduler busy-waiting burns CPU that Chromium needs on a 2-core machine.
            .args(["+K", "true", "+P", "250000", "+sbwt", "none"])
            .args(["+sbwtdcpu", "none", "+sbwtdio", "none"])
            .args(["-env", "ERL_CRASH_DUMP_BYTES", "0"])
            .args([
                "-erl_epmd_port",
                &dist_port.to_string(),
                "-start_epmd",
                "false",
            ])
            .args(["-kernel", "inet_dist_use_interface", "{127,0,0,1}"])
            .arg("-mnesia")
            .arg("dir")
            .arg(format!("\"{}\"", state.join("database").display()))
            .args(["-s", "ejabberd"]);
        Self::erl_env(&mut cmd, &state, &erl_libs);
        cmd.env("EJABBERD_CONFIG_PATH", state.join("ejabberd.yml"))
            .env("EJABBERD_LOG_PATH", state.join("logs/ejabberd.log"))
            .env("EJABBERD_PID_PATH", state.join("ejabberd.pid"))
            .env("ERL_CRASH_DUMP", state.join("logs/erl_crash.dump"))
            .env("ERL_MAX_PORTS", "32000")
            .env("ERL_MAX_ETS_TABLES", "1400")
            .env("CONTRIB_MODULES_PATH", state.join("modules"))
            .env("CONTRIB_MODULES_CONF_DIR", state.join("modules/conf"))
            .current_dir(&state)
            .stdin(Stdio::null())
            .stdout(console.try_clone().map_err(|e| e.to_string())?)
            .stderr(console);
        // If xtask dies (Ctrl-C, kill), the node goes too (SIGTERM: a clean shutdown).
        util::die_with_us(&mut cmd);
        let child = cmd.spawn().map_err(|e| format!("cannot start erl: {e}"))?;
        // `erl` is a shell script that execs erlexec, which execs beam.smp: same pid.
        let pid = child.id();
        let mut e = Ejabberd {
            child: Some(child),
            opts,
            pid,
            node,
            dist_port,
            cookie,
            erl_libs,
        };
        e.wait_ready(Duration::from_secs(60))?;
        Ok(e)
    }

    fn erl_env(cmd: &mut Command, state: &Path, erl_libs: &str) {
        cmd.env("ERL_LIBS", erl_libs)
            .env("ERL_INETRC", state.join("inetrc"))
            .env("HOME", state);
    }

    fn failure(&self, what: &str) -> String {
        format!(
            "ejabberd {what}.\n--- {} (tail) ---\n{}\n--- logs/console.log ---\n{}",
            self.log_file().display(),
            util::tail(&self.log_file(), 30),
            util::tail(&self.opts.state.join("logs/console.log"), 15)
        )
    }

    fn wait_ready(&mut self, limit: Duration) -> Result {
        let start = Instant::now();
        let log = self.log_file();
        loop {
            if let Some(status) = self.exited() {
                return Err(self.failure(&format!("exited during start-up ({status})")));
            }
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if text.contains(FAILED) {
                self.stop();
                return Err(self.failure("failed to start (configuration?)"));
            }
            if text.contains(STARTED)
                && crate::prosody::http_status(self.opts.http_port, "/xmpp-websocket") == Some(200)
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

    /// Runs one ejabberdctl command against this node (bounded: 60 s); its stdout.
    pub fn ctl(&self, args: &[&str]) -> Result<String> {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let name = format!("natter-ctl-{}-{n}@localhost", std::process::id());
        let mut cmd = Command::new("erl");
        cmd.args(["-sname", &name, "-hidden", "-noinput"])
            .args(["-setcookie", &self.cookie, "-dist_listen", "false"])
            .args(["-erl_epmd_port", &self.dist_port.to_string()])
            .args(["-start_epmd", "false", "-s", "ejabberd_ctl", "-extra"])
            .arg(&self.node)
            .args(args);
        Self::erl_env(&mut cmd, &self.opts.state, &self.erl_libs);
        cmd.current_dir(&self.opts.state)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        util::die_with_us(&mut cmd);
        let what = format!("ejabberdctl {}", args.first().copied().unwrap_or(""));
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("{what}: cannot start erl: {e}"))?;
        let mut out = child.stdout.take().expect("piped");
        let mut err = child.stderr.take().expect("piped");
        let reader = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = out.read_to_string(&mut s);
            let mut e = String::new();
            let _ = err.read_to_string(&mut e);
            (s, e)
        });
        let t = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
                break s;
            }
            if t.elapsed() > Duration::from_secs(60) {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{what}: no answer within 60 s"));
            }
            util::sleep_ms(10);
        };
        let (stdout, stderr) = reader.join().unwrap_or_default();
        if status.success() {
            Ok(stdout)
        } else {
            Err(format!("{what} failed ({status}): {stdout}{stderr}"))
        }
    }

    /// Accounts and rosters: one `ejabberdctl import_piefxis` of the file `prepare` wrote.
    fn load_data(&self) -> Result {
        if self.opts.accounts.is_empty() && self.opts.contacts.is_empty() {
            return Ok(());
        }
        let file = self.opts.state.join("natter-data.xml");
        let out = self.ctl(&["import_piefxis", &file.to_string_lossy()])?;
        if !out.trim().is_empty() {
            return Err(format!("ejabberdctl import_piefxis: {out}"));
        }
        Ok(())
    }

    /// `Some(status)` once the node has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        util::child_exited(&mut self.child)
    }

    /// SIGTERM (the VM runs `init:stop()`, ejabberd stops cleanly in ~2 s), SIGKILL after 10 s.
    pub fn stop(&mut self) {
        util::stop_child(&mut self.child, Duration::from_secs(10));
    }
}

impl Drop for Ejabberd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `cargo xtask ejabberd`: one instance in the foreground, for browser tests and manual use.
///
/// ```text
/// cargo xtask ejabberd [--state DIR] [--http-port 5280] [--c2s-port 5222] [--dist-port N]
///                      [--user NAME:PASSWORD]... [--contacts NAME:COUNT]... [--no-mutual]
///                      [--log-level info]
/// ```
/// Prints `READY {json}` (ws, bosh, pid, node, …) on stdout once it serves, then waits. Exits,
/// stopping ejabberd, on SIGINT/SIGTERM, when its parent process dies, or when ejabberd itself
/// exits (e.g. killed by a test, which finds the pid in the READY line).
pub fn run_cmd(args: &[String]) -> Result {
    util::die_with_parent();
    util::catch_interrupts();
    let mut a = Args::new(args);
    let opts = server::options_from_args(&mut a, server::Kind::Ejabberd)?;
    let dist_port = a.parse("--dist-port", 0u16)?;
    a.finish()?;

    let e = Ejabberd::fresh_on(opts, dist_port)?;
    let ready = serde_json::json!({
        "server": "ejabberd",
        "ws": e.opts.ws_url(),
        "bosh": e.opts.bosh_url(),
        "pid": e.pid,
        "state": e.opts.state,
        "http_port": e.opts.http_port,
        "c2s_port": e.opts.c2s_port,
        "dist_port": e.dist_port,
        "node": e.node,
        "log": e.log_file(),
        "domain": DOMAIN,
    });
    server::announce_and_wait(server::Running::Ejabberd(e), ready)
}
