//! Our IQ requests in flight, and the replies we owe to the server's.
//!
//! Every request has a deadline and a recipient; a reply is accepted only from that recipient
//! (the rule is in `sender`). Anything else with a matching id is forged or stale and is
//! dropped.

use jid::{BareJid, Jid};
use minidom::Element;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::stanza_error::{DefinedCondition, ErrorType, StanzaError};

use crate::room::Bookmark;
use crate::sender::Own;
use crate::Instant;

/// What an IQ of ours was for, so its answer (or silence) lands in the right place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IqKind {
    Bind,
    Session,
    RosterGet,
    /// A roster set; `what` names it for the user should it fail.
    RosterSet {
        what: String,
    },
    /// disco#info to our server, to learn whether it offers carbons.
    ServerInfo,
    /// XEP-0280 `<enable/>`.
    CarbonsEnable,
    /// One page of an archive query (XEP-0313), known by its queryid.
    Archive {
        queryid: String,
    },
    /// Group chat and bookmarks.
    Room(RoomIq),
    /// Avatars and profiles.
    Profile(crate::avatar::ProfileIq),
    /// XEP-0191: the blocklist and changes to it.
    Blocking(crate::blocking::Request),
    /// XEP-0363: finding the upload service, asking for slots.
    Upload(crate::upload::UploadIq),
}

/// What a group chat or bookmark request of ours was for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomIq {
    /// disco#info to a room before joining it (archive? occupant-ids?).
    JoinInfo {
        room: BareJid,
    },
    /// `Command::RoomInfo`.
    Info {
        room: BareJid,
    },
    /// `Command::ListRooms`.
    List {
        service: BareJid,
    },
    /// XEP-0410 ping to our own occupant JID.
    SelfPing {
        room: BareJid,
    },
    /// A role or affiliation change; `what` names it should it fail.
    Admin {
        what: String,
    },
    ConfigGet {
        room: BareJid,
    },
    /// A configuration submit; `instant`: the default one of a room we just created.
    ConfigSubmit {
        room: BareJid,
        instant: bool,
    },
    /// disco#info to our own account: which bookmark storage the server keeps.
    AccountInfo,
    /// Loading the bookmarks (`pep`: XEP-0402, else XEP-0048).
    BookmarksGet {
        pep: bool,
    },
    /// Publishing one XEP-0402 bookmark.
    BookmarkPublish {
        bookmark: Bookmark,
    },
    /// Retracting one XEP-0402 bookmark.
    BookmarkRetract {
        room: BareJid,
    },
    /// Rewriting the XEP-0048 storage to hold exactly `set`.
    BookmarksStore {
        set: Vec<Bookmark>,
    },
}

struct Pending {
    id: String,
    to: Option<Jid>,
    deadline: Instant,
    kind: IqKind,
}

#[derive(Default)]
pub struct IqTracker {
    // A handful at a time (one per user action), so a Vec in send order beats a map.
    pending: Vec<Pending>,
}

impl IqTracker {
    pub fn track(&mut self, id: String, to: Option<Jid>, deadline: Instant, kind: IqKind) {
        self.pending.push(Pending {
            id,
            to,
            deadline,
            kind,
        });
    }

    /// How many requests in flight are of a kind `f` picks.
    pub fn count(&self, f: impl Fn(&IqKind) -> bool) -> usize {
        self.pending.iter().filter(|p| f(&p.kind)).count()
    }

    /// Whether a request of this kind is in flight.
    pub fn has(&self, kind: &IqKind) -> bool {
        self.pending.iter().any(|p| p.kind == *kind)
    }

    pub fn next_deadline(&self) -> Option<Instant> {
        self.pending.iter().map(|p| p.deadline).min()
    }

    /// Removes and returns the requests whose deadline has passed, earliest first.
    pub fn take_expired(&mut self, now: Instant) -> Vec<IqKind> {
        let (mut expired, waiting): (Vec<_>, Vec<_>) =
            self.pending.drain(..).partition(|p| p.deadline <= now);
        self.pending = waiting;
        expired.sort_by_key(|p| p.deadline);
        expired.into_iter().map(|p| p.kind).collect()
    }

    /// Claims the request a reply answers, if the id is ours and the sender the one we asked;
    /// otherwise why the reply is dropped (the request, if any, stays pending: the real answer
    /// may still come).
    pub fn take_answer(
        &mut self,
        id: &str,
        from: Option<&Jid>,
        own: &Own,
    ) -> Result<IqKind, &'static str> {
        if !self.pending.iter().any(|p| p.id == id) {
            return Err("an answer to no request of ours");
        }
        let index = self
            .pending
            .iter()
            .position(|p| p.id == id && own.may_answer(p.to.as_ref(), from))
            .ok_or("an answer from someone we did not ask")?;
        Ok(self.pending.remove(index).kind)
    }

    pub fn clear(&mut self) {
        self.pending.clear();
    }
}

/// A result to a request; addressed back to the requester (no `to` when it came from our
/// server on our behalf).
pub fn result(request_from: Option<Jid>, id: &str, payload: Option<Element>) -> Iq {
    Iq::Result {
        from: None,
        to: request_from,
        id: id.to_owned(),
        payload,
    }
}

pub fn error(
    request_from: Option<Jid>,
    id: &str,
    type_: ErrorType,
    condition: DefinedCondition,
) -> Iq {
    let error = StanzaError {
        type_,
        by: None,
        defined_condition: condition,
        texts: Default::default(),
        other: None,
    };
    Iq::Error {
        from: None,
        to: request_from,
        id: id.to_owned(),
        error,
        payload: None,
    }
}

pub fn service_unavailable(request_from: Option<Jid>, id: &str) -> Iq {
    error(
        request_from,
        id,
        ErrorType::Cancel,
        DefinedCondition::ServiceUnavailable,
    )
}

/// Plain words for a stanza error, for `RequestFailed`/`MessageFailed`.
pub fn describe(error: &StanzaError) -> String {
    let condition = condition_name(&error.defined_condition);
    let words = match condition.as_str() {
        "service-unavailable" => "the service is not available".to_owned(),
        "remote-server-not-found" => "the other server could not be found".to_owned(),
        "remote-server-timeout" => "the other server did not answer in time".to_owned(),
        "recipient-unavailable" | "item-not-found" => "the recipient is not available".to_owned(),
        "forbidden" | "not-allowed" | "not-authorized" => "this is not allowed".to_owned(),
        "policy-violation" => "the server refused it by policy".to_owned(),
        "resource-constraint" => "the server is too busy".to_owned(),
        "jid-malformed" => "the address is not valid".to_owned(),
        "bad-request" => "the server did not understand the request".to_owned(),
        "internal-server-error" => "the server had an internal error".to_owned(),
        other => other.replace('-', " "),
    };
    let text = error
        .texts
        .get("en")
        .or_else(|| error.texts.get(""))
        .or_else(|| error.texts.values().next());
    match text.map(|t| t.trim()).filter(|t| !t.is_empty()) {
        Some(text) => format!("{words} ({text})"),
        None => words,
    }
}

/// The condition's element name (RFC 6120 §8.3.3). A plain match: serializing the condition
/// to read its name back would pull in its whole generated serializer.
pub fn condition_name(condition: &DefinedCondition) -> String {
    use DefinedCondition as C;
    match condition {
        C::BadRequest => "bad-request",
        C::Conflict => "conflict",
        C::FeatureNotImplemented => "feature-not-implemented",
        C::Forbidden => "forbidden",
        C::Gone { .. } => "gone",
        C::InternalServerError => "internal-server-error",
        C::ItemNotFound => "item-not-found",
        C::JidMalformed => "jid-malformed",
        C::NotAcceptable => "not-acceptable",
        C::NotAllowed => "not-allowed",
        C::NotAuthorized => "not-authorized",
        C::PolicyViolation => "policy-violation",
        C::RecipientUnavailable => "recipient-unavailable",
        C::Redirect { .. } => "redirect",
        C::RegistrationRequired => "registration-required",
        C::RemoteServerNotFound => "remote-server-not-found",
        C::RemoteServerTimeout => "remote-server-timeout",
        C::ResourceConstraint => "resource-constraint",
        C::ServiceUnavailable => "service-unavailable",
        C::SubscriptionRequired => "subscription-required",
        C::UndefinedCondition => "undefined-condition",
        C::UnexpectedRequest => "unexpected-request",
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_names_match_the_wire() {
        for condition in [
            DefinedCondition::BadRequest,
            DefinedCondition::Gone { new_address: None },
            DefinedCondition::RecipientUnavailable,
            DefinedCondition::Redirect { new_address: None },
            DefinedCondition::UnexpectedRequest,
        ] {
            let wire = Element::from(condition.clone());
            assert_eq!(condition_name(&condition), wire.name());
        }
    }
}
