//! Shared setup for the live-server tests: where the server is, fresh accounts, rosters.
//!
//! `cargo xtask test` starts Prosody (config/prosody.cfg.lua, fresh state directory, HTTP on
//! 15280) and runs `cargo test` with:
//!
//! - `NATTER_TEST_WS`: the WebSocket URL, e.g. `ws://127.0.0.1:15280/xmpp-websocket`;
//! - `NATTER_TEST_BOSH`: the BOSH URL of the same server, e.g. `http://127.0.0.1:15280/http-bind`;
//! - `NATTER_TEST_PROSODY_CONFIG` and `NATTER_STATE` (+ ports): so that tests can create their
//!   own accounts with `prosodyctl register` and write rosters into the state directory.
//!
//! Every test registers accounts with unique names, so tests neither share state with each other
//! nor depend on anything a previous run left. Without `NATTER_TEST_WS` the tests are skipped,
//! except under `CI=true`, where they fail.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use natter_native::natter_core::jid::BareJid;
use natter_native::natter_core::{Event, PresenceUpdate};
use natter_native::Session;

pub const DOMAIN: &str = "localhost";
pub const WAIT: Duration = Duration::from_secs(10);

/// The server URL, or `None` (skip) when no server was provided outside CI.
pub fn server() -> Option<String> {
    match std::env::var("NATTER_TEST_WS") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
            panic!("NATTER_TEST_WS is not set under CI: run these tests through `cargo xtask test`")
        }
        _ => {
            eprintln!("skipped: NATTER_TEST_WS is not set (run through `cargo xtask test`)");
            None
        }
    }
}

/// The BOSH URL (`NATTER_TEST_BOSH`, e.g. `http://127.0.0.1:15280/http-bind`) and the
/// WebSocket one of the same server, or `None` (skip) as for [`server`].
pub fn bosh_server() -> Option<(String, String)> {
    let ws = server()?;
    match std::env::var("NATTER_TEST_BOSH") {
        Ok(url) if !url.is_empty() => Some((url, ws)),
        _ if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
            panic!(
                "NATTER_TEST_BOSH is not set under CI: run these tests through `cargo xtask test`"
            )
        }
        _ => {
            eprintln!("skipped: NATTER_TEST_BOSH is not set (run through `cargo xtask test`)");
            None
        }
    }
}

/// Skips the test (returns) when there is no server.
#[macro_export]
macro_rules! server_or_skip {
    () => {
        match common::server() {
            Some(url) => url,
            None => return,
        }
    };
}

pub struct Account {
    pub user: String,
    pub jid: BareJid,
    pub password: String,
}

/// Registers a fresh account `it-<tag>-<unique>` through prosodyctl.
pub fn account(tag: &str) -> Account {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() % 1_000_000)
        .unwrap_or(0);
    let user = format!("it-{tag}-{}-{stamp}-{n}", std::process::id());
    let password = format!("pw-{user}");
    let config = std::env::var("NATTER_TEST_PROSODY_CONFIG").expect(
        "NATTER_TEST_PROSODY_CONFIG (path of config/prosody.cfg.lua) is needed to create accounts",
    );
    let out = Command::new("prosodyctl")
        .arg("--config")
        .arg(&config)
        .args(["register", &user, DOMAIN, &password])
        .output()
        .expect("prosodyctl runs");
    assert!(
        out.status.success(),
        "prosodyctl register {user} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Account {
        jid: format!("{user}@{DOMAIN}").parse().unwrap(),
        user,
        password,
    }
}

fn path_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02x}")
            }
        })
        .collect()
}

/// Puts `a` and `b` in each other's roster, subscribed both ways, by writing Prosody's roster
/// storage (internal backend) directly. Only valid before either signs in.
pub fn befriend(a: &Account, b: &Account) {
    let state = PathBuf::from(
        std::env::var("NATTER_STATE").expect("NATTER_STATE (Prosody's state directory)"),
    );
    let dir = state.join("data").join(path_encode(DOMAIN)).join("roster");
    std::fs::create_dir_all(&dir).unwrap();
    for (me, other) in [(a, b), (b, a)] {
        let lua = format!(
            "return {{\n\t[false] = {{ [\"version\"] = 1; [\"pending\"] = {{}}; }};\n\t[\"{}\"] = {{ [\"subscription\"] = \"both\"; [\"name\"] = \"{}\"; [\"groups\"] = {{ [\"Friends\"] = true; }}; }};\n}};\n",
            other.jid, other.user
        );
        std::fs::write(dir.join(format!("{}.dat", path_encode(&me.user))), lua).unwrap();
    }
}

/// Connects and waits until online; panics with the events seen otherwise.
pub async fn online(url: &str, a: &Account) -> Session {
    let config = natter_native::config(url, a.jid.clone(), &a.password);
    let mut s = natter_native::connect(url, config)
        .await
        .expect("WebSocket opens");
    if let Err(e) = s.online(WAIT).await {
        panic!("{} did not come online: {e}", a.jid);
    }
    s
}

/// Waits for a presence from `from` that `want` accepts; panics naming `what` if none comes.
pub async fn presence_from(
    s: &mut Session,
    from: &BareJid,
    what: &str,
    want: impl Fn(&PresenceUpdate) -> bool,
) -> PresenceUpdate {
    let found = s
        .wait_for(
            WAIT,
            |e| matches!(e, Event::Presence(p) if p.from.to_bare() == *from && want(p)),
        )
        .await;
    match found {
        Ok(Event::Presence(p)) => p,
        Ok(other) => panic!("{what}: got {other:?}"),
        Err(e) => panic!("{what}: {e:?}"),
    }
}
