//! `cargo xtask bench [--quick] [--runs N] [--contacts N] [--transports websocket,bosh]
//! [--servers prosody,ejabberd] [--no-build]`
//!
//! (a) Sign-in to complete roster: `e2e/bench/roster.mjs` runs the release build in Chromium
//! against a fresh server per run (the user has N contacts, 2,000 by default) and times from the
//! click on "Sign in" until the `Contacts` list holds them all and `Connection` says Connected,
//! over WebSocket and over BOSH, against Prosody and ejabberd. Median of 5 runs per combination
//! (3 with --quick), each with a fresh browser profile.
//! (b) Release bundle size: wasm + js + css, raw and gzip -9.
//! Prints one table and writes `target/bench.json`.

use crate::util::{self, Args, Result};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn list(a: &mut Args, name: &str, all: &[&str]) -> Result<Vec<String>> {
    let v = a.value(name)?;
    let out: Vec<String> = match v.as_deref() {
        None | Some("all") => all.iter().map(|s| s.to_string()).collect(),
        Some(v) => v.split(',').map(|s| s.trim().to_lowercase()).collect(),
    };
    for x in &out {
        if !all.contains(&x.as_str()) {
            return Err(format!("{name}: unknown {x:?}; one of {}", all.join(",")));
        }
    }
    Ok(out)
}

struct Row {
    transport: String,
    server: String,
    runs_ms: Vec<f64>,
    median: f64,
    details: serde_json::Value,
}

fn median(times: &[f64]) -> f64 {
    let mut t = times.to_vec();
    t.sort_by(|a, b| a.total_cmp(b));
    if t.len() % 2 == 1 {
        t[t.len() / 2]
    } else {
        (t[t.len() / 2 - 1] + t[t.len() / 2]) / 2.0
    }
}

fn one(runs: usize, contacts: usize, transport: &str, server: &str) -> Result<Row> {
    let mut c = Command::new("node");
    util::die_with_us(&mut c);
    c.arg("e2e/bench/roster.mjs")
        .args([
            "--runs",
            &runs.to_string(),
            "--contacts",
            &contacts.to_string(),
        ])
        .args(["--transport", transport, "--server", server])
        .current_dir(util::root())
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
        _ => {
            return Err(format!(
                "e2e/bench/roster.mjs ({transport} × {server}) failed ({status})"
            ))
        }
    };
    let times: Vec<f64> = result["runs_ms"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
        .unwrap_or_default();
    if times.len() != runs {
        return Err(format!("expected {runs} timings, got {times:?}"));
    }
    Ok(Row {
        transport: transport.into(),
        server: server.into(),
        median: median(&times),
        runs_ms: times,
        details: result["details"].clone(),
    })
}

fn transport_name(t: &str) -> &str {
    if t == "bosh" {
        "BOSH"
    } else {
        "WebSocket"
    }
}

pub fn run_cmd(args: &[String]) -> Result {
    let mut a = Args::new(args);
    let quick = a.flag("--quick");
    let runs = a.parse("--runs", if quick { 3usize } else { 5 })?;
    let contacts = a.parse("--contacts", 2000usize)?;
    let transports = list(&mut a, "--transports", crate::test::E2E_TRANSPORTS)?;
    let servers = list(&mut a, "--servers", crate::test::E2E_SERVERS)?;
    let no_build = a.flag("--no-build");
    a.finish()?;

    crate::ensure::all()?;
    if !no_build {
        crate::dist::build()?;
    }
    let sizes = crate::dist::sizes(&crate::dist::dist_dir())?;

    // Server by server, WebSocket then BOSH, so the two transports of a server sit side by side.
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for server in &servers {
        for transport in &transports {
            match one(runs, contacts, transport, server) {
                Ok(r) => rows.push(r),
                Err(e) => {
                    eprintln!("bench: {e}");
                    failures.push(format!("{transport} × {server}: {e}"));
                }
            }
        }
    }

    println!();
    println!(
        "{:<52} {:>10} {:>22}",
        format!("sign-in to {contacts}-contact roster, median of {runs}"),
        "median",
        "runs (ms)"
    );
    for r in &rows {
        println!(
            "{:<52} {:>7.0} ms {:>22}",
            format!("  {} × {}", transport_name(&r.transport), r.server),
            r.median,
            r.runs_ms
                .iter()
                .map(|t| format!("{t:.0}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
    for f in &failures {
        println!("{:<52} {:>10}", format!("  {f}"), "FAILED");
    }
    println!("{:<52} {:>10} {:>22}", "bundle", "raw bytes", "gzip -9");
    for (name, s) in [
        ("  wasm", sizes.wasm),
        ("  js", sizes.js),
        ("  css", sizes.css),
        ("  total", sizes.total()),
    ] {
        println!("{:<52} {:>10} {:>22}", name, s.raw, s.gz);
    }

    let row_json = |r: &Row| {
        serde_json::json!({
            "transport": r.transport,
            "server": r.server,
            "contacts": contacts,
            "runs": runs,
            "runs_ms": r.runs_ms,
            "median_ms": r.median,
            "min_ms": r.runs_ms.iter().cloned().reduce(f64::min),
            "max_ms": r.runs_ms.iter().cloned().reduce(f64::max),
            "details": r.details,
        })
    };
    // `roster`: WebSocket × Prosody, as before; `roster_matrix`: every combination measured.
    let json = serde_json::json!({
        "roster": rows
            .iter()
            .find(|r| r.transport == "websocket" && r.server == "prosody")
            .map(row_json),
        "roster_matrix": rows.iter().map(row_json).collect::<Vec<_>>(),
        "failed": failures,
        "bundle": sizes.to_json(),
    });
    let root = util::root();
    let out = root.join("target/bench.json");
    std::fs::create_dir_all(out.parent().expect("has parent")).map_err(|e| e.to_string())?;
    std::fs::write(
        &out,
        serde_json::to_string_pretty(&json).expect("serializable") + "\n",
    )
    .map_err(|e| format!("write {}: {e}", out.display()))?;
    println!("\nwrote {}", out.display());
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("{} benchmark(s) failed", failures.len()))
    }
}
