//! XEP-0045 multi-user chat on the wire: the stanzas we send to rooms, and what the room's
//! presences and messages mean. The per-room state is in `rooms`; owner and moderator
//! requests, room discovery and invitations in `admin`.
//!
//! Who may say what (the spoofing rules, decided in the client with these helpers):
//! presences and group messages count only from a room we are in (its occupant JIDs), subject
//! changes only as group chat from the room, a stanza-id only when the room stamped it, an
//! occupant-id only from a room that announced XEP-0421 (it then strips forged ones), a real
//! JID only from the room's `<item jid/>`.

pub mod admin;
pub mod rooms;

use jid::{BareJid, FullJid, Jid};
use minidom::rxml::xml_ncname;
use minidom::Element;
use xmpp_parsers::caps::Caps;
use xmpp_parsers::delay::Delay;
use xmpp_parsers::message::{Id, Message};
use xmpp_parsers::muc::user::{Affiliation as WireAffiliation, Role as WireRole};
use xmpp_parsers::ns;
use xmpp_parsers::occupant_id::OccupantId;
use xmpp_parsers::presence::{Presence, Type};
use xmpp_parsers::stanza_error::{DefinedCondition, StanzaError};
use xmpp_parsers::stanza_id::{OriginId, StanzaId};

use crate::frame::xml_text;
use crate::room::{Affiliation, JoinError, LeaveReason, Role};

/// XEP-0249 direct invitations.
pub const CONFERENCE: &str = "jabber:x:conference";

/// A room's occupant JID `room@service/nick`; `None` if the nick is not a valid resource.
pub fn occupant(room: &BareJid, nick: &str) -> Option<FullJid> {
    room.with_resource_str(nick).ok()
}

/// Our join presence (XEP-0045 §7.2). `no_history`: the room's archive will give the history,
/// so the room must not replay any (which would come twice). The `<x/>` is built with minidom:
/// xmpp-parsers' `History` brings a date-time serializer for its `since`, unused here.
pub fn join(to: FullJid, password: Option<&str>, no_history: bool, caps: Option<Caps>) -> Presence {
    let mut x = Element::builder("x", ns::MUC);
    if let Some(password) = password.map(xml_text).filter(|p| !p.is_empty()) {
        x = x.append(
            Element::builder("password", ns::MUC)
                .append(password)
                .build(),
        );
    }
    if no_history {
        x = x.append(
            Element::builder("history", ns::MUC)
                .attr(xml_ncname!("maxstanzas").into(), "0")
                .build(),
        );
    }
    let mut presence = Presence::available().with_to(to);
    presence.payloads.push(x.build());
    if let Some(caps) = caps {
        presence.add_payload(caps);
    }
    presence
}

/// A nick change is a presence to the new occupant JID, without the MUC element (§7.6).
pub fn change_nick(to: FullJid, caps: Option<Caps>) -> Presence {
    let mut presence = Presence::available().with_to(to);
    if let Some(caps) = caps {
        presence.add_payload(caps);
    }
    presence
}

pub fn leave(to: FullJid) -> Element {
    let mut element = Element::from(Presence::new(Type::Unavailable).with_to(to));
    // Meaningless on unavailable presence; xmpp-parsers always writes it.
    element.remove_child("priority", ns::DEFAULT_NS);
    element
}

/// A message to the whole room; origin-id repeats our id so the room's archive keeps it.
pub fn groupchat(room: &BareJid, id: &str, body: &str) -> Message {
    let id = xml_text(id);
    let mut message = Message::groupchat(Some(Jid::from(room.clone())))
        .with_body(Default::default(), xml_text(body));
    message.id = Some(Id(id.clone()));
    message.with_payload(OriginId { id })
}

/// A private message to one occupant; the `<x muc#user/>` marks it as one (§7.5), so servers
/// do not copy it to our other devices as if it were a one-to-one chat.
pub fn private(to: FullJid, id: &str, body: &str) -> Message {
    let id = xml_text(id);
    let mut message =
        Message::chat(Some(Jid::from(to))).with_body(Default::default(), xml_text(body));
    message.id = Some(Id(id.clone()));
    message
        .payloads
        .push(Element::builder("x", ns::MUC_USER).build());
    message.with_payload(OriginId { id })
}

/// A subject change (§8.1).
pub fn subject(room: &BareJid, subject: &str) -> Message {
    let mut message = Message::groupchat(Some(Jid::from(room.clone())));
    message
        .subjects
        .insert(Default::default(), xml_text(subject));
    message
}

/// What the `<x xmlns=muc#user/>` of a room presence says. Read by hand: xmpp-parsers'
/// `MucUser` rejects the whole element over one status code it does not know, and its item
/// takes only full JIDs, while rooms may add codes and write bare ones.
#[derive(Debug, Default)]
pub struct UserInfo {
    pub codes: Vec<u16>,
    pub role: Role,
    pub affiliation: Affiliation,
    pub jid: Option<Jid>,
    /// `<item nick/>`: the new nick in a 303 nick change.
    pub nick: Option<String>,
    /// The moderator's `<reason/>` for a kick or ban, or the destroyer's.
    pub reason: Option<String>,
    /// `<destroy/>`: the room is gone; its `jid`, if any, is the alternate venue.
    pub destroyed: Option<Option<BareJid>>,
}

impl UserInfo {
    pub fn read(payloads: &[Element]) -> Option<UserInfo> {
        let x = payloads.iter().find(|p| p.is("x", ns::MUC_USER))?;
        let mut info = UserInfo::default();
        let mut item_seen = false;
        for child in x.children() {
            match child.name() {
                "status" => {
                    if let Some(code) = child.attr("code").and_then(|c| c.trim().parse().ok()) {
                        info.codes.push(code);
                    }
                }
                "item" if !item_seen => {
                    item_seen = true;
                    info.role = child
                        .attr("role")
                        .and_then(|r| r.parse::<WireRole>().ok())
                        .map(Role::from)
                        .unwrap_or_default();
                    info.affiliation = child
                        .attr("affiliation")
                        .and_then(|a| a.parse::<WireAffiliation>().ok())
                        .map(Affiliation::from)
                        .unwrap_or_default();
                    info.jid = child.attr("jid").and_then(|j| Jid::new(j).ok());
                    info.nick = child.attr("nick").map(str::to_owned);
                    info.reason = child
                        .get_child("reason", ns::MUC_USER)
                        .map(|r| r.text())
                        .and_then(non_empty);
                }
                "destroy" => {
                    let alternate = child.attr("jid").and_then(|j| BareJid::new(j).ok());
                    info.destroyed = Some(alternate);
                    if info.reason.is_none() {
                        info.reason = child
                            .get_child("reason", ns::MUC_USER)
                            .map(|r| r.text())
                            .and_then(non_empty);
                    }
                }
                _ => {}
            }
        }
        Some(info)
    }

    pub fn has(&self, code: u16) -> bool {
        self.codes.contains(&code)
    }

    /// Why an unavailable presence ends a stay in the room; `None` for a plain leave or a
    /// nick change.
    pub fn exit(&self) -> Option<LeaveReason> {
        if let Some(alternate) = &self.destroyed {
            return Some(LeaveReason::Destroyed {
                alternate: alternate.clone(),
            });
        }
        [
            (301, LeaveReason::Banned),
            (307, LeaveReason::Kicked),
            (321, LeaveReason::AffiliationChanged),
            (322, LeaveReason::MembersOnly),
            (332, LeaveReason::Shutdown),
            (333, LeaveReason::Error),
        ]
        .into_iter()
        .find(|(code, _)| self.has(*code))
        .map(|(_, reason)| reason)
    }
}

impl From<WireRole> for Role {
    fn from(role: WireRole) -> Role {
        match role {
            WireRole::Moderator => Role::Moderator,
            WireRole::Participant => Role::Participant,
            WireRole::Visitor => Role::Visitor,
            WireRole::None => Role::None,
        }
    }
}

impl From<Role> for WireRole {
    fn from(role: Role) -> WireRole {
        match role {
            Role::Moderator => WireRole::Moderator,
            Role::Participant => WireRole::Participant,
            Role::Visitor => WireRole::Visitor,
            Role::None => WireRole::None,
        }
    }
}

impl From<WireAffiliation> for Affiliation {
    fn from(affiliation: WireAffiliation) -> Affiliation {
        match affiliation {
            WireAffiliation::Owner => Affiliation::Owner,
            WireAffiliation::Admin => Affiliation::Admin,
            WireAffiliation::Member => Affiliation::Member,
            WireAffiliation::Outcast => Affiliation::Outcast,
            WireAffiliation::None => Affiliation::None,
        }
    }
}

impl From<Affiliation> for WireAffiliation {
    fn from(affiliation: Affiliation) -> WireAffiliation {
        match affiliation {
            Affiliation::Owner => WireAffiliation::Owner,
            Affiliation::Admin => WireAffiliation::Admin,
            Affiliation::Member => WireAffiliation::Member,
            Affiliation::Outcast => WireAffiliation::Outcast,
            Affiliation::None => WireAffiliation::None,
        }
    }
}

/// A join refused (§7.2.6 – §7.2.11), in the user's terms.
pub fn join_error(error: Option<&StanzaError>) -> JoinError {
    let Some(error) = error else {
        return JoinError::Other("the room refused to let you in".into());
    };
    use DefinedCondition as C;
    match &error.defined_condition {
        C::Forbidden => JoinError::Banned,
        C::RegistrationRequired => JoinError::MembersOnly,
        C::Conflict => JoinError::NickInUse,
        C::NotAcceptable | C::JidMalformed => JoinError::NickNotAllowed,
        C::NotAuthorized => JoinError::PasswordRequired,
        C::ItemNotFound | C::Gone { .. } => JoinError::RoomGone,
        C::ServiceUnavailable => JoinError::RoomFull,
        C::NotAllowed => JoinError::CreationRestricted,
        C::RemoteServerNotFound | C::RemoteServerTimeout => JoinError::Unreachable,
        _ => JoinError::Other(format!(
            "the room refused to let you in: {}",
            crate::iq::describe(error)
        )),
    }
}

/// The XEP-0359 and XEP-0421 ids and the delay of a room message.
#[derive(Default)]
pub struct MessageIds {
    pub stanza_id: Option<String>,
    pub origin_id: Option<String>,
    pub occupant_id: Option<String>,
    pub delay: Option<Delay>,
}

impl MessageIds {
    /// `room`: the only `by` a stanza-id is believed from. `occupant_ids`: the room announced
    /// XEP-0421, so it strips forged ones and the one left is its own.
    pub fn read(payloads: &[Element], room: &BareJid, occupant_ids: bool) -> MessageIds {
        let mut ids = MessageIds::default();
        for payload in payloads {
            if payload.is("stanza-id", ns::SID) && ids.stanza_id.is_none() {
                if let Ok(sid) = StanzaId::try_from(payload.clone()) {
                    if sid.by == *room && !sid.id.is_empty() {
                        ids.stanza_id = Some(sid.id);
                    }
                }
            } else if payload.is("origin-id", ns::SID) && ids.origin_id.is_none() {
                ids.origin_id = OriginId::try_from(payload.clone())
                    .ok()
                    .map(|o| o.id)
                    .filter(|id| !id.is_empty());
            } else if payload.is("occupant-id", ns::OID)
                && occupant_ids
                && ids.occupant_id.is_none()
            {
                ids.occupant_id = OccupantId::try_from(payload.clone())
                    .ok()
                    .map(|o| o.id)
                    .filter(|id| !id.is_empty());
            } else if payload.is("delay", ns::DELAY) && ids.delay.is_none() {
                ids.delay = Delay::try_from(payload.clone()).ok();
            }
        }
        ids
    }
}

/// The occupant-id of a presence, from a room that announced XEP-0421.
pub fn occupant_id(payloads: &[Element], trusted: bool) -> Option<String> {
    if !trusted {
        return None;
    }
    payloads
        .iter()
        .find(|p| p.is("occupant-id", ns::OID))
        .and_then(|p| OccupantId::try_from(p.clone()).ok())
        .map(|o| o.id)
        .filter(|id| !id.is_empty())
}

/// The id a room message goes by: the sender's, else its origin-id, else the room's
/// stanza-id, else a fresh one.
pub fn message_id(
    message: &Message,
    ids: &MessageIds,
    stanza_id: Option<&String>,
    fresh_id: impl FnOnce() -> String,
) -> String {
    message
        .id
        .as_ref()
        .map(|id| id.0.clone())
        .filter(|id| !id.is_empty())
        .or_else(|| ids.origin_id.clone())
        .or_else(|| stanza_id.cloned())
        .unwrap_or_else(fresh_id)
}

pub fn non_empty(text: String) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_affiliations_round_trip_the_wire() {
        for role in [
            Role::Moderator,
            Role::Participant,
            Role::Visitor,
            Role::None,
        ] {
            assert_eq!(Role::from(WireRole::from(role)), role);
        }
        for a in [
            Affiliation::Owner,
            Affiliation::Admin,
            Affiliation::Member,
            Affiliation::None,
            Affiliation::Outcast,
        ] {
            assert_eq!(Affiliation::from(WireAffiliation::from(a)), a);
        }
    }

    #[test]
    fn user_info_survives_unknown_codes_and_bare_jids() {
        let x: Element = r#"<x xmlns="http://jabber.org/protocol/muc#user"><status code="999"/><status code="110"/><item affiliation="owner" role="moderator" jid="hag@shakespeare.lit"/><status code="x"/></x>"#
            .parse()
            .unwrap();
        let info = UserInfo::read(&[x]).unwrap();
        assert_eq!(info.codes, vec![999, 110]);
        assert_eq!(info.role, Role::Moderator);
        assert_eq!(info.affiliation, Affiliation::Owner);
        assert_eq!(
            info.jid.as_ref().unwrap().to_string(),
            "hag@shakespeare.lit"
        );
        assert_eq!(info.exit(), None);
    }
}
