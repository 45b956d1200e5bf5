//! Installs what the commands need, idempotently; quick (well under a second) when all is there.
//!
//! A fresh Debian machine with only rustup, node and npm gets: the wasm32 target, trunk and
//! wasm-bindgen-cli (cargo install, pinned), Prosody + ejabberd + Chromium + ChromeDriver +
//! slixmpp (apt), and the npm packages of `e2e/` (playwright-core, binaryen's wasm-opt). Set
//! `NATTER_NO_ENSURE=1` to skip. The distro services of Prosody and ejabberd are stopped and
//! disabled: Natter runs its own instances (config/, own ports and state directories).

use crate::util::{self, output, run, Result};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

pub const TRUNK_VERSION: &str = "0.21.14";
const APT_PACKAGES: &[&str] = &[
    "prosody",
    "prosody-modules",
    "ejabberd",
    "chromium",
    "chromium-driver",
    // The interop e2e tests' other client (e2e/interop/slixbot.py, run by /usr/bin/python3).
    // aiohttp (XEP-0363's PUT) and emoji (XEP-0444's check) are only Recommends of slixmpp:
    // named so that an apt configured without Recommends still installs them.
    "python3-slixmpp",
    "python3-aiohttp",
    "python3-emoji",
    // The benchmark's room over an SQL archive (NATTER_ARCHIVE_STORAGE=sql): Prosody's SQLite
    // driver, and the CLI that writes the generated archive into it.
    "lua-dbi-sqlite3",
    "sqlite3",
];
const NPM_PINS: &[(&str, &str)] = &[("playwright-core", "1.65.1"), ("binaryen", "132.0.0")];

pub fn run_cmd(args: &[String]) -> Result {
    util::Args::new(args).finish()?;
    all()
}

/// Everything every command may need.
pub fn all() -> Result {
    if std::env::var_os("NATTER_NO_ENSURE").is_some_and(|v| v != "0") {
        return Ok(());
    }
    let t = Instant::now();
    wasm_target()?;
    apt()?;
    distro_prosody_stopped();
    distro_ejabberd_stopped();
    npm()?;
    trunk()?;
    wasm_bindgen()?;
    eprintln!("ensure: tools ready ({})", util::fmt_duration(t.elapsed()));
    Ok(())
}

fn wasm_target() -> Result {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    run(
        Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
        "rustup target add wasm32-unknown-unknown",
    )
}

/// `trunk --version` prints `trunk 0.21.14`.
fn trunk() -> Result {
    if tool_version("trunk").as_deref() == Some(TRUNK_VERSION) {
        return Ok(());
    }
    eprintln!("ensure: installing trunk {TRUNK_VERSION} (about 6 minutes on 2 cores)");
    run(
        Command::new("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]),
        "cargo install trunk",
    )?;
    check_version("trunk", TRUNK_VERSION)
}

/// wasm-bindgen-cli must equal the `wasm-bindgen` crate in Cargo.lock. Not `--locked`: its
/// lockfile pins a webpki-roots release the registry mirror lacks (shared/toolchain.md, gotcha 3).
fn wasm_bindgen() -> Result {
    let want = locked_version("wasm-bindgen").unwrap_or_else(|| "0.2.130".into());
    if tool_version("wasm-bindgen").as_deref() == Some(want.as_str()) {
        return Ok(());
    }
    eprintln!("ensure: installing wasm-bindgen-cli {want} (about 2 minutes)");
    run(
        Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &want, "--force"]),
        "cargo install wasm-bindgen-cli",
    )?;
    check_version("wasm-bindgen", &want)
}

/// The second word of `<tool> --version`.
fn tool_version(tool: &str) -> Option<String> {
    let out = output(tool, &["--version"])?;
    out.split_whitespace().nth(1).map(str::to_string)
}

fn check_version(tool: &str, want: &str) -> Result {
    match tool_version(tool) {
        Some(v) if v == want => Ok(()),
        other => Err(format!(
            "{tool} {want} was installed but `{tool} --version` gives {other:?}: is ~/.cargo/bin first on PATH?"
        )),
    }
}

/// The version of a package in the workspace's Cargo.lock.
pub fn locked_version(name: &str) -> Option<String> {
    let lock = std::fs::read_to_string(util::root().join("Cargo.lock")).ok()?;
    let needle = format!("name = \"{name}\"\n");
    let rest = &lock[lock.find(&needle)? + needle.len()..];
    let line = rest.lines().next()?;
    Some(
        line.strip_prefix("version = \"")?
            .trim_end_matches('"')
            .to_string(),
    )
}

fn dpkg_installed(pkg: &str) -> bool {
    output("dpkg-query", &["-W", "-f=${Status}", pkg])
        .is_some_and(|s| s.trim() == "install ok installed")
}

fn privileged(program: &str) -> Command {
    if util::is_root() {
        Command::new(program)
    } else {
        let mut c = Command::new("sudo");
        c.arg(program);
        c
    }
}

fn apt() -> Result {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .copied()
        .filter(|p| !dpkg_installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("ensure: installing {} (apt)", missing.join(" "));
    let mut update = privileged("apt-get");
    update
        .arg("update")
        .env("DEBIAN_FRONTEND", "noninteractive");
    run(&mut update, "apt-get update")?;
    let mut install = privileged("apt-get");
    install
        .args(["install", "-y", "-q"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive");
    run(&mut install, "apt-get install")?;
    if missing.contains(&"prosody") {
        // The package starts (and enables) a system service on 5222/5280: stop it now, disable it.
        stop_distro_prosody(true);
    }
    if missing.contains(&"ejabberd") {
        // Same for ejabberd (5222/5269/5280/5443 and epmd): stop and disable.
        stop_distro_ejabberd(true);
    }
    Ok(())
}

/// The distro's Prosody service, if it runs, holds 5222/5280 (the demo's ports): stop it.
fn distro_prosody_stopped() {
    let pid = std::fs::read_to_string("/run/prosody/prosody.pid")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok());
    if pid.is_some_and(|p| Path::new(&format!("/proc/{p}")).exists()) {
        stop_distro_prosody(true);
    }
}

fn stop_distro_prosody(disable: bool) {
    eprintln!("ensure: stopping the system Prosody service (Natter runs its own instances)");
    let quiet = |c: &mut Command| {
        c.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        c.status().is_ok_and(|s| s.success())
    };
    let stopped = (util::on_path("service")
        && quiet(privileged("service").args(["prosody", "stop"])))
        || quiet(privileged("prosodyctl").arg("stop"));
    if !stopped {
        eprintln!("ensure: warning: could not stop the system Prosody (ignored)");
    }
    if disable {
        if util::on_path("systemctl") {
            quiet(privileged("systemctl").args(["disable", "prosody"]));
        }
        if util::on_path("update-rc.d") {
            quiet(privileged("update-rc.d").args(["prosody", "disable"]));
        }
    }
}

/// The distro's ejabberd runs as user `ejabberd` with node `ejabberd@localhost`; ours run with
/// their own node names (`natter-*`). Stop it when it runs.
fn distro_ejabberd_stopped() {
    if !dpkg_installed("ejabberd") {
        return;
    }
    let running = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .any(|c| {
            let c = String::from_utf8_lossy(&c);
            c.contains("beam") && c.contains("ejabberd@") && !c.contains("natter-")
        });
    if running {
        stop_distro_ejabberd(true);
    }
}

fn stop_distro_ejabberd(disable: bool) {
    eprintln!("ensure: stopping the system ejabberd service (Natter runs its own instances)");
    let quiet = |c: &mut Command| {
        c.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        c.status().is_ok_and(|s| s.success())
    };
    let stopped = (util::on_path("service")
        && quiet(privileged("service").args(["ejabberd", "stop"])))
        || quiet(privileged("ejabberdctl").arg("stop"));
    if !stopped {
        eprintln!("ensure: note: the system ejabberd was not running or could not be stopped");
    }
    if disable {
        if util::on_path("systemctl") {
            quiet(privileged("systemctl").args(["disable", "ejabberd"]));
        }
        if util::on_path("update-rc.d") {
            quiet(privileged("update-rc.d").args(["ejabberd", "disable"]));
        }
        // The package's maintainer scripts leave an epmd (Erlang port mapper, *:4369) running.
        // Our nodes never need it (fixed distribution ports, see ejabberd.rs): stop it if no
        // node is registered, as `ejabberdctl stopped` does.
        if util::output("epmd", &["-names"]).is_some_and(|o| !o.contains("name ")) {
            quiet(Command::new("epmd").arg("-kill"));
        }
    }
}

/// `e2e/node_modules` with the pinned versions; `npm ci` from the committed lockfile otherwise.
fn npm() -> Result {
    let e2e = util::root().join("e2e");
    let ok = NPM_PINS.iter().all(|(name, version)| {
        let pkg = e2e.join("node_modules").join(name).join("package.json");
        std::fs::read_to_string(pkg)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|v| v["version"] == *version)
    });
    if ok {
        return Ok(());
    }
    let sub = if e2e.join("package-lock.json").exists() {
        "ci"
    } else {
        "install"
    };
    run(
        Command::new("npm")
            .args([sub, "--no-audit", "--no-fund"])
            .current_dir(&e2e),
        &format!("npm {sub} in e2e/"),
    )
}
