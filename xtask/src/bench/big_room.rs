//! Issue 5's bar for big rooms, Natter alone over WebSocket against Prosody
//! (`e2e/bench/compare.mjs --scenario room`): a room with 500 occupants (live sessions) and
//! 5,000 archived messages, from the click that joins it to the first frame showing all 501
//! occupants and the newest archived message, with the longest main-thread task in between;
//! and a room with 6,000 occupants (written into Prosody's MUC storage: 6,000 live joins cost
//! the server 36 million presences), the same times plus JS heap + wasm memory per occupant.

use super::{median, node_result};
use serde_json::Value;

/// One big-room case.
pub struct Case {
    pub occupants: usize,
    pub archived: usize,
    /// Occupants written into the server's storage rather than joined live.
    pub stored: bool,
    pub runs: usize,
    pub result: Option<Value>,
}

/// The two cases; `quick`: one run each.
pub fn run(
    runs: usize,
    quick: bool,
    dist: &std::path::Path,
    failures: &mut Vec<String>,
) -> Vec<Case> {
    let runs = if quick { 1 } else { runs };
    let mut out = Vec::new();
    for (occupants, stored) in [(500, false), (6_000, true)] {
        let archived = 5_000;
        let mut args = vec![
            "--scenario",
            "room",
            "--client",
            "natter",
            "--transport",
            "websocket",
            "--runs",
            &runs.to_string(),
            "--occupants",
            &occupants.to_string(),
            "--archived",
            &archived.to_string(),
            "--dist",
            &dist.display().to_string(),
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
        if stored {
            args.push("--stored-occupants".into());
        }
        args.push("--memory".into());
        let what = format!("room of {occupants} occupants");
        let result = match node_result("e2e/bench/compare.mjs", &args, &what) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("bench: {e}");
                failures.push(format!("big room {what}: {e}"));
                None
            }
        };
        out.push(Case {
            occupants,
            archived,
            stored,
            runs,
            result,
        });
    }
    out
}

fn runs_ms(r: &Value) -> Vec<f64> {
    r.get("runs_ms")
        .and_then(Value::as_array)
        .map(|v| v.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

fn med(r: &Value, key: &str) -> Option<f64> {
    r.get("median")?.get(key)?.as_f64()
}

fn fmt(v: Option<f64>, unit: &str) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.0} {unit}"))
}

pub fn print(cases: &[Case]) {
    let Some(runs) = cases.first().map(|c| c.runs) else {
        return;
    };
    println!(
        "{:<52} {:>10} {:>22}",
        format!("open a big room (issue 5), median of {runs}"),
        "median",
        "runs (ms)"
    );
    for c in cases {
        let how = if c.stored { "stored" } else { "live" };
        let label = format!(
            "  {} occupants ({how}) + {} archived",
            c.occupants, c.archived
        );
        let Some(r) = &c.result else {
            println!("{label:<52} {:>10}", "FAILED");
            continue;
        };
        let ms = runs_ms(r);
        println!(
            "{label:<52} {:>10} {:>22}",
            fmt((!ms.is_empty()).then(|| median(&ms)), "ms"),
            ms.iter()
                .map(|t| format!("{t:.0}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        if let Some(reopen) = med(r, "reopen_ms") {
            println!(
                "{:<52} {:>10}",
                "    reopen the joined room (Rooms item click)",
                format!("{reopen:.0} ms")
            );
        }
        println!(
            "{:<52} {:>10}",
            "    longest main-thread task",
            fmt(med(r, "longest_task_ms"), "ms")
        );
        if let Some(total) = med(r, "js_plus_wasm_bytes") {
            println!(
                "{:<52} {:>10}",
                "    JS heap + wasm after the join",
                format!("{:.1} MB", total / 1e6)
            );
        }
        println!(
            "{:<52} {:>10}",
            "    JS heap + wasm per occupant",
            fmt(med(r, "per_occupant_bytes"), "B")
        );
    }
}

pub fn to_json(cases: &[Case]) -> Value {
    Value::Array(
        cases
            .iter()
            .map(|c| {
                let ms = c.result.as_ref().map(runs_ms).unwrap_or_default();
                serde_json::json!({
                    "occupants": c.occupants,
                    "archived": c.archived,
                    "occupants_stored": c.stored,
                    "runs": c.runs,
                    "runs_ms": ms,
                    "median_ms": (!ms.is_empty()).then(|| median(&ms)),
                    "reopen_ms": c.result.as_ref().and_then(|r| med(r, "reopen_ms")),
                    "longest_task_ms": c.result.as_ref().and_then(|r| med(r, "longest_task_ms")),
                    "js_plus_wasm_bytes": c.result.as_ref().and_then(|r| med(r, "js_plus_wasm_bytes")),
                    "per_occupant_bytes": c.result.as_ref().and_then(|r| med(r, "per_occupant_bytes")),
                    "result": c.result,
                })
            })
            .collect(),
    )
}
