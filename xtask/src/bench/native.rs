//! Native benchmarks of core + store (`crates/natter-store/benches/core_store.rs`, criterion):
//! stanzas parsed and applied per second, a 10,000-item roster result, and the store's side of
//! joining a 6,000-occupant room. Runs `cargo bench` and reads criterion's `estimates.json`
//! (median per iteration) for the table and the JSON.

use crate::util::{self, Result};
use serde_json::Value;
use std::process::Command;

/// One criterion benchmark: its id, the elements one iteration handles, the median time.
pub struct Bench {
    pub id: &'static str,
    pub what: &'static str,
    pub elements: u64,
    pub median_ns: f64,
}

const BENCHES: &[(&str, &str, u64)] = &[
    (
        "stanzas_2000",
        "1,000 messages + 1,000 presences, parsed and applied",
        2000,
    ),
    (
        "roster_10000",
        "roster result of 10,000 items, parsed and applied",
        10_000,
    ),
    (
        "room_6000",
        "join of a 6,000-occupant room + 100 archived, applied",
        6_000,
    ),
];

fn criterion_dir() -> std::path::PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .map(|p| {
            if p.is_absolute() {
                p
            } else {
                util::root().join(p)
            }
        })
        .unwrap_or_else(|| util::root().join("target"));
    target.join("criterion").join("core_store")
}

/// `cargo bench -p natter-store --bench core_store`; `quick`: shorter warm-up and measurement.
pub fn run(quick: bool) -> Result<Vec<Bench>> {
    let mut c = Command::new("cargo");
    c.args(["bench", "-p", "natter-store", "--bench", "core_store", "--"])
        .current_dir(util::root());
    if quick {
        c.args(["--warm-up-time", "1", "--measurement-time", "3"]);
    }
    util::run(&mut c, "cargo bench -p natter-store")?;
    BENCHES
        .iter()
        .map(|&(id, what, elements)| {
            let file = criterion_dir().join(id).join("new/estimates.json");
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("read {}: {e}", file.display()))?;
            let v: Value =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            let median_ns = v["median"]["point_estimate"]
                .as_f64()
                .ok_or_else(|| format!("{}: no median.point_estimate", file.display()))?;
            Ok(Bench {
                id,
                what,
                elements,
                median_ns,
            })
        })
        .collect()
}

fn per_second(b: &Bench) -> f64 {
    b.elements as f64 / (b.median_ns / 1e9)
}

pub fn print(benches: &[Bench]) {
    println!();
    println!(
        "{:<52} {:>12} {:>22}",
        "native core + store (criterion median)", "time", "per second"
    );
    for b in benches {
        println!(
            "{:<52} {:>9.2} ms {:>22}",
            format!("  {}", b.what),
            b.median_ns / 1e6,
            format!("{:.0} items/s", per_second(b))
        );
    }
}

pub fn to_json(benches: &[Bench]) -> Value {
    benches
        .iter()
        .map(|b| {
            (
                b.id.to_string(),
                serde_json::json!({
                    "what": b.what, "elements": b.elements, "median_ns": b.median_ns,
                    "per_second": per_second(b),
                }),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// `--native` alone: replaces only `native` in an existing target/bench.json.
pub fn write_json(benches: &[Bench]) -> Result {
    let out = util::root().join("target/bench.json");
    let mut json: Value = std::fs::read_to_string(&out)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| serde_json::json!({}));
    json["native"] = to_json(benches);
    super::write_json(&json)
}
