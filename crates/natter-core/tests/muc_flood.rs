//! Big rooms: 500 occupants joining in one burst, and a 6,000-occupant room's presence
//! flood, through the core. Prints how long the core took (run with `--release --nocapture`
//! for numbers worth quoting: `cargo test -p natter-core --release --test muc_flood --
//! --nocapture`); the assertions are about what comes out, never about time.

mod common;

use std::time::Instant as Clock;

use common::muc::*;
use common::*;
use natter_core::Event;

/// Feeds `count` occupant presences, one frame each, as a server would send them; returns
/// how many `Occupant` events came out and the wall-clock time it took.
fn flood(h: &mut Harness, count: usize, first: usize) -> (usize, std::time::Duration) {
    let frames: Vec<String> = (first..first + count)
        .map(|i| {
            occupant(
                &format!("witch-{i:05}"),
                "none",
                "participant",
                Some(&format!("witch{i}@shakespeare.lit/broom")),
                Some(&format!("oid-{i}")),
                "",
            )
        })
        .collect();
    let start = Clock::now();
    let mut occupants = 0;
    for frame in &frames {
        h.client.handle_frame(h.now, frame.as_bytes());
        while let Some(event) = h.client.poll_event() {
            if matches!(event, Event::Occupant(ref o) if o.available && !o.me) {
                occupants += 1;
            }
        }
        while h.client.poll_transmit().is_some() {}
    }
    (occupants, start.elapsed())
}

#[test]
fn five_hundred_occupants_join_in_one_burst() {
    let mut h = online();
    joined(&mut h, "thirdwitch", MODERN);
    let (occupants, took) = flood(&mut h, 500, 0);
    assert_eq!(occupants, 500);
    println!("500 occupant presences through the core: {took:?}");
    // Still answering normally afterwards.
    let out = h.feed(&groupchat("witch-00042", "m1", "hello thirdwitch", ""));
    assert!(group_messages(&out.events)[0].mentions_me);
}

#[test]
fn a_six_thousand_occupant_room() {
    let mut h = online();
    let id = start_join(&mut h, "thirdwitch", None);
    discovered(&mut h, &id, MODERN, "thirdwitch");
    // The occupant list comes before our own presence, all of it.
    let (occupants, took) = flood(&mut h, 6_000, 0);
    assert_eq!(occupants, 6_000);
    let out = h.feed(&self_presence("thirdwitch", Some("our-oid"), &[]));
    assert!(out
        .events
        .iter()
        .any(|e| matches!(e, Event::RoomJoined { .. })));
    println!(
        "6,000 occupant presences through the core: {took:?} ({:.1} µs each)",
        took.as_secs_f64() * 1e6 / 6_000.0
    );
}
