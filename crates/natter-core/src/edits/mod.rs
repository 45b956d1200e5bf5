//! Changes to earlier one-to-one messages and references to them: XEP-0308 last message
//! correction, XEP-0424 retraction, XEP-0444 reactions and XEP-0461 replies (with the
//! XEP-0428 fallback bodies old clients show instead).
//!
//! The core only reads and writes what a stanza says ([`Edits`]); whether it may apply (the
//! original's sender, the target being known) is decided by the store, which holds the
//! messages. Reactions and retractions may come without a body: [`bodyless`] lets them
//! through the one conversion every copy of a message takes.

mod reactions;
mod reply;

use minidom::rxml::xml_ncname;
use minidom::Element;
use xmpp_parsers::message::Message;
use xmpp_parsers::message_correct::Replace;
use xmpp_parsers::ns;

pub use reactions::{valid_reaction, MAX_REACTIONS, MAX_REACTION_CHARS};
pub use reply::{strip_fallback, Reply, NS as REPLY, QUOTE_CHARS};

pub const RETRACT: &str = "urn:xmpp:message-retract:1";
/// The earlier version slixmpp 1.8 and older Conversations send, inside a XEP-0422 fastening.
pub(crate) const RETRACT_0: &str = "urn:xmpp:message-retract:0";
pub(crate) const FASTEN: &str = "urn:xmpp:fasten:0";
pub(crate) const FALLBACK: &str = "urn:xmpp:fallback:0";
pub(crate) const HINTS: &str = "urn:xmpp:hints";

/// The body XEP-0424 gives old clients, which show it instead of hiding the message.
pub const RETRACT_FALLBACK: &str =
    "This person attempted to retract a previous message, but it's unsupported by your client.";

/// What a message says about earlier messages, and (set by the store, never read from the
/// wire) what later messages did to it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Edits {
    /// XEP-0308: this message's body replaces that of the message with this id (the id of
    /// the first message: corrections of corrections name the original).
    pub replace: Option<String>,
    /// XEP-0424: the message with this id is taken back.
    pub retract: Option<String>,
    /// XEP-0444: the sender's whole set of reactions to a message (empty: none any more).
    pub react: Option<ReactionSet>,
    /// XEP-0461: this message answers another one.
    pub reply: Option<Reply>,
    /// What later messages did to this one (the store's bookkeeping, kept in the cache).
    pub applied: Applied,
}

impl Edits {
    /// The message only changes another one: the store applies it instead of showing it.
    pub fn is_edit(&self) -> bool {
        self.replace.is_some() || self.retract.is_some() || self.react.is_some()
    }
}

/// One sender's reactions to the message `id`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReactionSet {
    pub id: String,
    pub reactions: Vec<String>,
}

/// The effect of corrections, retractions and reactions on a message. In a one-to-one chat
/// there are two reactors: our account (all our devices) and the peer. The `_at` times (Unix
/// ms, 0: never) let an older copy arriving late (a history page) lose to a newer one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Applied {
    /// When the body shown was last corrected; 0: never corrected.
    pub edited_at: u64,
    /// Taken back by its sender: the body is gone for good.
    pub retracted: bool,
    pub mine: Vec<String>,
    pub mine_at: u64,
    pub theirs: Vec<String>,
    pub theirs_at: u64,
}

/// Reads what `message` says (its body is needed for the reply's fallback quote).
/// Untrusted text throughout: ids are only compared, reactions are checked.
pub fn read(message: &Message) -> Edits {
    let mut edits = Edits::default();
    for payload in &message.payloads {
        if payload.is("replace", ns::MESSAGE_CORRECT) {
            edits.replace = Replace::try_from(payload.clone())
                .ok()
                .map(|r| r.id.0)
                .filter(|id| !id.is_empty());
        } else if payload.is("retract", RETRACT)
            || (payload.is("apply-to", FASTEN)
                && payload.children().any(|c| c.is("retract", RETRACT_0)))
        {
            // Version 1 names the message on `<retract/>`, version 0 on its fastening.
            edits.retract = id_attr(payload);
        } else if payload.is("reactions", ns::REACTIONS) {
            edits.react = reactions::read(payload);
        } else if payload.is("reply", reply::NS) {
            edits.reply = reply::read(payload, message);
        }
    }
    edits
}

/// Adds what `edits` asks for to an outgoing message (see [`crate::Command`]).
pub fn add(mut message: Message, edits: &Edits) -> Message {
    if let Some(id) = &edits.replace {
        message = message.with_payload(Replace {
            id: xmpp_parsers::message::Id(crate::frame::xml_text(id)),
        });
    }
    if let Some(id) = &edits.retract {
        message.payloads.push(
            Element::builder("retract", RETRACT)
                .attr(xml_ncname!("id").into(), crate::frame::xml_text(id))
                .build(),
        );
        // Version 0 too, in its fastening: slixmpp 1.8 and older Conversations and Gajim know
        // only that one, and would otherwise show the fallback text.
        message.payloads.push(
            Element::builder("apply-to", FASTEN)
                .attr(xml_ncname!("id").into(), crate::frame::xml_text(id))
                .append(Element::builder("retract", RETRACT_0).build())
                .build(),
        );
        message.payloads.push(
            Element::builder("fallback", FALLBACK)
                .attr(xml_ncname!("for").into(), RETRACT)
                .build(),
        );
        message.payloads.push(store_hint());
    }
    if let Some(set) = &edits.react {
        // XEP-0444 reactions carry no body: one would show as an empty message.
        message.bodies.retain(|_, body| !body.is_empty());
        message.payloads.push(reactions::element(set));
        message.payloads.push(store_hint());
    }
    if let Some(r) = &edits.reply {
        message = reply::add(message, r);
    }
    message
}

/// XEP-0334: body-less messages are not archived by default, and these must be.
fn store_hint() -> Element {
    Element::builder("store", HINTS).build()
}

fn id_attr(element: &Element) -> Option<String> {
    element
        .attr("id")
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

/// The body a message without one stands for, when it still matters to the store: a
/// reaction or a retraction (`Some("")`). `None` for anything else (chat states, receipts).
pub fn bodyless(message: &Message) -> Option<String> {
    let edits = read(message);
    (edits.react.is_some() || edits.retract.is_some()).then(String::new)
}
