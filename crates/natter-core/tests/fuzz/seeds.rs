//! The seed corpus: real frames from every part of a session, written down here (stream
//! features, SASL, roster, presence, messages, stream management, carbons, archive results,
//! errors) and harvested from the transcript tests' own inputs, so a new transcript test
//! feeds the fuzzer without anyone touching this file.
//!
//! Placeholders, filled when a frame is fed (see `script.rs`): `{id}` our latest IQ id,
//! `{queryid}` our latest archive query id, `{scram}` a SCRAM server-first for our nonce.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{Rng, BIND_FEATURES, SERVER_OPEN};

const WRITTEN: &[&str] = &[
    SERVER_OPEN,
    BIND_FEATURES,
    r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"><mechanisms xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><mechanism>SCRAM-SHA-256</mechanism><mechanism>PLAIN</mechanism></mechanisms></stream:features>"#,
    r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/><session xmlns="urn:ietf:params:xml:ns:xmpp-session"/><sm xmlns="urn:xmpp:sm:3"/><ver xmlns="urn:xmpp:features:rosterver"/><csi xmlns="urn:xmpp:csi:0"/></stream:features>"#,
    r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"><authentication xmlns="urn:xmpp:sasl:2"><mechanism>SCRAM-SHA-256</mechanism><inline><bind xmlns="urn:xmpp:bind:0"/><sm xmlns="urn:xmpp:sm:3"/><fast xmlns="urn:xmpp:fast:0"><mechanism>HT-SHA-256-NONE</mechanism></fast></inline></authentication><mechanisms xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><mechanism>PLAIN</mechanism></mechanisms></stream:features>"#,
    r#"<challenge xmlns="urn:ietf:params:xml:ns:xmpp-sasl">{scram}</challenge>"#,
    r#"<challenge xmlns="urn:xmpp:sasl:2">{scram}</challenge>"#,
    r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl">dj1BQUFB</success>"#,
    r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#,
    r#"<success xmlns="urn:xmpp:sasl:2"><additional-data>dj1BQUFB</additional-data><authorization-identifier>user@example.org/natter</authorization-identifier><bound xmlns="urn:xmpp:bind:0"/><token xmlns="urn:xmpp:fast:0" token="tok" expiry="2099-01-01T00:00:00Z"/></success>"#,
    r#"<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><not-authorized/><text xml:lang="en">no</text></failure>"#,
    r#"<failure xmlns="urn:xmpp:sasl:2"><credentials-expired xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/><text>expired</text></failure>"#,
    r#"<iq xmlns="jabber:client" type="result" id="{id}"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><jid>user@example.org/natter</jid></bind></iq>"#,
    r#"<iq xmlns="jabber:client" type="result" id="{id}"/>"#,
    r#"<iq xmlns="jabber:client" type="error" id="{id}"><error type="cancel"><conflict xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">t</text></error></iq>"#,
    r#"<iq xmlns="jabber:client" type="result" id="{id}"><query xmlns="jabber:iq:roster" ver="1"><item jid="romeo@example.net" name="R" subscription="both" ask="subscribe"><group>G</group></item><item jid="juliet@example.com" subscription="to"/></query></iq>"#,
    r#"<iq xmlns="jabber:client" type="set" id="push"><query xmlns="jabber:iq:roster" ver="2"><item jid="a@example.com" subscription="remove"/></query></iq>"#,
    r#"<iq xmlns="jabber:client" type="set" id="push" from="user@example.org/natter"><query xmlns="jabber:iq:roster"><item jid="a@example.com" subscription="from"/></query></iq>"#,
    r#"<iq xmlns="jabber:client" type="set" id="push" from="mallory@evil.example"><query xmlns="jabber:iq:roster"><item jid="mallory@evil.example" subscription="both"/></query></iq>"#,
    r#"<iq xmlns="jabber:client" type="get" id="p" from="example.org"><ping xmlns="urn:xmpp:ping"/></iq>"#,
    r#"<iq xmlns="jabber:client" type="get" id="d" from="a@b/c"><query xmlns="http://jabber.org/protocol/disco#info" node="x#y"/></iq>"#,
    r#"<iq xmlns="jabber:client" type="get" id="v" from="a@b/c"><query xmlns="jabber:iq:version"/></iq>"#,
    r#"<iq xmlns="jabber:client" type="result" id="{id}" from="example.org"><query xmlns="http://jabber.org/protocol/disco#info"><identity category="server" type="im"/><feature var="urn:xmpp:carbons:2"/><feature var="urn:xmpp:mam:2"/><feature var="urn:xmpp:ping"/></query></iq>"#,
    r#"<presence xmlns="jabber:client" from="romeo@example.net/o"><show>xa</show><status>s</status><priority>-128</priority><c xmlns="http://jabber.org/protocol/caps" hash="sha-1" node="n" ver="QgayPKawpkPSDYmwT/WM94uAlu0="/></presence>"#,
    r#"<presence xmlns="jabber:client" from="romeo@example.net" type="subscribe"/>"#,
    r#"<presence xmlns="jabber:client" from="romeo@example.net" type="unavailable"/>"#,
    r#"<presence xmlns="jabber:client" from="stranger@evil.example/x"><status>&lt;script&gt;</status></presence>"#,
    r#"<message xmlns="jabber:client" type="chat" from="romeo@example.net/o" id="m"><body>hi</body><body xml:lang="fr">salut</body><delay xmlns="urn:xmpp:delay" stamp="2002-09-10T23:08:25Z"/><stanza-id xmlns="urn:xmpp:sid:0" by="user@example.org" id="sid-1"/><origin-id xmlns="urn:xmpp:sid:0" id="o-1"/></message>"#,
    r#"<message xmlns="jabber:client" type="error" from="romeo@example.net" id="{id}"><error type="cancel"><gone xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">xmpp:x@y</gone><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">&lt;img src=x onerror=alert(1)&gt;</text></error></message>"#,
    // Stream management (XEP-0198).
    r#"<enabled xmlns="urn:xmpp:sm:3" id="sm-1" resume="true" max="300"/>"#,
    r#"<a xmlns="urn:xmpp:sm:3" h="0"/>"#,
    r#"<a xmlns="urn:xmpp:sm:3" h="4294967295"/>"#,
    r#"<r xmlns="urn:xmpp:sm:3"/>"#,
    r#"<resumed xmlns="urn:xmpp:sm:3" h="3" previd="sm-1"/>"#,
    r#"<failed xmlns="urn:xmpp:sm:3" h="2"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></failed>"#,
    // Carbons (XEP-0280): ours, and one forged by a stranger.
    r#"<iq xmlns="jabber:client" type="result" id="{id}"/>"#,
    r#"<message xmlns="jabber:client" from="user@example.org" to="user@example.org/natter" type="chat"><received xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" from="romeo@example.net/o" to="user@example.org/phone" type="chat" id="c1"><body>carbon</body></message></forwarded></received></message>"#,
    r#"<message xmlns="jabber:client" from="user@example.org" to="user@example.org/natter" type="chat"><sent xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" to="romeo@example.net" from="user@example.org/phone" type="chat" id="c2"><body>sent elsewhere</body></message></forwarded></sent></message>"#,
    r#"<message xmlns="jabber:client" from="mallory@evil.example" to="user@example.org/natter" type="chat"><received xmlns="urn:xmpp:carbons:2"><forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" from="romeo@example.net/o" type="chat" id="c3"><body>forged</body></message></forwarded></received></message>"#,
    // Archive (XEP-0313) results and the end of a query.
    r#"<message xmlns="jabber:client" to="user@example.org/natter" from="user@example.org"><result xmlns="urn:xmpp:mam:2" queryid="{queryid}" id="a1"><forwarded xmlns="urn:xmpp:forward:0"><delay xmlns="urn:xmpp:delay" stamp="2020-01-01T00:00:00Z"/><message xmlns="jabber:client" from="romeo@example.net/o" to="user@example.org" type="chat" id="m1"><body>old</body></message></forwarded></result></message>"#,
    r#"<message xmlns="jabber:client" to="user@example.org/natter" from="mallory@evil.example"><result xmlns="urn:xmpp:mam:2" queryid="{queryid}" id="a2"><forwarded xmlns="urn:xmpp:forward:0"><message xmlns="jabber:client" from="romeo@example.net/o" type="chat"><body>forged archive</body></message></forwarded></result></message>"#,
    r#"<iq xmlns="jabber:client" type="result" id="{id}"><fin xmlns="urn:xmpp:mam:2" complete="true"><set xmlns="http://jabber.org/protocol/rsm"><first>a1</first><last>a1</last><count>1</count></set></fin></iq>"#,
    r#"<iq xmlns="jabber:client" type="error" id="{id}"><error type="cancel"><item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>"#,
    r#"<stream:error xmlns:stream="http://etherx.jabber.org/streams"><see-other-host xmlns="urn:ietf:params:xml:ns:xmpp-streams">h</see-other-host><text xmlns="urn:ietf:params:xml:ns:xmpp-streams">&lt;b&gt;</text></stream:error>"#,
    r#"<close xmlns="urn:ietf:params:xml:ns:xmpp-framing" see-other-uri="wss://x"/>"#,
    r#"<close xmlns="urn:ietf:params:xml:ns:xmpp-framing"/>"#,
    " ",
];

/// A valid login up to the bind request, in order; scripts start with some of it so that
/// mutations reach every stage.
pub const LOGIN: [&str; 5] = [
    SERVER_OPEN,
    r#"<stream:features xmlns:stream="http://etherx.jabber.org/streams"><mechanisms xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><mechanism>PLAIN</mechanism></mechanisms></stream:features>"#,
    r#"<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"/>"#,
    SERVER_OPEN,
    BIND_FEATURES,
];

pub const BIND_RESULT: &str = r#"<iq xmlns="jabber:client" type="result" id="{id}"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><jid>user@example.org/natter</jid></bind></iq>"#;

/// A BOSH session creation response (XEP-0124 §7.1, XEP-0206 §5) offering PLAIN.
pub const BOSH_CREATED: &str = r#"<body xmlns="http://jabber.org/protocol/httpbind" xmlns:stream="http://etherx.jabber.org/streams" xmlns:xmpp="urn:xmpp:xbosh" sid="sid-1" wait="60" requests="2" hold="1" polling="5" inactivity="60" ver="1.6" from="example.org" xmpp:version="1.0" authid="sid-1"><stream:features><mechanisms xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><mechanism>PLAIN</mechanism></mechanisms></stream:features></body>"#;

/// A frame as one child of a BOSH response body; the wrapper itself sometimes damaged or
/// terminating, sometimes carrying a second copy.
pub fn bosh_body(rng: &mut Rng, frame: &[u8]) -> Vec<u8> {
    let open: &[u8] = match rng.below(12) {
        0 => b"<body xmlns='http://jabber.org/protocol/httpbind' type='terminate' condition='remote-stream-error'>",
        1 => b"<body xmlns='http://jabber.org/protocol/httpbind' xmlns:stream='urn:not-streams' sid='sid-1'>",
        2 => b"<body sid='sid-1'>",
        _ => b"<body xmlns='http://jabber.org/protocol/httpbind' xmlns:stream='http://etherx.jabber.org/streams' sid='sid-1'>",
    };
    let mut out = open.to_vec();
    out.extend_from_slice(frame);
    if rng.chance(10) {
        out.extend_from_slice(frame);
    }
    out.extend_from_slice(b"</body>");
    out
}

/// Written seeds plus every frame the transcript tests feed. Sorted and deduplicated, so the
/// run is the same whatever order the files are read in.
pub fn corpus() -> (Vec<String>, usize) {
    let mut all: BTreeSet<String> = WRITTEN.iter().map(|s| s.to_string()).collect();
    let before = all.len();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files = Vec::new();
    collect_rs(&dir, &mut files);
    for file in files {
        if file.ends_with("fuzz.rs") || file.components().any(|c| c.as_os_str() == "fuzz") {
            continue;
        }
        if let Ok(source) = std::fs::read_to_string(&file) {
            all.extend(harvest(&source));
        }
    }
    let harvested = all.len() - before;
    (all.into_iter().collect(), harvested)
}

fn collect_rs(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_rs(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The raw string literals (`r#"<…>"#`) of a test source that hold one XML element: the
/// frames it feeds. `format!` arguments become placeholders: `{…id…}` our IQ id, any other
/// `{name}` a plain word; `{{`/`}}` are literal braces.
pub fn harvest(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("r#\"") {
        let body = &rest[at + 3..];
        let Some(end) = body.find("\"#") else {
            break;
        };
        let literal = &body[..end];
        rest = &body[end + 2..];
        if !literal.starts_with('<') {
            continue;
        }
        let frame = placeholders(literal);
        if frame.parse::<minidom::Element>().is_ok() {
            out.push(frame);
        }
    }
    out
}

fn placeholders(literal: &str) -> String {
    let mut out = String::with_capacity(literal.len());
    let mut chars = literal.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut name = String::new();
                for n in chars.by_ref() {
                    if n == '}' {
                        break;
                    }
                    name.push(n);
                }
                let name = name.split(':').next().unwrap_or("").trim();
                if name.contains("queryid") || name.contains("query_id") {
                    out.push_str("{queryid}");
                } else if name == "id" || name.ends_with("_id") || name.ends_with("id") {
                    out.push_str("{id}");
                } else if name.contains("scram") || name.contains("challenge") {
                    out.push_str("{scram}");
                } else {
                    out.push('x');
                }
            }
            _ => out.push(c),
        }
    }
    out
}
