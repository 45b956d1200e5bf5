//! `cargo xtask test`: every check CI runs, in order, failing fast.
//!
//! ```text
//! cargo xtask test [--only STAGE,…] [--skip STAGE,…]
//! stages: ensure fmt clippy clippy-wasm test test-wasm dist e2e
//! ```
//! The `test` stage runs its own Prosody (HTTP 15280, c2s 15222, state `.state/it`, fresh every
//! run) for natter-native's integration tests; the e2e tests start their own instances (free ports,
//! temporary state) through `xtask prosody`.

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

pub fn run_cmd(args: &[String]) -> Result {
    let mut a = Args::new(args);
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
        let r = run_stage(stage);
        let note = match &r {
            Ok(n) => n.clone(),
            Err(_) => String::new(),
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

fn run_stage(stage: &str) -> Result<String> {
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
        "e2e" => e2e(),
        _ => unreachable!(),
    }
}

/// What natter-native's integration tests read (see crates/natter-native/tests/common/mod.rs).
fn it_env(c: &mut Command, opts: &Options) {
    c.env("NATTER_TEST_WS", opts.ws_url())
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

fn e2e() -> Result<String> {
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
    let mut c = Command::new("node");
    util::die_with_us(&mut c);
    c.args(["--test", "--test-reporter=tap"])
        .args(&files)
        .current_dir(&root);
    e2e_env(&mut c);
    c.stdout(Stdio::piped());
    eprintln!("  $ {}", util::show(&c));
    let mut child = c.spawn().map_err(|e| format!("cannot start node: {e}"))?;
    let (mut pass, mut fail) = (None, None);
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
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let note = format!("{} passed, {} failed", pass.unwrap_or(0), fail.unwrap_or(0));
    if status.success() && fail == Some(0) && pass.unwrap_or(0) > 0 {
        Ok(note)
    } else {
        Err(format!("browser end-to-end tests: {note} ({status})"))
    }
}
