//! Native benchmarks of the client core and the store together, the path every stanza takes in
//! the browser (frame in -> `Client` -> events -> `Store::apply`), minus the DOM.
//!
//! - `stanzas`: a recorded stream of 1,000 one-to-one messages and 1,000 presences from 100
//!   roster contacts, one stanza per frame as over WebSocket, fed to a `Client` that is online
//!   with that roster, every event applied to a `Store`. Throughput: stanzas per second.
//! - `roster_10000`: the roster result of a fresh session carrying 10,000 items, through the
//!   same path (the client parses it into one `RosterReset`, the store takes it).
//! - `room_6000`: the store's side of joining a room of 6,000 occupants: the join, 6,000
//!   occupant presences, the archive catch-up's 100 messages and its end, as events (the
//!   parsing is what `stanzas_2000` measures).
//!
//! The server side is replayed from strings recorded before timing starts, built as minidom
//! elements; the session is set up (PLAIN on a secure transport, bind, roster) outside timing.
//! `cargo xtask bench` runs this and reads criterion's estimates.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use minidom::rxml::xml_ncname;
use minidom::Element;
use natter_core::jid::BareJid;
use natter_core::{Client, Config, Instant, Transmit};
use natter_store::Store;
use std::hint::black_box;

const CLIENT_NS: &str = "jabber:client";
const FRAMING: &str = "urn:ietf:params:xml:ns:xmpp-framing";
const SASL: &str = "urn:ietf:params:xml:ns:xmpp-sasl";
const BIND: &str = "urn:ietf:params:xml:ns:xmpp-bind";
const ROSTER: &str = "jabber:iq:roster";
const STREAMS: &str = "http://etherx.jabber.org/streams";
const DOMAIN: &str = "example.org";
const ME: &str = "user@example.org/natter";

fn text(name: &str, ns: &str, body: &str) -> Element {
    Element::builder(name, ns).append(body).build()
}

fn ser(e: &Element) -> String {
    String::from(e)
}

fn open() -> String {
    ser(&Element::builder("open", FRAMING)
        .attr(xml_ncname!("from").into(), DOMAIN)
        .attr(xml_ncname!("id").into(), "s-1")
        .attr(xml_ncname!("version").into(), "1.0")
        .build())
}

fn features(child: Element) -> String {
    ser(&Element::builder("features", STREAMS).append(child).build())
}

/// A roster result for `id` with contacts 1..=n, as Prosody sends it.
fn roster_result(id: &str, n: usize) -> String {
    let mut query = Element::builder("query", ROSTER).build();
    for i in 1..=n {
        query.append_child(
            Element::builder("item", ROSTER)
                .attr(xml_ncname!("jid").into(), contact(i))
                .attr(xml_ncname!("name").into(), format!("Contact {i}"))
                .attr(xml_ncname!("subscription").into(), "both")
                .append(text("group", ROSTER, &format!("Team {}", i % 20 + 1)))
                .build(),
        );
    }
    ser(&Element::builder("iq", CLIENT_NS)
        .attr(xml_ncname!("type").into(), "result")
        .attr(xml_ncname!("id").into(), id)
        .append(query)
        .build())
}

fn contact(i: usize) -> String {
    format!("contact{i}@{DOMAIN}")
}

/// The frames the client sent since the last call, parsed.
fn sent(client: &mut Client) -> Vec<Element> {
    let mut out = Vec::new();
    while let Some(t) = client.poll_transmit() {
        if let Transmit::Frame(f) = t {
            out.push(f.parse().expect("the client sends well-formed XML"));
        }
    }
    out
}

fn drain_into(client: &mut Client, store: &mut Store) {
    while client.poll_transmit().is_some() {}
    while let Some(e) = client.poll_event() {
        black_box(store.apply(e));
    }
}

/// A client right after bind (roster get pending) and the id of that roster get.
fn bound() -> (Client, Store, String) {
    let mut config = Config::new(
        "user@example.org".parse::<BareJid>().expect("valid"),
        "pencil",
        [7; 32],
    );
    config.resource = Some("natter".into());
    config.secure_transport = true;
    let now = Instant(1_000);
    let mut client = Client::new(config);
    let mut store = Store::new();
    client.handle_connected(now);
    sent(&mut client);
    let mechanisms = Element::builder("mechanisms", SASL)
        .append(text("mechanism", SASL, "PLAIN"))
        .build();
    for frame in [
        open(),
        features(mechanisms),
        ser(&Element::builder("success", SASL).build()),
        open(),
    ] {
        client.handle_frame(now, frame.as_bytes());
        sent(&mut client);
    }
    client.handle_frame(
        now,
        features(Element::builder("bind", BIND).build()).as_bytes(),
    );
    let bind_id = sent(&mut client)
        .into_iter()
        .find(|f| f.is("iq", CLIENT_NS) && f.get_child("bind", BIND).is_some())
        .and_then(|f| f.attr("id").map(str::to_owned))
        .expect("a bind request");
    let result = Element::builder("iq", CLIENT_NS)
        .attr(xml_ncname!("type").into(), "result")
        .attr(xml_ncname!("id").into(), bind_id)
        .append(
            Element::builder("bind", BIND)
                .append(text("jid", BIND, ME))
                .build(),
        )
        .build();
    client.handle_frame(now, ser(&result).as_bytes());
    let roster_id = sent(&mut client)
        .into_iter()
        .find(|f| f.is("iq", CLIENT_NS) && f.get_child("query", ROSTER).is_some())
        .and_then(|f| f.attr("id").map(str::to_owned))
        .expect("a roster request after bind");
    while let Some(e) = client.poll_event() {
        store.apply(e);
    }
    (client, store, roster_id)
}

/// Online with a roster of `n` contacts, everything applied.
fn online(n: usize) -> (Client, Store) {
    let (mut client, mut store, roster_id) = bound();
    client.handle_frame(Instant(1_000), roster_result(&roster_id, n).as_bytes());
    drain_into(&mut client, &mut store);
    (client, store)
}

/// `pairs` messages and `pairs` presences, alternating, from `contacts` roster contacts.
fn stream(pairs: usize, contacts: usize) -> Vec<String> {
    let shows = ["away", "dnd", "xa", "chat"];
    let mut frames = Vec::with_capacity(pairs * 2);
    for k in 0..pairs {
        let from = format!("{}/phone", contact(k % contacts + 1));
        frames.push(ser(&Element::builder("message", CLIENT_NS)
            .attr(xml_ncname!("from").into(), from.as_str())
            .attr(xml_ncname!("to").into(), ME)
            .attr(xml_ncname!("type").into(), "chat")
            .attr(xml_ncname!("id").into(), format!("m{k}"))
            .append(text(
                "body",
                CLIENT_NS,
                &format!("Message {k}: the quick brown fox jumps over the lazy dog."),
            ))
            .build()));
        frames.push(ser(&Element::builder("presence", CLIENT_NS)
            .attr(xml_ncname!("from").into(), from.as_str())
            .attr(xml_ncname!("to").into(), ME)
            .append(text("show", CLIENT_NS, shows[k % shows.len()]))
            .append(text("status", CLIENT_NS, &format!("status {k}")))
            .build()));
    }
    frames
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("core_store");
    g.sample_size(20);

    let frames = stream(1_000, 100);
    g.throughput(Throughput::Elements(frames.len() as u64));
    g.bench_function("stanzas_2000", |b| {
        b.iter_batched(
            || online(100),
            |(mut client, mut store)| {
                let now = Instant(2_000);
                for f in &frames {
                    client.handle_frame(now, f.as_bytes());
                    drain_into(&mut client, &mut store);
                }
                (client, store)
            },
            BatchSize::LargeInput,
        )
    });

    g.throughput(Throughput::Elements(10_000));
    g.bench_function("roster_10000", |b| {
        b.iter_batched(
            || {
                let (client, store, id) = bound();
                (client, store, roster_result(&id, 10_000))
            },
            |(mut client, mut store, result)| {
                client.handle_frame(Instant(1_000), result.as_bytes());
                drain_into(&mut client, &mut store);
                (client, store)
            },
            BatchSize::LargeInput,
        )
    });
    let room = room_events(6_000);
    g.throughput(Throughput::Elements(6_000));
    g.bench_function("room_6000", |b| {
        b.iter_batched(
            || room.clone(),
            |events| {
                let mut store = Store::new();
                for e in events {
                    black_box(store.apply(e));
                }
                store
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

/// Joining a room of `occupants` others, with the newest 100 archived messages caught up.
fn room_events(occupants: usize) -> Vec<natter_core::Event> {
    use natter_core::{Affiliation, Event, OccupantUpdate, Role, RoomMessage};
    let room: BareJid = "big@conference.example.org".parse().expect("valid");
    let occupant = |nick: String, me: bool| {
        Event::Occupant(OccupantUpdate {
            room: room.clone(),
            occupant_id: Some(format!("id-{nick}")),
            nick,
            role: Role::Participant,
            affiliation: Affiliation::None,
            jid: None,
            show: None,
            status: None,
            available: true,
            me,
            exit: None,
        })
    };
    let mut events = vec![Event::RoomJoining {
        room: room.clone(),
        nick: "me".into(),
    }];
    events.extend((0..occupants).map(|i| occupant(format!("occupant{i}"), false)));
    events.push(occupant("me".into(), true));
    events.push(Event::RoomJoined {
        room: room.clone(),
        nick: "me".into(),
        occupant_id: None,
        subject: None,
        created: false,
    });
    events.extend((0..100).map(|k| {
        Event::GroupMessage(RoomMessage {
            room: room.clone(),
            nick: format!("occupant{k}"),
            occupant_id: None,
            id: format!("m{k}"),
            stanza_id: Some(format!("a{k}")),
            origin_id: None,
            body: format!("archived message {k}"),
            delayed: Some(format!("2026-01-01T10:{:02}:{:02}Z", k / 60, k % 60)),
            archived: true,
            mentions_me: false,
            from_me: false,
        })
    }));
    events.push(Event::RoomCaughtUp {
        room,
        last: Some("a99".into()),
        complete: true,
        beginning: false,
    });
    events
}

/// The numbers the benchmark relies on: the stream reaches the store.
fn check() {
    let (mut client, mut store) = online(100);
    for f in stream(10, 100) {
        client.handle_frame(Instant(2_000), f.as_bytes());
        drain_into(&mut client, &mut store);
    }
    assert_eq!(
        store.unread(&"contact1@example.org".parse().expect("valid")),
        1
    );
    let (mut client, mut store, id) = bound();
    client.handle_frame(Instant(1_000), roster_result(&id, 10_000).as_bytes());
    drain_into(&mut client, &mut store);
    assert_eq!(
        store.roster.len(),
        10_000,
        "the 10,000-item roster reached the store"
    );
    let mut store = Store::new();
    for e in room_events(6_000) {
        store.apply(e);
    }
    let room = store
        .rooms
        .get(&"big@conference.example.org".parse().expect("valid"))
        .expect("the room");
    assert_eq!(room.occupants.len(), 6_001, "every occupant listed");
    assert_eq!(room.log.len(), 100, "the catch-up reached the log");
}

fn all(c: &mut Criterion) {
    check();
    benches(c);
}

criterion_group!(core_store, all);
criterion_main!(core_store);
