//! Room bookmarks: XEP-0402 (one PEP item per room in `urn:xmpp:bookmarks:1`, changes pushed
//! live to every device that asks for `+notify`), or XEP-0048 private storage (one blob,
//! read-modify-write) on servers that do not announce `urn:xmpp:bookmarks:1#compat` on the
//! account. The core keeps the current set (small, bounded) so that every change can be
//! reported as the full set and the XEP-0048 blob can be rewritten.
//!
//! The pubsub and private-storage wrappers are built and read with minidom: xmpp-parsers'
//! `PubSub` and pubsub `Event` enums carry every pubsub operation (and data forms) into the
//! wasm. The conferences themselves are xmpp-parsers' types.

use std::collections::BTreeMap;

use jid::{BareJid, ResourcePart};
use minidom::rxml::xml_ncname;
use minidom::Element;
use xmpp_parsers::bookmarks::Conference as LegacyConference;
use xmpp_parsers::bookmarks2::Conference;
use xmpp_parsers::ns;

use crate::forms::{self, Value};
use crate::frame::xml_text;
use crate::muc::non_empty;
use crate::room::Bookmark;

/// More than anyone keeps; the rest of a larger set is ignored.
pub const MAX_BOOKMARKS: usize = 2_000;

/// The PEP node of XEP-0402.
pub const NODE: &str = ns::BOOKMARKS2;
/// What we ask for in caps so the server pushes bookmark changes to us.
pub const NOTIFY: &str = "urn:xmpp:bookmarks:1+notify";
/// The same for the XEP-0048 set: servers without XEP-0402 (ejabberd 23.01) mirror private
/// storage into this PEP node and push the whole set on every change.
pub const LEGACY_NOTIFY: &str = "storage:bookmarks+notify";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Not known yet (the account's disco#info is not answered).
    Unknown,
    /// XEP-0402.
    Pep,
    /// XEP-0048 in XEP-0049 private storage.
    Private,
}

pub struct Bookmarks {
    pub mode: Mode,
    /// Loaded from the server this session.
    pub loaded: bool,
    set: BTreeMap<BareJid, Bookmark>,
}

impl Default for Bookmarks {
    fn default() -> Self {
        Bookmarks {
            mode: Mode::Unknown,
            loaded: false,
            set: BTreeMap::new(),
        }
    }
}

impl Bookmarks {
    pub fn all(&self) -> Vec<Bookmark> {
        self.set.values().cloned().collect()
    }

    /// Replaces the set; whether it changed.
    pub fn replace(&mut self, bookmarks: Vec<Bookmark>) -> bool {
        let set: BTreeMap<_, _> = bookmarks
            .into_iter()
            .take(MAX_BOOKMARKS)
            .map(|b| (b.room.clone(), b))
            .collect();
        let changed = set != self.set || !self.loaded;
        self.set = set;
        self.loaded = true;
        changed
    }

    /// Adds or replaces one; whether it changed.
    pub fn upsert(&mut self, bookmark: Bookmark) -> bool {
        if self.set.get(&bookmark.room) == Some(&bookmark) {
            return false;
        }
        if self.set.len() >= MAX_BOOKMARKS && !self.set.contains_key(&bookmark.room) {
            return false;
        }
        self.set.insert(bookmark.room.clone(), bookmark);
        true
    }

    pub fn remove(&mut self, room: &BareJid) -> bool {
        self.set.remove(room).is_some()
    }

    pub fn clear(&mut self) -> bool {
        let had = !self.set.is_empty();
        self.set.clear();
        had
    }

    /// The set with `bookmark` in it (or without `room`), for a XEP-0048 rewrite.
    pub fn with(&self, bookmark: Option<&Bookmark>, without: Option<&BareJid>) -> Vec<Bookmark> {
        let mut set = self.set.clone();
        if let Some(room) = without {
            set.remove(room);
        }
        if let Some(b) = bookmark {
            set.insert(b.room.clone(), b.clone());
        }
        set.into_values().collect()
    }
}

/// Whether the account's disco#info says the server keeps XEP-0402 bookmarks (and syncs
/// them with XEP-0048 for older clients).
pub fn pep_offered(info: &Element) -> bool {
    info.children()
        .any(|f| f.is("feature", ns::DISCO_INFO) && f.attr("var") == Some(ns::BOOKMARKS2_COMPAT))
}

/// The request for every XEP-0402 bookmark.
pub fn pep_request() -> Element {
    pubsub(
        Element::builder("items", ns::PUBSUB)
            .attr(xml_ncname!("node").into(), NODE)
            .build(),
    )
}

/// The request for the XEP-0048 storage.
pub fn private_request() -> Element {
    private(Element::builder("storage", ns::BOOKMARKS).build())
}

/// The bookmarks in an answer to [`pep_request`]; items that do not parse are skipped.
pub fn read_pep(payload: &Element) -> Vec<Bookmark> {
    if !payload.is("pubsub", ns::PUBSUB) {
        return Vec::new();
    }
    payload
        .children()
        .filter(|c| c.is("items", ns::PUBSUB) && c.attr("node") == Some(NODE))
        .flat_map(|items| items.children())
        .filter(|item| item.is("item", ns::PUBSUB))
        .filter_map(from_item)
        .collect()
}

/// The bookmarks in an answer to [`private_request`].
pub fn read_private(payload: &Element) -> Vec<Bookmark> {
    // Conference by conference: one malformed entry (a bad nick, a missing jid) must not
    // lose the others, which a parse of the whole storage would.
    let Some(storage) = payload.get_child("storage", ns::BOOKMARKS) else {
        return Vec::new();
    };
    storage
        .children()
        .filter(|c| c.is("conference", ns::BOOKMARKS))
        .filter_map(|c| LegacyConference::try_from(c.clone()).ok())
        .map(|c| Bookmark {
            room: c.jid,
            name: c.name.and_then(non_empty),
            nick: c.nick.map(|n| n.to_string()),
            password: c.password.and_then(non_empty),
            autojoin: c.autojoin,
        })
        .collect()
}

/// The whole XEP-0048 set in a `storage:bookmarks` PEP notification (`None`: the event is
/// about another node, or carries no set).
pub fn read_legacy_event(event: &Element) -> Option<Vec<Bookmark>> {
    let items = event
        .children()
        .find(|c| c.is("items", ns::PUBSUB_EVENT) && c.attr("node") == Some(ns::BOOKMARKS))?;
    let item = items.children().find(|c| c.is("item", ns::PUBSUB_EVENT))?;
    item.has_child("storage", ns::BOOKMARKS)
        .then(|| read_private(item))
}

/// One `<item id=room><conference/></item>`, of a result or a notification (either
/// namespace).
fn from_item(item: &Element) -> Option<Bookmark> {
    let room = BareJid::new(item.attr("id")?).ok()?;
    let payload = item.get_child("conference", NODE)?;
    let conference = Conference::try_from(payload.clone()).ok()?;
    Some(Bookmark {
        room,
        name: conference.name.and_then(non_empty),
        nick: conference.nick.map(|n| n.to_string()),
        password: conference.password.and_then(non_empty),
        autojoin: conference.autojoin,
    })
}

/// Publishes one bookmark (XEP-0402 §3.2) into a node only the account may read.
pub fn publish(bookmark: &Bookmark) -> Element {
    let conference = Conference {
        autojoin: bookmark.autojoin,
        name: bookmark.name.as_deref().map(xml_text).and_then(non_empty),
        nick: bookmark.nick.as_deref().and_then(nick),
        password: bookmark
            .password
            .as_deref()
            .map(xml_text)
            .and_then(non_empty),
        extensions: None,
    };
    let item = Element::builder("item", ns::PUBSUB)
        .attr(xml_ncname!("id").into(), bookmark.room.to_string())
        .append(Element::from(conference))
        .build();
    let publish = Element::builder("publish", ns::PUBSUB)
        .attr(xml_ncname!("node").into(), NODE)
        .append(item)
        .build();
    let options = forms::submit(
        Some("http://jabber.org/protocol/pubsub#publish-options"),
        vec![
            Value::text("pubsub#persist_items", "true"),
            Value::text("pubsub#max_items", "max"),
            Value::text("pubsub#send_last_published_item", "never"),
            Value::text("pubsub#access_model", "whitelist"),
        ],
    );
    Element::builder("pubsub", ns::PUBSUB)
        .append(publish)
        .append(
            Element::builder("publish-options", ns::PUBSUB)
                .append(options)
                .build(),
        )
        .build()
}

/// Removes one bookmark, telling the account's other devices.
pub fn retract(room: &BareJid) -> Element {
    pubsub(
        Element::builder("retract", ns::PUBSUB)
            .attr(xml_ncname!("node").into(), NODE)
            .attr(xml_ncname!("notify").into(), "true")
            .append(
                Element::builder("item", ns::PUBSUB)
                    .attr(xml_ncname!("id").into(), room.to_string())
                    .build(),
            )
            .build(),
    )
}

/// The XEP-0048 storage holding exactly `bookmarks`.
pub fn store_private(bookmarks: &[Bookmark]) -> Element {
    let conferences = bookmarks.iter().map(|b| {
        Element::from(LegacyConference {
            autojoin: b.autojoin,
            jid: b.room.clone(),
            name: b.name.as_deref().map(xml_text).and_then(non_empty),
            nick: b.nick.as_deref().and_then(nick),
            password: b.password.as_deref().map(xml_text).and_then(non_empty),
        })
    });
    private(
        Element::builder("storage", ns::BOOKMARKS)
            .append_all(conferences)
            .build(),
    )
}

fn pubsub(child: Element) -> Element {
    Element::builder("pubsub", ns::PUBSUB).append(child).build()
}

fn private(storage: Element) -> Element {
    Element::builder("query", ns::PRIVATE)
        .append(storage)
        .build()
}

fn nick(nick: &str) -> Option<ResourcePart> {
    ResourcePart::new(nick.trim()).ok().map(|n| n.into_owned())
}

/// What a PEP notification changes in the bookmarks.
pub enum Change {
    /// Published (added or changed).
    Upsert(Vec<Bookmark>),
    /// Retracted.
    Remove(Vec<BareJid>),
    /// The node was purged or deleted: no bookmarks left.
    Clear,
}

/// The bookmark changes in a `<event xmlns=pubsub#event/>`, if it is about our node.
pub fn read_event(event: &Element) -> Vec<Change> {
    let mut changes = Vec::new();
    for child in event.children() {
        if child.ns() != ns::PUBSUB_EVENT || child.attr("node") != Some(NODE) {
            continue;
        }
        match child.name() {
            "items" => {
                let published: Vec<Bookmark> = child
                    .children()
                    .filter(|i| i.is("item", ns::PUBSUB_EVENT))
                    .filter_map(from_item)
                    .collect();
                let retracted: Vec<BareJid> = child
                    .children()
                    .filter(|r| r.is("retract", ns::PUBSUB_EVENT))
                    .filter_map(|r| BareJid::new(r.attr("id")?).ok())
                    .collect();
                changes.push(Change::Upsert(published));
                changes.push(Change::Remove(retracted));
            }
            "purge" | "delete" => changes.push(Change::Clear),
            _ => {}
        }
    }
    changes
}
