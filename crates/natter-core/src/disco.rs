//! What we tell others we are (XEP-0030 disco#info) and its XEP-0115 caps hash, which rides on
//! every presence we send so contacts can cache our features.

use std::collections::BTreeSet;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use minidom::rxml::{xml_ncname, Namespace};
use minidom::Element;
use xmpp_parsers::caps::{compute_disco, hash_caps, Caps};
use xmpp_parsers::disco::{DiscoInfoQuery, DiscoInfoResult, Identity};
use xmpp_parsers::hashes::{Algo, Hash};
use xmpp_parsers::ns;

/// Only what the core really answers or understands. `+notify` asks our server to push
/// bookmark changes made on other devices (XEP-0402 §4, XEP-0163 filtered notifications).
const FEATURES: &[&str] = &[
    ns::DISCO_INFO,
    ns::CAPS,
    ns::PING,
    ns::MUC,
    crate::muc::CONFERENCE,
    crate::bookmarks::NOTIFY,
    crate::bookmarks::LEGACY_NOTIFY,
    ns::CHATSTATES,
    ns::RECEIPTS,
    ns::DISPLAYED_MARKERS,
    crate::avatar::METADATA_NOTIFY,
    crate::vcard::NICK_NOTIFY,
    crate::styling::NS,
    ns::MESSAGE_CORRECT,
    ns::REACTIONS,
    crate::edits::RETRACT,
    crate::edits::REPLY,
];

pub struct Disco {
    info: DiscoInfoResult,
    node: String,
    hash: Option<Hash>,
}

impl Disco {
    pub fn new(client_name: &str, caps_node: &str) -> Self {
        let info = DiscoInfoResult {
            node: None,
            identities: vec![Identity {
                category: "client".into(),
                type_: "web".into(),
                lang: None,
                name: Some(crate::frame::xml_text(client_name)).filter(|n| !n.is_empty()),
            }],
            features: FEATURES
                .iter()
                .map(|f| (*f).to_owned())
                .collect::<BTreeSet<_>>(),
            extensions: Vec::new(),
        };
        // SHA-1 is what XEP-0115 clients universally understand; it cannot fail.
        let hash = hash_caps(&compute_disco(&info), Algo::Sha_1).ok();
        Disco {
            info,
            node: crate::frame::xml_text(caps_node),
            hash,
        }
    }

    /// The `<c/>` element for our presences.
    pub fn caps(&self) -> Option<Caps> {
        self.hash.clone().map(|h| Caps::new(self.node.clone(), h))
    }

    /// The `node#ver` others query us with.
    fn caps_node(&self) -> Option<String> {
        self.hash
            .as_ref()
            .map(|h| format!("{}#{}", self.node, STANDARD.encode(&h.hash)))
    }

    /// Our answer to a disco#info query, or `None` for a node we do not have.
    pub fn answer(&self, query: &DiscoInfoQuery) -> Option<Element> {
        match &query.node {
            None => Some(self.result(None)),
            Some(node) if Some(node) == self.caps_node().as_ref() => Some(self.result(Some(node))),
            Some(_) => None,
        }
    }

    /// `self.info` as the `<query/>` result, written with minidom's builder: the generated
    /// `DiscoInfoResult` serializer also carries the XEP-0004 data-form one (~50 KB of wasm)
    /// for the extensions we never have. The caps hash above still comes from `self.info`.
    fn result(&self, node: Option<&str>) -> Element {
        let mut query = Element::builder("query", ns::DISCO_INFO);
        if let Some(node) = node {
            query = query.attr(xml_ncname!("node").into(), node);
        }
        for identity in &self.info.identities {
            let mut element = Element::builder("identity", ns::DISCO_INFO)
                .attr(xml_ncname!("category").into(), identity.category.as_str())
                .attr(xml_ncname!("type").into(), identity.type_.as_str());
            if let Some(lang) = &identity.lang {
                element =
                    element.attr_ns(Namespace::XML, xml_ncname!("lang").into(), lang.as_str());
            }
            if let Some(name) = &identity.name {
                element = element.attr(xml_ncname!("name").into(), name.as_str());
            }
            query = query.append(element.build());
        }
        for feature in &self.info.features {
            query = query.append(
                Element::builder("feature", ns::DISCO_INFO)
                    .attr(xml_ncname!("var").into(), feature.as_str())
                    .build(),
            );
        }
        query.build()
    }
}
