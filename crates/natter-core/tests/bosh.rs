//! BOSH (XEP-0124/XEP-0206) transcripts: the `Bosh` state machine alone against scripted
//! connection-manager bodies, then together with a `Client` through a whole session.

mod common;

use common::*;
use minidom::Element;
use natter_core::bosh::{Bosh, Failure, Request, Settings, HTTPBIND, XBOSH};
use natter_core::{Client, Command, Error, Event, Instant, SessionState, Transmit};

const SID: &str = "sid-1";
const XML: &str = "http://www.w3.org/XML/1998/namespace";
const OPEN_FRAME: &str =
    r#"<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="example.org" version="1.0"/>"#;
const CLOSE_FRAME: &str = r#"<close xmlns="urn:ietf:params:xml:ns:xmpp-framing"/>"#;

fn msg(to: &str, body: &str) -> String {
    format!(r#"<message xmlns="jabber:client" to="{to}" type="chat"><body>{body}</body></message>"#)
}

/// A response `<body/>` of the session, as Prosody writes them (stanzas carry their xmlns,
/// the `stream` prefix is declared on the wrapper).
fn body(children: &str) -> String {
    format!(r#"<body xmlns="{HTTPBIND}" xmlns:stream="{STREAMS}" sid="{SID}">{children}</body>"#)
}

/// The session creation response.
fn created(children: &str) -> String {
    format!(
        r#"<body xmlns="{HTTPBIND}" xmlns:stream="{STREAMS}" xmlns:xmpp="{XBOSH}" sid="{SID}" wait="60" requests="2" hold="1" polling="5" inactivity="60" ver="1.6" from="example.org" xmpp:version="1.0" authid="{SID}">{children}</body>"#
    )
}

fn terminate(condition: Option<&str>, children: &str) -> String {
    let condition = condition.map_or(String::new(), |c| format!(r#" condition="{c}""#));
    format!(
        r#"<body xmlns="{HTTPBIND}" xmlns:stream="{STREAMS}" type="terminate"{condition}>{children}</body>"#
    )
}

fn parse(request: &Request) -> Element {
    let body: Element = request
        .body
        .parse()
        .unwrap_or_else(|e| panic!("bad request body {:?}: {e}", request.body));
    assert!(body.is("body", HTTPBIND), "{}", request.body);
    assert_eq!(
        body.attr("rid"),
        Some(request.rid.to_string().as_str()),
        "the body's rid is the request's"
    );
    body
}

fn children(request: &Request) -> Vec<Element> {
    parse(request).children().cloned().collect()
}

/// The BOSH machine alone, with a clock.
struct H {
    bosh: Bosh,
    now: Instant,
}

impl H {
    fn new() -> Self {
        H {
            bosh: Bosh::new(Settings::default(), &[3; 32]),
            now: Instant(1_000),
        }
    }

    fn advance(&mut self, ms: u64) {
        self.now = self.now.after(ms);
    }

    fn send(&mut self, frame: &str) {
        self.bosh.send_frame(self.now, frame);
    }

    fn requests(&mut self) -> Vec<Request> {
        let mut out = Vec::new();
        while let Some(r) = self.bosh.poll_request(self.now) {
            out.push(r);
            assert!(out.len() < 100, "runaway requests");
        }
        out
    }

    fn one_request(&mut self) -> Request {
        let mut r = self.requests();
        assert_eq!(r.len(), 1, "expected one request, got {r:?}");
        r.remove(0)
    }

    fn respond(&mut self, rid: u64, body: &str) {
        self.bosh
            .handle_response(self.now, rid, Ok((200, body.as_bytes())));
    }

    fn fail(&mut self, rid: u64) {
        self.bosh.handle_response(
            self.now,
            rid,
            Err(Failure::Network("connection refused".into())),
        );
    }

    fn timeout(&mut self) {
        self.bosh.handle_timeout(self.now);
    }

    fn frames(&mut self) -> Vec<Element> {
        let mut out = Vec::new();
        while let Some(f) = self.bosh.poll_frame() {
            out.push(
                f.parse()
                    .unwrap_or_else(|e| panic!("bad frame for the core {f:?}: {e}")),
            );
        }
        out
    }

    /// Session created (empty creation response), frames drained; returns the long-poll
    /// the machine then keeps at the server.
    fn open() -> (Self, Request) {
        let mut h = H::new();
        h.send(OPEN_FRAME);
        let create = h.one_request();
        h.respond(create.rid, &created(""));
        let frames = h.frames();
        assert_eq!(frames.len(), 1);
        assert!(frames[0].is("open", FRAMING));
        let poll = h.one_request();
        assert!(children(&poll).is_empty());
        assert_eq!(poll.rid, create.rid + 1);
        (h, poll)
    }
}

#[test]
fn nothing_before_the_core_opens() {
    let mut h = H::new();
    assert!(h.requests().is_empty());
    assert_eq!(h.bosh.poll_timeout(), None);
    assert!(h.frames().is_empty());
    assert_eq!(h.bosh.poll_closed(), None);
}

#[test]
fn session_creation_request() {
    let mut h = H::new();
    h.send(r#"<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="example.org" version="1.0" xml:lang="fr"/>"#);
    let create = h.one_request();
    let b = parse(&create);
    assert_eq!(b.attr("sid"), None);
    assert_eq!(b.attr("to"), Some("example.org"));
    assert_eq!(b.attr_ns(XML, "lang"), Some("fr"));
    assert_eq!(b.attr("wait"), Some("60"));
    assert_eq!(b.attr("hold"), Some("1"));
    assert_eq!(b.attr("ver"), Some("1.6"));
    assert_eq!(b.attr("content"), Some("text/xml; charset=utf-8"));
    assert_eq!(b.attr_ns(XBOSH, "version"), Some("1.0"));
    assert!(
        create.body.contains("xmlns:xmpp='urn:xmpp:xbosh'")
            && create.body.contains("xmpp:version="),
        "the xmpp: prefix is written as such: {}",
        create.body
    );
    assert_eq!(b.children().count(), 0);
    // The rid is random (from the entropy), large and safely below 2^53.
    let other = {
        let mut b = Bosh::new(Settings::default(), &[4; 32]);
        b.send_frame(Instant(0), OPEN_FRAME);
        b.poll_request(Instant(0)).unwrap().rid
    };
    assert_ne!(create.rid, other);
    assert!(create.rid < 1 << 53 && other < 1 << 53);
    // Nothing else until the session exists: stanzas wait.
    h.send(&msg("a@b", "early"));
    assert!(h.requests().is_empty());
    assert_eq!(h.bosh.sid(), None);
    assert!(!h.bosh.is_created());
    // The one request has a deadline: the wait plus a margin.
    assert_eq!(
        h.bosh.poll_timeout(),
        Some(Instant(1_000 + 60_000 + 10_000))
    );
}

#[test]
fn creation_response_opens_the_stream_for_the_core() {
    let mut h = H::new();
    h.send(OPEN_FRAME);
    let create = h.one_request();
    h.respond(
        create.rid,
        &created(r#"<stream:features><mechanisms xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><mechanism>PLAIN</mechanism></mechanisms></stream:features>"#),
    );
    assert!(h.bosh.is_created());
    assert_eq!(h.bosh.sid(), Some(SID));
    let frames = h.frames();
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert!(frames[0].is("open", FRAMING));
    assert_eq!(frames[0].attr("from"), Some("example.org"));
    assert_eq!(frames[0].attr("id"), Some(SID));
    assert_eq!(frames[0].attr("version"), Some("1.0"));
    assert!(frames[1].is("features", STREAMS));
    assert!(frames[1].has_child("mechanisms", SASL));
    // Idle: one empty long-poll with the next rid and the session id.
    let poll = h.one_request();
    assert_eq!(poll.rid, create.rid + 1);
    let b = parse(&poll);
    assert_eq!(b.attr("sid"), Some(SID));
    assert_eq!(b.children().count(), 0);
    assert_eq!(b.attr("type"), None);
}

#[test]
fn creation_response_without_from_uses_our_to() {
    let mut h = H::new();
    h.send(OPEN_FRAME);
    let create = h.one_request();
    h.respond(
        create.rid,
        &format!(r#"<body xmlns="{HTTPBIND}" sid="x" from="not a jid@@"/>"#),
    );
    let frames = h.frames();
    assert_eq!(frames[0].attr("from"), Some("example.org"));
    assert_eq!(frames[0].attr("id"), Some("x"));
}

#[test]
fn stanzas_are_batched_into_the_next_request() {
    let (mut h, poll) = H::open();
    h.send(&msg("a@b", "one"));
    h.send(&msg("a@b", "two"));
    let r = h.one_request();
    assert_eq!(r.rid, poll.rid + 1);
    let c = children(&r);
    assert_eq!(c.len(), 2);
    assert!(
        c[0].is("message", CLIENT),
        "stanzas keep jabber:client: {}",
        r.body
    );
    assert_eq!(c[0].get_child("body", CLIENT).unwrap().text(), "one");
    assert_eq!(c[1].get_child("body", CLIENT).unwrap().text(), "two");
    assert_eq!(parse(&r).attr("sid"), Some(SID));
}

#[test]
fn in_flight_limit_is_the_negotiated_requests() {
    let (mut h, poll) = H::open();
    h.send(&msg("a@b", "one"));
    let one = h.one_request();
    // Two outstanding (the long-poll and `one`): `requests='2'` allows no third.
    h.send(&msg("a@b", "two"));
    h.send(&msg("a@b", "three"));
    assert!(h.requests().is_empty());
    // The server answers the held long-poll (it holds at most one): both queued stanzas go
    // out together.
    h.respond(poll.rid, &body(""));
    let next = h.one_request();
    assert_eq!(next.rid, one.rid + 1);
    assert_eq!(children(&next).len(), 2);
    assert!(h.requests().is_empty());
}

#[test]
fn a_session_that_asks_for_one_request_gets_one() {
    let mut h = H::new();
    h.send(OPEN_FRAME);
    let create = h.one_request();
    h.respond(
        create.rid,
        &format!(r#"<body xmlns="{HTTPBIND}" sid="{SID}" requests="1" hold="0" polling="2" from="example.org"/>"#),
    );
    h.frames();
    let poll = h.one_request();
    h.send(&msg("a@b", "x"));
    assert!(h.requests().is_empty(), "one at a time");
    h.respond(poll.rid, &body(""));
    assert_eq!(children(&h.one_request()).len(), 1);
}

#[test]
fn empty_polls_respect_the_polling_interval() {
    let (mut h, poll) = H::open();
    // The long-poll comes back empty at once: the next empty one waits `polling` (5 s)
    // from the first one's sending.
    h.advance(1_000);
    h.respond(poll.rid, &body(""));
    assert!(h.requests().is_empty());
    assert_eq!(h.bosh.poll_timeout(), Some(Instant(1_000 + 5_000)));
    h.advance(3_999);
    h.timeout();
    assert!(h.requests().is_empty());
    h.advance(1);
    h.timeout();
    let next = h.one_request();
    assert_eq!(next.rid, poll.rid + 1);
    // A stanza need not wait.
    h.respond(next.rid, &body(""));
    h.send(&msg("a@b", "now"));
    assert_eq!(children(&h.one_request()).len(), 1);
}

#[test]
fn a_held_poll_answered_with_data_is_renewed_at_once() {
    let (mut h, poll) = H::open();
    h.advance(30_000);
    h.respond(poll.rid, &body(&msg("me@example.org", "hi")));
    let frames = h.frames();
    assert_eq!(frames.len(), 1);
    assert!(frames[0].is("message", CLIENT));
    assert_eq!(h.one_request().rid, poll.rid + 1);
}

#[test]
fn restart_after_sasl() {
    let (mut h, poll) = H::open();
    h.send(r#"<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">AGEAYg==</auth>"#);
    let auth = h.one_request();
    h.respond(poll.rid, &body(""));
    h.respond(
        auth.rid,
        &body(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#),
    );
    let frames = h.frames();
    assert!(frames[0].is("success", SASL), "{frames:?}");
    // The core restarts the stream: a restart request, and the new stream's `<open/>` for
    // the core at once.
    h.send(OPEN_FRAME);
    let frames = h.frames();
    assert_eq!(frames.len(), 1);
    assert!(frames[0].is("open", FRAMING));
    assert_eq!(frames[0].attr("id"), Some(SID));
    let restart = h.one_request();
    assert_eq!(restart.rid, auth.rid + 1);
    let b = parse(&restart);
    assert_eq!(b.attr_ns(XBOSH, "restart"), Some("true"));
    assert!(
        restart.body.contains("xmpp:restart='true'"),
        "{}",
        restart.body
    );
    assert_eq!(b.attr("sid"), Some(SID));
    assert_eq!(b.attr("to"), Some("example.org"));
    assert_eq!(b.attr_ns(XML, "lang"), Some("en"));
    assert_eq!(b.children().count(), 0, "a restart carries nothing");
    h.respond(restart.rid, &body(BIND_FEATURES));
    let frames = h.frames();
    assert_eq!(frames.len(), 1);
    assert!(frames[0].is("features", STREAMS));
}

#[test]
fn features_after_restart_may_come_on_any_later_response() {
    // Prosody sends the new stream's features on whatever request follows SASL success: if a
    // long-poll went out first, on that one. The core already has the `<open/>`.
    let (mut h, poll) = H::open();
    h.respond(
        poll.rid,
        &body(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#),
    );
    // A driver that polled for requests before feeding the core: an empty poll goes out.
    let early = h.one_request();
    assert!(children(&early).is_empty());
    h.frames();
    h.send(OPEN_FRAME);
    let restart = h.one_request();
    h.respond(early.rid, &body(BIND_FEATURES));
    h.respond(restart.rid, &body(""));
    let frames = h.frames();
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert!(frames[0].is("open", FRAMING));
    assert!(frames[1].is("features", STREAMS));
}

#[test]
fn a_failed_request_is_resent_with_the_same_rid_and_body() {
    let (mut h, poll) = H::open();
    h.send(&msg("a@b", "important"));
    let r = h.one_request();
    h.fail(r.rid);
    assert!(!h.bosh.is_closed());
    // Backoff: not at once …
    assert!(h.requests().is_empty());
    assert_eq!(h.bosh.poll_timeout(), Some(h.now.after(1_000)));
    h.advance(1_000);
    h.timeout();
    // … then the very same request.
    let again = h.one_request();
    assert_eq!(again, r);
    // The second failure waits twice as long.
    h.fail(r.rid);
    h.advance(1_999);
    assert!(h.requests().is_empty());
    h.advance(1);
    assert_eq!(h.one_request(), r);
    // A 5xx from a proxy is a failed try too.
    h.bosh
        .handle_response(h.now, r.rid, Ok((503, b"Service Unavailable".as_slice())));
    assert!(!h.bosh.is_closed());
    h.advance(4_000);
    assert_eq!(h.one_request(), r);
    // Answered at last: nothing was lost, the long-poll still counts.
    h.respond(r.rid, &body(""));
    h.respond(poll.rid, &body(&msg("me@example.org", "reply")));
    assert_eq!(h.frames().len(), 1);
}

#[test]
fn a_request_unanswered_in_time_is_resent() {
    let (mut h, poll) = H::open();
    // The server holds the poll for `wait` (60 s); past 70 s it counts as lost.
    assert_eq!(h.bosh.poll_timeout(), Some(h.now.after(70_000)));
    h.advance(69_999);
    h.timeout();
    assert!(h.requests().is_empty());
    h.advance(1);
    h.timeout();
    h.advance(1_000);
    h.timeout();
    let again = h.one_request();
    assert_eq!(again, poll, "same rid, same body");
    h.respond(poll.rid, &body(""));
    assert!(!h.bosh.is_closed());
}

#[test]
fn tries_are_bounded_then_the_session_ends() {
    let (mut h, poll) = H::open();
    for _ in 0..3 {
        h.fail(poll.rid);
        h.advance(10_000);
        h.timeout();
        assert_eq!(h.one_request(), poll);
    }
    h.fail(poll.rid);
    assert!(h.bosh.is_closed());
    let reason = h.bosh.poll_closed().expect("closed").expect("a reason");
    assert_eq!(
        reason,
        "no answer from the server after 4 tries (connection refused)"
    );
    assert_eq!(h.bosh.poll_closed(), None, "reported once");
    assert!(h.requests().is_empty());
    assert_eq!(h.bosh.poll_timeout(), None);
}

#[test]
fn a_repeated_answer_is_delivered_once() {
    let (mut h, poll) = H::open();
    h.advance(70_000);
    h.timeout();
    h.advance(1_000);
    assert_eq!(h.one_request(), poll);
    // Both tries are answered (the first late): the server replays the same answer.
    let answer = body(&msg("me@example.org", "once"));
    h.respond(poll.rid, &answer);
    h.respond(poll.rid, &answer);
    assert_eq!(h.frames().len(), 1);
    let next = h.one_request();
    h.respond(poll.rid, &answer);
    assert!(
        h.frames().is_empty(),
        "a late repeat is not delivered again"
    );
    assert_eq!(next.rid, poll.rid + 1);
}

#[test]
fn responses_reach_the_core_in_rid_order() {
    let (mut h, poll) = H::open();
    h.send(&msg("a@b", "x"));
    let second = h.one_request();
    // The later request is answered first: it waits for the earlier one.
    h.respond(second.rid, &body(&msg("me@example.org", "2")));
    assert!(h.frames().is_empty());
    // Neither is handed out again nor does a new long-poll start while the earlier waits.
    assert!(h.requests().is_empty());
    h.respond(poll.rid, &body(&msg("me@example.org", "1")));
    let texts: Vec<String> = h
        .frames()
        .iter()
        .map(|f| f.get_child("body", CLIENT).unwrap().text())
        .collect();
    assert_eq!(texts, ["1", "2"]);
}

#[test]
fn unknown_rids_are_ignored() {
    let (mut h, poll) = H::open();
    h.respond(poll.rid + 7, &body(&msg("me@example.org", "forged")));
    h.respond(poll.rid - 1, &body(&msg("me@example.org", "stale")));
    assert!(h.frames().is_empty());
    assert!(!h.bosh.is_closed());
}

#[test]
fn terminate_conditions_in_plain_words() {
    let cases = [
        (
            "bad-request",
            "the server rejected a request as malformed (bad-request)",
        ),
        (
            "host-unknown",
            "the server does not serve this domain (host-unknown)",
        ),
        (
            "improper-addressing",
            "the server does not serve this domain, or no domain was given (improper-addressing)",
        ),
        (
            "item-not-found",
            "the server no longer knows this session (item-not-found)",
        ),
        (
            "other-request",
            "the server ended the session because of another request (other-request)",
        ),
        (
            "policy-violation",
            "the server ended the session because of too many requests (policy-violation)",
        ),
        (
            "remote-connection-failed",
            "the server could not reach the XMPP service behind it (remote-connection-failed)",
        ),
        (
            "system-shutdown",
            "the server is shutting down (system-shutdown)",
        ),
        (
            "undefined-condition",
            "the server ended the session (undefined-condition)",
        ),
        (
            "something-new",
            "the server ended the session (something-new)",
        ),
    ];
    for (condition, words) in cases {
        // At creation …
        let mut h = H::new();
        h.send(OPEN_FRAME);
        let create = h.one_request();
        h.respond(create.rid, &terminate(Some(condition), ""));
        assert!(h.frames().is_empty(), "{condition}");
        assert_eq!(h.bosh.poll_closed(), Some(Some(words.to_owned())));
        assert!(!h.bosh.is_created());
        // … and mid-session.
        let (mut h, poll) = H::open();
        h.respond(poll.rid, &terminate(Some(condition), ""));
        assert_eq!(h.bosh.poll_closed(), Some(Some(words.to_owned())));
        assert!(h.requests().is_empty());
    }
}

#[test]
fn http_errors() {
    for (status, words) in [
        (
            404,
            "the server no longer knows this session (item-not-found)",
        ),
        (
            403,
            "the server ended the session because of too many requests (policy-violation)",
        ),
        (
            400,
            "the server rejected a request as malformed (bad-request)",
        ),
        (302, "the server answered HTTP 302"),
    ] {
        let (mut h, poll) = H::open();
        h.bosh
            .handle_response(h.now, poll.rid, Ok((status, b"".as_slice())));
        assert_eq!(
            h.bosh.poll_closed(),
            Some(Some(words.to_owned())),
            "{status}"
        );
    }
    // Not a BOSH answer at all (a web page at that URL).
    let mut h = H::new();
    h.send(OPEN_FRAME);
    let create = h.one_request();
    h.respond(create.rid, "<html><body>Hello</body></html>");
    assert_eq!(
        h.bosh.poll_closed(),
        Some(Some(
            "the server at this address did not answer as a BOSH connection manager".into()
        ))
    );
    // An error status before there is a session: a wrong URL, whatever the status says.
    for status in [404, 405, 500] {
        let mut h = H::new();
        h.send(OPEN_FRAME);
        let create = h.one_request();
        h.bosh
            .handle_response(h.now, create.rid, Ok((status, b"Not Found".as_slice())));
        assert_eq!(
            h.bosh.poll_closed(),
            Some(Some(format!(
                "the server at this address did not answer as a BOSH connection manager (HTTP {status})"
            )))
        );
    }
    // A body with no session id.
    let mut h = H::new();
    h.send(OPEN_FRAME);
    let create = h.one_request();
    h.respond(create.rid, &format!(r#"<body xmlns="{HTTPBIND}"/>"#));
    assert_eq!(
        h.bosh.poll_closed(),
        Some(Some(
            "the server at this address did not start a BOSH session".into()
        ))
    );
}

#[test]
fn an_unreachable_server_fails_at_once() {
    let mut h = H::new();
    h.send(OPEN_FRAME);
    let create = h.one_request();
    h.fail(create.rid);
    assert_eq!(
        h.bosh.poll_closed(),
        Some(Some(
            "could not reach the BOSH service: connection refused".into()
        ))
    );
    assert!(!h.bosh.is_created());
}

#[test]
fn oversized_answers_end_the_session() {
    let (mut h, poll) = H::open();
    let mut big = body("").into_bytes();
    big.resize(8 * 1024 * 1024 + 1, b' ');
    h.bosh.handle_response(h.now, poll.rid, Ok((200, &big)));
    assert_eq!(
        h.bosh.poll_closed(),
        Some(Some("the server sent an answer larger than 8 MiB".into()))
    );
    let (mut h, poll) = H::open();
    h.bosh
        .handle_response(h.now, poll.rid, Err(Failure::TooLarge));
    assert!(h.bosh.is_closed());
}

#[test]
fn server_terminate_mid_session() {
    // Clean: the core gets a `<close/>`.
    let (mut h, poll) = H::open();
    h.respond(
        poll.rid,
        &terminate(
            None,
            r#"<presence xmlns="jabber:client" from="x@y/z" type="unavailable"/>"#,
        ),
    );
    let frames = h.frames();
    assert_eq!(frames.len(), 2);
    assert!(frames[0].is("presence", CLIENT));
    assert!(frames[1].is("close", FRAMING));
    assert_eq!(h.bosh.poll_closed(), Some(None));
    // A stream error: forwarded for the core to report.
    let (mut h, poll) = H::open();
    h.respond(
        poll.rid,
        &terminate(
            Some("remote-stream-error"),
            r#"<stream:error><conflict xmlns="urn:ietf:params:xml:ns:xmpp-streams"/><text xmlns="urn:ietf:params:xml:ns:xmpp-streams">Replaced by new connection</text></stream:error>"#,
        ),
    );
    assert_eq!(h.bosh.poll_closed(), None, "frames first");
    let frames = h.frames();
    assert_eq!(frames.len(), 1);
    assert!(frames[0].is("error", STREAMS));
    assert!(frames[0].has_child("conflict", "urn:ietf:params:xml:ns:xmpp-streams"));
    assert_eq!(
        h.bosh.poll_closed(),
        Some(Some(
            "the server ended the stream with an error (remote-stream-error)".into()
        ))
    );
    // see-other-uri: a redirect the core understands.
    let (mut h, poll) = H::open();
    h.respond(
        poll.rid,
        &terminate(
            Some("see-other-uri"),
            &format!(r#"<uri xmlns="{HTTPBIND}">https://other.example/bosh</uri>"#),
        ),
    );
    let frames = h.frames();
    assert!(frames[0].is("close", FRAMING));
    assert_eq!(
        frames[0].attr("see-other-uri"),
        Some("https://other.example/bosh")
    );
    assert!(h.bosh.poll_closed().is_some());
}

#[test]
fn sign_out_sends_terminate_with_what_is_left() {
    let (mut h, poll) = H::open();
    h.send(&msg("a@b", "one"));
    let one = h.one_request();
    // Both slots are taken; terminate may still go (one more than `requests`).
    h.send(r#"<presence xmlns="jabber:client" type="unavailable"/>"#);
    h.send(CLOSE_FRAME);
    h.bosh.close(h.now); // Transmit::Close after the frame: no second terminate
    let t = h.one_request();
    assert_eq!(t.rid, one.rid + 1);
    assert!(t.terminate && !one.terminate);
    let b = parse(&t);
    assert_eq!(b.attr("type"), Some("terminate"));
    assert_eq!(b.attr("sid"), Some(SID));
    let c = children(&t);
    assert_eq!(c.len(), 1);
    assert!(c[0].is("presence", CLIENT));
    // Nothing more after it, not even long-polls.
    h.send(&msg("a@b", "too late"));
    assert!(h.requests().is_empty());
    assert!(!h.bosh.is_closed());
    // Its answer has a short deadline.
    assert_eq!(h.bosh.poll_timeout(), Some(h.now.after(5_000)));
    h.respond(poll.rid, &terminate(None, ""));
    assert_eq!(h.bosh.poll_closed(), None, "the frames go first");
    assert!(h.frames()[0].is("close", FRAMING));
    assert_eq!(h.bosh.poll_closed(), Some(None));
    h.respond(t.rid, &terminate(None, ""));
    assert_eq!(h.bosh.poll_closed(), None);
}

#[test]
fn terminate_answered_before_the_held_poll_ends_the_session() {
    let (mut h, _poll) = H::open();
    h.bosh.close(h.now);
    let t = h.one_request();
    h.respond(t.rid, &terminate(None, ""));
    assert!(h.bosh.is_closed(), "no waiting for the held poll");
    h.frames();
    assert_eq!(h.bosh.poll_closed(), Some(None));
}

#[test]
fn terminate_that_goes_unanswered_still_ends() {
    let (mut h, _poll) = H::open();
    h.bosh.close(h.now);
    let t = h.one_request();
    assert_eq!(parse(&t).attr("type"), Some("terminate"));
    h.advance(5_000);
    h.timeout();
    assert_eq!(h.bosh.poll_closed(), Some(None));
}

#[test]
fn closing_before_the_session_exists_ends_at_once() {
    let mut h = H::new();
    h.send(OPEN_FRAME);
    h.one_request();
    h.bosh.close(h.now);
    assert_eq!(h.bosh.poll_closed(), Some(None));
    assert!(h.requests().is_empty());
}

#[test]
fn children_without_a_namespace_are_jabber_client() {
    let (mut h, poll) = H::open();
    h.respond(
        poll.rid,
        &format!(r#"<body xmlns="{HTTPBIND}" sid="{SID}"><message from="a@b/c" type="chat"><body>hi</body></message></body>"#),
    );
    let frames = h.frames();
    assert!(frames[0].is("message", CLIENT));
    assert_eq!(frames[0].get_child("body", CLIENT).unwrap().text(), "hi");
}

// ---- Client and Bosh together ----

/// A `Client` over a `Bosh`, driven as the drivers do it.
struct Pair {
    client: Client,
    bosh: Bosh,
    now: Instant,
    events: Vec<Event>,
}

impl Pair {
    fn new(config: natter_core::Config) -> Self {
        let mut p = Pair {
            client: Client::new(config),
            bosh: Bosh::new(Settings::default(), &[9; 32]),
            now: Instant(5_000),
            events: Vec::new(),
        };
        p.client.handle_connected(p.now);
        p
    }

    /// Frames to the core and its transmits back, until nothing moves; then the requests.
    fn pump(&mut self) -> Vec<Request> {
        loop {
            let mut moved = false;
            while let Some(t) = self.client.poll_transmit() {
                self.bosh.handle_transmit(self.now, t);
                moved = true;
            }
            while let Some(f) = self.bosh.poll_frame() {
                self.client.handle_frame(self.now, f.as_bytes());
                moved = true;
            }
            if !moved {
                break;
            }
        }
        if let Some(reason) = self.bosh.poll_closed() {
            self.client.handle_closed(self.now, reason);
        }
        while let Some(e) = self.client.poll_event() {
            self.events.push(e);
        }
        let mut out = Vec::new();
        while let Some(r) = self.bosh.poll_request(self.now) {
            out.push(r);
        }
        out
    }

    fn respond(&mut self, rid: u64, body: &str) -> Vec<Request> {
        self.bosh
            .handle_response(self.now, rid, Ok((200, body.as_bytes())));
        self.pump()
    }
}

fn only(mut requests: Vec<Request>) -> Request {
    assert_eq!(requests.len(), 1, "{requests:?}");
    requests.remove(0)
}

#[test]
fn full_login_and_a_message_both_ways() {
    let mut config = config();
    config.secure_transport = true;
    let mut p = Pair::new(config);
    let create = only(p.pump());
    assert_eq!(parse(&create).attr("to"), Some("example.org"));
    // Features come with the creation response (as Prosody does).
    let auth = only(p.respond(create.rid, &created(&features(&["PLAIN", "SCRAM-SHA-1"]))));
    let c = children(&auth);
    assert_eq!(
        c.len(),
        1,
        "the auth alone: no long-poll yet, it is in flight"
    );
    assert!(c[0].is("auth", SASL));
    assert_eq!(c[0].attr("mechanism"), Some("SCRAM-SHA-1"));
    // SCRAM against the sasl crate's server.
    let mut server = scram_server("SCRAM-SHA-1", PASSWORD);
    let client_first = unb64(&c[0].text());
    let sasl::server::Response::Proceed(server_first) =
        server.respond(client_first.as_bytes()).unwrap()
    else {
        panic!()
    };
    let response = only(p.respond(
        auth.rid,
        &body(&sasl(
            "challenge",
            std::str::from_utf8(&server_first).unwrap(),
        )),
    ));
    let c = children(&response);
    assert!(c[0].is("response", SASL));
    let client_final = unb64(&c[0].text());
    let sasl::server::Response::Success(_, server_final) =
        server.respond(client_final.as_bytes()).unwrap()
    else {
        panic!("the server rejected the proof")
    };
    let restart = only(p.respond(
        response.rid,
        &body(&sasl(
            "success",
            std::str::from_utf8(&server_final).unwrap(),
        )),
    ));
    assert_eq!(parse(&restart).attr_ns(XBOSH, "restart"), Some("true"));
    assert_eq!(p.client.state(), SessionState::Authenticating);
    // XEP-0206: features in the restart's answer; the core binds.
    let bind = only(p.respond(restart.rid, &body(BIND_FEATURES)));
    let c = children(&bind);
    assert!(c[0].is("iq", CLIENT) && c[0].has_child("bind", BIND));
    let id = c[0].attr("id").unwrap().to_owned();
    let online = only(p.respond(bind.rid, &body(&bind_result(&id, FULL_JID))));
    assert_eq!(p.client.state(), SessionState::Online);
    assert!(p
        .events
        .contains(&Event::StateChanged(SessionState::Online)));
    // Roster get and the server's disco#info (for carbons) in one request; the initial
    // presence waits for the roster, so the server's presence fan-out cannot hold it up.
    let c = children(&online);
    assert_eq!(c.len(), 2, "{}", online.body);
    assert!(c[0].is("iq", CLIENT) && c[0].has_child("query", ROSTER));
    assert!(c[1].is("iq", CLIENT) && c[1].attr("to") == Some("example.org"));
    let roster_id = c[0].attr("id").unwrap().to_owned();
    // The server holds that request; answering it brings the roster, and the next request
    // announces us: initial presence, the account's disco#info (for bookmarks) and the
    // server's disco#items (for HTTP upload).
    let next = only(p.respond(
        online.rid,
        &body(&format!(r#"<iq xmlns="jabber:client" type="result" id="{roster_id}"><query xmlns="jabber:iq:roster"><item jid="romeo@example.net" subscription="both"/></query></iq>"#)),
    ));
    let c = children(&next);
    assert_eq!(c.len(), 3, "{}", next.body);
    assert!(c[0].is("presence", CLIENT));
    let poll = only(p.respond(next.rid, &body("")));
    assert!(children(&poll).is_empty());
    assert!(p
        .events
        .iter()
        .any(|e| matches!(e, Event::RosterReset { items, .. } if items.len() == 1)));

    // Out: a message goes in the next request, next to the held poll.
    p.client.handle_command(
        p.now,
        Command::SendMessage {
            to: "romeo@example.net".parse().unwrap(),
            id: "m1".into(),
            body: "hello over BOSH".into(),
            ext: Default::default(),
        },
    );
    let out = only(p.pump());
    let c = children(&out);
    assert!(c[0].is("message", CLIENT));
    assert_eq!(c[0].attr("id"), Some("m1"));
    assert_eq!(
        c[0].get_child("body", CLIENT).unwrap().text(),
        "hello over BOSH"
    );
    // In: the server answers the held poll with romeo's reply (and then the message request).
    p.events.clear();
    let renewed = p.respond(
        poll.rid,
        &body(r#"<message xmlns="jabber:client" from="romeo@example.net/phone" to="user@example.org/natter" type="chat" id="r1"><body>hi back</body></message>"#),
    );
    assert_eq!(renewed.len(), 0, "the message request is still held");
    let got = p
        .events
        .iter()
        .find_map(|e| match e {
            Event::Message(m) => Some(m.clone()),
            _ => None,
        })
        .expect("a message");
    assert_eq!(got.body, "hi back");
    assert_eq!(got.peer.to_string(), "romeo@example.net");
    let poll = only(p.respond(out.rid, &body("")));
    assert!(children(&poll).is_empty());

    // Sign out: unavailable presence and terminate in one request.
    p.client.handle_command(p.now, Command::Disconnect);
    let t = only(p.pump());
    assert_eq!(parse(&t).attr("type"), Some("terminate"));
    assert!(children(&t)[0].is("presence", CLIENT));
    assert_eq!(p.client.state(), SessionState::Closed);
    p.respond(poll.rid, &terminate(None, ""));
    assert!(p.bosh.is_closed());
    assert!(p
        .events
        .contains(&Event::StateChanged(SessionState::Closed)));
    assert!(!p.events.iter().any(|e| matches!(e, Event::Failed(_))));
}

#[test]
fn stream_error_through_bosh_reaches_the_core() {
    let mut config = config();
    config.secure_transport = true;
    let mut p = Pair::new(config);
    let create = only(p.pump());
    p.respond(create.rid, &created(""));
    p.respond(
        create.rid + 1,
        &terminate(
            Some("remote-stream-error"),
            r#"<stream:error><host-unknown xmlns="urn:ietf:params:xml:ns:xmpp-streams"/></stream:error>"#,
        ),
    );
    assert_eq!(p.client.state(), SessionState::Failed);
    let failed = p.events.iter().find_map(|e| match e {
        Event::Failed(err) => Some(err.clone()),
        _ => None,
    });
    assert_eq!(
        failed,
        Some(Error::StreamError {
            condition: "host-unknown".into(),
            text: None
        })
    );
}

#[test]
fn lost_connection_mid_session_fails_the_core_with_the_reason() {
    let (mut h, _) = (Pair::new(config()), ());
    let create = only(h.pump());
    h.respond(create.rid, &created(""));
    h.bosh
        .handle_response(h.now, create.rid + 1, Ok((404, b"".as_slice())));
    h.pump();
    let failed = h.events.iter().find_map(|e| match e {
        Event::Failed(err) => Some(err.clone()),
        _ => None,
    });
    assert_eq!(
        failed,
        Some(Error::TransportClosed {
            reason: Some("the server no longer knows this session (item-not-found)".into())
        })
    );
}

#[test]
fn transmit_close_alone_terminates() {
    let (mut h, _poll) = H::open();
    h.bosh.handle_transmit(h.now, Transmit::Close);
    assert_eq!(parse(&h.one_request()).attr("type"), Some("terminate"));
}

// ---- fuzz-ish ----

#[test]
fn random_and_mutated_bodies_never_panic() {
    let corpus: Vec<String> = vec![
        created(&features(&["PLAIN"])),
        created(""),
        body(BIND_FEATURES),
        body(&msg("me@example.org", "x")),
        body(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#),
        terminate(None, ""),
        terminate(
            Some("remote-stream-error"),
            "<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
        ),
        terminate(Some("see-other-uri"), "<uri>x</uri>"),
        format!(
            r#"<body xmlns="{HTTPBIND}" sid="s" wait="999999999999" requests="0" hold="-1" polling="x" inactivity="99999999"/>"#
        ),
        format!(r#"<body xmlns="{HTTPBIND}" sid="" from=""><message/>text<iq xmlns=""/></body>"#),
        "<html/>".into(),
        String::new(),
    ];
    let tokens: &[&[u8]] = &[
        b"<",
        b">",
        b"/>",
        b"</body>",
        b"'",
        b"\"",
        b"&",
        b"&#0;",
        b"\xff",
        b"<body xmlns='http://jabber.org/protocol/httpbind'>",
        b" type='terminate'",
        b" sid='z'",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..400 {
        let mut p = Pair::new(config());
        let mut in_flight: Vec<u64> = p.pump().iter().map(|r| r.rid).collect();
        for _ in 0..30 {
            if p.bosh.is_closed() {
                break;
            }
            let mut data = corpus[rng.below(corpus.len())].clone().into_bytes();
            for _ in 0..rng.below(4) {
                let at = rng.below(data.len() + 1);
                match rng.below(3) {
                    0 => {
                        let t = tokens[rng.below(tokens.len())];
                        data.splice(at..at, t.iter().copied());
                    }
                    1 if at < data.len() => {
                        let end = (at + rng.below(20)).min(data.len());
                        data.drain(at..end);
                    }
                    _ if at < data.len() => data[at] = rng.next() as u8,
                    _ => {}
                }
            }
            let rid = if in_flight.is_empty() || rng.below(10) == 0 {
                rng.next() % 1000
            } else {
                in_flight[rng.below(in_flight.len())]
            };
            let status = [200, 200, 200, 200, 404, 500, 0][rng.below(7)];
            let response = if rng.below(12) == 0 {
                Err(Failure::Network("x".into()))
            } else {
                Ok((status, data.as_slice()))
            };
            p.now = p.now.after(rng.below(80_000) as u64);
            p.bosh.handle_response(p.now, rid, response);
            p.bosh.handle_timeout(p.now);
            p.client.handle_timeout(p.now);
            let new = p.pump();
            in_flight.extend(new.iter().map(|r| r.rid));
            for r in &new {
                parse(r);
            }
            if round % 2 == 0 {
                p.client.handle_command(
                    p.now,
                    Command::SendMessage {
                        to: "a@b".parse().unwrap(),
                        id: format!("m{round}"),
                        body: "x".into(),
                        ext: Default::default(),
                    },
                );
            }
        }
        // Whatever happened, it can still be closed, and ends.
        p.client.handle_command(p.now, Command::Disconnect);
        p.pump();
        p.now = p.now.after(100_000);
        p.bosh.handle_timeout(p.now);
        p.pump();
        assert!(
            p.bosh.is_closed() || p.bosh.poll_timeout().is_some(),
            "a session that is not over has something to wait for"
        );
    }
}
