//! XEP-0313 message archive, paged with XEP-0059 result sets: catching up after a (re)connect
//! and loading older history, in our own archive or in a room's. This module writes the
//! queries and keeps the ones in flight; an archive result is believed only inside one of them
//! (its queryid), and only from the archive it was asked of: our own bare JID (`sender`), or
//! the room's.

use jid::BareJid;
use minidom::rxml::xml_ncname;
use minidom::Element;
use xmpp_parsers::mam::Fin;
use xmpp_parsers::ns;
use xmpp_parsers::rsm::SetQuery;

use crate::Event;

/// Results per page we ask for (the server may send fewer; paging follows its `<last/>`).
pub const PAGE: usize = 100;
/// A room's newest page when it is opened: more than a screen holds, and half the server's
/// and our work of a full page before the room shows (Converse asks 50 as well); older pages
/// follow on scroll.
pub const ROOM_FIRST_PAGE: usize = 50;
/// At most this many pages per catch-up; more is reported as a gap to fill on demand.
pub const MAX_PAGES: u32 = 50;

/// What one query in flight is for.
enum Purpose {
    /// Paging forward (oldest first) from the archive id the app had.
    CatchUpAfter {
        pages: u32,
    },
    /// The newest page only; `gap`: because the archive did not know the id the app had.
    CatchUpNewest {
        gap: bool,
    },
    History {
        with: BareJid,
    },
}

struct Query {
    queryid: String,
    purpose: Purpose,
    /// The room whose archive is asked; `None`: our own.
    room: Option<BareJid>,
    /// The archive id this page starts after (forward catch-up only).
    after: Option<String>,
    /// The newest archive id seen in this catch-up (`after` until a result comes).
    last: Option<String>,
}

/// The archive queries in flight.
#[derive(Default)]
pub struct Archive {
    queries: Vec<Query>,
}

/// What to do once a page is finished or failed.
pub enum Next {
    /// Ask for another page: send `query` (tracked as `queryid`).
    Page { queryid: String, query: Element },
    /// Done: report these.
    Done(Vec<Event>),
}

impl Archive {
    /// Starts a catch-up: after `after`, or the newest page for `None`. Returns the query.
    pub fn catch_up(&mut self, queryid: String, after: Option<String>) -> Element {
        self.catch_up_in(queryid, None, after)
    }

    /// Starts a catch-up in a room's archive: after `after`, or its newest page.
    pub fn room_catch_up(
        &mut self,
        queryid: String,
        room: BareJid,
        after: Option<String>,
    ) -> Element {
        self.catch_up_in(queryid, Some(room), after)
    }

    fn catch_up_in(
        &mut self,
        queryid: String,
        room: Option<BareJid>,
        after: Option<String>,
    ) -> Element {
        match after.filter(|a| !a.is_empty()) {
            Some(after) => self.start(
                queryid,
                Purpose::CatchUpAfter { pages: 1 },
                room,
                Some(after.clone()),
                None,
                page_after(after),
            ),
            None => self.newest(queryid, room, false),
        }
    }

    /// Starts one history page with `with`, before the archive id `before` (or the newest).
    pub fn history(
        &mut self,
        queryid: String,
        with: BareJid,
        before: Option<String>,
        max: usize,
    ) -> Element {
        let set = SetQuery {
            max: Some(max.clamp(1, PAGE)),
            after: None,
            // An empty <before/> asks for the last page (XEP-0059 §2.5).
            before: Some(before.unwrap_or_default()),
            index: None,
        };
        let filter = Some(with.clone());
        self.start(queryid, Purpose::History { with }, None, None, filter, set)
    }

    /// Starts one page of a room's history, before the archive id `before` (or the newest).
    pub fn room_history(
        &mut self,
        queryid: String,
        room: BareJid,
        before: Option<String>,
        max: usize,
    ) -> Element {
        let set = SetQuery {
            max: Some(max.clamp(1, PAGE)),
            after: None,
            before: Some(before.unwrap_or_default()),
            index: None,
        };
        let purpose = Purpose::History { with: room.clone() };
        self.start(queryid, purpose, Some(room), None, None, set)
    }

    /// The room whose archive `queryid` asks (`None`: our own, or no such query).
    pub fn room_of(&self, queryid: &str) -> Option<BareJid> {
        self.queries
            .iter()
            .find(|q| q.queryid == queryid)
            .and_then(|q| q.room.clone())
    }

    /// Drops every query to `room`'s archive (we are not in the room after all): their
    /// results and their end are then ignored.
    pub fn forget_room(&mut self, room: &BareJid) {
        self.queries.retain(|q| q.room.as_ref() != Some(room));
    }

    /// Whether a query to `room`'s archive is in flight.
    pub fn asks_room(&self, room: &BareJid) -> bool {
        self.queries.iter().any(|q| q.room.as_ref() == Some(room))
    }

    /// Whether `queryid` belongs to a query of ours in flight to `archive` (`None`: our own);
    /// if so, remembers `archive_id` as the newest seen (results come oldest first within a
    /// page).
    pub fn accept(
        &mut self,
        archive: Option<&BareJid>,
        queryid: Option<&str>,
        archive_id: &str,
    ) -> bool {
        let Some(query) = self
            .queries
            .iter_mut()
            .find(|q| Some(q.queryid.as_str()) == queryid && q.room.as_ref() == archive)
        else {
            return false;
        };
        query.last = Some(archive_id.to_owned());
        true
    }

    /// The server finished a page with `fin` (`None`: an answer we could not read).
    /// `fresh_id` names the next page's query should one be needed.
    pub fn finished(
        &mut self,
        queryid: &str,
        fin: Option<Fin>,
        fresh_id: impl FnOnce() -> String,
    ) -> Next {
        let Some(query) = self.take(queryid) else {
            return Next::Done(Vec::new());
        };
        let (complete, first, fin_last) = match fin {
            Some(fin) => (fin.complete, fin.set.first.map(|f| f.item), fin.set.last),
            None => (false, None, None),
        };
        let room = query.room.clone();
        match query.purpose {
            Purpose::History { with } => {
                Next::Done(vec![history_page(room, with, first, complete)])
            }
            Purpose::CatchUpNewest { gap } => {
                // Paged backwards from the newest: `complete` is the archive's beginning.
                let beginning = complete && !gap;
                Next::Done(vec![caught_up(
                    room,
                    fin_last.or(query.last),
                    !gap,
                    beginning,
                )])
            }
            Purpose::CatchUpAfter { pages } => {
                let last = fin_last.or(query.last);
                let progressed = last.is_some() && last != query.after;
                match last {
                    // Go on only while the server moves forward: a page with no <last/>, or
                    // the same one again, would loop.
                    Some(after) if !complete && pages < MAX_PAGES && progressed => {
                        let queryid = fresh_id();
                        let query = self.start(
                            queryid.clone(),
                            Purpose::CatchUpAfter { pages: pages + 1 },
                            room,
                            Some(after.clone()),
                            None,
                            page_after(after),
                        );
                        Next::Page { queryid, query }
                    }
                    last => Next::Done(vec![caught_up(room, last, complete, false)]),
                }
            }
        }
    }

    /// A page failed (`reason` in plain words); `unknown_id`: the archive does not know the id
    /// we paged from (`item-not-found`).
    pub fn failed(
        &mut self,
        queryid: &str,
        reason: String,
        unknown_id: bool,
        fresh_id: impl FnOnce() -> String,
    ) -> Next {
        let Some(query) = self.take(queryid) else {
            return Next::Done(Vec::new());
        };
        match query.purpose {
            // The id the app had is gone (archive expiry, another server): there is a gap;
            // take the newest page so the conversation is current again.
            Purpose::CatchUpAfter { pages: 1 } if unknown_id => {
                let queryid = fresh_id();
                let query = self.newest(queryid.clone(), query.room, true);
                Next::Page { queryid, query }
            }
            _ => Next::Done(gave_up(query, reason)),
        }
    }

    /// A page was not answered in time.
    pub fn timed_out(&mut self, queryid: &str, reason: String) -> Vec<Event> {
        self.take(queryid)
            .map(|query| gave_up(query, reason))
            .unwrap_or_default()
    }

    fn newest(&mut self, queryid: String, room: Option<BareJid>, gap: bool) -> Element {
        // The account's newest page seeds every chat at once; a room's is one screen's worth.
        let max = if room.is_some() && !gap {
            ROOM_FIRST_PAGE
        } else {
            PAGE
        };
        let set = SetQuery {
            max: Some(max),
            after: None,
            before: Some(String::new()),
            index: None,
        };
        self.start(
            queryid,
            Purpose::CatchUpNewest { gap },
            room,
            None,
            None,
            set,
        )
    }

    fn start(
        &mut self,
        queryid: String,
        purpose: Purpose,
        room: Option<BareJid>,
        last: Option<String>,
        with: Option<BareJid>,
        set: SetQuery,
    ) -> Element {
        let element = query(&queryid, with.as_ref(), set);
        self.queries.push(Query {
            queryid,
            purpose,
            room,
            after: last.clone(),
            last,
        });
        element
    }

    fn take(&mut self, queryid: &str) -> Option<Query> {
        let index = self.queries.iter().position(|q| q.queryid == queryid)?;
        Some(self.queries.remove(index))
    }
}

/// What ends a query that failed for good.
fn gave_up(query: Query, reason: String) -> Vec<Event> {
    match query.purpose {
        // Catch-up runs by itself on every connect: its failure is a gap the app marks (with
        // "load missing messages"), not an error to alert about.
        Purpose::CatchUpAfter { .. } | Purpose::CatchUpNewest { .. } => {
            vec![caught_up(query.room, query.last, false, false)]
        }
        Purpose::History { with } => vec![
            Event::RequestFailed {
                what: match &query.room {
                    Some(room) => room_history_what(room),
                    None => history_what(&with),
                },
                reason,
            },
            history_page(query.room, with, None, false),
        ],
    }
}

fn caught_up(
    room: Option<BareJid>,
    last: Option<String>,
    complete: bool,
    beginning: bool,
) -> Event {
    match room {
        Some(room) => Event::RoomCaughtUp {
            room,
            last,
            complete,
            beginning,
        },
        None => Event::CaughtUp { last, complete },
    }
}

fn history_page(
    room: Option<BareJid>,
    with: BareJid,
    first: Option<String>,
    complete: bool,
) -> Event {
    match room {
        Some(room) => Event::RoomHistoryPage {
            room,
            first,
            complete,
        },
        None => Event::HistoryPage {
            with,
            first,
            complete,
        },
    }
}

/// How a failed page of a room's history is named to the user.
pub fn room_history_what(room: &BareJid) -> String {
    format!("Could not load the history of {room}")
}

/// How a failed history page is named to the user.
pub fn history_what(with: &BareJid) -> String {
    format!("Could not load the history with {with}")
}

fn page_after(after: String) -> SetQuery {
    SetQuery {
        max: Some(PAGE),
        after: Some(after),
        before: None,
        index: None,
    }
}

/// The `<query/>`, written with minidom's builder: xmpp-parsers' `mam::Query` would carry the
/// whole XEP-0004 data-form serializer (~50 KB of wasm) for one `with` field.
fn query(queryid: &str, with: Option<&BareJid>, set: SetQuery) -> Element {
    let mut query = Element::builder("query", ns::MAM).attr(xml_ncname!("queryid").into(), queryid);
    if let Some(with) = with {
        let form = Element::builder("x", ns::DATA_FORMS)
            .attr(xml_ncname!("type").into(), "submit")
            .append(
                field("FORM_TYPE", ns::MAM)
                    .attr(xml_ncname!("type").into(), "hidden")
                    .build(),
            )
            .append(field("with", &with.to_string()).build());
        query = query.append(form.build());
    }
    query.append(Element::from(set)).build()
}

fn field(var: &str, value: &str) -> minidom::element::ElementBuilder {
    Element::builder("field", ns::DATA_FORMS)
        .attr(xml_ncname!("var").into(), var)
        .append(
            Element::builder("value", ns::DATA_FORMS)
                .append(value)
                .build(),
        )
}
