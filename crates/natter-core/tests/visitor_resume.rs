//! An anonymous visitor's session carried across a page navigation: the BOSH session handed
//! from one page to the next ([`Bosh::snapshot`] / [`Bosh::resume`], same sid, the next rid)
//! and a `Client` attached to the session the old page bound ([`Client::attach`]).

mod common;

use common::*;
use minidom::Element;
use natter_core::bosh::{Bosh, BoshSnapshot, Request, Settings, HTTPBIND, XBOSH};
use natter_core::jid::{BareJid, FullJid, Jid};
use natter_core::{Client, Command, Config, Event, Instant, MessageExt, SessionState, Transmit};

const SID: &str = "sid-visitor";
const OPEN_FRAME: &str =
    r#"<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="anon.example.org" version="1.0"/>"#;
const VISITOR: &str = "5c0ffee@anon.example.org/widget";
const NICK: &str = "http://jabber.org/protocol/nick";

fn created() -> String {
    format!(
        r#"<body xmlns="{HTTPBIND}" xmlns:xmpp="{XBOSH}" sid="{SID}" wait="30" requests="2" hold="1" polling="2" inactivity="60" ver="1.6" from="anon.example.org" xmpp:version="1.0"/>"#
    )
}

fn parse(request: &Request) -> Element {
    request.body.parse().expect("a request body")
}

fn message(to: &str, body: &str) -> String {
    format!(r#"<message xmlns="jabber:client" to="{to}" type="chat"><body>{body}</body></message>"#)
}

/// A BOSH session created on the "old page", with one long-poll at the server.
fn old_page() -> (Bosh, Instant, u64) {
    let now = Instant(1_000);
    let mut bosh = Bosh::new(Settings::default(), &[5; 32]);
    assert_eq!(bosh.snapshot(), None, "no session yet");
    bosh.send_frame(now, OPEN_FRAME);
    let create = bosh.poll_request(now).expect("the creation request");
    assert_eq!(bosh.snapshot(), None, "not created yet");
    bosh.handle_response(now, create.rid, Ok((200, created().as_bytes())));
    while bosh.poll_frame().is_some() {}
    let poll = bosh.poll_request(now).expect("the long-poll");
    assert_eq!(poll.rid, create.rid + 1);
    (bosh, now, poll.rid)
}

#[test]
fn the_next_page_continues_the_same_bosh_session() {
    let (mut bosh, now, poll_rid) = old_page();
    // The visitor writes, then follows a link while the long-poll is held.
    bosh.send_frame(now, &message("support@example.org", "hi"));
    let sent = bosh.poll_request(now).expect("the message's request");
    assert_eq!(sent.rid, poll_rid + 1);
    let snapshot = bosh.snapshot().expect("an open session");
    assert_eq!(snapshot.sid, SID);
    assert_eq!(
        snapshot.next_rid,
        sent.rid + 1,
        "after the last rid handed out"
    );
    assert_eq!(snapshot.to, "anon.example.org");
    assert_eq!(snapshot.from, "anon.example.org");
    assert_eq!((snapshot.requests, snapshot.wait_secs), (2, 30));

    // The next page: no creation request, no synthesized <open/>, the same sid and the rid
    // after the old page's last one.
    let later = Instant(50);
    let mut next = Bosh::resume(Settings::default(), snapshot.clone()).expect("resumable");
    assert!(next.is_created());
    assert_eq!(next.sid(), Some(SID));
    assert_eq!(next.poll_frame(), None);
    next.send_frame(later, &message("support@example.org", "still there?"));
    let request = next.poll_request(later).expect("a request");
    assert_eq!(request.rid, snapshot.next_rid);
    let body = parse(&request);
    assert_eq!(body.attr("sid"), Some(SID));
    assert!(
        body.attr("to").is_none() && body.attr("wait").is_none(),
        "not a creation: {}",
        request.body
    );
    assert_eq!(body.children().count(), 1);
    // What the server sends reaches the core as on the old page.
    let answer = format!(
        r#"<body xmlns="{HTTPBIND}" sid="{SID}"><message xmlns="jabber:client" from="support@example.org/desk" type="chat"><body>yes</body></message></body>"#
    );
    next.handle_response(later, request.rid, Ok((200, answer.as_bytes())));
    let frame = next.poll_frame().expect("the reply");
    assert!(frame.contains("yes"), "{frame}");
    // The session's rhythm goes on: a long-poll waits at the server, with the next rid.
    let poll = next.poll_request(later).expect("the long-poll");
    assert_eq!(poll.rid, snapshot.next_rid + 1);
    assert_eq!(parse(&poll).children().count(), 0);
}

#[test]
fn a_session_the_server_forgot_ends_like_a_lost_one() {
    let (bosh, _, _) = old_page();
    let snapshot = bosh.snapshot().unwrap();
    let now = Instant(10);
    let mut next = Bosh::resume(Settings::default(), snapshot).unwrap();
    next.send_frame(now, &message("support@example.org", "hello?"));
    let request = next.poll_request(now).unwrap();
    let gone = format!(r#"<body xmlns="{HTTPBIND}" type="terminate" condition="item-not-found"/>"#);
    next.handle_response(now, request.rid, Ok((200, gone.as_bytes())));
    assert!(
        matches!(next.poll_closed(), Some(Some(reason)) if !reason.is_empty()),
        "the driver learns the session is gone (and signs in afresh)"
    );
    // HTTP 404 (ejabberd's answer for an unknown sid) too.
    let mut next = Bosh::resume(Settings::default(), bosh.snapshot().unwrap()).unwrap();
    next.send_frame(now, &message("support@example.org", "hello?"));
    let request = next.poll_request(now).unwrap();
    next.handle_response(now, request.rid, Ok((404, b"")));
    assert!(matches!(next.poll_closed(), Some(Some(_))));
}

#[test]
fn nothing_to_hand_over_once_terminating_or_closed() {
    let (mut bosh, now, _) = old_page();
    bosh.close(now);
    assert_eq!(bosh.snapshot(), None);
}

#[test]
fn a_stored_snapshot_is_checked() {
    let good = BoshSnapshot {
        sid: SID.into(),
        next_rid: 42,
        to: "anon.example.org".into(),
        from: "anon.example.org".into(),
        lang: "en".into(),
        requests: 2,
        wait_secs: 30,
        polling_ms: 0,
    };
    assert!(Bosh::resume(Settings::default(), good.clone()).is_some());
    for bad in [
        BoshSnapshot {
            sid: String::new(),
            ..good.clone()
        },
        BoshSnapshot {
            next_rid: 0,
            ..good.clone()
        },
        BoshSnapshot {
            next_rid: 1 << 53,
            ..good.clone()
        },
        BoshSnapshot {
            from: "not a domain@@".into(),
            ..good.clone()
        },
    ] {
        assert!(
            Bosh::resume(Settings::default(), bad.clone()).is_none(),
            "{bad:?}"
        );
    }
    // An absurd request count from storage is clamped, not trusted.
    let mut many = Bosh::resume(
        Settings::default(),
        BoshSnapshot {
            requests: 1_000,
            ..good
        },
    )
    .unwrap();
    let now = Instant(0);
    for i in 0..20 {
        many.send_frame(now, &message("a@b", &i.to_string()));
        let _ = many.poll_request(now);
    }
    assert!(many.poll_request(now).is_none());
}

fn anonymous_config() -> Config {
    let mut config = Config::new("anon.example.org".parse::<BareJid>().unwrap(), "", [3; 32]);
    config.nick = Some("Ann".into());
    config
}

fn drain(client: &mut Client) -> Output {
    let mut out = Output::default();
    while let Some(t) = client.poll_transmit() {
        match t {
            Transmit::Frame(text) => out.frames.push(text.parse().unwrap()),
            Transmit::Close => out.closed = true,
        }
    }
    while let Some(e) = client.poll_event() {
        out.events.push(e);
    }
    out
}

#[test]
fn an_attached_client_is_online_as_the_bound_visitor() {
    let bound: FullJid = VISITOR.parse().unwrap();
    let now = Instant(500);
    let mut client = Client::attach(anonymous_config(), bound.clone(), now);
    assert_eq!(client.state(), SessionState::Online);
    let out = drain(&mut client);
    assert_eq!(
        out.events,
        vec![
            Event::Online {
                jid: bound.clone(),
                resumed: true
            },
            Event::StateChanged(SessionState::Online),
        ]
    );
    // It announces itself again, with the nick; no stream open, no roster (an anonymous
    // account has none), no stream management.
    assert_eq!(out.frames.len(), 1, "{:?}", out.frames);
    let presence = &out.frames[0];
    assert!(presence.is("presence", CLIENT));
    assert_eq!(child(presence, "nick", NICK).text(), "Ann");
    // A keepalive is armed: the session is live.
    assert!(client.poll_timeout().is_some());

    // Messages go out from the visitor's account, with the nick.
    client.handle_command(
        now,
        Command::SendMessage {
            to: Jid::new("support@example.org").unwrap(),
            id: "after-nav".into(),
            body: "I'm on the checkout page now".into(),
            ext: MessageExt::default(),
        },
    );
    let out = drain(&mut client);
    let message = out.frames.iter().find(|f| f.is("message", CLIENT)).unwrap();
    assert_eq!(child(message, "nick", NICK).text(), "Ann");
    assert!(out
        .events
        .iter()
        .any(|e| matches!(e, Event::MessageSent(m) if m.from == bound.clone())));
    // The server's stanza-ids for our own archive are believed (we are the bound account).
    client.handle_frame(
        now,
        format!(
            r#"<message xmlns="jabber:client" type="chat" from="support@example.org/desk" to="{VISITOR}" id="r1"><body>ok</body><stanza-id xmlns="urn:xmpp:sid:0" by="5c0ffee@anon.example.org" id="s-1"/></message>"#
        )
        .as_bytes(),
    );
    let out = drain(&mut client);
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::Message(m) if m.stanza_id.as_deref() == Some("s-1"))),
        "{out:?}"
    );
    // `handle_connected` (the transport's "opened") starts no new stream.
    client.handle_connected(now);
    assert!(drain(&mut client).frames.is_empty());
}

#[test]
fn an_attached_named_account_asks_for_its_roster() {
    let bound: FullJid = "user@example.org/natter".parse().unwrap();
    let mut client = Client::attach(config(), bound, Instant(0));
    let out = drain(&mut client);
    assert!(out
        .frames
        .iter()
        .any(|f| f.is("iq", CLIENT) && f.has_child("query", ROSTER)));
    assert!(out
        .frames
        .iter()
        .any(|f| f.is("presence", CLIENT) && f.get_child("nick", NICK).is_none()));
}

#[test]
fn an_anonymous_session_does_not_enable_stream_management() {
    let mut visitor = anonymous_config();
    visitor.secure_transport = true;
    let mut h = Harness::new(visitor);
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["ANONYMOUS"]));
    h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    h.feed(SERVER_OPEN);
    let bind = h.feed(r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/><sm xmlns="urn:xmpp:sm:3"/></stream:features>"#);
    let id = bind.only_frame().attr("id").unwrap().to_owned();
    let out = h.feed(&bind_result(&id, VISITOR));
    assert!(out.has_state(SessionState::Online));
    assert!(
        !out.frames.iter().any(|f| f.is("enable", "urn:xmpp:sm:3")),
        "{out:?}"
    );
    // A named account on the same server does enable it.
    let mut named = config();
    named.secure_transport = true;
    let mut h = Harness::new(named);
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["PLAIN"]));
    h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    h.feed(SERVER_OPEN);
    let bind = h.feed(r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/><sm xmlns="urn:xmpp:sm:3"/></stream:features>"#);
    let id = bind.only_frame().attr("id").unwrap().to_owned();
    let out = h.feed(&bind_result(&id, FULL_JID));
    assert!(out.frames.iter().any(|f| f.is("enable", "urn:xmpp:sm:3")));
}
