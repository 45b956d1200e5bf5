//! `cargo xtask bench [--quick] [--runs N] [--contacts N] [--transports websocket,bosh]
//! [--servers prosody,ejabberd] [--no-build] [--no-offline]`
//!
//! (a) Sign-in to complete roster: `e2e/bench/roster.mjs` runs the release build in Chromium
//! against a fresh server per run (the user has N contacts, 2,000 by default) and times from the
//! click on "Sign in" until the `Contacts` list holds them all and `Connection` says Connected,
//! over WebSocket and over BOSH, against Prosody and ejabberd. Median of 5 runs per combination
//! (3 with --quick), each with a fresh browser profile.
//! (b) Release bundle size: wasm + js + css, raw and gzip -9.
//! (c) Offline-first (issue 6): `e2e/bench/offline.mjs`, once, over WebSocket against Prosody
//! (or the first transport and server asked for): reload to the cached roster painted, and back
//! online to caught up with 100 messages that arrived during a 30 s outage (5 s with --quick).
//! (d) Natter vs Converse.js 14.0.0 (issue 9, `bench/compare.rs`): `e2e/bench/compare.mjs` per
//! scenario, client and transport (`--no-compare` skips it; `--quick`: 2 runs, smaller data;
//! `--scenarios roster,room,room-sql,messages` picks some).
//! `--only-compare` runs nothing but (d) (the sizes are printed all the same).
//! (e) Native benchmarks of core + store (`bench/native.rs`, criterion; `--no-native` skips them,
//! `--native` runs only them).
//! (f) Big rooms (issue 5, `bench/big_room.rs`): opening a room of 500 occupants and 5,000
//! archived messages, and one of 6,000 occupants, with the longest task and the memory per
//! occupant (`--no-big-room` skips them; `--quick`: 1 run each).
//! Prints one table and writes `target/bench.json`.

mod big_room;
mod compare;
mod native;

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

/// Runs `node <script> <args>`, echoing its output, and returns its `RESULT {json}` line.
fn node_result(script: &str, args: &[String], what: &str) -> Result<serde_json::Value> {
    let mut c = Command::new("node");
    util::die_with_us(&mut c);
    c.arg(script)
        .args(args)
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
    match (status.success(), result) {
        (true, Some(r)) => Ok(r),
        _ => Err(format!("{script} ({what}) failed ({status})")),
    }
}

fn one(runs: usize, contacts: usize, transport: &str, server: &str) -> Result<Row> {
    let args = [
        "--runs",
        &runs.to_string(),
        "--contacts",
        &contacts.to_string(),
        "--transport",
        transport,
        "--server",
        server,
    ]
    .map(String::from);
    let result = node_result(
        "e2e/bench/roster.mjs",
        &args,
        &format!("{transport} × {server}"),
    )?;
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

/// The offline-first numbers: median of `runs` each for reload to cached roster and back online
/// to caught up (see e2e/bench/offline.mjs).
struct Offline {
    transport: String,
    server: String,
    outage_ms: u64,
    messages: u64,
    contacts: u64,
    cached_ms: Vec<f64>,
    caught_ms: Vec<f64>,
    details: serde_json::Value,
}

fn offline(
    runs: usize,
    contacts: usize,
    quick: bool,
    transport: &str,
    server: &str,
) -> Result<Offline> {
    // --quick shortens the outage: the number is then not the 30 s case (the table says so).
    let outage_ms: u64 = if quick { 5_000 } else { 30_000 };
    let args = [
        "--runs",
        &runs.to_string(),
        "--contacts",
        &contacts.to_string(),
        "--messages",
        "100",
        "--outage-ms",
        &outage_ms.to_string(),
        "--transport",
        transport,
        "--server",
        server,
    ]
    .map(String::from);
    let r = node_result(
        "e2e/bench/offline.mjs",
        &args,
        &format!("{transport} × {server}"),
    )?;
    let times = |key: &str| -> Result<Vec<f64>> {
        let t: Vec<f64> = r[key]["runs_ms"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
            .unwrap_or_default();
        if t.len() == runs {
            Ok(t)
        } else {
            Err(format!(
                "offline bench: expected {runs} {key} timings, got {t:?}"
            ))
        }
    };
    Ok(Offline {
        transport: transport.into(),
        server: server.into(),
        outage_ms,
        messages: r["messages"].as_u64().unwrap_or(0),
        contacts: r["contacts"].as_u64().unwrap_or(0),
        cached_ms: times("cached_roster")?,
        caught_ms: times("caught_up")?,
        details: r["details"].clone(),
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
    let runs = a.parse("--runs", if quick { 2usize } else { 5 })?;
    let contacts = a.parse("--contacts", 2000usize)?;
    let transports = list(&mut a, "--transports", crate::test::E2E_TRANSPORTS)?;
    let servers = list(&mut a, "--servers", crate::test::E2E_SERVERS)?;
    let no_build = a.flag("--no-build");
    let no_offline = a.flag("--no-offline");
    let no_compare = a.flag("--no-compare");
    let no_native = a.flag("--no-native");
    let no_big_room = a.flag("--no-big-room");
    let only_native = a.flag("--native");
    let scenarios = list(&mut a, "--scenarios", compare::SCENARIOS)?;
    let only_compare = a.flag("--only-compare");
    a.finish()?;
    if only_native {
        let n = native::run(quick)?;
        native::print(&n);
        return native::write_json(&n);
    }

    crate::ensure::all()?;
    if !no_build {
        crate::dist::build()?;
    }
    let sizes = crate::dist::sizes(&crate::dist::dist_dir())?;

    // Server by server, WebSocket then BOSH, so the two transports of a server sit side by side.
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for server in servers.iter().filter(|_| !only_compare) {
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

    // One combination: the outage alone takes 30 s a run.
    let pick = |list: &[String], want: &str| {
        list.iter()
            .find(|x| x.as_str() == want)
            .or(list.first())
            .cloned()
    };
    let offline_row = match (
        no_offline || only_compare,
        pick(&transports, "websocket"),
        pick(&servers, "prosody"),
    ) {
        (false, Some(t), Some(s)) => match offline(runs, contacts, quick, &t, &s) {
            Ok(o) => Some(o),
            Err(e) => {
                eprintln!("bench: {e}");
                failures.push(format!("offline {t} × {s}: {e}"));
                None
            }
        },
        _ => None,
    };

    let mut compare_opts = compare::Opts::new(runs, quick, contacts, transports.clone());
    compare_opts.scenarios = scenarios;
    let compared = if no_compare {
        Vec::new()
    } else {
        util::run(
            Command::new("cargo")
                .args(["build", "-p", "natter-native", "--bin", "natter-bot"])
                .current_dir(util::root()),
            "build natter-bot",
        )?;
        compare::run(&compare_opts, &crate::dist::dist_dir(), &mut failures)
    };
    let big_rooms = if no_big_room || only_compare {
        Vec::new()
    } else {
        big_room::run(runs, quick, &crate::dist::dist_dir(), &mut failures)
    };
    let natives = if no_native || only_compare {
        None
    } else {
        match native::run(quick) {
            Ok(n) => Some(n),
            Err(e) => {
                eprintln!("bench: {e}");
                failures.push(format!("native: {e}"));
                None
            }
        }
    };

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
    let ms_list = |v: &[f64]| {
        v.iter()
            .map(|t| format!("{t:.0}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if let Some(o) = &offline_row {
        println!(
            "{:<52} {:>10} {:>22}",
            format!(
                "offline-first, {} × {}, median of {runs}",
                transport_name(&o.transport),
                o.server
            ),
            "median",
            "runs (ms)"
        );
        println!(
            "{:<52} {:>7.0} ms {:>22}",
            format!("  reload to cached {}-contact roster painted", o.contacts),
            median(&o.cached_ms),
            ms_list(&o.cached_ms)
        );
        println!(
            "{:<52} {:>7.0} ms {:>22}",
            format!(
                "  back online to {} msgs caught up ({} s offline{})",
                o.messages,
                o.outage_ms / 1000,
                if o.outage_ms < 30_000 {
                    ", --quick"
                } else {
                    ""
                }
            ),
            median(&o.caught_ms),
            ms_list(&o.caught_ms)
        );
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
    if !compared.is_empty() {
        compare::print(&compared, &compare_opts);
    }
    big_room::print(&big_rooms);
    if let Some(n) = &natives {
        native::print(n);
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
        "offline": offline_row.as_ref().map(|o| serde_json::json!({
            "transport": o.transport,
            "server": o.server,
            "runs": runs,
            "contacts": o.contacts,
            "messages": o.messages,
            "outage_ms": o.outage_ms,
            "reload_to_cached_roster": { "runs_ms": o.cached_ms, "median_ms": median(&o.cached_ms) },
            "online_to_caught_up": { "runs_ms": o.caught_ms, "median_ms": median(&o.caught_ms) },
            "details": o.details,
        })),
        "failed": failures,
        "bundle": sizes.to_json(),
        "compare": (!compared.is_empty()).then(|| compare::to_json(&compared, &compare_opts)),
        "native": natives.as_deref().map(native::to_json),
        "big_room": (!big_rooms.is_empty()).then(|| big_room::to_json(&big_rooms)),
    });
    write_json(&json)?;
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("{} benchmark(s) failed", failures.len()))
    }
}

/// Writes `target/bench.json` (pretty, one trailing newline) and says where.
pub(crate) fn write_json(json: &serde_json::Value) -> Result<()> {
    let out = util::root().join("target/bench.json");
    std::fs::create_dir_all(out.parent().expect("has parent")).map_err(|e| e.to_string())?;
    std::fs::write(
        &out,
        serde_json::to_string_pretty(json).expect("serializable") + "\n",
    )
    .map_err(|e| format!("write {}: {e}", out.display()))?;
    println!("\nwrote {}", out.display());
    Ok(())
}
