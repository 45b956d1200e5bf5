//! The `Messages` log of one conversation, virtualized: only the rows around the viewport are
//! in the DOM (a chat of 100,000 messages scrolls like one of 50), between two spacers that
//! stand for the rest (see [`crate::log_window`] for the arithmetic). Every rendered `article`
//! carries `aria-setsize` (all messages in memory) and `aria-posinset`. The log follows new
//! messages while the reader is at the bottom, keeps the reader's place otherwise (older
//! messages slotting in above included), asks for older messages when the reader reaches the
//! top, and shows the store's gap markers with a `Load missing messages` button.

use std::collections::HashMap;
use std::time::Duration;

use leptos::html;
use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_core::{Command, Direction};
use natter_store::{Gap, Phase, StoredMessage};
use wasm_bindgen::JsCast;

use crate::app::{use_app, SessionHandle};
use crate::i18n::t;
use crate::log_window::{self, Measured, RowKind, Shape};
use crate::state::AppState;
use crate::view::message::MessageItem;

/// Older messages are asked for when the reader is this close to the top (CSS pixels).
const NEAR_TOP_PX: i32 = 400;
/// Messages per history page (`Command::LoadHistory`).
const PAGE: usize = 50;
/// A request that brought nothing may be repeated after this long.
const RETRY_AFTER: Duration = Duration::from_secs(10);
/// The reader counts as at the bottom within this distance (CSS pixels).
const BOTTOM_SLACK: i32 = 24;

/// One rendered row.
#[derive(Clone, PartialEq)]
enum Row {
    Message {
        row: usize,
        index: usize,
        message: StoredMessage,
    },
    Gap {
        row: usize,
        gap: Gap,
    },
}

impl Row {
    fn key(&self) -> String {
        match self {
            // No row number here: it shifts for every row whenever a message is trimmed or
            // older ones come in above, and a new key re-creates the element (laying out
            // every long message in view again, for each new message once the chat is at
            // its memory limit). The row's place is updated in place instead (`places`).
            Row::Message { message, .. } => {
                format!(
                    "{}\u{1f}{}\u{1f}{}",
                    message.key(),
                    message.state.token(),
                    crate::view::edits::row_token(message)
                )
            }
            Row::Gap { row, gap } => format!(
                "{row}\u{1f}gap\u{1f}{}\u{1f}{}\u{1f}{:?}",
                gap.at, gap.seq, gap.before
            ),
        }
    }
}

/// Where the reader is, by content rather than by row number (row numbers shift when older
/// messages come in): the row at the top of the viewport and how far above the viewport's
/// top its top edge is.
#[derive(Clone, Copy, PartialEq, Debug)]
struct Anchor {
    /// `(at, seq)` of the message or gap marker; `gap` tells which.
    order: (u64, u64),
    gap: bool,
    offset: f64,
}

#[component]
pub fn MessageLog(jid: BareJid) -> impl IntoView {
    let (state, session) = use_app();
    // Our own bare JID, for `data-from` of outgoing messages.
    let own = Memo::new(move |_| {
        state.with_connection(|s| s.account.as_ref().map(|a| a.to_bare().to_string()))
    });
    let online = Memo::new(move |_| state.with_connection(|s| s.phase == Phase::Connected));
    let shape = {
        let jid = jid.clone();
        Memo::new(move |_| {
            state.with_messages(|s| {
                s.conversations
                    .get(&jid)
                    .map(|c| Shape::new(&c.messages, &c.gaps))
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
    // Rows changed (or the run moved) and the DOM has not been put back in place yet: what a
    // scroll event sees meanwhile is not where the reader is.
    let settling = StoredValue::new(false);
    // The scroll position we set ourselves: its scroll event (dispatched a frame later, when
    // more messages may have come) says nothing about where the reader wants to be.
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
                    let Some(c) = s.conversations.get(&jid) else {
                        return Vec::new();
                    };
                    (first..last.min(shape.rows()))
                        .filter_map(|row| match shape.kind(row) {
                            RowKind::Message(index) => {
                                c.messages.get(index).map(|m| Row::Message {
                                    row,
                                    index,
                                    message: m.clone(),
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
                    Row::Message {
                        row,
                        index,
                        message,
                    } => Some((message.key(), (*row, *index))),
                    Row::Gap { .. } => None,
                })
                .collect::<HashMap<String, (usize, usize)>>()
        })
    });

    // ---- measuring and moving the run ----

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
    // The content (message or gap) of a row, for anchoring.
    let order_of = {
        let jid = jid.clone();
        move |row: usize| -> Option<((u64, u64), bool)> {
            shape.with_untracked(|sh| match sh.kind(row) {
                RowKind::Gap(g) => Some(((g.at, g.seq), true)),
                RowKind::Message(i) => state.peek(|s| {
                    let m = s.conversations.get(&jid)?.messages.get(i)?;
                    Some(((m.at, m.seq), false))
                }),
            })
        }
    };
    // Where an anchor's content is now.
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
                    let c = s.conversations.get(&jid)?;
                    let i = c.messages.partition_point(|m| (m.at, m.seq) < a.order);
                    let m = c.messages.get(i)?;
                    ((m.at, m.seq) == a.order).then(|| sh.row_of_message(i))
                })
            })
        }
    };
    let to_bottom = move || {
        if let Some(el) = log.get_untracked() {
            set_top(&el, el.scroll_height());
        }
    };
    // After the DOM caught up with a new run: put the anchor back where the reader saw it.
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

    let older = older_loader(jid.clone(), shape);

    // Called on every scroll (programmatic ones included): where is the reader, does the run
    // have to move, are older messages wanted?
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
                    // Jumped (scrollbar drag): land on the row the estimate pointed at.
                    if let Some(a) = anchor.get_value() {
                        anchor.set_value(Some(Anchor { offset: 0.0, ..a }));
                    }
                }
                settling.set_value(true);
                request_animation_frame(restore.clone());
            }
            if current.0 == 0 && scroll_top < NEAR_TOP_PX {
                older.load();
            }
        }
    };

    // New rows (or rows gone, or shifted): follow the bottom, or keep the reader's place.
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

    // Whole pixels as integers: formatting an f64 would link core's float printing into the wasm.
    let top_px = move || {
        let (first, _) = run.get();
        format!("{}px", (first as f64 * estimate.get()).round() as i64)
    };
    let bottom_px = move || {
        let (_, last) = run.get();
        let below = rows.get().saturating_sub(last);
        format!("{}px", (below as f64 * estimate.get()).round() as i64)
    };
    let render_row = {
        let jid = jid.clone();
        move |r: Row| match r {
            Row::Message {
                row,
                index,
                message,
            } => {
                let from = match message.msg.direction {
                    Direction::Incoming => message.msg.peer.to_string(),
                    Direction::Outgoing => own
                        .get_untracked()
                        .unwrap_or_else(|| message.msg.from.to_bare().to_string()),
                };
                let key = message.key();
                let place = move || {
                    places
                        .with(|p| p.get(&key).copied())
                        .unwrap_or((row, index))
                };
                let place_too = place.clone();
                view! {
                    <MessageItem
                        message
                        from
                        {..}
                        data-row=move || place().0
                        aria-setsize=move || total.get()
                        aria-posinset=move || place_too().1 + 1
                    />
                }
                .into_any()
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
            aria-label=crate::i18n::contract("Messages")
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
                    .then(|| view! { <p class="hint log-empty">{t("log-empty")}</p> })
            }}
        </div>
    }
}

/// Asks for messages older than the oldest in memory: from the local cache first, then from
/// the server's archive. One request at a time, never the same one twice.
#[derive(Clone)]
struct OlderLoader {
    jid: BareJid,
    state: AppState,
    session: SessionHandle,
    loading: RwSignal<bool>,
    /// `before` of the last archive request: asking again for the same page brings nothing.
    asked: StoredValue<Option<Option<String>>>,
    /// Nothing older anywhere.
    done: Memo<bool>,
}

fn older_loader(jid: BareJid, shape: Memo<Shape>) -> OlderLoader {
    let (state, session) = use_app();
    let loading = RwSignal::new(false);
    // Whatever arrives ends the wait.
    Effect::new(move |prev: Option<usize>| {
        let n = shape.with(|s| s.messages);
        if prev.is_some_and(|p| p != n) {
            loading.set(false);
        }
        n
    });
    let done = {
        let jid = jid.clone();
        Memo::new(move |_| {
            state.with_messages(|s| {
                s.conversations
                    .get(&jid)
                    .is_some_and(|c| c.archive_exhausted && !c.truncated)
            })
        })
    };
    OlderLoader {
        jid,
        state,
        session,
        loading,
        asked: StoredValue::new(None),
        done,
    }
}

impl OlderLoader {
    fn load(&self) {
        if self.loading.get_untracked() || self.done.get_untracked() {
            return;
        }
        self.loading.set(true);
        let this = self.clone();
        leptos::task::spawn_local(async move {
            // The local cache first: instant, and works offline.
            let cached = this.state.load_older(this.jid.clone(), PAGE as u32).await;
            if cached == 0 && !this.ask_archive() {
                this.loading.set(false);
            }
            // Otherwise the new messages end the wait (see `older_loader`).
        });
    }

    /// One page from the server's archive, before the oldest message it gave an archive id.
    /// `false`: nothing was asked (offline, or this page was asked for already).
    fn ask_archive(&self) -> bool {
        let jid = self.jid.clone();
        let before = self.state.peek(|s| {
            s.conversations.get(&jid).and_then(|c| {
                c.messages
                    .iter()
                    .take(PAGE)
                    .find_map(|m| m.msg.stanza_id.clone())
            })
        });
        if self.asked.get_value() == Some(before.clone()) {
            return false;
        }
        let sent = self.session.get().command(Command::LoadHistory {
            with: jid,
            before: before.clone(),
            max: PAGE,
        });
        if sent {
            self.asked.set_value(Some(before));
            let loading = self.loading;
            set_timeout(move || loading.set(false), RETRY_AFTER);
        }
        sent
    }
}

/// The top of the log: loading older messages, a button to load them, or the beginning.
#[component]
fn HistoryHead(older: OlderLoader, online: Memo<bool>) -> impl IntoView {
    let loading = older.loading;
    let done = older.done;
    move || {
        if loading.get() {
            view! { <p class="log-head hint" aria-live="polite">{t("log-loading-older")}</p> }
                .into_any()
        } else if done.get() {
            view! { <p class="log-head hint">{t("log-beginning")}</p> }.into_any()
        } else {
            let older = older.clone();
            view! {
                <div class="log-head">
                    <button
                        type="button"
                        class="ghost small"
                        disabled=move || !online.get()
                        on:click=move |_| older.load()
                    >
                        {t("log-load-older")}
                    </button>
                </div>
            }
            .into_any()
        }
    }
}

/// A gap the catch-up could not fill: a separator with a button that asks the archive for
/// the missing page.
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
        let sent = session.get().command(Command::LoadHistory {
            with: jid.clone(),
            before: gap.before.clone(),
            max: PAGE,
        });
        if sent {
            loading.set(true);
            // The store moves or removes the marker when the page comes (this row is then
            // rendered anew); if the page brought nothing, allow another try.
            set_timeout(move || loading.set(false), RETRY_AFTER);
        }
    };
    view! {
        <div class="gap" data-row=row>
            <span class="gap-rule" role="separator" aria-label=t("log-gap")></span>
            <button
                type="button"
                class="ghost small"
                disabled=move || loading.get() || !online.get()
                aria-busy=move || loading.get().then_some("true")
                on:click=load
            >
                {t("log-load-missing")}
            </button>
            <span class="gap-rule" aria-hidden="true"></span>
        </div>
    }
}
