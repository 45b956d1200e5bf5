//! XEP-0175 anonymous sign-in (SASL ANONYMOUS, RFC 4505) as Prosody's and ejabberd's anonymous
//! hosts speak it, over RFC 6120 SASL and XEP-0388 SASL2; the made-up account the server binds
//! being our own address from then on; and the XEP-0172 nick an anonymous visitor sends.

mod common;

use common::*;
use natter_core::jid::{BareJid, Jid};
use natter_core::{Command, Config, Error, Event, MessageExt, SessionState};

const SASL2: &str = "urn:xmpp:sasl:2";
const BIND2: &str = "urn:xmpp:bind:0";
const FAST: &str = "urn:xmpp:fast:0";
const NICK: &str = "http://jabber.org/protocol/nick";
/// What Prosody makes up for an anonymous visitor (a UUID localpart) and binds.
const VISITOR: &str = "4f1e0c2a-9b7d-4c55-8e21-0d6a2b3c4d5e@anon.example.org/natter";
const VISITOR_BARE: &str = "4f1e0c2a-9b7d-4c55-8e21-0d6a2b3c4d5e@anon.example.org";

fn anonymous_config() -> Config {
    let mut config = Config::new("anon.example.org".parse::<BareJid>().unwrap(), "", [9; 32]);
    config.nick = Some("Ann".into());
    config
}

/// Up to the `<auth/>` the client sends for `offered`; `None` if it sent none.
fn auth_for(h: &mut Harness, offered: &[&str]) -> (Option<minidom::Element>, Output) {
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.feed(&features(offered));
    let auth = out.frames.iter().find(|f| f.is("auth", SASL)).cloned();
    (auth, out)
}

/// Signs in anonymously over RFC 6120 SASL; returns the output of the bind result.
fn anonymous_online(h: &mut Harness) -> Output {
    let (auth, _) = auth_for(h, &["SCRAM-SHA-256", "PLAIN", "ANONYMOUS"]);
    let auth = auth.expect("an <auth/>");
    assert_eq!(auth.attr("mechanism"), Some("ANONYMOUS"));
    // No trace data: nothing about the visitor goes to the server.
    assert_eq!(auth.text(), "");
    let out = h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    let open = out.only_frame();
    assert!(open.is("open", FRAMING));
    assert_eq!(open.attr("to"), Some("anon.example.org"));
    h.feed(SERVER_OPEN);
    let bind = h.feed(BIND_FEATURES);
    let id = bind.only_frame().attr("id").unwrap().to_owned();
    h.feed(&bind_result(&id, VISITOR))
}

#[test]
fn a_domain_only_address_signs_in_anonymously_and_is_the_bound_account() {
    let mut h = Harness::new(anonymous_config());
    let out = anonymous_online(&mut h);
    assert!(
        out.events.contains(&Event::Online {
            jid: VISITOR.parse().unwrap(),
            resumed: false
        }),
        "{out:?}"
    );
    // Nothing to remember: a throwaway account has no secret.
    assert!(!out.events.iter().any(|e| matches!(e, Event::Credential(_))));
    // The initial presence carries the nick, for those the visitor writes to.
    let presence = out
        .frames
        .iter()
        .find(|f| f.is("presence", CLIENT))
        .expect("initial presence");
    assert_eq!(child(presence, "nick", NICK).text(), "Ann");

    // Our server's stanza-id is believed when stamped by the account the server made up
    // (our own archive), not when stamped by the bare domain we asked for.
    // No roster or bookmarks to ask a throwaway account for (ejabberd's anonymous hosts answer
    // the roster get with an error): an empty roster at once.
    let asks_roster = out
        .frames
        .iter()
        .any(|f| f.is("iq", CLIENT) && f.children().any(|c| c.ns() == "jabber:iq:roster"));
    assert!(!asks_roster, "{out:?}");
    assert!(
        out.events.contains(&Event::RosterReset {
            items: vec![],
            ver: None
        }),
        "{out:?}"
    );
    let stamped = |by: &str, id: &str| {
        format!(
            r#"<message xmlns="jabber:client" type="chat" from="support@example.org/desk" to="{VISITOR}" id="{id}"><body>hi</body><stanza-id xmlns="urn:xmpp:sid:0" by="{by}" id="arch-{id}"/></message>"#
        )
    };
    let stanza_id = |out: &Output| {
        out.events.iter().find_map(|e| match e {
            Event::Message(m) => Some(m.stanza_id.clone()),
            _ => None,
        })
    };
    let out = h.feed(&stamped(VISITOR_BARE, "m1"));
    assert_eq!(stanza_id(&out), Some(Some("arch-m1".into())), "{out:?}");
    let out = h.feed(&stamped("anon.example.org", "m2"));
    assert_eq!(stanza_id(&out), Some(None), "{out:?}");
}

#[test]
fn every_message_of_a_visitor_carries_the_nick() {
    let mut h = Harness::new(anonymous_config());
    anonymous_online(&mut h);
    let out = h.command(Command::SendMessage {
        to: Jid::new("support@example.org").unwrap(),
        id: "v1".into(),
        body: "Hello, is the red one in stock?".into(),
        ext: MessageExt::default(),
    });
    let message = out
        .frames
        .iter()
        .find(|f| f.is("message", CLIENT))
        .expect("the message");
    assert_eq!(child(message, "nick", NICK).text(), "Ann");
    // The store's copy says who we called ourselves.
    let sent = out
        .events
        .iter()
        .find_map(|e| match e {
            Event::MessageSent(m) => Some(m),
            _ => None,
        })
        .expect("MessageSent");
    assert_eq!(sent.ext.nick.as_deref(), Some("Ann"));
    assert_eq!(sent.from.to_string(), VISITOR);

    // A named account without a configured nick sends none.
    let mut h = Harness::online();
    let out = h.command(Command::SendMessage {
        to: Jid::new("friend@example.org").unwrap(),
        id: "n1".into(),
        body: "hi".into(),
        ext: MessageExt::default(),
    });
    let message = out.frames.iter().find(|f| f.is("message", CLIENT)).unwrap();
    assert!(message.get_child("nick", NICK).is_none(), "{message:?}");
}

#[test]
fn a_strangers_nick_is_read_and_cleaned() {
    let mut h = Harness::online();
    let out = h.feed(
        "<message xmlns='jabber:client' type='chat' from='x1@anon.example.org/r' to='user@example.org/natter' id='a'>\
         <body>hello</body><nick xmlns='http://jabber.org/protocol/nick'>  \u{202E}Ann\u{2066}\n</nick></message>",
    );
    let m = out
        .events
        .iter()
        .find_map(|e| match e {
            Event::Message(m) => Some(m),
            _ => None,
        })
        .expect("the message");
    assert_eq!(m.ext.nick.as_deref(), Some("Ann"));
    let long = "y".repeat(500);
    let out = h.feed(&format!(
        "<message xmlns='jabber:client' type='chat' from='x2@anon.example.org/r' to='user@example.org/natter' id='b'>\
         <body>hello</body><nick xmlns='http://jabber.org/protocol/nick'>{long}</nick></message>"
    ));
    let nick = out.events.iter().find_map(|e| match e {
        Event::Message(m) => m.ext.nick.clone(),
        _ => None,
    });
    assert_eq!(nick.map(|n| n.chars().count()), Some(64));
}

#[test]
fn the_server_refusing_anonymous_fails_the_sign_in() {
    let mut h = Harness::new(anonymous_config());
    let (auth, _) = auth_for(&mut h, &["ANONYMOUS"]);
    assert_eq!(auth.unwrap().attr("mechanism"), Some("ANONYMOUS"));
    let out = h.feed(
        r#"<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><not-authorized/><text>anonymous login disabled</text></failure>"#,
    );
    assert!(
        matches!(out.failed(), Some(Error::AuthFailed { condition, .. }) if condition == "not-authorized"),
        "{out:?}"
    );
    assert!(out.closed_cleanly());
    assert_eq!(h.client.state(), SessionState::Failed);
}

#[test]
fn an_anonymous_sign_in_needs_the_server_to_offer_it() {
    let mut h = Harness::new(anonymous_config());
    let (auth, out) = auth_for(&mut h, &["SCRAM-SHA-256", "PLAIN"]);
    assert!(auth.is_none(), "{out:?}");
    assert!(
        matches!(out.failed(), Some(Error::NoUsableMechanism { .. })),
        "{out:?}"
    );
}

#[test]
fn a_named_account_never_signs_in_anonymously() {
    // With a password, even over a secure transport and with ANONYMOUS the only offer.
    let mut named = config();
    named.secure_transport = true;
    let mut h = Harness::new(named);
    let (auth, out) = auth_for(&mut h, &["ANONYMOUS"]);
    assert!(auth.is_none(), "{out:?}");
    assert!(
        matches!(out.failed(), Some(Error::NoUsableMechanism { offered }) if offered == &["ANONYMOUS"]),
        "{out:?}"
    );

    // Without a password or anything stored (a form left empty): still not a stranger.
    let mut named = config();
    named.password = String::new();
    let mut h = Harness::new(named);
    let (auth, out) = auth_for(&mut h, &["ANONYMOUS", "PLAIN"]);
    assert!(auth.is_none(), "{out:?}");
    assert!(out.failed().is_some());
}

#[test]
fn anonymous_over_sasl2_with_bind2() {
    let mut h = Harness::new(anonymous_config());
    h.connect();
    h.feed(SERVER_OPEN);
    let out = h.feed(
        "<stream:features xmlns:stream='http://etherx.jabber.org/streams'>\
         <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms>\
         <authentication xmlns='urn:xmpp:sasl:2'><mechanism>SCRAM-SHA-256</mechanism><mechanism>ANONYMOUS</mechanism>\
         <inline><bind xmlns='urn:xmpp:bind:0'/><sm xmlns='urn:xmpp:sm:3'/>\
         <fast xmlns='urn:xmpp:fast:0'><mechanism>HT-SHA-256-NONE</mechanism></fast></inline>\
         </authentication></stream:features>",
    );
    let authenticate = out.only_frame();
    assert!(authenticate.is("authenticate", SASL2), "{out:?}");
    assert_eq!(authenticate.attr("mechanism"), Some("ANONYMOUS"));
    assert!(authenticate.get_child("bind", BIND2).is_some());
    // A throwaway account is never signed in to again: no FAST token asked for.
    assert!(authenticate.get_child("request-token", FAST).is_none());

    let out = h.feed(&format!(
        "<success xmlns='urn:xmpp:sasl:2'><bound xmlns='urn:xmpp:bind:0'/>\
         <authorization-identifier>{VISITOR}</authorization-identifier></success>"
    ));
    assert!(
        out.events.contains(&Event::Online {
            jid: VISITOR.parse().unwrap(),
            resumed: false
        }),
        "{out:?}"
    );
    assert!(!out.events.iter().any(|e| matches!(e, Event::Credential(_))));
    let presence = out
        .frames
        .iter()
        .find(|f| f.is("presence", CLIENT))
        .unwrap();
    assert_eq!(child(presence, "nick", NICK).text(), "Ann");
}

#[test]
fn a_server_asking_for_trace_data_gets_none() {
    let mut h = Harness::new(anonymous_config());
    auth_for(&mut h, &["ANONYMOUS"]);
    let out = h.feed(r#"<challenge xmlns="urn:ietf:params:xml:ns:xmpp-sasl">=</challenge>"#);
    let response = out.only_frame();
    assert!(response.is("response", SASL), "{out:?}");
    assert_eq!(response.text(), "");
    let out = h.feed(r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#);
    assert!(out.only_frame().is("open", FRAMING));
}
