//! A room's `Messages` log, virtualized like the one-to-one log ([`crate::view::log`]): only
//! the rows around the viewport are in the DOM between two spacers (see
//! [`crate::log_window`]), every `article` carries `aria-setsize` (the messages held) and
//! `aria-posinset`. It follows new messages while the reader is at the bottom, keeps the
//! reader's place otherwise, pages older messages in from the room's archive
//! (`Command::LoadRoomHistory`) when the reader reaches the top, and offers `Load missing
//! messages` where the join's catch-up fell short.

use std::time::Duration;

use leptos::html;
use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_core::Command;
use natter_store::{Gap, Phase, RoomLine};
use wasm_bindgen::JsCast;

use crate::app::{use_app, SessionHandle};
use crate::display;
use crate::dom;
use crate::i18n::t;
use crate::log_window::{self, Measured, RowKind, Shape};
use crate::view::MessageBody;

/// Older messages are asked for when the reader is this close to the top (CSS pixels).
const NEAR_TOP_PX: i32 = 400;
/// Messages per page of the room's archive (the core's maximum).
const PAGE: usize = 100;
/// A request that brought nothing may be repeated after this long.
const RETRY_AFTER: Duration = Duration::from_secs(10);
/// The reader counts as at the bottom within this distance (CSS pixels).
const BOTTOM_SLACK: i32 = 24;

#[derive(Clone, PartialEq)]
enum Row {
    Message {
        row: usize,
        index: usize,
        line: RoomLine,
    },
    Gap {
        row: usize,
        gap: Gap,
    },
}

impl Row {
    fn key(&self) -> String {
        match self {
            // No row number: it shifts for every row when the oldest message in memory goes,
            // and a new key re-creates the element (see the chat log's `Row::key`). The place
            // is updated in place instead (`places`).
            Row::Message { line, .. } => format!("{}\u{1f}{}", line.key(), line.pending),
            Row::Gap { row, gap } => format!(
                "{row}\u{1f}gap\u{1f}{}\u{1f}{}\u{1f}{:?}",
                gap.at, gap.seq, gap.before
            ),
        }
    }
}

/// Where the reader is, by content: the row at the top of the viewport and how far above the
/// viewport's top its top edge is.
#[derive(Clone, Copy, PartialEq, Debug)]
struct Anchor {
    order: (u64, u64),
    gap: bool,
    offset: f64,
}

#[component]
pub fn RoomLog(jid: BareJid) -> impl IntoView {
    let (state, session) = use_app();
    let online = Memo::new(move |_| state.with_connection(|s| s.phase == Phase::Connected));
    let shape = {
        let jid = jid.clone();
        Memo::new(move |_| {
            state.with_messages(|s| {
                s.rooms
                    .get(&jid)
                    .map(|r| {
                        let lines = &r.log.lines;
                        Shape::from_orders(lines.len(), |i| lines[i].order, &r.log.gaps)
                    })
                    .unwrap_or_default()
            })
        })
    };
    let total = Memo::new(move |_| shape.with(|s| s.messages));
    let rows = Memo::new(move |_| shape.with(Shape::rows));

    let log = NodeRef::<html::Div>::new();
    let window_h = move || {
        window()
            .inner_height()
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(800.0)
    };
    let run = RwSignal::new(log_window::run_at_end(window_h(), rows.get_untracked()));
    let estimate = RwSignal::new(log_window::INITIAL_ESTIMATE_PX);
    let pinned = StoredValue::new(true);
    // The DOM has not been put back in place after a change: scroll events meanwhile say
    // nothing about where the reader is.
    let settling = StoredValue::new(false);
    // The scroll position we set ourselves (its event comes a frame later).
    let own_scroll = StoredValue::new(None::<i32>);
    let set_top = move |el: &web_sys::HtmlDivElement, top: i32| {
        el.set_scroll_top(top);
        own_scroll.set_value(Some(el.scroll_top()));
    };
    let anchor = StoredValue::new(None::<Anchor>);

    let visible = {
        let jid = jid.clone();
        Memo::new(move |_| {
            let (first, last) = run.get();
            shape.with(|shape| {
                state.with_messages(|s| {
                    let Some(r) = s.rooms.get(&jid) else {
                        return Vec::new();
                    };
                    (first..last.min(shape.rows()))
                        .filter_map(|row| match shape.kind(row) {
                            RowKind::Message(index) => {
                                r.log.lines.get(index).map(|l| Row::Message {
                                    row,
                                    index,
                                    line: l.clone(),
                                })
                            }
                            RowKind::Gap(g) => Some(Row::Gap {
                                row,
                                gap: g.clone(),
                            }),
                        })
                        .collect::<Vec<_>>()
                })
            })
        })
    };

    // Row number and index in memory of each rendered message, by its key.
    let places = Memo::new(move |_| {
        visible.with(|v| {
            v.iter()
                .filter_map(|r| match r {
                    Row::Message { row, index, line } => Some((line.key(), (*row, *index))),
                    Row::Gap { .. } => None,
                })
                .collect::<std::collections::HashMap<String, (usize, usize)>>()
        })
    });

    let measure = move || -> Vec<Measured> {
        let Some(el) = log.get_untracked() else {
            return Vec::new();
        };
        let children = el.children();
        (0..children.length())
            .filter_map(|i| children.item(i))
            .filter_map(|c| {
                let row = c.get_attribute("data-row")?.parse().ok()?;
                let c: web_sys::HtmlElement = c.dyn_into().ok()?;
                let top = f64::from(c.offset_top());
                Some(Measured {
                    row,
                    top,
                    bottom: top + f64::from(c.offset_height()),
                })
            })
            .collect()
    };
    let row_element = move |row: usize| -> Option<web_sys::HtmlElement> {
        let el = log.get_untracked()?;
        el.query_selector(&format!(":scope > [data-row=\"{row}\"]"))
            .ok()
            .flatten()?
            .dyn_into()
            .ok()
    };
    let order_of = {
        let jid = jid.clone();
        move |row: usize| -> Option<((u64, u64), bool)> {
            shape.with_untracked(|sh| match sh.kind(row) {
                RowKind::Gap(g) => Some(((g.at, g.seq), true)),
                RowKind::Message(i) => {
                    state.peek(|s| Some((s.rooms.get(&jid)?.log.lines.get(i)?.order, false)))
                }
            })
        }
    };
    let row_of_anchor = {
        let jid = jid.clone();
        move |a: Anchor| -> Option<usize> {
            shape.with_untracked(|sh| {
                if a.gap {
                    return sh
                        .gaps
                        .iter()
                        .find(|(_, g)| (g.at, g.seq) == a.order)
                        .map(|(r, _)| *r);
                }
                state.peek(|s| {
                    let i = s.rooms.get(&jid)?.log.index_of(a.order)?;
                    Some(sh.row_of_message(i))
                })
            })
        }
    };
    let to_bottom = move || {
        if let Some(el) = log.get_untracked() {
            set_top(&el, el.scroll_height());
        }
    };
    let restore = {
        let row_of_anchor = row_of_anchor.clone();
        move || {
            settling.set_value(false);
            if pinned.get_value() {
                to_bottom();
                return;
            }
            let Some(a) = anchor.get_value() else { return };
            let Some(row) = row_of_anchor(a) else { return };
            if let (Some(el), Some(item)) = (log.get_untracked(), row_element(row)) {
                let top = f64::from(item.offset_top()) - a.offset;
                set_top(&el, top.round() as i32);
            }
        }
    };

    let older = older_loader(jid.clone());

    let on_scroll = {
        let restore = restore.clone();
        let older = older.clone();
        move || {
            let Some(el) = log.get_untracked() else {
                return;
            };
            if settling.get_value() {
                return;
            }
            let scroll_top = el.scroll_top();
            let viewport = f64::from(el.client_height()).max(1.0);
            if own_scroll.get_value() != Some(scroll_top) {
                pinned
                    .set_value(el.scroll_height() - scroll_top - el.client_height() < BOTTOM_SLACK);
            }
            own_scroll.set_value(None);
            let n = rows.get_untracked();
            let rendered = measure();
            let est = estimate.get_untracked();
            let top_row = log_window::row_at(f64::from(scroll_top), &rendered, n, est);
            let inside = rendered.iter().find(|m| m.row == top_row);
            anchor.set_value(order_of(top_row).map(|(order, gap)| Anchor {
                order,
                gap,
                offset: inside.map_or(0.0, |m| m.top - f64::from(scroll_top)),
            }));
            let current = run.get_untracked();
            let wanted = if pinned.get_value() {
                log_window::run_at_end(viewport, n)
            } else {
                log_window::run_for(top_row, viewport, n)
            };
            if log_window::must_move(current, wanted, n) {
                estimate.set(log_window::estimate(&rendered, est));
                run.set(wanted);
                if inside.is_none() {
                    if let Some(a) = anchor.get_value() {
                        anchor.set_value(Some(Anchor { offset: 0.0, ..a }));
                    }
                }
                settling.set_value(true);
                request_animation_frame(restore.clone());
            }
            // Near the top with nothing above unrendered, now or once the run has moved (the
            // move keeps the reader's place, so no further scroll event may come).
            if (current.0 == 0 || wanted.0 == 0) && scroll_top < NEAR_TOP_PX {
                older.load();
            }
        }
    };

    Effect::new({
        let restore = restore.clone();
        move |_| {
            shape.track();
            let n = rows.get_untracked();
            if log.get().is_none() {
                return;
            }
            let viewport = log
                .get_untracked()
                .map_or(window_h(), |el| f64::from(el.client_height()));
            let wanted = if pinned.get_value() {
                log_window::run_at_end(viewport.max(1.0), n)
            } else {
                let top_row = anchor
                    .get_value()
                    .and_then(row_of_anchor.clone())
                    .unwrap_or(run.get_untracked().0 + log_window::OVERSCAN);
                log_window::run_for(top_row, viewport.max(1.0), n)
            };
            if run.get_untracked() != wanted {
                run.set(wanted);
            }
            settling.set_value(true);
            request_animation_frame(restore.clone());
        }
    });

    let top_px = move || {
        let (first, _) = run.get();
        format!("{}px", (first as f64 * estimate.get()).round() as i64)
    };
    let bottom_px = move || {
        let (_, last) = run.get();
        let below = rows.get().saturating_sub(last);
        format!("{}px", (below as f64 * estimate.get()).round() as i64)
    };
    let room = jid.to_string();
    let render_row = {
        let jid = jid.clone();
        move |r: Row| match r {
            Row::Message { row, index, line } => {
                let key = line.key();
                let place = move || {
                    places
                        .with(|p| p.get(&key).copied())
                        .unwrap_or((row, index))
                };
                room_message(&room, place, line, total).into_any()
            }
            Row::Gap { row, gap } => {
                view! { <GapMarker jid=jid.clone() row gap online session /> }.into_any()
            }
        }
    };

    let on_scroll_event = on_scroll.clone();
    view! {
        <div
            role="log"
            aria-label="Messages"
            class="log"
            node_ref=log
            aria-setsize=move || total.get()
            on:scroll=move |_| on_scroll_event()
        >
            <HistoryHead older=older.clone() online />
            <div class="log-spacer" aria-hidden="true" style:height=top_px></div>
            <For each=move || visible.get() key=Row::key children=render_row />
            <div class="log-spacer" aria-hidden="true" style:height=bottom_px></div>
            {move || {
                (rows.get() == 0)
                    .then(|| view! { <p class="hint log-empty">{t("room-log-empty")}</p> })
            }}
        </div>
    }
}

/// One message of the room: the sender's nick, the body, the time; ours while the room has
/// not reflected it yet says `Sending…`.
fn room_message(
    room: &str,
    place: impl Fn() -> (usize, usize) + Clone + Send + Sync + 'static,
    line: RoomLine,
    total: Memo<usize>,
) -> impl IntoView {
    let place_too = place.clone();
    let from = format!("{}/{}", room, line.msg.nick);
    let clock = dom::clock(
        line.msg
            .delayed
            .as_deref()
            .and_then(natter_store::time::parse_rfc3339_ms)
            .unwrap_or(line.at),
    );
    let mention = line.msg.mentions_me;
    let nick = if line.msg.nick.is_empty() {
        t("room-log-the-room")
    } else {
        line.msg.nick.clone()
    };
    let hue = display::hue(&nick).to_string();
    let pending = line.pending;
    view! {
        <article
            class="msg room-msg"
            class:out=line.msg.from_me
            class:mention=mention
            class:pending=pending
            data-from=from
            data-row=move || place().0
            aria-setsize=move || total.get()
            aria-posinset=move || place_too().1 + 1
        >
            <div class="bubble">
                <p class="sender" style=("--hue", hue)>{nick}</p>
                {mention.then(|| view! { <span class="visually-hidden">{t("room-log-mentions-you")} " "</span> })}
                <p class="body">
                    <MessageBody text=line.msg.body />
                </p>
                <p class="meta">
                    {clock.map(|c| view! { <time datetime=c.iso title=c.full>{c.short}</time> })}
                    {pending.then(|| view! { <span class="state">" " {t("room-log-sending")}</span> })}
                </p>
            </div>
        </article>
    }
}

/// Pages older messages in from the room's archive, one request at a time, never the same
/// one twice.
#[derive(Clone)]
struct OlderLoader {
    jid: BareJid,
    session: SessionHandle,
    state: crate::state::AppState,
    loading: RwSignal<bool>,
    asked: StoredValue<Option<Option<String>>>,
    /// Nothing older in the archive.
    done: Memo<bool>,
    /// The join's catch-up is still running: it brings the newest page first.
    waiting: Memo<bool>,
}

fn older_loader(jid: BareJid) -> OlderLoader {
    let (state, session) = use_app();
    let loading = RwSignal::new(false);
    // The end of a page ends the wait (not its first message: asking again then would
    // page from the middle of the page still coming).
    let pages = {
        let jid = jid.clone();
        Memo::new(move |_| state.with_messages(|s| s.rooms.get(&jid).map(|r| r.log.pages)))
    };
    Effect::new(move |prev: Option<Option<u32>>| {
        let n = pages.get();
        if prev.is_some_and(|p| p != n) {
            loading.set(false);
        }
        n
    });
    let room_flag = |jid: BareJid, f: fn(&natter_store::Room) -> bool| {
        Memo::new(move |_| state.with_messages(|s| s.rooms.get(&jid).is_some_and(f)))
    };
    OlderLoader {
        done: room_flag(jid.clone(), |r| r.log.exhausted),
        waiting: room_flag(jid.clone(), |r| r.log.catching_up() || !r.joined),
        jid,
        session,
        state,
        loading,
        asked: StoredValue::new(None),
    }
}

impl OlderLoader {
    fn load(&self) {
        if self.loading.get_untracked() || self.done.get_untracked() || self.waiting.get_untracked()
        {
            return;
        }
        let jid = self.jid.clone();
        let before = self
            .state
            .peek(|s| s.rooms.get(&jid).and_then(|r| r.log.oldest_archive_id()));
        if self.asked.get_value() == Some(before.clone()) {
            return;
        }
        let sent = self.session.get().command(Command::LoadRoomHistory {
            room: jid,
            before: before.clone(),
            max: PAGE,
        });
        if sent {
            self.asked.set_value(Some(before));
            self.loading.set(true);
            let loading = self.loading;
            set_timeout(move || loading.set(false), RETRY_AFTER);
        }
    }
}

#[component]
fn HistoryHead(older: OlderLoader, online: Memo<bool>) -> impl IntoView {
    let loading = older.loading;
    let done = older.done;
    let waiting = older.waiting;
    move || {
        if loading.get() {
            view! { <p class="log-head hint" aria-live="polite">{t("room-log-loading-older")}</p> }
                .into_any()
        } else if done.get() {
            view! { <p class="log-head hint">{t("room-log-start")}</p> }.into_any()
        } else {
            let older = older.clone();
            view! {
                <div class="log-head">
                    <button
                        type="button"
                        class="ghost small"
                        disabled=move || !online.get() || waiting.get()
                        on:click=move |_| older.load()
                    >
                        {t("room-log-load-older")}
                    </button>
                </div>
            }
            .into_any()
        }
    }
}

/// Where the join's catch-up could not reach: a button that asks the room's archive for the
/// missing page.
#[component]
fn GapMarker(
    jid: BareJid,
    row: usize,
    gap: Gap,
    online: Memo<bool>,
    session: SessionHandle,
) -> impl IntoView {
    let loading = RwSignal::new(false);
    let load = move |_| {
        let sent = session.get().command(Command::LoadRoomHistory {
            room: jid.clone(),
            before: gap.before.clone(),
            max: PAGE,
        });
        if sent {
            loading.set(true);
            set_timeout(move || loading.set(false), RETRY_AFTER);
        }
    };
    view! {
        <div class="gap" data-row=row>
            <span class="gap-rule" role="separator" aria-label=t("room-log-gap")></span>
            <button
                type="button"
                class="ghost small"
                disabled=move || loading.get() || !online.get()
                aria-busy=move || loading.get().then_some("true")
                on:click=load
            >
                {t("room-log-load-missing")}
            </button>
            <span class="gap-rule" aria-hidden="true"></span>
        </div>
    }
}
