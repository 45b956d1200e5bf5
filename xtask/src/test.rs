//! `cargo xtask test`: every check CI runs, in order, failing fast.
//!
//! ```text
//! cargo xtask test [--only STAGE,…] [--skip STAGE,…]
//! stages: ensure fmt clippy clippy-wasm test test-wasm dist e2e
//! ```
//! The `test` stage runs its own Prosody (HTTP 15280, c2s 15222, state `.state/it`, fresh every
//! run) for natter-native's integration tests; the e2e tests start their own instances (free ports,
//! temporary state) through `xtask prosody` / `xtask ejabberd`.
//!
//! The `e2e` stage runs the browser suite once per combination of the matrix {WebSocket, BOSH} ×
//! {Prosody, ejabberd}, one node process at a time (`NATTER_E2E_TRANSPORT`, `NATTER_E2E_SERVER`),
//! and prints a line per combination. `--transports websocket,bosh` and `--servers
//! prosody,ejabberd` narrow the matrix (also `NATTER_E2E_TRANSPORTS` / `NATTER_E2E_SERVERS`).

use crate::prosody::{Options, Prosody};
use crate::util::{self, Args, Result};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const IT_HTTP_PORT: u16 = 15280;
pub const IT_C2S_PORT: u16 = 15222;

const STAGES: &[&str] = &[
    "ensure",
    "fmt",
    "clippy",
    "clippy-wasm",
    "test",
    "test-wasm",
    "dist",
    "e2e",
];

/// The e2e matrix, in the order it runs.
pub const E2E_TRANSPORTS: &[&str] = &["websocket", "bosh"];
pub const E2E_SERVERS: &[&str] = &["prosody", "ejabberd"];

/// Which combinations the `e2e` stage runs.
#[derive(Clone, Debug)]
struct Matrix {
    transports: Vec<String>,
    servers: Vec<String>,
}

fn list_option(a: &mut Args, name: &str, env: &str, all: &[&str]) -> Result<Vec<String>> {
    let v = match a.value(name)? {
        Some(v) => Some(v),
        None => std::env::var(env).ok().filter(|v| !v.trim().is_empty()),
    };
    let list: Vec<String> = match v {
        Some(v) if v != "all" => v.split(',').map(|s| s.trim().to_lowercase()).collect(),
        _ => all.iter().map(|s| s.to_string()).collect(),
    };
    for x in &list {
        if !all.contains(&x.as_str()) {
            return Err(format!("{name}: unknown {x:?}; one of {}", all.join(",")));
        }
    }
    Ok(list)
}

pub fn run_cmd(args: &[String]) -> Result {
    let mut a = Args::new(args);
    let matrix = Matrix {
        transports: list_option(
            &mut a,
            "--transports",
            "NATTER_E2E_TRANSPORTS",
            E2E_TRANSPORTS,
        )?,
        servers: list_option(&mut a, "--servers", "NATTER_E2E_SERVERS", E2E_SERVERS)?,
    };
    let only: Vec<String> = a
        .value("--only")?
        .map(|s| s.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let skip: Vec<String> = a
        .value("--skip")?
        .map(|s| s.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    a.finish()?;
    for s in only.iter().chain(&skip) {
        if !STAGES.contains(&s.as_str()) {
            return Err(format!("unknown stage {s:?}; stages: {}", STAGES.join(" ")));
        }
    }
    let wanted =
        |s: &str| (only.is_empty() || only.iter().any(|o| o == s)) && !skip.iter().any(|k| k == s);

    let total = Instant::now();
    let mut done: Vec<(&str, Duration, String)> = Vec::new();
    let mut result = Ok(());
    for &stage in STAGES {
        if !wanted(stage) {
            continue;
        }
        println!("\n==> {stage}");
        let t = Instant::now();
        let r = run_stage(stage, &matrix);
        let note = match &r {
            Ok(n) => n.clone(),
            Err(e) => e.clone(),
        };
        done.push((stage, t.elapsed(), note));
        if let Err(e) = r {
            result = Err(format!("stage `{stage}` failed: {e}"));
            break;
        }
    }
    println!("\n==> summary");
    let failed = result.is_err();
    for (i, (stage, d, note)) in done.iter().enumerate() {
        let verdict = if failed && i == done.len() - 1 {
            "FAIL"
        } else {
            "PASS"
        };
        println!(
            "{verdict}  {stage:<12} {:>8}  {note}",
            util::fmt_duration(*d)
        );
    }
    println!("total {}", util::fmt_duration(total.elapsed()));
    result
}

fn cargo(args: &[&str]) -> Command {
    let mut c = Command::new("cargo");
    c.args(args).current_dir(util::root());
    c
}

fn run_stage(stage: &str, matrix: &Matrix) -> Result<String> {
    let root = util::root();
    match stage {
        "ensure" => crate::ensure::all().map(|_| String::new()),
        "fmt" => util::run(
            &mut cargo(&["fmt", "--all", "--", "--check"]),
            "cargo fmt --check (run `cargo fmt --all`)",
        )
        .map(|_| String::new()),
        "clippy" => util::run(
            &mut cargo(&[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]),
            "cargo clippy (native)",
        )
        .map(|_| String::new()),
        "clippy-wasm" => util::run(
            &mut cargo(&[
                "clippy",
                "-p",
                "natter",
                "-p",
                "natter-core",
                "-p",
                "natter-store",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ]),
            "cargo clippy (wasm32)",
        )
        .map(|_| String::new()),
        "test" => {
            let (http, c2s) = if port_free(IT_HTTP_PORT) && port_free(IT_C2S_PORT) {
                (IT_HTTP_PORT, IT_C2S_PORT)
            } else {
                // Another run (or a leftover) holds the usual ports: its own ports and state dir.
                eprintln!("  ports {IT_HTTP_PORT}/{IT_C2S_PORT} are busy (another run?): using free ports");
                (free_port()?, free_port()?)
            };
            let state = if http == IT_HTTP_PORT {
                root.join(".state/it")
            } else {
                root.join(format!(".state/it-{http}"))
            };
            let opts = Options::new(state, http, c2s);
            let _prosody = Prosody::fresh(opts.clone())?;
            let mut c = cargo(&["test", "--workspace"]);
            it_env(&mut c, &opts);
            util::run(
                &mut c,
                "cargo test --workspace (native; integration tests against Prosody)",
            )?;
            Ok(format!("Prosody on {http}/{c2s}"))
        }
        "test-wasm" => {
            // Every file under tests/: the components (web.rs), the IndexedDB cache
            // (persist.rs) and discovery (discovery.rs), each in its own headless Chromium.
            let mut c = cargo(&["test", "-p", "natter", "--target", "wasm32-unknown-unknown"]);
            c.env("CHROMEDRIVER", "/usr/bin/chromedriver");
            if std::env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
                c.env("WASM_BINDGEN_TEST_TIMEOUT", "60");
            }
            util::run(&mut c, "wasm-bindgen tests in headless Chromium")?;
            Ok(String::new())
        }
        "dist" => {
            crate::dist::build()?;
            let s = crate::dist::sizes(&crate::dist::dist_dir())?;
            s.print();
            let t = s.total();
            Ok(format!("wasm+js+css {} B raw, {} B gzip -9", t.raw, t.gz))
        }
        "e2e" => e2e(matrix),
        _ => unreachable!(),
    }
}

/// What natter-native's integration tests read (see crates/natter-native/tests/common/mod.rs).
fn it_env(c: &mut Command, opts: &Options) {
    c.env("NATTER_TEST_WS", opts.ws_url())
        .env("NATTER_TEST_BOSH", opts.bosh_url())
        .env("NATTER_TEST_PROSODY_CONFIG", crate::prosody::config_file());
    crate::prosody::apply_env(c, opts);
}

fn port_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind(("127.0.0.1", 0)).map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// Environment for the node e2e tests and the benchmark (see e2e/lib/env.mjs).
pub fn e2e_env(c: &mut Command) {
    let bin = util::bin_dir();
    c.env(
        "NATTER_XTASK",
        std::env::current_exe().unwrap_or_else(|_| bin.join("xtask")),
    )
    .env("NATTER_BOT", bin.join("natter-bot"))
    .env("NATTER_DIST", crate::dist::dist_dir());
}

struct Combo {
    name: String,
    pass: u32,
    fail: u32,
    skipped: u32,
    ok: bool,
    took: Duration,
}

fn e2e(matrix: &Matrix) -> Result<String> {
    let root = util::root();
    if !crate::dist::dist_dir().join("index.html").is_file() {
        return Err("dist/ has no index.html: run the `dist` stage first".into());
    }
    util::run(
        &mut cargo(&["build", "-p", "natter-native", "--bin", "natter-bot"]),
        "build natter-bot",
    )?;
    // Explicit files rather than a directory: node 20 searches a directory, node ≥ 21 wants globs.
    let mut files: Vec<String> = std::fs::read_dir(root.join("e2e/tests"))
        .map_err(|e| format!("e2e/tests: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".test.mjs"))
        .map(|n| format!("e2e/tests/{n}"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err("no e2e/tests/*.test.mjs".into());
    }
    let mut combos = Vec::new();
    for transport in &matrix.transports {
        for server in &matrix.servers {
            let name = format!("{transport} × {server}");
            println!("\n---- e2e: {name} ----");
            let t = Instant::now();
            let r = e2e_once(&files, transport, server);
            let (pass, fail, skipped, ok) = match r {
                Ok((p, f, s, ok)) => (p, f, s, ok),
                Err(e) => {
                    eprintln!("  {name}: {e}");
                    (0, 0, 0, false)
                }
            };
            let c = Combo {
                name,
                pass,
                fail,
                skipped,
                ok,
                took: t.elapsed(),
            };
            println!(
                "---- e2e: {} {}: {} passed, {} failed, {} skipped ({})",
                c.name,
                if c.ok { "PASS" } else { "FAIL" },
                c.pass,
                c.fail,
                c.skipped,
                util::fmt_duration(c.took)
            );
            combos.push(c);
        }
    }
    let table: String = combos
        .iter()
        .map(|c| {
            format!(
                "\n        {} {:<22} {:>3} passed {:>3} failed {:>3} skipped {:>8}",
                if c.ok { "PASS" } else { "FAIL" },
                c.name,
                c.pass,
                c.fail,
                c.skipped,
                util::fmt_duration(c.took)
            )
        })
        .collect();
    let failed = combos.iter().filter(|c| !c.ok).count();
    let (p, f, k) = combos.iter().fold((0, 0, 0), |(p, f, k), c| {
        (p + c.pass, f + c.fail, k + c.skipped)
    });
    let head = format!(
        "{} combinations: {p} passed, {f} failed, {k} skipped",
        combos.len()
    );
    if failed == 0 {
        Ok(format!("{head}{table}"))
    } else {
        Err(format!(
            "browser end-to-end tests failed in {failed} of {} combinations: {head}{table}",
            combos.len()
        ))
    }
}

/// One node process for one combination: (passed, failed, skipped, success).
fn e2e_once(files: &[String], transport: &str, server: &str) -> Result<(u32, u32, u32, bool)> {
    let mut c = Command::new("node");
    util::die_with_us(&mut c);
    c.args(["--test", "--test-reporter=tap"])
        .args(files)
        .current_dir(util::root())
        .env("NATTER_E2E_TRANSPORT", transport)
        .env("NATTER_E2E_SERVER", server);
    e2e_env(&mut c);
    c.stdout(Stdio::piped());
    eprintln!(
        "  $ NATTER_E2E_TRANSPORT={transport} NATTER_E2E_SERVER={server} {}",
        util::show(&c)
    );
    let mut child = c.spawn().map_err(|e| format!("cannot start node: {e}"))?;
    let (mut pass, mut fail, mut skipped) = (None, None, 0);
    for line in BufReader::new(child.stdout.take().expect("piped"))
        .lines()
        .map_while(|l| l.ok())
    {
        println!("{line}");
        if let Some(n) = line.strip_prefix("# pass ") {
            pass = n.trim().parse::<u32>().ok();
        }
        if let Some(n) = line.strip_prefix("# fail ") {
            fail = n.trim().parse::<u32>().ok();
        }
        if let Some(n) = line.strip_prefix("# skipped ") {
            skipped = n.trim().parse::<u32>().unwrap_or(0);
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let (pass, fail_n) = (pass.unwrap_or(0), fail.unwrap_or(0));
    Ok((
        pass,
        fail_n,
        skipped,
        status.success() && fail == Some(0) && pass > 0,
    ))
}
