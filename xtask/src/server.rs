//! Either XMPP server behind one interface, for `demo` (and anything else that does not care
//! which): Prosody (xtask/src/prosody.rs) or ejabberd (xtask/src/ejabberd.rs). Both serve
//! WebSocket on `/xmpp-websocket` and BOSH on `/http-bind` of their HTTP port, domain `localhost`.

use crate::ejabberd::Ejabberd;
use crate::prosody::{Options, Prosody};
use crate::util::Result;
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
