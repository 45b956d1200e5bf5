//! XEP-0198 stream management transcripts: enabling, counting and acks both ways, resuming a
//! lost session, and sending again what a session that cannot be resumed left unconfirmed.

mod common;
mod session_support;

use common::*;
use natter_core::{Command, Error, Event, Resumption, SessionState};
use session_support::*;

// ---- enabling ----

#[test]
fn enables_with_resume_after_bind_when_offered() {
    let (mut h, out) = login_with(config(), SM_FEATURE);
    let enable = &out.frames[0];
    assert!(enable.is("enable", SM), "{out:?}");
    assert_eq!(enable.attr("resume"), Some("true"));
    // Stanzas after <enable/> count, but no <r/> before <enabled/>: a server that then says
    // <failed/> would take an <r/> for a protocol error.
    assert!(frames_named(&out, "r", SM).is_empty());
    let out = h.feed(r#"<enabled xmlns="urn:xmpp:sm:3" id="sm-1" resume="true"/>"#);
    assert_eq!(frames_named(&out, "r", SM).len(), 1, "{out:?}");
}

#[test]
fn no_enable_without_the_feature() {
    let (mut h, out) = login_announced(config(), "");
    assert!(frames_named(&out, "enable", SM).is_empty(), "{out:?}");
    // An <r/> the server should not send is not answered (we never counted).
    let out = h.feed(r#"<r xmlns="urn:xmpp:sm:3"/>"#);
    assert!(out.frames.is_empty(), "{out:?}");
    let out = send_message(&mut h, "m1", "hi");
    assert_eq!(out.frames.len(), 1, "a message and no <r/>: {out:?}");
}

#[test]
fn enable_failed_carries_on_without_sm() {
    let (mut h, out) = login_announced(config(), SM_FEATURE);
    assert!(out.frames[0].is("enable", SM));
    let out = h.feed(r#"<failed xmlns="urn:xmpp:sm:3"><unexpected-request xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></failed>"#);
    assert!(out.frames.is_empty() && out.failed().is_none(), "{out:?}");
    assert_eq!(h.client.state(), SessionState::Online);
    let out = send_message(&mut h, "m1", "hi");
    assert_eq!(out.frames.len(), 1, "no <r/>: {out:?}");
    let out = h.feed(r#"<a xmlns="urn:xmpp:sm:3" h="1"/>"#);
    assert!(out.events.is_empty(), "acks mean nothing now: {out:?}");
    // A lost connection hands on nothing to resume, and no unconfirmed messages either:
    // without stream management nothing tells which ones the server got.
    assert_eq!(lose_connection(&mut h), None);
}

// ---- counting and acks ----

#[test]
fn answers_r_with_the_count_of_stanzas_received() {
    let (mut h, _) = sm_online();
    let out = h.feed(r#"<r xmlns="urn:xmpp:sm:3"/>"#);
    // The roster result counts; <enabled/> and <a/> are nonzas and do not.
    assert_eq!(out.only_frame().attr("h"), Some("1"));
    for frame in [
        r#"<message xmlns="jabber:client" type="chat" from="romeo@example.net/o" id="x1"><body>one</body></message>"#,
        // Unusable stanzas count too: they were received and handled (by ignoring them).
        r#"<presence xmlns="jabber:client" type="bogus"/>"#,
        r#"<iq xmlns="jabber:client" type="result" id="unknown"/>"#,
        // Not a stanza.
        r#"<other xmlns="urn:example"/>"#,
    ] {
        h.feed(frame);
    }
    let out = h.feed(r#"<r xmlns="urn:xmpp:sm:3"/>"#);
    let a = out.only_frame();
    assert!(a.is("a", SM));
    assert_eq!(a.attr("h"), Some("4"));
}

#[test]
fn acks_report_messages_and_requests_are_batched() {
    let (mut h, base) = sm_online();
    let out = send_message(&mut h, "m1", "one");
    assert_eq!(out.frames.len(), 2, "{out:?}");
    assert!(out.frames[1].is("r", SM));
    // One request outstanding at a time.
    let out = send_message(&mut h, "m2", "two");
    assert_eq!(message_ids(&out), ["m2"]);
    assert!(frames_named(&out, "r", SM).is_empty(), "{out:?}");
    let out = h.command(Command::SetPresence {
        show: None,
        status: Some("away".into()),
    });
    assert!(frames_named(&out, "r", SM).is_empty(), "{out:?}");

    // The server has seen what came before (acked already) and m1.
    let out = h.feed(&a(base + 1));
    assert_eq!(acked_ids(&out), ["m1"]);
    assert_eq!(
        out.events,
        vec![Event::MessageAcked {
            id: "m1".into(),
            peer: "juliet@example.com".parse().unwrap()
        }]
    );
    // m2 and the presence still wait: ask again.
    assert_eq!(frames_named(&out, "r", SM).len(), 1, "{out:?}");
    // A repeated ack is harmless and confirms nothing new.
    let out = h.feed(&a(base + 1));
    assert!(out.events.is_empty(), "{out:?}");
    let out = h.feed(&a(base + 3));
    assert_eq!(acked_ids(&out), ["m2"], "the presence is no message");
    assert!(out.frames.is_empty(), "nothing left to confirm: {out:?}");
}

#[test]
fn too_high_h_is_a_protocol_error() {
    let (mut h, base) = sm_online();
    send_message(&mut h, "m1", "one");
    let out = h.feed(&a(base + 7));
    let Some(Error::Protocol(what)) = out.failed() else {
        panic!("{out:?}")
    };
    let (too_many, sent) = ((base + 7).to_string(), (base + 1).to_string());
    assert!(what.contains(&too_many) && what.contains(&sent), "{what}");
    let error = &out.frames[0];
    assert!(error.is("error", STREAMS), "{out:?}");
    assert!(error.has_child("undefined-condition", "urn:ietf:params:xml:ns:xmpp-streams"));
    let too_high = child(error, "handled-count-too-high", SM);
    assert_eq!(too_high.attr("h"), Some(too_many.as_str()));
    assert_eq!(too_high.attr("send-count"), Some(sent.as_str()));
    assert!(out.closed_cleanly());
    assert_eq!(h.client.state(), SessionState::Failed);
    // A broken stream is not resumed; its unconfirmed message is sent again instead.
    let resumption = h.client.take_resumption().expect("a resumption");
    assert_eq!(resumption.stream, None);
    assert_eq!(
        resumption.pending_messages(),
        vec![("m1".to_owned(), "juliet@example.com".parse().unwrap())]
    );
}

#[test]
fn unreadable_h_is_a_protocol_error() {
    for h_attr in [r#" h="-1""#, r#" h="lots""#, "", r#" h="4294967296""#] {
        let (mut h, _) = sm_online();
        let out = h.feed(&format!(r#"<a xmlns="urn:xmpp:sm:3"{h_attr}/>"#));
        assert!(
            matches!(out.failed(), Some(Error::Protocol(_))),
            "{h_attr}: {out:?}"
        );
        assert!(out.closed_cleanly());
    }
}

#[test]
fn a_server_that_never_acks_cannot_grow_memory() {
    let (mut h, _) = sm_online();
    let mut failed = None;
    for n in 0..6_000 {
        let out = send_message(&mut h, &format!("m{n}"), "x");
        if let Some(err) = out.failed() {
            failed = Some((n, err.clone()));
            break;
        }
    }
    let (n, err) = failed.expect("the session gives up");
    assert!(n <= 5_001, "{n}");
    assert!(matches!(err, Error::Protocol(_)), "{err:?}");
}

// ---- what a lost session hands on ----

#[test]
fn lost_connection_hands_on_the_stream_and_unacked_stanzas() {
    let (mut h, base) = sm_online();
    h.feed(r#"<message xmlns="jabber:client" type="chat" from="romeo@example.net/o" id="x1"><body>one</body></message>"#);
    send_message(&mut h, "m1", "one");
    h.command(Command::SetPresence {
        show: None,
        status: Some("busy".into()),
    });
    let r = lose_connection(&mut h).expect("a resumption");
    let stream = r.stream.as_ref().expect("a stream to resume");
    assert_eq!(stream.id, "sm-1");
    assert_eq!(r.location(), Some("[2001:db8::1]:5222"));
    assert_eq!(stream.jid.to_string(), FULL_JID);
    assert_eq!(stream.inbound, 2, "roster result and the message");
    assert_eq!(stream.acked, base);
    assert_eq!(r.unacked.len(), 2, "the message and the presence");
    assert!(r.unacked[0].frame.contains("m1"));
    assert!(r.unacked[1].message.is_none());
    assert_eq!(
        r.pending_messages(),
        vec![("m1".to_owned(), "juliet@example.com".parse().unwrap())]
    );
    assert!(r.queued.is_empty());
    // Once only.
    assert_eq!(h.client.take_resumption(), None);
}

#[test]
fn nothing_is_handed_on_after_sign_out_or_conflict() {
    let (mut h, _) = sm_online();
    send_message(&mut h, "m1", "one");
    h.command(Command::Disconnect);
    assert_eq!(h.client.take_resumption(), None);

    let (mut h, _) = sm_online();
    send_message(&mut h, "m1", "one");
    let out = h.feed(r#"<stream:error xmlns:stream="http://etherx.jabber.org/streams"><conflict xmlns="urn:ietf:params:xml:ns:xmpp-streams"/></stream:error>"#);
    assert!(out.failed().is_some());
    assert_eq!(h.client.take_resumption(), None);
}

#[test]
fn a_server_that_ends_the_stream_leaves_only_messages_to_resend() {
    let (mut h, _) = sm_online();
    send_message(&mut h, "m1", "one");
    h.feed(r#"<stream:error xmlns:stream="http://etherx.jabber.org/streams"><system-shutdown xmlns="urn:ietf:params:xml:ns:xmpp-streams"/></stream:error>"#);
    let r = h.client.take_resumption().expect("a resumption");
    assert_eq!(r.stream, None, "the server closed the session");
    assert_eq!(r.unacked.len(), 1);
}

#[test]
fn messages_queued_before_online_go_to_the_resumption() {
    let mut h = Harness::new(config());
    h.connect();
    let out = send_message(&mut h, "q1", "hi");
    assert!(out.events.is_empty());
    h.feed(SERVER_OPEN);
    h.client.handle_closed(h.now, None);
    let out = h.drain();
    assert!(
        !out.events
            .iter()
            .any(|e| matches!(e, Event::MessageFailed { .. })),
        "{out:?}"
    );
    let r = h.client.take_resumption().expect("a resumption");
    assert_eq!(r.stream, None);
    assert_eq!(r.queued.len(), 1);
    assert_eq!(r.queued[0].id, "q1");
    assert_eq!(r.queued[0].body, "hi");
}

// ---- resuming ----

/// The resumption `sm_online` + `m1` + a presence + `m2` leave after a lost connection, and
/// how many stanzas were acknowledged before `m1`.
fn lost_session() -> (Resumption, u32) {
    let (mut h, base) = sm_online();
    h.feed(r#"<message xmlns="jabber:client" type="chat" from="romeo@example.net/o" id="x1"><body>one</body></message>"#);
    send_message(&mut h, "m1", "one");
    h.command(Command::SetPresence {
        show: None,
        status: Some("busy".into()),
    });
    send_message(&mut h, "m2", "two");
    (lose_connection(&mut h).expect("a resumption"), base)
}

fn resumed(h: u32) -> String {
    format!(r#"<resumed xmlns="urn:xmpp:sm:3" previd="sm-1" h="{h}"/>"#)
}

fn with_resumption(r: Resumption) -> natter_core::Config {
    let mut c = config();
    c.resumption = Some(r);
    c
}

#[test]
fn resumes_and_retransmits_what_the_server_did_not_get() {
    let (r, base) = lost_session();
    let (mut h, out) = authenticate(with_resumption(r.clone()), &bind_features(SM_FEATURE));
    let resume = out.only_frame();
    assert!(resume.is("resume", SM), "{out:?}");
    assert_eq!(resume.attr("previd"), Some("sm-1"));
    assert_eq!(resume.attr("h"), Some("2"));

    // The server got m1 but not the presence or m2.
    let out = h.feed(&resumed(base + 1));
    assert_eq!(acked_ids(&out), ["m1"]);
    let jid = FULL_JID.parse().unwrap();
    assert!(out.events.contains(&Event::Online { jid, resumed: true }));
    assert_eq!(h.client.state(), SessionState::Online);
    // Exactly the unconfirmed stanzas, as they were, then one request; no roster get, no
    // initial presence, no bind.
    let texts: Vec<String> = out.frames.iter().map(String::from).collect();
    assert_eq!(out.frames.len(), 3, "{texts:?}");
    let expected: Vec<minidom::Element> = r.unacked[1..]
        .iter()
        .map(|s| s.frame.parse().unwrap())
        .collect();
    assert_eq!(out.frames[..2], expected[..]);
    assert!(out.frames[2].is("r", SM));
    assert_eq!(message_ids(&out), ["m2"]);

    // Counting goes on where it stopped, both ways.
    h.feed(r#"<message xmlns="jabber:client" type="chat" from="romeo@example.net/o" id="x2"><body>two</body></message>"#);
    let out = h.feed(r#"<r xmlns="urn:xmpp:sm:3"/>"#);
    assert_eq!(out.only_frame().attr("h"), Some("3"));
    let out = h.feed(&a(base + 3));
    assert_eq!(acked_ids(&out), ["m2"]);
}

#[test]
fn resumed_session_sends_messages_queued_meanwhile() {
    let (r, base) = lost_session();
    let mut c = with_resumption(r);
    c.secure_transport = true;
    let mut h = Harness::new(c);
    send_message(&mut h, "q1", "written while offline");
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["PLAIN"]));
    h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    h.feed(SERVER_OPEN);
    h.feed(&bind_features(SM_FEATURE));
    let out = h.feed(&resumed(base + 3));
    assert_eq!(acked_ids(&out), ["m1", "m2"]);
    assert_eq!(message_ids(&out), ["q1"]);
    assert!(out
        .events
        .iter()
        .any(|e| matches!(e, Event::MessageSent(m) if m.id == "q1")));
}

#[test]
fn resumed_counts_wrap_at_two_to_the_32() {
    let (mut r, _) = lost_session();
    {
        let stream = r.stream.as_mut().unwrap();
        stream.inbound = u32::MAX;
        stream.acked = u32::MAX - 1;
    }
    // Three unacked stanzas: u32::MAX, 0 and 1 in the wrapped count.
    assert_eq!(r.unacked.len(), 3);
    let (mut h, out) = authenticate(with_resumption(r), &bind_features(SM_FEATURE));
    assert_eq!(out.only_frame().attr("h"), Some("4294967295"));
    let out = h.feed(r#"<resumed xmlns="urn:xmpp:sm:3" previd="sm-1" h="0"/>"#);
    assert_eq!(acked_ids(&out), ["m1"]);
    assert_eq!(message_ids(&out), ["m2"]);
    h.feed(r#"<presence xmlns="jabber:client" from="romeo@example.net/o"/>"#);
    let out = h.feed(r#"<r xmlns="urn:xmpp:sm:3"/>"#);
    assert_eq!(out.only_frame().attr("h"), Some("0"));
    let out = h.feed(r#"<a xmlns="urn:xmpp:sm:3" h="1"/>"#);
    assert_eq!(acked_ids(&out), ["m2"]);
    let out = h.feed(r#"<a xmlns="urn:xmpp:sm:3" h="2"/>"#);
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
}

#[test]
fn resumed_with_too_high_h_is_a_protocol_error() {
    let (r, base) = lost_session();
    let (mut h, _) = authenticate(with_resumption(r), &bind_features(SM_FEATURE));
    let out = h.feed(&resumed(base + 4));
    assert!(matches!(out.failed(), Some(Error::Protocol(_))), "{out:?}");
    assert!(!out.events.iter().any(|e| matches!(e, Event::Online { .. })));
}

/// After `<failed/>` to `<resume/>`: bind, then the messages follow a new session's start.
fn resume_fails(failed: &str) -> (Harness, Output) {
    let (r, _) = lost_session();
    let (mut h, _) = authenticate(with_resumption(r), &bind_features(SM_FEATURE));
    let out = h.feed(failed);
    let bind = out.only_frame();
    assert!(bind.has_child("bind", BIND), "a fresh bind: {out:?}");
    let id = bind.attr("id").unwrap().to_owned();
    let mut out = h.feed(&bind_result(&id, "user@example.org/fresh"));
    h.answer_roster(&mut out);
    (h, out)
}

#[test]
fn failed_resume_binds_afresh_and_resends_unconfirmed_messages_once() {
    let (mut h, out) = resume_fails(
        r#"<failed xmlns="urn:xmpp:sm:3"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></failed>"#,
    );
    assert!(out.events.contains(&Event::Online {
        jid: "user@example.org/fresh".parse().unwrap(),
        resumed: false
    }));
    assert!(out.frames[0].is("enable", SM), "{out:?}");
    roster_get_id(&out);
    assert_eq!(frames_named(&out, "presence", CLIENT).len(), 1, "{out:?}");
    assert_eq!(message_ids(&out), ["m1", "m2"], "original ids, in order");
    let m1 = frames_named(&out, "message", CLIENT)[0];
    assert_eq!(child(m1, "body", CLIENT).text(), "one");
    assert_eq!(
        child(m1, "origin-id", "urn:xmpp:sid:0").attr("id"),
        Some("m1")
    );
    // Not reported sent again: the store has them already.
    assert!(!out
        .events
        .iter()
        .any(|e| matches!(e, Event::MessageSent(_))));
    // The new session counts them and reports them acked.
    let sent = stanzas_after_enable(&out);
    h.feed(r#"<enabled xmlns="urn:xmpp:sm:3" id="sm-2" resume="true"/>"#);
    let out = h.feed(&format!(r#"<a xmlns="urn:xmpp:sm:3" h="{sent}"/>"#));
    assert_eq!(acked_ids(&out), ["m1", "m2"]);
    // And never again.
    let r = lose_connection(&mut h).expect("a resumption");
    assert!(r.pending_messages().is_empty(), "{r:?}");
}

#[test]
fn failed_resume_with_h_resends_only_what_the_server_missed() {
    // Prosody says how far the expired session got: up to m1.
    let (_, base) = lost_session();
    let (_, out) = resume_fails(&format!(
        r#"<failed xmlns="urn:xmpp:sm:3" h="{}"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></failed>"#,
        base + 1
    ));
    assert_eq!(message_ids(&out), ["m2"]);
}

#[test]
fn failed_resume_with_nonsense_h_resends_everything() {
    let (_, out) = resume_fails(
        r#"<failed xmlns="urn:xmpp:sm:3" h="999"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">Previous session not found</text></failed>"#,
    );
    assert_eq!(message_ids(&out), ["m1", "m2"]);
}

#[test]
fn without_sm_on_the_new_server_resends_after_a_fresh_bind() {
    let (r, _) = lost_session();
    let (mut h, out) = authenticate(with_resumption(r), &bind_features(""));
    let id = out.only_frame().attr("id").unwrap().to_owned();
    let mut out = h.feed(&bind_result(&id, FULL_JID));
    h.answer_roster(&mut out);
    assert!(frames_named(&out, "enable", SM).is_empty());
    assert_eq!(message_ids(&out), ["m1", "m2"]);
}

#[test]
fn a_resumption_survives_a_session_that_never_got_to_use_it() {
    let (r, _) = lost_session();
    // Lost again during sign-in, before <resume/> could be sent.
    let mut h = Harness::new(with_resumption(r.clone()));
    h.connect();
    h.feed(SERVER_OPEN);
    assert_eq!(lose_connection(&mut h), Some(r.clone()));

    // Lost while waiting for <resumed/>: the old session may still be there.
    let (mut h, _) = authenticate(with_resumption(r.clone()), &bind_features(SM_FEATURE));
    assert_eq!(lose_connection(&mut h), Some(r.clone()));

    // Lost after <failed/>, before the fresh session was online: the messages still wait.
    let (mut h, _) = authenticate(with_resumption(r), &bind_features(SM_FEATURE));
    h.feed(r#"<failed xmlns="urn:xmpp:sm:3"/>"#);
    let r = lose_connection(&mut h).expect("a resumption");
    assert_eq!(r.stream, None);
    let ids: Vec<_> = r.pending_messages().into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["m1", "m2"]);
}

#[test]
fn an_unanswered_resume_is_given_up_and_not_tried_again() {
    // Prosody 0.12 over BOSH crashes on <resume/> and never answers it.
    let (r, _) = lost_session();
    let (mut h, _) = authenticate(with_resumption(r), &bind_features(SM_FEATURE));
    h.advance(2_999);
    assert!(
        h.timeout().failed().is_none(),
        "still waiting for <resumed/>"
    );
    h.advance(1);
    let out = h.timeout();
    assert_eq!(out.failed(), Some(&natter_core::Error::Timeout), "{out:?}");
    let r = h.client.take_resumption().expect("the messages still wait");
    assert_eq!(r.stream, None, "the next session binds afresh");
    let ids: Vec<_> = r.pending_messages().into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["m1", "m2"]);

    // The next session does exactly that: no <resume/>, a bind, the messages once.
    let (mut h, out) = authenticate(with_resumption(r), &bind_features(SM_FEATURE));
    let bind = out.only_frame();
    assert!(bind.has_child("bind", BIND), "{out:?}");
    let id = bind.attr("id").unwrap().to_owned();
    let mut out = h.feed(&bind_result(&id, FULL_JID));
    h.answer_roster(&mut out);
    assert_eq!(message_ids(&out), ["m1", "m2"]);
}

#[test]
fn a_refused_sign_in_reports_carried_messages_failed() {
    let mut c = with_resumption(lost_session().0);
    c.secure_transport = true;
    let mut h = Harness::new(c);
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["PLAIN"]));
    let out =
        h.feed(r#"<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><not-authorized/></failure>"#);
    let failed: Vec<_> = out
        .events
        .iter()
        .filter_map(|e| match e {
            Event::MessageFailed { id, .. } => Some(id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(failed, ["m1", "m2"]);
    assert_eq!(h.client.take_resumption(), None);
}

#[test]
fn ejabberd_shapes() {
    // ejabberd 23.01 (mod_stream_mgmt): an opaque base64 id, no location; stanzas it resends
    // after <resumed/> carry a <delay/>; <failed/> to a resume has h and a <text/>.
    let (mut h, out) = login_with(config(), SM_FEATURE);
    h.feed(r#"<enabled xmlns="urn:xmpp:sm:3" id="g2gCbQAAABgxNTk3/zAxOTk1+zE3NzUx=" resume="true" max="300"/>"#);
    let sent = stanzas_after_enable(&out) as u32;
    h.feed(&a(sent));
    let r = lose_connection(&mut h).expect("a resumption");
    assert_eq!(r.location(), None);
    let stream = r.stream.clone().expect("resumable");
    assert_eq!(stream.id, "g2gCbQAAABgxNTk3/zAxOTk1+zE3NzUx=");

    let (mut h, out) = authenticate(with_resumption(r.clone()), &bind_features(SM_FEATURE));
    assert_eq!(
        out.only_frame().attr("previd"),
        Some("g2gCbQAAABgxNTk3/zAxOTk1+zE3NzUx=")
    );
    let out = h.feed(&format!(
        r#"<resumed xmlns="urn:xmpp:sm:3" previd="{}" h="{sent}"/>"#,
        stream.id
    ));
    assert!(out
        .events
        .iter()
        .any(|e| matches!(e, Event::Online { resumed: true, .. })));
    let out = h.feed(r#"<message xmlns="jabber:client" type="chat" from="romeo@example.net/o" id="x1"><body>while away</body><delay xmlns="urn:xmpp:delay" from="example.org" stamp="2026-11-26T08:42:08.251080Z"/></message>"#);
    assert!(
        matches!(out.events.as_slice(), [Event::Message(m)] if m.delayed.is_some()),
        "{out:?}"
    );
    let out = h.feed(r#"<r xmlns="urn:xmpp:sm:3"/>"#);
    assert_eq!(out.only_frame().attr("h"), Some("1"));

    let (mut h, _) = authenticate(with_resumption(r), &bind_features(SM_FEATURE));
    let out = h.feed(&format!(r#"<failed xmlns="urn:xmpp:sm:3" h="{sent}"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xml:lang="en" xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">Previous session not found</text></failed>"#));
    assert!(out.only_frame().has_child("bind", BIND), "{out:?}");
}

#[test]
fn a_resumption_of_another_account_is_ignored() {
    let (r, _) = lost_session();
    let mut c = with_resumption(r);
    c.jid = "other@example.org".parse().unwrap();
    let (mut h, out) = authenticate(c, &bind_features(SM_FEATURE));
    assert!(
        out.only_frame().has_child("bind", BIND),
        "no <resume/>: {out:?}"
    );
    let id = out.only_frame().attr("id").unwrap().to_owned();
    let out = h.feed(&bind_result(&id, "other@example.org/r"));
    assert!(
        message_ids(&out).is_empty(),
        "nothing of user@ is sent: {out:?}"
    );
}
