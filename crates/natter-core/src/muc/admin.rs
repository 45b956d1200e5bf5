//! Requests about rooms rather than in them: discovery (XEP-0030 disco#info/#items on rooms
//! and chat services), owner configuration through data forms (XEP-0004, XEP-0045 §10),
//! moderation (§8, §9: roles and affiliations), and invitations (mediated §7.8, direct
//! XEP-0249).

use jid::{BareJid, Jid};
use minidom::rxml::xml_ncname;
use minidom::Element;
use xmpp_parsers::message::Message;
use xmpp_parsers::ns;

use super::{non_empty, CONFERENCE};
use crate::forms::{self, Value};
use crate::frame::xml_text;
use crate::room::{Affiliation, Invitation, Role, RoomConfig, RoomInfo, RoomListItem};

pub const MUC_ADMIN: &str = "http://jabber.org/protocol/muc#admin";
pub const MUC_OWNER: &str = "http://jabber.org/protocol/muc#owner";
const ROOMCONFIG: &str = "http://jabber.org/protocol/muc#roomconfig";
const ROOMINFO: &str = "http://jabber.org/protocol/muc#roominfo";

const NAME: &str = "muc#roomconfig_roomname";
const DESCRIPTION: &str = "muc#roomconfig_roomdesc";
const PERSISTENT: &str = "muc#roomconfig_persistentroom";
const MEMBERS_ONLY: &str = "muc#roomconfig_membersonly";
const PUBLIC: &str = "muc#roomconfig_publicroom";
const MODERATED: &str = "muc#roomconfig_moderatedroom";
const PASSWORD_PROTECTED: &str = "muc#roomconfig_passwordprotectedroom";
const SECRET: &str = "muc#roomconfig_roomsecret";

/// Whom a moderation request is about: an occupant by nick (roles) or an account by JID
/// (affiliations, which outlast a visit).
pub enum Target<'a> {
    Nick(&'a str, Role),
    Jid(&'a BareJid, Affiliation),
}

/// The `<query xmlns=muc#admin>` that sets one role or affiliation (§8.2 – §9.8).
pub fn admin_item(target: Target, reason: Option<&str>) -> Element {
    let mut item = Element::builder("item", MUC_ADMIN);
    match target {
        Target::Nick(nick, role) => {
            item = item
                .attr(xml_ncname!("nick").into(), xml_text(nick))
                .attr(xml_ncname!("role").into(), role.as_str());
        }
        Target::Jid(jid, affiliation) => {
            item = item
                .attr(xml_ncname!("jid").into(), jid.to_string())
                .attr(xml_ncname!("affiliation").into(), affiliation.as_str());
        }
    }
    if let Some(reason) = reason.map(xml_text).filter(|r| !r.trim().is_empty()) {
        item = item.append(Element::builder("reason", MUC_ADMIN).append(reason).build());
    }
    Element::builder("query", MUC_ADMIN)
        .append(item.build())
        .build()
}

/// Asks for the configuration form (§10.2).
pub fn config_request() -> Element {
    Element::builder("query", MUC_OWNER).build()
}

/// Accepts the default configuration of a room we just created (§10.1.2, an "instant room").
pub fn instant_room() -> Element {
    Element::builder("query", MUC_OWNER)
        .append(forms::submit(None, Vec::new()))
        .build()
}

/// The typed fields of a configuration form; `None` if the answer holds no form.
pub fn read_config(room: &BareJid, query: &Element) -> Option<RoomConfig> {
    let form = query.get_child("x", ns::DATA_FORMS)?;
    let mut config = RoomConfig::new(room.clone());
    for (var, values) in forms::fields(form) {
        let value = values.into_iter().next().unwrap_or_default();
        match var.as_str() {
            NAME => config.name = Some(value),
            DESCRIPTION => config.description = Some(value),
            PERSISTENT => config.persistent = Some(truthy(&value)),
            MEMBERS_ONLY => config.members_only = Some(truthy(&value)),
            PUBLIC => config.public = Some(truthy(&value)),
            MODERATED => config.moderated = Some(truthy(&value)),
            SECRET => config.password = Some(value),
            _ => {}
        }
    }
    Some(config)
}

/// The submit for `config`'s fields that are set (§10.2). A non-empty password also turns
/// on password protection on services that keep it as a field of its own.
pub fn config_submit(config: &RoomConfig) -> Element {
    let mut values = Vec::new();
    if let Some(name) = &config.name {
        values.push(Value::text(NAME, xml_text(name)));
    }
    if let Some(description) = &config.description {
        values.push(Value::text(DESCRIPTION, xml_text(description)));
    }
    for (var, value) in [
        (PERSISTENT, config.persistent),
        (MEMBERS_ONLY, config.members_only),
        (PUBLIC, config.public),
        (MODERATED, config.moderated),
    ] {
        if let Some(on) = value {
            values.push(Value::flag(var, on));
        }
    }
    if let Some(password) = &config.password {
        let password = xml_text(password);
        values.push(Value::flag(PASSWORD_PROTECTED, !password.is_empty()));
        values.push(Value {
            var: SECRET,
            type_: Some("text-private"),
            value: password,
        });
    }
    Element::builder("query", MUC_OWNER)
        .append(forms::submit(Some(ROOMCONFIG), values))
        .build()
}

fn truthy(value: &str) -> bool {
    matches!(value.trim(), "1" | "true")
}

/// A room's disco#info answer. Read off the element rather than through `DiscoInfoResult`,
/// which refuses a whole answer over one malformed identity or a duplicate feature; the
/// `muc#roominfo` form is parsed on its own.
pub fn room_info(room: &BareJid, query: &Element) -> RoomInfo {
    let mut info = RoomInfo::new(room.clone());
    for child in query.children() {
        if child.is("identity", ns::DISCO_INFO) && child.attr("category") == Some("conference") {
            if info.name.is_none() {
                info.name = child.attr("name").map(str::to_owned).and_then(non_empty);
            }
        } else if child.is("feature", ns::DISCO_INFO) {
            if let Some(var) = child.attr("var") {
                if !info.features.iter().any(|f| f == var) {
                    info.features.push(var.to_owned());
                }
            }
        } else if child.is("x", ns::DATA_FORMS) {
            let fields = forms::fields(child);
            if forms::form_type(&fields) != Some(ROOMINFO) {
                continue;
            }
            for (var, values) in fields {
                let value = values.into_iter().next().and_then(non_empty);
                match var.as_str() {
                    "muc#roominfo_description" => info.description = value,
                    "muc#roominfo_occupants" => info.occupants = value.and_then(|v| v.parse().ok()),
                    "muc#roomconfig_roomname" if info.name.is_none() => info.name = value,
                    _ => {}
                }
            }
        }
    }
    let has = |f: &str| info.features.iter().any(|x| x == f);
    info.password_protected = has("muc_passwordprotected");
    info.members_only = has("muc_membersonly");
    info.persistent = has("muc_persistent");
    info.public = has("muc_public");
    info.moderated = has("muc_moderated");
    info.archived = has(ns::MAM);
    info.occupant_ids = has(ns::OID);
    info
}

/// The disco#items request to a chat service.
pub fn items_request() -> Element {
    Element::builder("query", ns::DISCO_ITEMS).build()
}

/// The rooms a chat service lists (disco#items); items that are not rooms (a node, no node
/// part in the address) are left out. Read by hand, like `room_info`: one malformed item
/// must not hide the rest.
pub fn room_list(query: &Element) -> Vec<RoomListItem> {
    query
        .children()
        .filter(|item| item.is("item", ns::DISCO_ITEMS) && item.attr("node").is_none())
        .filter_map(|item| {
            let jid = BareJid::new(item.attr("jid")?).ok()?;
            jid.node()?;
            Some(RoomListItem {
                jid,
                name: item.attr("name").map(str::to_owned).and_then(non_empty),
            })
        })
        .collect()
}

/// A mediated invitation: the room passes it on and vouches for who sent it (§7.8.2).
pub fn mediated_invite(room: &BareJid, to: &BareJid, reason: Option<&str>) -> Message {
    through_room(room, "invite", &to.to_string(), reason)
}

/// Declining a mediated invitation: the room passes it on to `inviter` (§7.8.2).
pub fn decline(room: &BareJid, inviter: &Jid, reason: Option<&str>) -> Message {
    through_room(room, "decline", &inviter.to_string(), reason)
}

/// `<x muc#user><{name} to=…><reason/></…></x>` to the room, which passes it on. Built with
/// minidom: xmpp-parsers' `MucUser` serializer would bring every muc#user child's code into
/// the wasm for this one element.
fn through_room(room: &BareJid, name: &str, to: &str, reason: Option<&str>) -> Message {
    let mut child = Element::builder(name, ns::MUC_USER).attr(xml_ncname!("to").into(), to);
    if let Some(reason) = reason.map(xml_text).filter(|r| !r.trim().is_empty()) {
        child = child.append(
            Element::builder("reason", ns::MUC_USER)
                .append(reason)
                .build(),
        );
    }
    let x = Element::builder("x", ns::MUC_USER)
        .append(child.build())
        .build();
    Message::normal(Some(Jid::from(room.clone()))).with_payloads(vec![x])
}

/// A XEP-0249 direct invitation, from us to `to`.
pub fn direct_invite(
    to: &BareJid,
    room: &BareJid,
    password: Option<&str>,
    reason: Option<&str>,
) -> Message {
    let mut x = Element::builder("x", CONFERENCE).attr(xml_ncname!("jid").into(), room.to_string());
    if let Some(password) = password.map(xml_text).filter(|p| !p.is_empty()) {
        x = x.attr(xml_ncname!("password").into(), password);
    }
    if let Some(reason) = reason.map(xml_text).filter(|r| !r.trim().is_empty()) {
        x = x.attr(xml_ncname!("reason").into(), reason);
    }
    Message::normal(Some(Jid::from(to.clone()))).with_payloads(vec![x.build()])
}

/// An invitation in `message`, direct or mediated; `None` if it is none (or malformed).
/// A mediated one must come from a room's bare JID: only the room may vouch for the inviter.
pub fn invitation(message: &Message) -> Option<Invitation> {
    // Prosody adds a XEP-0249 copy (without the reason, "from" the room) to the mediated
    // invitations it forwards: the room's own `<invite/>` says who invites and why, so it wins.
    mediated_invitation(message).or_else(|| direct_invitation(message))
}

fn direct_invitation(message: &Message) -> Option<Invitation> {
    let from = message.from.as_ref()?;
    let x = message.payloads.iter().find(|p| p.is("x", CONFERENCE))?;
    let room = BareJid::new(x.attr("jid")?).ok()?;
    Some(Invitation {
        room,
        from: from.clone(),
        password: x.attr("password").map(str::to_owned).and_then(non_empty),
        reason: x.attr("reason").map(str::to_owned).and_then(non_empty),
        direct: true,
    })
}

fn mediated_invitation(message: &Message) -> Option<Invitation> {
    let from = message.from.as_ref()?;
    let x = message.payloads.iter().find(|p| p.is("x", ns::MUC_USER))?;
    let invite = x.get_child("invite", ns::MUC_USER)?;
    if from.resource().is_some() || from.node().is_none() {
        return None;
    }
    let inviter = Jid::new(invite.attr("from")?).ok()?;
    Some(Invitation {
        room: from.to_bare(),
        from: inviter,
        password: x
            .get_child("password", ns::MUC_USER)
            .map(|p| p.text())
            .and_then(non_empty),
        reason: invite
            .get_child("reason", ns::MUC_USER)
            .map(|r| r.text())
            .and_then(non_empty),
        direct: false,
    })
}

/// Whether `message` carries an invitation element at all (even one we refuse), so that it
/// is not also shown as a chat message.
pub fn has_invitation(message: &Message) -> bool {
    message.payloads.iter().any(|p| {
        p.is("x", CONFERENCE)
            || (p.is("x", ns::MUC_USER) && p.get_child("invite", ns::MUC_USER).is_some())
    })
}
