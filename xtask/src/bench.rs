//! `cargo xtask bench [--quick] [--runs N] [--contacts N] [--no-build]`
//!
//! (a) Sign-in to complete roster: `e2e/bench/roster.mjs` runs the release build in Chromium
//! against a fresh Prosody per run (the user has N contacts, 2,000 by default) and times from the
//! click on "Sign in" until the `Contacts` list holds them all and `Connection` says Connected.
//! Median of 5 runs (3 with --quick), each with a fresh browser profile.
//! (b) Release bundle size: wasm + js + css, raw and gzip -9.
//! Prints a table and writes `target/bench.json`.

use crate::util::{self, Args, Result};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

pub fn run_cmd(args: &[String]) -> Result {
    let mut a = Args::new(args);
    let quick = a.flag("--quick");
    let runs = a.parse("--runs", if quick { 3usize } else { 5 })?;
    let contacts = a.parse("--contacts", 2000usize)?;
    let no_build = a.flag("--no-build");
    a.finish()?;

    crate::ensure::all()?;
    if !no_build {
        crate::dist::build()?;
    }
    let sizes = crate::dist::sizes(&crate::dist::dist_dir())?;

    let root = util::root();
    let mut c = Command::new("node");
    util::die_with_us(&mut c);
    c.arg("e2e/bench/roster.mjs")
        .args([
            "--runs",
            &runs.to_string(),
            "--contacts",
            &contacts.to_string(),
        ])
        .current_dir(&root)
        .stdout(Stdio::piped());
    crate::test::e2e_env(&mut c);
    eprintln!("  $ {}", util::show(&c));
    let mut child = c.spawn().map_err(|e| format!("cannot start node: {e}"))?;
    let mut result = None;
    for line in BufReader::new(child.stdout.take().expect("piped"))
        .lines()
        .map_while(|l| l.ok())
    {
        match line.strip_prefix("RESULT ") {
            Some(json) => result = serde_json::from_str::<serde_json::Value>(json).ok(),
            None => println!("{line}"),
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let result = match (status.success(), result) {
        (true, Some(r)) => r,
        _ => return Err(format!("e2e/bench/roster.mjs failed ({status})")),
    };
    let mut times: Vec<f64> = result["runs_ms"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
        .unwrap_or_default();
    if times.len() != runs {
        return Err(format!("expected {runs} timings, got {times:?}"));
    }
    let runs_ms = times.clone();
    times.sort_by(|a, b| a.total_cmp(b));
    let median = if times.len() % 2 == 1 {
        times[times.len() / 2]
    } else {
        (times[times.len() / 2 - 1] + times[times.len() / 2]) / 2.0
    };

    println!();
    println!("{:<44} {:>14} {:>14}", "benchmark", "value", "");
    println!(
        "{:<44} {:>11.0} ms {:>14}",
        format!("sign-in to {contacts}-contact roster, median of {runs}"),
        median,
        ""
    );
    println!(
        "{:<44} {:>14} {:>14}",
        "  runs (ms)",
        runs_ms
            .iter()
            .map(|t| format!("{t:.0}"))
            .collect::<Vec<_>>()
            .join(" "),
        ""
    );
    println!("{:<44} {:>14} {:>14}", "bundle", "raw bytes", "gzip -9");
    for (name, s) in [
        ("  wasm", sizes.wasm),
        ("  js", sizes.js),
        ("  css", sizes.css),
        ("  total", sizes.total()),
    ] {
        println!("{:<44} {:>14} {:>14}", name, s.raw, s.gz);
    }

    let json = serde_json::json!({
        "roster": {
            "contacts": contacts,
            "runs": runs,
            "runs_ms": runs_ms,
            "median_ms": median,
            "min_ms": times.first(),
            "max_ms": times.last(),
            "details": result["details"],
        },
        "bundle": sizes.to_json(),
    });
    let out = root.join("target/bench.json");
    std::fs::create_dir_all(out.parent().expect("has parent")).map_err(|e| e.to_string())?;
    std::fs::write(
        &out,
        serde_json::to_string_pretty(&json).expect("serializable") + "\n",
    )
    .map_err(|e| format!("write {}: {e}", out.display()))?;
    println!("\nwrote {}", out.display());
    Ok(())
}
