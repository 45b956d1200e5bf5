//! Bounded, coverage-free mutation fuzzing of the stream parser and the core state machine, in
//! the normal test run (`cargo test -p natter-core --test fuzz`).
//!
//! Each execution is one mutated server frame fed into a session that is somewhere between
//! the stream header and online (`fuzz/script.rs`). The seeds are real frames (`fuzz/seeds.rs`:
//! written ones plus every frame the transcript tests feed); the mutations work on bytes, on
//! values and on the element tree, and sometimes blow a frame up to thousands of children
//! (`fuzz/mutate.rs`). After every input: no panic, well-formed output, at most 64 frames and
//! 64 events, at most 64 of our requests unanswered, and the input handled within 1 s plus 3 ms
//! per KiB.
//!
//! A failing session is shrunk, saved to `tests/fuzz-regressions/<hash>.txt` and reported; the
//! saved sessions are replayed before anything else on every run. Deterministic: a fixed seed
//! (`NATTER_FUZZ_SEED` picks another), `NATTER_FUZZ_EXECS` executions (default 20,000).

mod common;
#[path = "fuzz/mutate.rs"]
mod mutate;
#[path = "fuzz/script.rs"]
mod script;
#[path = "fuzz/seeds.rs"]
mod seeds;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant as WallClock;

use common::{config, Harness, Rng};
use script::{Script, Stats, Step};

const DEFAULT_EXECS: usize = 20_000;
const DEFAULT_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions")
}

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

/// Printed past the test harness's capture, so the count shows in every `cargo test` run.
fn report(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// One session: part of a valid login, then mutated frames with ticks, commands and closes;
/// one in ten goes through the BOSH layer, each frame wrapped in a response body.
fn generate(rng: &mut Rng, corpus: &[String], session: usize) -> Script {
    let bosh = rng.chance(10);
    let mut steps = Vec::new();
    if bosh {
        steps.push(Step::Frame(seeds::BOSH_CREATED.as_bytes().to_vec()));
    }
    let login = if rng.chance(50) {
        seeds::LOGIN.len()
    } else {
        rng.below(seeds::LOGIN.len())
    };
    steps.extend(
        seeds::LOGIN[..login]
            .iter()
            .map(|f| Step::Frame(f.as_bytes().to_vec())),
    );
    if login == seeds::LOGIN.len() {
        steps.push(Step::Frame(seeds::BIND_RESULT.as_bytes().to_vec()));
    }
    // Now and then a long session, where anything that grows per input would show.
    let frames = if rng.chance(3) { 400 } else { 16 };
    for _ in 0..frames {
        let base: &String = rng.pick(corpus);
        let data = match rng.below(20) {
            0 | 1 => base.clone().into_bytes(),
            2 => (0..rng.below(64)).map(|_| rng.next() as u8).collect(),
            3..=9 => {
                let mut text = base.clone();
                for _ in 0..1 + rng.below(3) {
                    text = mutate::value(rng, &text);
                }
                text.into_bytes()
            }
            10..=13 => mutate::structure(rng, base, corpus)
                .unwrap_or_else(|| base.clone())
                .into_bytes(),
            14 if frames < 100 && rng.chance(25) => mutate::blow_up(rng, base)
                .unwrap_or_else(|| base.clone())
                .into_bytes(),
            _ => mutate::bytes(rng, base.as_bytes(), corpus),
        };
        let data = if bosh {
            seeds::bosh_body(rng, &data)
        } else {
            data
        };
        steps.push(Step::Frame(data));
        match rng.below(24) {
            0 => steps.push(Step::Timeout(rng.next() % 45_000)),
            1..=3 => steps.push(Step::Command(rng.next() as u8)),
            4 if rng.chance(15) => steps.push(Step::Closed),
            _ => {}
        }
    }
    Script {
        secure: rng.chance(70),
        entropy: session as u8,
        bosh,
        steps,
    }
}

/// Shrinks and saves a failing session, then fails the test with where it is.
fn save_and_fail(script: &Script, why: &str) -> ! {
    // Shrinking replays the failure many times: keep the panic messages out of the output.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let small = script::minimize(script);
    std::panic::set_hook(hook);
    let why = script::run_caught(&small)
        .err()
        .unwrap_or_else(|| why.to_owned());
    let text = small.to_text(&why);
    let dir = regressions_dir();
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join(format!("{:016x}.txt", fnv(text.as_bytes())));
    let saved = match std::fs::write(&file, &text) {
        Ok(()) => format!("saved to {}", file.display()),
        Err(e) => format!("could not save to {}: {e}\n{text}", file.display()),
    };
    panic!(
        "fuzz: a session broke an invariant: {why}\n{} steps after shrinking; {saved}",
        small.steps.len()
    );
}

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Every saved regression, replayed; returns how many.
fn replay_regressions() -> usize {
    let Ok(entries) = std::fs::read_dir(regressions_dir()) else {
        return 0;
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    for file in &files {
        let text =
            std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let script = Script::from_text(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        if let Err(why) = script::run_caught(&script) {
            panic!("fuzz regression {} fails again: {why}", file.display());
        }
    }
    files.len()
}

#[test]
fn bounded_mutation_fuzz_of_the_core() {
    let t0 = WallClock::now();
    let replayed = replay_regressions();
    let execs = env_number("NATTER_FUZZ_EXECS").map_or(DEFAULT_EXECS, |n| n as usize);
    let seed = env_number("NATTER_FUZZ_SEED")
        .unwrap_or(DEFAULT_SEED)
        .max(1);
    let (corpus, harvested) = seeds::corpus();
    assert!(
        harvested > 20,
        "the transcript tests' frames were not found ({harvested})"
    );
    let mut rng = Rng(seed);
    let mut total = Stats::default();
    let mut sessions = 0;
    while total.frames < execs {
        sessions += 1;
        let script = generate(&mut rng, &corpus, sessions);
        match script::run_caught(&script) {
            Ok(s) => {
                total.inputs += s.inputs;
                total.frames += s.frames;
                total.slowest = total.slowest.max(s.slowest);
                total.most_frames_out = total.most_frames_out.max(s.most_frames_out);
                total.most_events_out = total.most_events_out.max(s.most_events_out);
                total.most_outstanding = total.most_outstanding.max(s.most_outstanding);
            }
            Err(why) => save_and_fail(&script, &why),
        }
    }
    report(&format!(
        "fuzz: {} executions ({} sessions, {} inputs) in {:.1} s, seed {seed:#x}; {} seeds ({} \
         from the transcript tests); {replayed} regressions replayed; slowest input {:?}; at most \
         {} frames and {} events out per input, {} requests outstanding",
        total.frames,
        sessions,
        total.inputs,
        t0.elapsed().as_secs_f64(),
        corpus.len(),
        harvested,
        total.slowest,
        total.most_frames_out,
        total.most_events_out,
        total.most_outstanding,
    ));
}

#[test]
fn regression_files_round_trip() {
    let script = Script {
        secure: true,
        entropy: 9,
        bosh: true,
        steps: vec![
            Step::Frame(b"<a xmlns='x'>\0\xff</a>".to_vec()),
            Step::Timeout(30_000),
            Step::Command(3),
            Step::Closed,
        ],
    };
    let text = script.to_text("why\nit failed");
    assert!(text.starts_with("# natter-core fuzz regression"));
    assert_eq!(Script::from_text(&text), Ok(script));
    assert!(Script::from_text("frame !!!").is_err());
    assert!(Script::from_text("jump 3").is_err());
}

#[test]
fn the_checker_fails_and_shrinks_a_bad_session() {
    // 80 roster sets in a row, none answered: 80 requests in flight, over the bound of 64.
    // The checker must catch it, and shrinking must keep the failure while dropping steps.
    let login: Vec<Step> = seeds::LOGIN
        .iter()
        .map(|f| Step::Frame(f.as_bytes().to_vec()))
        .chain([Step::Frame(seeds::BIND_RESULT.as_bytes().to_vec())])
        .collect();
    let mut steps = login.clone();
    steps.extend((0..80).map(|_| Step::Command(1)));
    steps.push(Step::Frame(b"<r xmlns='urn:xmpp:sm:3'/>".to_vec()));
    let script = Script {
        secure: true,
        entropy: 1,
        bosh: false,
        steps,
    };
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = script::run_caught(&script);
    let small = outcome.as_ref().err().map(|_| script::minimize(&script));
    std::panic::set_hook(hook);
    let why = outcome.expect_err("80 unanswered roster sets were not caught by the checker");
    assert!(why.contains("unanswered"), "{why}");
    let small = small.expect("shrunk");
    assert!(small.steps.len() < script.steps.len(), "nothing dropped");
    assert!(
        script::run_caught(&small).is_err(),
        "the shrunk session passes"
    );
    // The login part alone is fine.
    let login_only = Script {
        secure: true,
        entropy: 1,
        bosh: false,
        steps: login,
    };
    assert!(script::run_caught(&login_only).is_ok());
}

#[test]
fn each_seed_truncated_at_every_byte() {
    let (corpus, _) = seeds::corpus();
    let mut fed = 0;
    for frame in &corpus {
        let frame = frame
            .replace("{id}", "x")
            .replace("{queryid}", "q")
            .replace("{scram}", "AAAA");
        let step = (frame.len() / 40).max(1);
        for cut in (0..frame.len()).step_by(step) {
            let (mut h, _) = Harness::login_plain(config());
            h.feed_bytes(&frame.as_bytes()[..cut]);
            fed += 1;
        }
    }
    assert!(fed > 1_000, "{fed}");
}

/// Found by this fuzzer: minidom 0.19's writer panics on a prefix redeclared for another
/// namespace below an element using it, and the BOSH layer used to re-serialize every child
/// of a response body as the sender wrote it. One hostile body aborted the app.
#[test]
fn bosh_body_child_with_a_redeclared_prefix_does_not_panic() {
    use natter_core::bosh::{Bosh, Settings, HTTPBIND};
    let mut bosh = Bosh::new(Settings::default(), &[3; 32]);
    let now = natter_core::Instant(1_000);
    bosh.send_frame(
        now,
        r#"<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="example.org" version="1.0"/>"#,
    );
    let create = bosh
        .poll_request(now)
        .expect("the session creation request");
    let body = format!(
        r#"<body xmlns="{HTTPBIND}" sid="s" wait="60" requests="2" hold="1" from="example.org"><p:x xmlns:p="urn:a"><p:y xmlns:p="urn:b"/></p:x><message xmlns="jabber:client" from="a@b/c" type="chat"><body>after</body></message></body>"#
    );
    bosh.handle_response(now, create.rid, Ok((200, body.as_bytes())));
    let mut frames = Vec::new();
    while let Some(f) = bosh.poll_frame() {
        frames.push(f);
    }
    // The odd element reaches the core (which ignores it) as well-formed XML in its own
    // namespaces; the message after it is not lost.
    let odd: minidom::Element = frames
        .iter()
        .find(|f| f.contains("urn:a"))
        .expect("the prefixed element")
        .parse()
        .unwrap();
    assert!(odd.is("x", "urn:a") && odd.get_child("y", "urn:b").is_some());
    assert!(frames.iter().any(|f| f.contains("after")), "{frames:?}");
}
