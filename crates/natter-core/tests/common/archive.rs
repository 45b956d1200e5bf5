//! Stanzas and helpers for the carbons, archive and spoofing transcripts.

use minidom::Element;
use natter_core::{Command, Event};

use super::{child, iq_type, Harness, Output, CLIENT};

pub const OWN: &str = "user@example.org";
pub const MAM: &str = "urn:xmpp:mam:2";
pub const CARBONS: &str = "urn:xmpp:carbons:2";
pub const FORWARD: &str = "urn:xmpp:forward:0";
pub const RSM: &str = "http://jabber.org/protocol/rsm";
pub const DISCO_INFO: &str = "http://jabber.org/protocol/disco#info";
pub const DATA: &str = "jabber:x:data";

/// Signed in and roster loaded, with the sign-in output (where the disco#info query is).
pub fn online_with_login() -> (Harness, Output) {
    let (mut h, mut login) = Harness::login_plain(super::config());
    let out = h.answer_roster(&mut login);
    assert!(
        matches!(out.events.as_slice(), [Event::RosterReset { .. }]),
        "{out:?}"
    );
    (h, login)
}

/// The disco#info query to our server among `out`'s frames.
pub fn server_disco(out: &Output) -> Option<&Element> {
    out.frames.iter().find(|f| {
        f.is("iq", CLIENT)
            && iq_type(f) == Some("get")
            && f.attr("to") == Some("example.org")
            && f.has_child("query", DISCO_INFO)
    })
}

/// Our server's disco#info answer, listing `features`.
pub fn disco_answer(id: &str, from: &str, features: &[&str]) -> String {
    let features: String = features
        .iter()
        .map(|f| format!(r#"<feature var="{f}"/>"#))
        .collect();
    format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}" from="{from}"><query xmlns="http://jabber.org/protocol/disco#info"><identity category="server" type="im"/>{features}</query></iq>"#
    )
}

/// Online, with carbons enabled the way the client asks for them.
pub fn online_with_carbons() -> Harness {
    let (mut h, login) = online_with_login();
    let id = server_disco(&login)
        .expect("a disco#info query to the server")
        .attr("id")
        .unwrap()
        .to_owned();
    let out = h.feed(&disco_answer(&id, "example.org", &[DISCO_INFO, CARBONS]));
    let enable = out.only_frame();
    assert!(child(enable, "enable", CARBONS).children().next().is_none());
    let id = enable.attr("id").unwrap();
    let out = h.feed(&format!(
        r#"<iq xmlns="jabber:client" type="result" id="{id}"/>"#
    ));
    assert_eq!(out.events, vec![Event::CarbonsEnabled]);
    h
}

/// A chat message as a server would route it; `extra` goes after the body.
pub fn chat(from: &str, to: &str, id: &str, body: &str, extra: &str) -> String {
    format!(
        r#"<message xmlns="jabber:client" type="chat" from="{from}" to="{to}" id="{id}"><body>{body}</body>{extra}</message>"#
    )
}

/// A carbon (`received` or `sent`) from `outer_from` (`None`: no from) wrapping `inner`.
pub fn carbon(kind: &str, outer_from: Option<&str>, inner: &str) -> String {
    let from = outer_from
        .map(|f| format!(r#" from="{f}""#))
        .unwrap_or_default();
    format!(
        r#"<message xmlns="jabber:client"{from} to="user@example.org/natter" type="chat"><{kind} xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0">{inner}</forwarded></{kind}></message>"#
    )
}

/// An archive query the client sent: its IQ id, queryid and `<query/>`.
pub struct Query {
    pub iq_id: String,
    pub queryid: String,
    pub query: Element,
}

impl Query {
    /// The RSM `<set/>` child's `name` text, if there.
    pub fn rsm(&self, name: &str) -> Option<String> {
        self.query
            .get_child("set", RSM)
            .and_then(|s| s.get_child(name, RSM))
            .map(|e| e.text())
    }
}

/// The one archive query in `out`.
pub fn archive_query(out: &Output) -> Query {
    let iq = out.only_frame();
    assert!(iq.is("iq", CLIENT), "{}", String::from(iq));
    assert_eq!(iq_type(iq), Some("set"));
    assert_eq!(iq.attr("to"), None, "queries go to our own account");
    let query = child(iq, "query", MAM).clone();
    Query {
        iq_id: iq.attr("id").unwrap().to_owned(),
        queryid: query.attr("queryid").expect("a queryid").to_owned(),
        query,
    }
}

pub fn catch_up(h: &mut Harness, after: Option<&str>) -> Query {
    let out = h.command(Command::CatchUp {
        after: after.map(str::to_owned),
    });
    assert!(out.events.is_empty(), "{out:?}");
    archive_query(&out)
}

/// One archive result message from `from` (`None`: no from) for `queryid`.
pub fn result(
    from: Option<&str>,
    queryid: &str,
    archive_id: &str,
    stamp: &str,
    inner: &str,
) -> String {
    let from = from.map(|f| format!(r#" from="{f}""#)).unwrap_or_default();
    format!(
        r#"<message xmlns="jabber:client"{from} to="user@example.org/natter"><result xmlns="urn:xmpp:mam:2" queryid="{queryid}" id="{archive_id}"><forwarded xmlns="urn:xmpp:forward:0"><delay xmlns="urn:xmpp:delay" stamp="{stamp}"/>{inner}</forwarded></result></message>"#
    )
}

/// The IQ result that ends a page.
pub fn fin(iq_id: &str, complete: bool, first: Option<&str>, last: Option<&str>) -> String {
    let complete = if complete { r#" complete="true""# } else { "" };
    let first = first
        .map(|f| format!(r#"<first index="0">{f}</first>"#))
        .unwrap_or_default();
    let last = last
        .map(|l| format!("<last>{l}</last>"))
        .unwrap_or_default();
    format!(
        r#"<iq xmlns="jabber:client" type="result" id="{iq_id}" from="user@example.org"><fin xmlns="urn:xmpp:mam:2"{complete}><set xmlns="http://jabber.org/protocol/rsm">{first}{last}</set></fin></iq>"#
    )
}

/// The messages among `events`.
pub fn messages(events: &[Event]) -> Vec<&natter_core::ChatMessage> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) => Some(m),
            _ => None,
        })
        .collect()
}
