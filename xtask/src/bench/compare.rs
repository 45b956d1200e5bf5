//! Natter against Converse.js 14.0.0 (issue 9): `e2e/bench/compare.mjs` once per scenario,
//! transport and client, each with its own fresh Prosody and Chromium profile per run, then
//! one table of medians and the ratio us/Converse.
//!
//! Scenarios (numbers as in the issue): 1 page load to the complete N-contact roster, over
//! WebSocket and BOSH; 2 opening a room with P occupants and A archived messages (WebSocket);
//! 3 M one-to-one messages from natter-bot until the last is shown (WebSocket); 4 heap and 5
//! bytes come from the runs of 1 (WebSocket), 6 long tasks from the runs of 1 and 2.

use super::{node_result, transport_name};
use serde_json::Value;

/// What to compare and how much data.
pub struct Opts {
    pub runs: usize,
    pub contacts: usize,
    pub messages: usize,
    pub occupants: usize,
    pub archived: usize,
    pub transports: Vec<String>,
    pub scenarios: Vec<String>,
}

impl Opts {
    /// The sizes; `quick`: smaller data (a quarter of the roster, a fifth of the rest).
    pub fn new(runs: usize, quick: bool, contacts: usize, transports: Vec<String>) -> Opts {
        Opts {
            runs,
            contacts: if quick { contacts.min(500) } else { contacts },
            messages: if quick { 200 } else { 1000 },
            occupants: if quick { 50 } else { 200 },
            archived: if quick { 1000 } else { 5000 },
            transports,
            scenarios: SCENARIOS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// `room-sql` is scenario 2 with Prosody's archives in SQLite: with its default file storage
/// Prosody reads the whole 5,000-message archive on every query, a floor of several hundred
/// milliseconds under both clients.
pub const SCENARIOS: &[&str] = &["roster", "room", "room-sql", "messages"];

/// One scenario over one transport: each client's RESULT (None: that run failed).
pub struct Pair {
    pub scenario: String,
    pub transport: String,
    pub natter: Option<Value>,
    pub converse: Option<Value>,
}

/// Runs every scenario for both clients, Natter first; failures are noted and the rest goes on.
pub fn run(o: &Opts, dist: &std::path::Path, failures: &mut Vec<String>) -> Vec<Pair> {
    let mut out = Vec::new();
    for scenario in &o.scenarios {
        // Roster: both transports; room and messages: WebSocket (the transport barely matters
        // to them, and each run costs a minute for Converse).
        let transports: Vec<&String> = if scenario == "roster" {
            o.transports.iter().collect()
        } else {
            o.transports
                .iter()
                .find(|t| t.as_str() == "websocket")
                .or(o.transports.first())
                .into_iter()
                .collect()
        };
        for transport in transports {
            let mut pair = Pair {
                scenario: scenario.clone(),
                transport: transport.clone(),
                natter: None,
                converse: None,
            };
            let (scenario_arg, archive) = match scenario.as_str() {
                "room-sql" => ("room", "sql"),
                other => (other, "internal"),
            };
            for client in ["natter", "converse"] {
                let args = [
                    "--scenario",
                    scenario_arg,
                    "--archive",
                    archive,
                    "--client",
                    client,
                    "--transport",
                    transport,
                    "--runs",
                    &o.runs.to_string(),
                    "--contacts",
                    &o.contacts.to_string(),
                    "--messages",
                    &o.messages.to_string(),
                    "--occupants",
                    &o.occupants.to_string(),
                    "--archived",
                    &o.archived.to_string(),
                    "--dist",
                    &dist.display().to_string(),
                ]
                .map(String::from);
                let what = format!("{scenario} × {client} × {transport}");
                match node_result("e2e/bench/compare.mjs", &args, &what) {
                    Ok(r) => {
                        if client == "natter" {
                            pair.natter = Some(r)
                        } else {
                            pair.converse = Some(r)
                        }
                    }
                    Err(e) => {
                        eprintln!("bench: {e}");
                        failures.push(format!("compare {what}: {e}"));
                    }
                }
            }
            out.push(pair);
        }
    }
    out
}

/// A number from a client's RESULT: `median.<key>`.
fn med(r: &Option<Value>, key: &str) -> Option<f64> {
    r.as_ref()?.get("median")?.get(key)?.as_f64()
}

fn unsupported(r: &Option<Value>) -> Option<String> {
    r.as_ref()?
        .get("unsupported")?
        .as_str()
        .map(|s| s.to_string())
}

/// One line of the table: label, unit, Natter and Converse values (or why there is none).
struct Line {
    label: String,
    natter: std::result::Result<f64, String>,
    converse: std::result::Result<f64, String>,
    unit: &'static str,
    scale: f64,
}

fn value(r: &Option<Value>, key: &str) -> std::result::Result<f64, String> {
    if let Some(why) = unsupported(r) {
        return Err(why);
    }
    match r {
        None => Err("FAILED".into()),
        Some(_) => med(r, key).ok_or_else(|| "—".into()),
    }
}

fn lines(pairs: &[Pair], o: &Opts) -> Vec<Line> {
    let mut out = Vec::new();
    let mut add = |label: String, p: &Pair, key: &str, unit: &'static str, scale: f64| {
        out.push(Line {
            label,
            natter: value(&p.natter, key),
            converse: value(&p.converse, key),
            unit,
            scale,
        })
    };
    for p in pairs {
        let t = transport_name(&p.transport);
        match p.scenario.as_str() {
            "roster" => add(
                format!("1 load to {}-contact roster, {t}", o.contacts),
                p,
                "ms",
                "ms",
                1.0,
            ),
            "room" | "room-sql" => add(
                format!(
                    "2 open room ({} occupants, {} archived{}), {t}",
                    o.occupants,
                    o.archived,
                    if p.scenario == "room-sql" {
                        ", SQL archive"
                    } else {
                        ""
                    }
                ),
                p,
                "ms",
                "ms",
                1.0,
            ),
            _ => add(
                format!("3 {} messages to last shown, {t}", o.messages),
                p,
                "ms",
                "ms",
                1.0,
            ),
        }
    }
    // Heap and bytes per roster run: a page still busy a minute after its roster has no
    // reading in one transport's runs (Converse over WebSocket), the other's may have one.
    for p in pairs.iter().filter(|p| p.scenario == "roster") {
        let t = transport_name(&p.transport);
        for (label, key) in [
            ("4 JS heap after roster, before GC", "js_heap_before_gc"),
            ("4 JS heap after roster, after GC", "js_heap_after_gc"),
            ("4 WASM memory after roster, after GC", "wasm_after_gc"),
        ] {
            add(format!("{label}, {t}"), p, key, "MB", 1e-6);
        }
        if p.transport == "websocket" {
            add(
                "5 app bytes (js+css+wasm+fonts), raw".into(),
                p,
                "app_raw",
                "KB",
                1e-3,
            );
            add("5 app bytes, gzip -9".into(), p, "app_gzip9", "KB", 1e-3);
        }
    }
    for p in pairs.iter().filter(|p| p.scenario != "messages") {
        let during = match p.scenario.as_str() {
            "roster" => "1",
            "room-sql" => "2 (SQL archive)",
            _ => "2",
        };
        add(
            format!(
                "6 longest task during {during}, {}",
                transport_name(&p.transport)
            ),
            p,
            "longest_task_ms",
            "ms",
            1.0,
        );
        if p.scenario == "roster" {
            add(
                format!(
                    "6 last long task ends (1), {}",
                    transport_name(&p.transport)
                ),
                p,
                "last_long_task_end_ms",
                "ms",
                1.0,
            );
        }
    }
    out
}

fn cell(v: &std::result::Result<f64, String>, unit: &str, scale: f64) -> String {
    match v {
        Ok(x) if unit == "ms" => format!("{:.0} ms", x * scale),
        Ok(x) => format!("{:.1} {unit}", x * scale),
        Err(why) => why.clone(),
    }
}

/// The table: scenario, Natter median, Converse median, ratio us/Converse.
pub fn print(pairs: &[Pair], o: &Opts) {
    println!();
    println!(
        "{:<52} {:>12} {:>14} {:>16}",
        format!("Natter vs Converse.js 14.0.0, median of {}", o.runs),
        "Natter",
        "Converse.js",
        "us/Converse"
    );
    for l in lines(pairs, o) {
        let ratio = match (&l.natter, &l.converse) {
            (Ok(n), Ok(c)) if *c > 0.0 => format!("{:.3}", n / c),
            _ => String::new(),
        };
        println!(
            "{:<52} {:>12} {:>14} {:>16}",
            format!("  {}", l.label),
            cell(&l.natter, l.unit, l.scale),
            cell(&l.converse, l.unit, l.scale),
            ratio
        );
    }
}

/// `compare` in target/bench.json: the table's numbers, then every client's full RESULT.
pub fn to_json(pairs: &[Pair], o: &Opts) -> Value {
    let table: Vec<Value> = lines(pairs, o)
        .iter()
        .map(|l| {
            let v = |x: &std::result::Result<f64, String>| match x {
                Ok(x) => serde_json::json!(x * l.scale),
                Err(why) => serde_json::json!({ "none": why }),
            };
            let ratio = match (&l.natter, &l.converse) {
                (Ok(n), Ok(c)) if *c > 0.0 => Some(n / c),
                _ => None,
            };
            serde_json::json!({
                "what": l.label, "unit": l.unit,
                "natter": v(&l.natter), "converse": v(&l.converse), "ratio_us_converse": ratio,
            })
        })
        .collect();
    serde_json::json!({
        "converse_version": "14.0.0",
        "runs": o.runs,
        "contacts": o.contacts,
        "messages": o.messages,
        "room": { "occupants": o.occupants, "archived": o.archived },
        "table": table,
        "results": pairs.iter().map(|p| serde_json::json!({
            "scenario": p.scenario, "transport": p.transport,
            "natter": p.natter, "converse": p.converse,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(ms: f64) -> Option<Value> {
        Some(
            serde_json::json!({ "runs_ms": [ms, ms + 2.0, ms - 2.0], "median": { "ms": ms, "longest_task_ms": 80.0 } }),
        )
    }

    #[test]
    fn ratio_is_natter_over_converse_and_gaps_say_why() {
        let o = Opts::new(3, false, 2000, vec!["websocket".into()]);
        let pairs = vec![
            Pair {
                scenario: "roster".into(),
                transport: "websocket".into(),
                natter: result(100.0),
                converse: result(1000.0),
            },
            Pair {
                scenario: "room".into(),
                transport: "websocket".into(),
                natter: Some(serde_json::json!({ "unsupported": "not yet: no group chat UI" })),
                converse: result(4000.0),
            },
            Pair {
                scenario: "messages".into(),
                transport: "websocket".into(),
                natter: None,
                converse: result(9000.0),
            },
        ];
        let json = to_json(&pairs, &o);
        let table = json["table"].as_array().unwrap();
        let roster = &table[0];
        assert_eq!(roster["ratio_us_converse"].as_f64(), Some(0.1));
        assert_eq!(table[1]["natter"]["none"], "not yet: no group chat UI");
        assert_eq!(table[1]["ratio_us_converse"], Value::Null);
        assert_eq!(table[2]["natter"]["none"], "FAILED");
        assert_eq!(table[2]["converse"].as_f64(), Some(9000.0));
        // Scenario 6 for the roster run, from its own key.
        let longest = table
            .iter()
            .find(|l| {
                l["what"]
                    .as_str()
                    .unwrap()
                    .starts_with("6 longest task during 1")
            })
            .unwrap();
        assert_eq!(longest["natter"].as_f64(), Some(80.0));
    }

    #[test]
    fn the_sql_room_has_a_row_of_its_own() {
        let o = Opts::new(3, false, 2000, vec!["websocket".into()]);
        assert!(o.scenarios.iter().any(|s| s == "room-sql"));
        let pair = |scenario: &str, natter: f64| Pair {
            scenario: scenario.into(),
            transport: "websocket".into(),
            natter: result(natter),
            converse: result(2000.0),
        };
        let json = to_json(&[pair("room", 500.0), pair("room-sql", 100.0)], &o);
        let rows: Vec<(String, f64)> = json["table"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["what"].as_str().unwrap().starts_with("2 open room"))
            .map(|l| {
                (
                    l["what"].as_str().unwrap().to_string(),
                    l["ratio_us_converse"].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(!rows[0].0.contains("SQL") && rows[0].1 == 0.25, "{rows:?}");
        assert!(
            rows[1].0.contains("SQL archive") && rows[1].1 == 0.05,
            "{rows:?}"
        );
    }
}
