//! Either XMPP server behind one interface, for `demo` (and anything else that does not care
//! which): Prosody (xtask/src/prosody.rs) or ejabberd (xtask/src/ejabberd.rs). Both serve
//! WebSocket on `/xmpp-websocket` and BOSH on `/http-bind` of their HTTP port, domain `localhost`.

use crate::ejabberd::Ejabberd;
use crate::prosody::{absolute, Account, Options, Prosody};
use crate::util::{self, Args, Result};
use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Prosody,
    Ejabberd,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Prosody => "prosody",
            Kind::Ejabberd => "ejabberd",
        }
    }

    pub fn parse(s: &str) -> Result<Kind> {
        match s.to_ascii_lowercase().as_str() {
            "prosody" => Ok(Kind::Prosody),
            "ejabberd" => Ok(Kind::Ejabberd),
            _ => Err(format!("unknown server {s:?}: prosody or ejabberd")),
        }
    }
}

pub enum Running {
    Prosody(Prosody),
    Ejabberd(Ejabberd),
}

impl Running {
    /// A fresh instance of `kind` with `opts` (state directory, ports, accounts, rosters).
    pub fn fresh(kind: Kind, opts: Options) -> Result<Running> {
        Ok(match kind {
            Kind::Prosody => Running::Prosody(Prosody::fresh(opts)?),
            Kind::Ejabberd => Running::Ejabberd(Ejabberd::fresh(opts)?),
        })
    }

    pub fn opts(&self) -> &Options {
        match self {
            Running::Prosody(p) => &p.opts,
            Running::Ejabberd(e) => &e.opts,
        }
    }

    pub fn log_file(&self) -> PathBuf {
        match self {
            Running::Prosody(p) => p.opts.state.join("prosody.log"),
            Running::Ejabberd(e) => e.log_file(),
        }
    }

    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        match self {
            Running::Prosody(p) => p.exited(),
            Running::Ejabberd(e) => e.exited(),
        }
    }

    pub fn stop(&mut self) {
        match self {
            Running::Prosody(p) => p.stop(),
            Running::Ejabberd(e) => e.stop(),
        }
    }
}

/// The options `xtask prosody` and `xtask ejabberd` share: ports, state directory, accounts,
/// rosters, log level. The caller parses its own extra options and then calls `a.finish()`.
pub fn options_from_args(a: &mut Args, kind: Kind) -> Result<Options> {
    let http_port = a.parse("--http-port", 5280u16)?;
    let c2s_port = a.parse("--c2s-port", 5222u16)?;
    let state = a
        .value("--state")?
        .map(PathBuf::from)
        .unwrap_or_else(|| util::root().join(format!(".state/{}-{http_port}", kind.name())));
    let mut opts = Options::new(absolute(&state), http_port, c2s_port);
    opts.mutual = !a.flag("--no-mutual");
    opts.log_level = a.value("--log-level")?.unwrap_or_else(|| "info".into());
    for u in a.values("--user")? {
        let (user, pass) = u
            .split_once(':')
            .ok_or(format!("--user {u}: expected NAME:PASSWORD"))?;
        opts.accounts.push(Account::new(user, pass));
    }
    for c in a.values("--contacts")? {
        let (user, n) = c
            .split_once(':')
            .ok_or(format!("--contacts {c}: expected NAME:COUNT"))?;
        let n = n
            .parse()
            .map_err(|_| format!("--contacts {c}: bad count"))?;
        opts.contacts.push((user.to_string(), n));
    }
    Ok(opts)
}

/// Prints `READY {ready}` and keeps the server in the foreground: stops it on SIGINT/SIGTERM,
/// returns when it exits by itself (e.g. killed by a test).
pub fn announce_and_wait(mut server: Running, ready: serde_json::Value) -> Result {
    println!("READY {ready}");
    let _ = std::io::stdout().flush();
    loop {
        if util::interrupted() {
            server.stop();
            return Ok(());
        }
        if let Some(status) = server.exited() {
            println!("EXITED {status}");
            return Ok(());
        }
        util::sleep_ms(100);
    }
}
