//! Mutations of seed frames: byte-level (flips, cuts, splices of XML tokens), value-level (an
//! attribute or text replaced by a meaningful value, so the frame stays well-formed and reaches
//! the typed parsers and the state machine) and structure-level (children dropped, duplicated,
//! moved between frames, nested; frames blown up to thousands of children).

use minidom::rxml::{Namespace, NcName};
use minidom::Element;

use crate::common::Rng;

const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"/>",
    b"</",
    b"\"",
    b"'",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#x1F600;",
    b"&bogus;",
    b" xmlns=\"\"",
    b" xmlns:stream=\"http://etherx.jabber.org/streams\"",
    b"<!--",
    b"-->",
    b"<![CDATA[",
    b"]]>",
    b"<?xml version=\"1.0\"?>",
    b"<!DOCTYPE x [<!ENTITY a \"aaaaaaaa\">]>",
    b"\0",
    b"\xff",
    b"\xc3",
    b"\xf0\x9f\x98",
    b"=",
    b":",
    b"@",
    b"/",
    b"\t",
    b"\r\n",
    b"type=\"error\"",
    b"type=\"set\"",
    b"type=\"result\"",
    b"id=\"\"",
    b"from=\"\"",
    b"from=\"@\"",
    b"from=\"user@example.org\"",
    b"subscription=\"remove\"",
    b"<body/>",
    b"<error/>",
    b"stamp=\"garbage\"",
    b"<priority>999</priority>",
    b"xml:lang=\"\"",
    b"h=\"-1\"",
    b"h=\"99999999999999999999\"",
];

/// XML-safe replacements.
const VALUES: &[&str] = &[
    "",
    "result",
    "error",
    "set",
    "get",
    "chat",
    "normal",
    "groupchat",
    "headline",
    "unavailable",
    "subscribe",
    "subscribed",
    "unsubscribed",
    "unsubscribe",
    "probe",
    "remove",
    "both",
    "none",
    "to",
    "from",
    "user@example.org",
    "user@example.org/natter",
    "user@example.org/other",
    "example.org",
    "romeo@example.net/o",
    "mallory@evil.example",
    "@",
    "a@b@c",
    "x/",
    "push",
    "1.0",
    "sha-1",
    "-1",
    "0",
    "4294967296",
    "999",
    "true",
    "false",
    "urn:xmpp:ping",
    "jabber:client",
    "jabber:iq:roster",
    "urn:xmpp:sm:3",
    "urn:xmpp:carbons:2",
    "urn:xmpp:mam:2",
    "urn:xmpp:forward:0",
    "http://jabber.org/protocol/disco#info",
    "urn:ietf:params:xml:ns:xmpp-sasl",
    "urn:ietf:params:xml:ns:xmpp-framing",
    "not-a-date",
    "2002-09-10T23:08:25Z",
    "=",
    "AAAA",
    "cj1mdXp6WFlaLHM9YzJGc2RBPT0saT0x",
    "away",
    "dnd",
    "&amp;",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "   ",
    "\u{1F600}",
    "\u{202E}",
];

/// Replaces one attribute value or one text run with a value from [`VALUES`] (or a
/// placeholder the runner fills).
pub fn value(rng: &mut Rng, frame: &str) -> String {
    let value = match rng.below(12) {
        0 => "{id}",
        1 => "{queryid}",
        _ => rng.pick(VALUES),
    };
    let attrs: Vec<usize> = frame.match_indices("=\"").map(|(i, _)| i + 2).collect();
    let texts: Vec<usize> = frame
        .match_indices('>')
        .map(|(i, _)| i + 1)
        .filter(|&i| i < frame.len())
        .collect();
    if rng.chance(60) && !attrs.is_empty() {
        let start = *rng.pick(&attrs);
        let end = frame[start..].find('"').map_or(frame.len(), |e| start + e);
        format!("{}{value}{}", &frame[..start], &frame[end..])
    } else if !texts.is_empty() {
        let start = *rng.pick(&texts);
        let end = frame[start..].find('<').map_or(frame.len(), |e| start + e);
        format!("{}{value}{}", &frame[..start], &frame[end..])
    } else {
        frame.to_owned()
    }
}

/// Byte-level damage.
pub fn bytes(rng: &mut Rng, frame: &[u8], corpus: &[String]) -> Vec<u8> {
    let mut data = frame.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = if data.is_empty() {
            0
        } else {
            rng.below(data.len() + 1)
        };
        match rng.below(7) {
            0 if !data.is_empty() => {
                let i = at.min(data.len() - 1);
                data[i] ^= 1 << rng.below(8);
            }
            1 => {
                let end = (at + rng.below(16)).min(data.len());
                data.drain(at..end);
            }
            2 => {
                let token = rng.pick(TOKENS);
                data.splice(at..at, token.iter().copied());
            }
            3 => data.truncate(at),
            4 => {
                let end = (at + rng.below(32)).min(data.len());
                let copy = data[at..end].to_vec();
                let to = rng.below(data.len() + 1);
                data.splice(to..to, copy);
            }
            5 => {
                let other = rng.pick(corpus).as_bytes();
                let cut = rng.below(other.len() + 1);
                data.truncate(at);
                data.extend_from_slice(&other[cut..]);
            }
            _ => {
                let byte = rng.next() as u8;
                data.insert(at, byte);
            }
        }
    }
    data
}

/// Structure-level changes on the parsed tree; `None` if the frame is not an element.
pub fn structure(rng: &mut Rng, frame: &str, corpus: &[String]) -> Option<String> {
    let mut root: Element = frame.parse().ok()?;
    match rng.below(5) {
        // A child from another frame, grafted somewhere.
        0 => {
            let donor: Element = rng.pick(corpus).parse().ok()?;
            let graft = pick_descendant(rng, &donor).clone();
            pick_descendant_mut(rng, &mut root).append_child(graft);
        }
        // A child dropped.
        1 => {
            let node = pick_descendant_mut(rng, &mut root);
            let names: Vec<(String, String)> = node
                .children()
                .map(|c| (c.name().to_owned(), c.ns()))
                .collect();
            if !names.is_empty() {
                let (name, ns) = &names[rng.below(names.len())];
                node.remove_child(name, ns.as_str());
            }
        }
        // A child duplicated (two bodies, two forwarded messages, two items…).
        2 => {
            let node = pick_descendant_mut(rng, &mut root);
            if let Some(child) = node.children().nth(rng.below(4)).cloned() {
                node.append_child(child);
            }
        }
        // The whole frame wrapped in a copy of one of its own descendants.
        3 => {
            let mut wrapper = pick_descendant(rng, &root).clone();
            wrapper.append_child(root.clone());
            if wrapper.name() == root.name() {
                root = wrapper;
            } else {
                root.append_child(wrapper);
            }
        }
        // An attribute copied onto another element.
        _ => {
            let attr = {
                let from = pick_descendant(rng, &root);
                let attrs: Vec<_> = from
                    .attrs()
                    .iter()
                    .map(|((ns, name), v)| (ns.clone(), name.clone(), v.clone()))
                    .collect();
                if attrs.is_empty() {
                    return Some(plain(&root));
                }
                attrs[rng.below(attrs.len())].clone()
            };
            let (ns, name, v) = attr;
            pick_descendant_mut(rng, &mut root)
                .attrs_mut()
                .insert(ns, name, v);
        }
    }
    Some(plain(&root))
}

/// A frame made huge: one of its elements repeated thousands of times, or a text or attribute
/// value grown to hundreds of kilobytes. Checks time and output bounds on big input.
pub fn blow_up(rng: &mut Rng, frame: &str) -> Option<String> {
    let mut root: Element = frame.parse().ok()?;
    let copies = 200 + rng.below(2_000);
    if rng.chance(50) {
        let node = pick_descendant_mut(rng, &mut root);
        let child = node.children().next().cloned()?;
        for _ in 0..copies {
            node.append_child(child.clone());
        }
    } else {
        let big = "\u{202E}<x>&".repeat(copies * 4);
        let node = pick_descendant_mut(rng, &mut root);
        if rng.chance(50) {
            node.append_text_node(big);
        } else {
            let name = NcName::try_from("x-big").expect("a valid name");
            node.attrs_mut().insert(Namespace::NONE, name, big);
        }
    }
    Some(plain(&root))
}

/// The tree's text without the prefix declarations it was parsed with: minidom 0.19's writer
/// panics on some of them (see `bosh_body_child_with_a_redeclared_prefix_does_not_panic`).
fn plain(element: &Element) -> String {
    fn rebuild(element: &Element) -> Element {
        let mut copy = Element::bare(element.name(), element.ns());
        for ((ns, name), value) in element.attrs() {
            copy.attrs_mut()
                .insert(ns.clone(), name.clone(), value.clone());
        }
        for node in element.nodes() {
            match node {
                minidom::Node::Element(child) => {
                    copy.append_child(rebuild(child));
                }
                minidom::Node::Text(text) => copy.append_text(text.clone()),
            }
        }
        copy
    }
    String::from(&rebuild(element))
}

fn pick_descendant<'a>(rng: &mut Rng, root: &'a Element) -> &'a Element {
    let mut node = root;
    for _ in 0..rng.below(4) {
        let n = node.children().count();
        if n == 0 {
            break;
        }
        let i = rng.below(n);
        node = node.children().nth(i).expect("in range");
    }
    node
}

fn pick_descendant_mut<'a>(rng: &mut Rng, root: &'a mut Element) -> &'a mut Element {
    let mut node = root;
    for _ in 0..rng.below(4) {
        let n = node.children().count();
        if n == 0 {
            break;
        }
        let i = rng.below(n);
        node = node.children_mut().nth(i).expect("in range");
    }
    node
}
