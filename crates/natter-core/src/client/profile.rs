//! Avatars and names in the session: contacts' announcements (PEP notifications, presence),
//! fetching images and vCards, publishing our own. Who may announce what: a PEP notification
//! speaks for the bare JID it comes from (the server sends it in the account's name), so one
//! from a full JID, which any client can send, is dropped; a presence speaks for its sender.

use jid::{BareJid, Jid};
use minidom::Element;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::message::Message;
use xmpp_parsers::ns;
use xmpp_parsers::presence::{Presence, Type};
use xmpp_parsers::stanza_error::StanzaError;

use super::Client;
use crate::avatar::{self, ProfileIq};
use crate::iq::IqKind;
use crate::vcard;
use crate::{sender, Command, Event, Instant};

const AVATAR_WHAT: &str = "Could not change your avatar";
const NICK_WHAT: &str = "Could not change your nickname";

impl Client {
    /// Takes a PEP notification about avatars or nicknames; `false` leaves the message to
    /// the other PEP handlers (bookmarks).
    pub(super) fn profile_event(&mut self, message: &Message) -> bool {
        let Some(event) = message
            .payloads
            .iter()
            .find(|p| p.is("event", ns::PUBSUB_EVENT))
        else {
            return false;
        };
        let avatar = avatar::read_event(event);
        let nick = vcard::read_nick_event(event);
        if avatar.is_none() && nick.is_none() {
            return false;
        }
        let from = message.from.as_ref();
        let Some(jid) = from.filter(|f| f.resource().is_none()).map(Jid::to_bare) else {
            self.events.push_back(sender::dropped(
                from,
                "a profile notification not from an account's PEP",
            ));
            return true;
        };
        if let Some(hash) = avatar {
            self.events.push_back(Event::AvatarChanged {
                jid: jid.clone(),
                hash,
            });
        }
        if let Some(nickname) = nick {
            self.events.push_back(Event::Nickname { jid, nickname });
        }
        true
    }

    /// The XEP-0153 hash in a contact's presence (rooms' presences never come here).
    pub(super) fn presence_avatar(&mut self, presence: &Presence) {
        if presence.type_ != Type::None {
            return;
        }
        let (Some(from), Some(hash)) = (presence.from.as_ref(), avatar::presence_hash(presence))
        else {
            return;
        };
        self.events.push_back(Event::AvatarChanged {
            jid: from.to_bare(),
            hash: Some(hash),
        });
    }

    pub(super) fn profile_command(&mut self, now: Instant, command: Command) {
        match command {
            Command::FetchAvatar { jid, hash } => {
                let Some(hash) = avatar::normalise_hash(&hash) else {
                    return;
                };
                let data = ProfileIq::AvatarData {
                    jid: jid.clone(),
                    hash: hash.clone(),
                };
                let vcard = ProfileIq::AvatarVCard {
                    jid: jid.clone(),
                    hash: hash.clone(),
                };
                // One fetch per image at a time, however often the view asks.
                if self.iqs.has(&IqKind::Profile(data))
                    || self.iqs.has(&IqKind::Profile(vcard))
                    || self.avatar_queue.contains(&(jid.clone(), hash.clone()))
                {
                    return;
                }
                if self.avatar_queue.len() >= avatar::MAX_QUEUED_FETCHES {
                    self.avatar_queue.pop_front();
                }
                self.avatar_queue.push_back((jid, hash));
                self.next_avatar_fetches(now);
            }
            Command::FetchProfile { jid } => {
                let kind = ProfileIq::VCard4 { jid: jid.clone() };
                if !self.iqs.has(&IqKind::Profile(kind.clone())) {
                    self.profile_request(now, Some(jid), false, vcard::vcard4_request(), kind);
                }
            }
            Command::PublishAvatar {
                mime,
                bytes,
                width,
                height,
            } => self.publish_avatar(now, mime, bytes, width, height),
            Command::SetNickname { nickname } => {
                let Some(nickname) = vcard::clean_name(&nickname) else {
                    return;
                };
                let nick = vcard::publish_nick(&nickname);
                self.profile_request(now, None, true, nick, ProfileIq::PublishNick);
                let kind = ProfileIq::OwnVCard { nickname };
                self.profile_request(now, None, false, vcard::vcard_temp_request(), kind);
            }
            _ => {}
        }
    }

    /// Starts queued fetches while fewer than [`avatar::MAX_FETCHES`] run.
    fn next_avatar_fetches(&mut self, now: Instant) {
        while self.iqs.count(|k| {
            matches!(
                k,
                IqKind::Profile(ProfileIq::AvatarData { .. } | ProfileIq::AvatarVCard { .. })
            )
        }) < avatar::MAX_FETCHES
        {
            let Some((jid, hash)) = self.avatar_queue.pop_front() else {
                return;
            };
            let request = avatar::data_request(&hash);
            let data = ProfileIq::AvatarData {
                jid: jid.clone(),
                hash,
            };
            self.profile_request(now, Some(jid), false, request, data);
        }
    }

    fn publish_avatar(&mut self, now: Instant, mime: String, bytes: Vec<u8>, w: u16, h: u16) {
        let hash = avatar::sha1_hex(&bytes);
        let Some((sniffed, bytes)) = avatar::verified(&hash, bytes) else {
            self.events.push_back(Event::RequestFailed {
                what: AVATAR_WHAT.into(),
                reason: "the image is not a PNG, JPEG, GIF or WebP of at most 256 KiB".into(),
            });
            return;
        };
        let mime = if mime == sniffed { mime } else { sniffed };
        let payload = avatar::publish_data(&hash, &bytes, true);
        let kind = ProfileIq::PublishData {
            hash,
            mime,
            bytes,
            width: w,
            height: h,
            options: true,
        };
        self.profile_request(now, None, true, payload, kind);
    }

    /// An IQ to `to` (`None`: our own account) tracked so that only `to` may answer it.
    fn profile_request(
        &mut self,
        now: Instant,
        to: Option<BareJid>,
        set: bool,
        payload: Element,
        kind: ProfileIq,
    ) {
        let id = self.ids.next();
        let to = to.map(Jid::from);
        let iq = if set {
            Iq::Set {
                from: None,
                to: to.clone(),
                id: id.clone(),
                payload,
            }
        } else {
            Iq::Get {
                from: None,
                to: to.clone(),
                id: id.clone(),
                payload,
            }
        };
        self.send(iq);
        self.iqs.track(
            id,
            to,
            now.after(self.config.iq_timeout_ms),
            IqKind::Profile(kind),
        );
    }

    pub(super) fn profile_answered(
        &mut self,
        now: Instant,
        kind: ProfileIq,
        payload: Option<Element>,
    ) {
        match kind {
            ProfileIq::AvatarData { jid, hash } => {
                let bytes = payload.and_then(|p| avatar::read_data(&p, &hash));
                if !self.avatar_arrived(&jid, &hash, bytes) {
                    let kind = ProfileIq::AvatarVCard {
                        jid: jid.clone(),
                        hash,
                    };
                    self.profile_request(now, Some(jid), false, vcard::vcard_temp_request(), kind);
                }
                self.next_avatar_fetches(now);
            }
            ProfileIq::AvatarVCard { jid, hash } => {
                let photo = payload
                    .as_ref()
                    .and_then(vcard::read_vcard_temp)
                    .and_then(|c| c.photo);
                self.avatar_arrived(&jid, &hash, photo);
                self.next_avatar_fetches(now);
            }
            ProfileIq::VCard4 { jid } => match payload.as_ref().and_then(vcard::read_vcard4) {
                Some((full_name, nickname)) if full_name.is_some() || nickname.is_some() => {
                    self.events.push_back(Event::Profile {
                        jid,
                        full_name,
                        nickname,
                    })
                }
                _ => self.vcard_temp_fallback(now, jid),
            },
            ProfileIq::VCardTemp { jid } => {
                let card = payload.as_ref().and_then(vcard::read_vcard_temp);
                self.events.push_back(Event::Profile {
                    jid,
                    full_name: card.as_ref().and_then(|c| c.full_name.clone()),
                    nickname: card.and_then(|c| c.nickname),
                });
            }
            ProfileIq::PublishData {
                hash,
                mime,
                bytes,
                width,
                height,
                options,
            } => {
                let len = bytes.len();
                let Some(payload) =
                    avatar::publish_metadata(&hash, &mime, len, width, height, options)
                else {
                    return;
                };
                self.events.push_back(Event::Avatar {
                    jid: self.account.clone(),
                    hash: hash.clone(),
                    mime: mime.clone(),
                    bytes,
                });
                let kind = ProfileIq::PublishMetadata {
                    hash,
                    mime,
                    len,
                    width,
                    height,
                    options,
                };
                self.profile_request(now, None, true, payload, kind);
            }
            ProfileIq::PublishMetadata { hash, .. } => {
                self.events.push_back(Event::AvatarChanged {
                    jid: self.account.clone(),
                    hash: Some(hash),
                });
            }
            ProfileIq::PublishNick => {}
            ProfileIq::OwnVCard { nickname } => {
                let card = vcard::with_nickname(payload, &nickname);
                self.profile_request(now, None, true, card, ProfileIq::OwnVCardSet);
            }
            ProfileIq::OwnVCardSet => {}
        }
    }

    /// A request failed (`error`) or timed out (`None`).
    pub(super) fn profile_failed(
        &mut self,
        now: Instant,
        kind: ProfileIq,
        error: Option<&StanzaError>,
    ) {
        let fetch = matches!(
            kind,
            ProfileIq::AvatarData { .. } | ProfileIq::AvatarVCard { .. }
        );
        self.profile_failed_kind(now, kind, error);
        if fetch {
            self.next_avatar_fetches(now);
        }
    }

    fn profile_failed_kind(&mut self, now: Instant, kind: ProfileIq, error: Option<&StanzaError>) {
        match kind {
            ProfileIq::AvatarData { jid, hash } if error.is_some() => {
                let kind = ProfileIq::AvatarVCard {
                    jid: jid.clone(),
                    hash,
                };
                self.profile_request(now, Some(jid), false, vcard::vcard_temp_request(), kind);
            }
            ProfileIq::VCard4 { jid } if error.is_some() => self.vcard_temp_fallback(now, jid),
            ProfileIq::VCardTemp { jid } => self.events.push_back(Event::Profile {
                jid,
                full_name: None,
                nickname: None,
            }),
            ProfileIq::PublishData {
                hash,
                mime,
                bytes,
                width,
                height,
                options: true,
            } if error.is_some_and(avatar::precondition_failed) => {
                let payload = avatar::publish_data(&hash, &bytes, false);
                let kind = ProfileIq::PublishData {
                    hash,
                    mime,
                    bytes,
                    width,
                    height,
                    options: false,
                };
                self.profile_request(now, None, true, payload, kind);
            }
            ProfileIq::PublishMetadata {
                hash,
                mime,
                len,
                width,
                height,
                options: true,
            } if error.is_some_and(avatar::precondition_failed) => {
                if let Some(payload) =
                    avatar::publish_metadata(&hash, &mime, len, width, height, false)
                {
                    let kind = ProfileIq::PublishMetadata {
                        hash,
                        mime,
                        len,
                        width,
                        height,
                        options: false,
                    };
                    self.profile_request(now, None, true, payload, kind);
                }
            }
            ProfileIq::PublishData { .. } | ProfileIq::PublishMetadata { .. } => {
                self.profile_refused(AVATAR_WHAT, error)
            }
            ProfileIq::PublishNick => self.profile_refused(NICK_WHAT, error),
            // A contact without an avatar or vCard, or our vCard-temp unavailable: nothing
            // for the user to do (the PEP nickname already went out).
            _ => {}
        }
    }

    fn profile_refused(&mut self, what: &str, error: Option<&StanzaError>) {
        self.events.push_back(Event::RequestFailed {
            what: what.into(),
            reason: error.map_or_else(
                || "the server did not answer in time".into(),
                crate::iq::describe,
            ),
        });
    }

    fn vcard_temp_fallback(&mut self, now: Instant, jid: BareJid) {
        let kind = ProfileIq::VCardTemp { jid: jid.clone() };
        self.profile_request(now, Some(jid), false, vcard::vcard_temp_request(), kind);
    }

    /// Reports the image if it is the one announced; whether it was.
    fn avatar_arrived(&mut self, jid: &BareJid, hash: &str, bytes: Option<Vec<u8>>) -> bool {
        let Some(bytes) = bytes else {
            return false;
        };
        match avatar::verified(hash, bytes) {
            Some((mime, bytes)) => {
                self.events.push_back(Event::Avatar {
                    jid: jid.clone(),
                    hash: hash.to_owned(),
                    mime,
                    bytes,
                });
                true
            }
            None => {
                self.events.push_back(sender::dropped(
                    Some(&Jid::from(jid.clone())),
                    "an avatar that does not match its hash, or is no small image",
                ));
                false
            }
        }
    }
}
