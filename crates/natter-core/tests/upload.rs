//! XEP-0363 HTTP upload and XEP-0066 OOB transcripts: finding the service after sign-in
//! (our server, then its items), the size limit from its form, slot requests and what a slot
//! may contain, and the OOB URL on messages both ways.

mod common;
mod session_support;

use common::archive::{chat, disco_answer, online_with_login, server_disco, OWN};
use common::{child, Harness, Output, CLIENT};
use minidom::Element;
use natter_core::upload::OutOfBand;
use natter_core::{Command, Event, MessageExt};

const UPLOAD: &str = "urn:xmpp:http:upload:0";
const ITEMS: &str = "http://jabber.org/protocol/disco#items";
const INFO: &str = "http://jabber.org/protocol/disco#info";
const OOB: &str = "jabber:x:oob";

fn gets_to<'a>(out: &'a Output, to: &str, ns: &str) -> Option<&'a Element> {
    out.frames.iter().find(|f| {
        f.is("iq", CLIENT)
            && f.attr("type") == Some("get")
            && f.attr("to") == Some(to)
            && f.children().any(|c| c.ns() == ns)
    })
}

fn id(e: &Element) -> String {
    e.attr("id").unwrap().to_owned()
}

fn service_info(id: &str, from: &str, max: &str) -> String {
    format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}" from="{from}"><query xmlns="{INFO}"><identity category="store" type="file"/><feature var="{UPLOAD}"/><x xmlns="jabber:x:data" type="result"><field var="FORM_TYPE" type="hidden"><value>{UPLOAD}</value></field><field var="max-file-size"><value>{max}</value></field></x></query></iq>"#
    )
}

/// Signed in: the sign-in requests include disco#items to our server. Returns the login
/// output and that query's id.
fn online_listing_items_with_login() -> (Harness, Output, String) {
    let (h, login) = online_with_login();
    let items = id(gets_to(&login, "example.org", ITEMS).expect("disco#items to our server"));
    (h, login, items)
}

fn online_listing_items() -> (Harness, String) {
    let (h, _, items) = online_listing_items_with_login();
    (h, items)
}

/// Online with `upload.example.org` found (limit 1000 bytes).
fn online_with_service() -> Harness {
    let (mut h, items) = online_listing_items();
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{items}" from="example.org"><query xmlns="{ITEMS}"><item jid="conference.example.org"/><item jid="upload.example.org"/><item jid="example.org" node="x"/></query></iq>"#
    ));
    let muc = id(gets_to(&out, "conference.example.org", INFO).unwrap());
    let up = id(gets_to(&out, "upload.example.org", INFO).unwrap());
    assert_eq!(
        out.frames.len(),
        2,
        "one disco#info per plain item: {out:?}"
    );
    let out = h.feed(&disco_answer(
        &muc,
        "conference.example.org",
        &["http://jabber.org/protocol/muc"],
    ));
    assert!(out.events.is_empty(), "{out:?}");
    let out = h.feed(&service_info(&up, "upload.example.org", "1000"));
    assert_eq!(
        out.events,
        vec![Event::UploadService {
            jid: "upload.example.org".parse().unwrap(),
            max_size: Some(1000),
        }]
    );
    h
}

fn slot_command(request: &str, size: u64) -> Command {
    Command::RequestUploadSlot {
        request: request.into(),
        filename: "cat photo.png".into(),
        size,
        content_type: Some("image/png".into()),
    }
}

#[test]
fn the_service_is_found_among_the_servers_items_and_gives_slots() {
    let mut h = online_with_service();
    let out = h.command(slot_command("r1", 999));
    let request = gets_to(&out, "upload.example.org", UPLOAD).expect("a slot request");
    let r = child(request, "request", UPLOAD);
    assert_eq!(r.attr("filename"), Some("cat photo.png"));
    assert_eq!(r.attr("size"), Some("999"));
    assert_eq!(r.attr("content-type"), Some("image/png"));
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{}" from="upload.example.org"><slot xmlns="{UPLOAD}"><put url="https://up.example.org/p/cat%20photo.png"><header name="Authorization">Bearer t</header><header name="Host">evil</header></put><get url="https://up.example.org/g/cat%20photo.png"/></slot></iq>"#,
        id(request)
    ));
    assert_eq!(
        out.events,
        vec![Event::UploadSlot {
            request: "r1".into(),
            put_url: "https://up.example.org/p/cat%20photo.png".into(),
            put_headers: vec![("Authorization".into(), "Bearer t".into())],
            get_url: "https://up.example.org/g/cat%20photo.png".into(),
        }]
    );
}

#[test]
fn a_file_above_the_limit_is_refused_without_asking() {
    let mut h = online_with_service();
    let out = h.command(slot_command("big", 1001));
    assert!(out.frames.is_empty(), "{out:?}");
    assert!(matches!(
        out.events.as_slice(),
        [Event::UploadFailed { request, reason }] if request == "big" && reason.contains("accepts up to")
    ));
}

#[test]
fn slots_from_someone_else_or_over_plain_http_are_not_used() {
    let mut h = online_with_service();
    let out = h.command(slot_command("r", 10));
    let request = id(gets_to(&out, "upload.example.org", UPLOAD).unwrap());
    // A forged answer from another address is dropped; the request still waits.
    let forged = format!(
        r#"<iq xmlns="jabber:client" type="result" id="{request}" from="evil.example"><slot xmlns="{UPLOAD}"><put url="https://evil.example/p"/><get url="https://evil.example/g"/></slot></iq>"#
    );
    let out = h.feed(&forged);
    assert!(
        matches!(out.events.as_slice(), [Event::Dropped { .. }]),
        "{out:?}"
    );
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{request}" from="upload.example.org"><slot xmlns="{UPLOAD}"><put url="http://up.example.org/p"/><get url="http://up.example.org/g"/></slot></iq>"#
    ));
    assert!(
        matches!(
            out.events.as_slice(),
            [Event::UploadFailed { request, reason }] if request == "r" && reason.contains("not secure")
        ),
        "{out:?}"
    );
}

#[test]
fn a_refused_slot_says_why() {
    let mut h = online_with_service();
    let out = h.command(slot_command("r", 10));
    let request = id(gets_to(&out, "upload.example.org", UPLOAD).unwrap());
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="error" id="{request}" from="upload.example.org"><error type="wait"><resource-constraint xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">Daily quota reached</text></error></iq>"#
    ));
    assert!(
        matches!(
            out.events.as_slice(),
            [Event::UploadFailed { reason, .. }] if reason.contains("Daily quota reached")
        ),
        "{out:?}"
    );
}

#[test]
fn requests_before_discovery_wait_and_fail_plainly_without_a_service() {
    let (mut h, items) = online_listing_items();
    let out = h.command(slot_command("early", 5));
    assert!(out.frames.is_empty() && out.events.is_empty(), "{out:?}");
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{items}" from="example.org"><query xmlns="{ITEMS}"><item jid="conference.example.org"/></query></iq>"#
    ));
    let muc = id(gets_to(&out, "conference.example.org", INFO).unwrap());
    h.advance(120_000);
    // The item never answers: discovery ends at its timeout and the waiting request fails.
    let out = h.timeout();
    assert!(out.events.iter().any(|e| matches!(
        e,
        Event::UploadFailed { request, reason } if request == "early" && reason.contains("does not offer")
    )), "{muc} {out:?}");
}

#[test]
fn our_server_itself_may_be_the_service() {
    let (mut h, login, items) = online_listing_items_with_login();
    // The carbons check's disco#info to our server says it takes uploads itself.
    let info = id(server_disco(&login).unwrap());
    let out = h.feed(&service_info(&info, "example.org", "5000"));
    let service = Event::UploadService {
        jid: "example.org".parse().unwrap(),
        max_size: Some(5000),
    };
    assert!(out.events.contains(&service), "{out:?}");
    // Its items then change nothing: the service is announced once.
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{items}" from="example.org"><query xmlns="{ITEMS}"><item jid="upload.example.org"/></query></iq>"#
    ));
    assert!(
        !out.events
            .iter()
            .any(|e| matches!(e, Event::UploadService { .. })),
        "{out:?}"
    );
    let out = h.command(slot_command("r", 10));
    assert!(gets_to(&out, "example.org", UPLOAD).is_some(), "{out:?}");
}

#[test]
fn outgoing_files_carry_the_url_as_oob_and_body() {
    let mut h = Harness::online();
    let url = "https://up.example.org/g/a.png";
    let out = h.command(Command::SendMessage {
        to: "friend@example.org".parse().unwrap(),
        id: "m1".into(),
        body: url.into(),
        ext: MessageExt {
            oob: Some(Box::new(OutOfBand {
                url: url.into(),
                desc: None,
            })),
            ..Default::default()
        },
    });
    let message = out.frames.iter().find(|f| f.is("message", CLIENT)).unwrap();
    assert_eq!(child(message, "body", CLIENT).text(), url);
    let x = child(message, "x", OOB);
    assert_eq!(child(x, "url", OOB).text(), url);
}

#[test]
fn incoming_oob_urls_are_read_as_text() {
    let mut h = Harness::online();
    let hostile = r#"javascript:alert("x")<b>"#;
    let oob = format!(
        r#"<x xmlns="{OOB}"><url>{}</url><desc>a &lt;cat&gt;</desc></x>"#,
        hostile
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    );
    let out = h.feed(&chat(
        "friend@example.org/phone",
        OWN,
        "m9",
        "see this",
        &oob,
    ));
    let Some(Event::Message(m)) = out.events.first() else {
        panic!("{out:?}");
    };
    assert_eq!(
        m.ext.oob.as_deref(),
        Some(&OutOfBand {
            url: hostile.into(),
            desc: Some("a <cat>".into())
        })
    );
    assert!(!natter_core::file_url::fetchable(
        &m.ext.oob.as_ref().unwrap().url
    ));
}

#[test]
fn a_resumed_session_looks_for_the_service_at_the_first_request() {
    use session_support::{
        a, authenticate, bind_features, login_with, lose_connection, stanzas_after_enable,
        SM_FEATURE,
    };
    let (mut h, out) = login_with(common::config(), SM_FEATURE);
    h.feed(r#"<enabled xmlns="urn:xmpp:sm:3" id="sm-1" resume="true"/>"#);
    h.feed(&a(stanzas_after_enable(&out) as u32));
    let lost = lose_connection(&mut h).expect("a resumption");
    let acked = lost.stream.as_ref().unwrap().acked;
    let mut config = common::config();
    config.resumption = Some(lost);
    let (mut h, _) = authenticate(config, &bind_features(SM_FEATURE));
    let out = h.feed(&format!(
        r#"<resumed xmlns="urn:xmpp:sm:3" previd="sm-1" h="{acked}"/>"#
    ));
    assert!(
        gets_to(&out, "example.org", ITEMS).is_none(),
        "nothing asked on resumption: {out:?}"
    );
    let out = h.command(slot_command("r", 10));
    let info = id(gets_to(&out, "example.org", INFO).expect("our server asked first"));
    let out = h.feed(&disco_answer(&info, "example.org", &[INFO]));
    let items = id(gets_to(&out, "example.org", ITEMS).expect("then its items"));
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{items}" from="example.org"><query xmlns="{ITEMS}"><item jid="upload.example.org"/></query></iq>"#
    ));
    let up = id(gets_to(&out, "upload.example.org", INFO).unwrap());
    let out = h.feed(&service_info(&up, "upload.example.org", "1000"));
    assert!(
        out.events
            .iter()
            .any(|e| matches!(e, Event::UploadService { .. })),
        "{out:?}"
    );
    // The request that waited goes out now.
    let request = gets_to(&out, "upload.example.org", UPLOAD).expect("the waiting slot request");
    assert_eq!(child(request, "request", UPLOAD).attr("size"), Some("10"));
}
