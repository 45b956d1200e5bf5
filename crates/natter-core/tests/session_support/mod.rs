//! Sign-in transcripts with the post-SASL stream features a test chooses (XEP-0198 stream
//! management, XEP-0352 CSI, RFC 6121 roster versioning), shared by the sm, keepalive/CSI and
//! roster versioning tests.

#![allow(dead_code)]

use minidom::Element;
use natter_core::{Config, Event, Resumption, SessionState};

use crate::common::*;

pub const SM: &str = "urn:xmpp:sm:3";
pub const CSI: &str = "urn:xmpp:csi:0";
pub const PING: &str = "urn:xmpp:ping";

pub const SM_FEATURE: &str = r#"<sm xmlns="urn:xmpp:sm:3"><optional/></sm>"#;
pub const CSI_FEATURE: &str = r#"<csi xmlns="urn:xmpp:csi:0"/>"#;
pub const ROSTER_VER_FEATURE: &str = r#"<ver xmlns="urn:xmpp:features:rosterver"/>"#;

/// `<stream:features/>` after SASL: bind plus `extra`.
pub fn bind_features(extra: &str) -> String {
    format!(
        r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/>{extra}</stream:features>"#
    )
}

/// Up to the features after SASL (PLAIN over a secure transport); returns what the client
/// answered to `features_after_sasl` (a bind, or a `<resume/>`).
pub fn authenticate(config: Config, features_after_sasl: &str) -> (Harness, Output) {
    let mut config = config;
    config.secure_transport = true;
    let mut h = Harness::new(config);
    h.connect();
    h.feed(SERVER_OPEN);
    h.feed(&features(&["PLAIN"]));
    h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    h.feed(SERVER_OPEN);
    let out = h.feed(features_after_sasl);
    (h, out)
}

/// [`login_with`], then the roster's (empty) answer: the session has announced itself, and
/// the output holds both.
pub fn login_announced(config: Config, extra: &str) -> (Harness, Output) {
    let (mut h, mut out) = login_with(config, extra);
    h.answer_roster(&mut out);
    (h, out)
}

/// Signed in and bound with these extra features; returns the output of the bind result.
pub fn login_with(config: Config, extra: &str) -> (Harness, Output) {
    let (mut h, bind) = authenticate(config, &bind_features(extra));
    let id = bind.only_frame().attr("id").unwrap().to_owned();
    let out = h.feed(&bind_result(&id, FULL_JID));
    assert!(out.has_state(SessionState::Online), "{out:?}");
    (h, out)
}

/// Online with stream management enabled (`<enabled id='sm-1' resume='true'/>`), the roster
/// loaded and everything sent so far acknowledged. Returns how many stanzas that was (the
/// roster get, the initial presence, whatever else a fresh session asks the server).
pub fn sm_online() -> (Harness, u32) {
    let (mut h, mut out) = login_with(config(), SM_FEATURE);
    h.feed(r#"<enabled xmlns="urn:xmpp:sm:3" id="sm-1" resume="true" max="300" location="[2001:db8::1]:5222"/>"#);
    h.answer_roster(&mut out);
    let sent = stanzas_after_enable(&out) as u32;
    let out = h.feed(&a(sent));
    assert!(out.frames.is_empty() && out.failed().is_none(), "{out:?}");
    (h, sent)
}

/// `<a h/>`.
pub fn a(h: u32) -> String {
    format!(r#"<a xmlns="urn:xmpp:sm:3" h="{h}"/>"#)
}

/// How many stanzas the bind result's output sent after `<enable/>` (roster get, presence, …).
pub fn stanzas_after_enable(out: &Output) -> usize {
    let enable = out
        .frames
        .iter()
        .position(|f| f.is("enable", SM))
        .expect("an <enable/>");
    out.frames[enable..].iter().filter(|f| is_stanza(f)).count()
}

pub fn is_stanza(f: &Element) -> bool {
    f.ns() == CLIENT && matches!(f.name(), "message" | "presence" | "iq")
}

/// Ends the session as a lost connection would, and takes what it hands on.
pub fn lose_connection(h: &mut Harness) -> Option<Resumption> {
    h.client
        .handle_closed(h.now, Some("connection reset".into()));
    let out = h.drain();
    assert!(out.failed().is_some(), "{out:?}");
    h.client.take_resumption()
}

pub fn frames_named<'a>(out: &'a Output, name: &str, ns: &str) -> Vec<&'a Element> {
    out.frames.iter().filter(|f| f.is(name, ns)).collect()
}

pub fn acked_ids(out: &Output) -> Vec<String> {
    out.events
        .iter()
        .filter_map(|e| match e {
            Event::MessageAcked { id, .. } => Some(id.clone()),
            _ => None,
        })
        .collect()
}

pub fn message_ids(out: &Output) -> Vec<String> {
    frames_named(out, "message", CLIENT)
        .iter()
        .map(|m| m.attr("id").unwrap_or_default().to_owned())
        .collect()
}

pub fn send_message(h: &mut Harness, id: &str, body: &str) -> Output {
    h.command(natter_core::Command::SendMessage {
        to: "juliet@example.com".parse().unwrap(),
        id: id.into(),
        body: body.into(),
        ext: Default::default(),
    })
}
