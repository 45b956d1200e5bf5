//! Bookmarks in the session: which storage the server keeps (asked once per fresh session),
//! loading them and joining the autojoin ones, changes of ours, and changes pushed from our
//! other devices (XEP-0402 PEP notifications, believed only from our own account).

use jid::{BareJid, Jid};
use minidom::Element;
use xmpp_parsers::disco::DiscoInfoQuery;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::message::Message;
use xmpp_parsers::ns;
use xmpp_parsers::stanza_error::{DefinedCondition, StanzaError};

use super::Client;
use crate::bookmarks::{self, Change, Mode};
use crate::iq::{IqKind, RoomIq};
use crate::room::Bookmark;
use crate::{sender, Event, Instant};

impl Client {
    /// A fresh session: ask our account which bookmark storage it keeps (XEP-0402 §5.1).
    pub(super) fn load_bookmarks(&mut self, now: Instant) {
        let query = Element::from(DiscoInfoQuery { node: None });
        let to = Jid::from(self.account.clone());
        self.room_request(now, to, false, query, RoomIq::AccountInfo);
    }

    /// The account's disco#info (`None`: it failed).
    pub(super) fn account_info(&mut self, now: Instant, info: Option<Element>) {
        let pep = info.as_ref().is_some_and(bookmarks::pep_offered);
        self.bookmarks.mode = if pep { Mode::Pep } else { Mode::Private };
        self.request_bookmarks(now, pep);
    }

    fn request_bookmarks(&mut self, now: Instant, pep: bool) {
        let payload = if pep {
            bookmarks::pep_request()
        } else {
            bookmarks::private_request()
        };
        self.own_request(now, false, payload, RoomIq::BookmarksGet { pep });
    }

    /// An IQ to our own account (no `to`).
    fn own_request(&mut self, now: Instant, set: bool, payload: Element, kind: RoomIq) {
        let id = String::new();
        let iq = if set {
            Iq::Set {
                from: None,
                to: None,
                id,
                payload,
            }
        } else {
            Iq::Get {
                from: None,
                to: None,
                id,
                payload,
            }
        };
        self.send_request(now, iq, IqKind::Room(kind));
    }

    pub(super) fn bookmarks_loaded(&mut self, now: Instant, pep: bool, payload: Option<Element>) {
        let list = match payload {
            Some(p) if pep => bookmarks::read_pep(&p),
            Some(p) => bookmarks::read_private(&p),
            None => Vec::new(),
        };
        self.bookmarks.replace(list);
        self.events
            .push_back(Event::Bookmarks(self.bookmarks.all()));
        if self.config.autojoin {
            self.autojoin(now);
        }
    }

    pub(super) fn bookmarks_failed(
        &mut self,
        now: Instant,
        pep: bool,
        error: Option<&StanzaError>,
    ) {
        let missing = error.is_some_and(|e| e.defined_condition == DefinedCondition::ItemNotFound);
        if pep && missing {
            // No node yet: no bookmarks yet.
            self.bookmarks_loaded(now, pep, None);
        } else if pep && error.is_some() {
            // Announced but refused: the older storage, which such servers keep in sync.
            self.bookmarks.mode = Mode::Private;
            self.request_bookmarks(now, false);
        }
        // Without any storage there is nothing to show; the rooms still work.
    }

    /// Joins the bookmarked rooms marked autojoin that we are not in already.
    fn autojoin(&mut self, now: Instant) {
        let own = self.account.node().map(|n| n.to_string());
        for bookmark in self.bookmarks.all() {
            if !bookmark.autojoin || self.rooms.contains(&bookmark.room) {
                continue;
            }
            let Some(nick) = bookmark.nick.clone().or_else(|| own.clone()) else {
                continue;
            };
            self.room_command(
                now,
                crate::Command::JoinRoom {
                    room: bookmark.room,
                    nick,
                    password: bookmark.password,
                    after: None,
                },
            );
        }
    }

    pub(super) fn set_bookmark(&mut self, now: Instant, bookmark: Bookmark) {
        match self.bookmarks.mode {
            Mode::Pep => {
                let payload = bookmarks::publish(&bookmark);
                self.own_request(now, true, payload, RoomIq::BookmarkPublish { bookmark });
            }
            Mode::Private => {
                let set = self.bookmarks.with(Some(&bookmark), None);
                self.store_private(now, set);
            }
            Mode::Unknown => {
                self.bookmarks_not_ready(format!("Could not bookmark {}", bookmark.room))
            }
        }
    }

    pub(super) fn remove_bookmark(&mut self, now: Instant, room: BareJid) {
        match self.bookmarks.mode {
            Mode::Pep => {
                let payload = bookmarks::retract(&room);
                self.own_request(now, true, payload, RoomIq::BookmarkRetract { room });
            }
            Mode::Private => {
                let set = self.bookmarks.with(None, Some(&room));
                self.store_private(now, set);
            }
            Mode::Unknown => {
                self.bookmarks_not_ready(format!("Could not remove the bookmark {room}"))
            }
        }
    }

    fn store_private(&mut self, now: Instant, set: Vec<Bookmark>) {
        let payload = bookmarks::store_private(&set);
        self.own_request(now, true, payload, RoomIq::BookmarksStore { set });
    }

    fn bookmarks_not_ready(&mut self, what: String) {
        self.events.push_back(Event::RequestFailed {
            what,
            reason: "the bookmarks have not been loaded yet".into(),
        });
    }

    /// The server holds our XEP-0402 change; our own notification may or may not follow.
    pub(super) fn bookmark_stored(&mut self, added: Option<Bookmark>, removed: Option<BareJid>) {
        let changed = match (added, removed) {
            (Some(bookmark), _) => self.bookmarks.upsert(bookmark),
            (None, Some(room)) => self.bookmarks.remove(&room),
            (None, None) => false,
        };
        if changed {
            self.events
                .push_back(Event::Bookmarks(self.bookmarks.all()));
        }
    }

    pub(super) fn bookmarks_replaced(&mut self, set: Vec<Bookmark>) {
        if self.bookmarks.replace(set) {
            self.events
                .push_back(Event::Bookmarks(self.bookmarks.all()));
        }
    }

    /// A PEP notification. Ours (the bookmarks node) only from our own account; other
    /// nodes (contacts' avatars, moods, …) are not handled yet.
    pub(super) fn on_pubsub_event(&mut self, mut message: Message) {
        let from = message.from.clone();
        let Some(index) = message
            .payloads
            .iter()
            .position(|p| p.is("event", ns::PUBSUB_EVENT))
        else {
            return;
        };
        let event = message.payloads.swap_remove(index);
        let node = |n: &str| event.children().any(|c| c.attr("node") == Some(n));
        // The XEP-0048 mirror counts only where it is what we keep bookmarks in: with
        // XEP-0402 a server may push both, and the native node is the one to follow.
        let legacy = self.bookmarks.mode == Mode::Private && node(ns::BOOKMARKS);
        if !node(bookmarks::NODE) && !legacy {
            return;
        }
        if !self.own().is_own_bare(from.as_ref()) {
            self.events.push_back(sender::dropped(
                from.as_ref(),
                "a bookmark notification not from our own account",
            ));
            return;
        }
        if legacy {
            if let Some(set) = bookmarks::read_legacy_event(&event) {
                if self.bookmarks.replace(set) {
                    self.events
                        .push_back(Event::Bookmarks(self.bookmarks.all()));
                }
            }
            return;
        }
        let mut changed = false;
        for change in bookmarks::read_event(&event) {
            match change {
                Change::Upsert(list) => {
                    for bookmark in list {
                        changed |= self.bookmarks.upsert(bookmark);
                    }
                }
                Change::Remove(rooms) => {
                    for room in &rooms {
                        changed |= self.bookmarks.remove(room);
                    }
                }
                Change::Clear => changed |= self.bookmarks.clear(),
            }
        }
        if changed {
            self.events
                .push_back(Event::Bookmarks(self.bookmarks.all()));
        }
    }
}
