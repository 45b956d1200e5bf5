//! Corrections, retractions, reactions and replies in a one-to-one chat: the `Message
//! actions` menu of each message, its reactions, the quote of the message it answers, the
//! `edited` and retracted notes, and the composer's `Editing message` / `Replying to NAME`
//! state. Everything from the network is rendered as text nodes.

mod menu;

pub use menu::MessageMenuHost;

use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use natter_core::edits::{Edits, Reply, QUOTE_CHARS};
use natter_core::jid::{BareJid, Jid};
use natter_core::{Command, Direction, MessageExt};
use natter_store::{keys, StoredMessage};
use wasm_bindgen::JsCast;

use crate::app::use_app;
use crate::i18n::{t, t_args};

/// The reactions the picker offers.
pub const PICKER: [&str; 6] = ["👍", "❤️", "😂", "😮", "😢", "🙏"];

/// A message being corrected: the original's id and its text when editing began.
#[derive(Clone, Debug, PartialEq)]
pub struct Editing {
    pub id: String,
    pub body: String,
}

/// A message being answered.
#[derive(Clone, Debug, PartialEq)]
pub struct Replying {
    pub id: String,
    pub to: Jid,
    pub name: String,
    pub quote: String,
}

/// Shared by one conversation's messages and its composer.
#[derive(Clone, Copy)]
pub struct EditState {
    pub peer: StoredValue<BareJid>,
    pub editing: RwSignal<Option<Editing>>,
    pub replying: RwSignal<Option<Replying>>,
    /// The composer's text, so that `Edit` can put the message into it.
    pub draft: RwSignal<String>,
    /// Our newest message still shown with its text: the one `Edit` and Up arrow correct.
    last_own: Memo<Option<(String, String)>>,
    /// The one `Message actions` menu of the conversation, when open.
    menu: RwSignal<Option<menu::MenuAt>>,
}

/// Sets up the state for the conversation with `peer` (its messages and composer find it).
pub fn provide(peer: BareJid) {
    let (state, _) = use_app();
    let last_own = {
        let peer = peer.clone();
        Memo::new(move |_| {
            state.with_messages(|s| {
                let conv = s.conversations.get(&peer)?;
                conv.messages
                    .iter()
                    .rev()
                    .find(|m| m.msg.direction == Direction::Outgoing)
                    .filter(|m| !m.msg.ext.edits.applied.retracted && !m.msg.body.is_empty())
                    .map(|m| (m.msg.id.clone(), m.msg.body.clone()))
            })
        })
    };
    provide_context(EditState {
        peer: StoredValue::new(peer),
        editing: RwSignal::new(None),
        replying: RwSignal::new(None),
        draft: RwSignal::new(String::new()),
        last_own,
        menu: RwSignal::new(None),
    });
}

fn focus_composer() {
    if let Some(el) = crate::widget::root::query(".conversation textarea")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

impl EditState {
    fn start_edit(self, id: String, body: String) {
        self.replying.set(None);
        self.draft.set(body.clone());
        self.editing.set(Some(Editing { id, body }));
        focus_composer();
    }

    fn cancel_edit(self) {
        if self.editing.get_untracked().is_some() {
            self.editing.set(None);
            self.draft.set(String::new());
        }
    }

    /// The composer's keys: Up in an empty composer edits our last message, Escape leaves
    /// editing or replying. `true`: the key was used.
    pub fn key(self, ev: &KeyboardEvent) -> bool {
        match ev.key().as_str() {
            "ArrowUp" if self.draft.with_untracked(|d| d.is_empty()) => {
                match self.last_own.get_untracked() {
                    Some((id, body)) => {
                        self.start_edit(id, body);
                        true
                    }
                    None => false,
                }
            }
            "Escape" if self.editing.get_untracked().is_some() => {
                self.cancel_edit();
                true
            }
            "Escape" if self.replying.get_untracked().is_some() => {
                self.replying.set(None);
                true
            }
            _ => false,
        }
    }

    /// Sends what the composer holds: a correction while editing, a reply while replying,
    /// else a plain message through `plain`. `false`: nothing went (the draft stays).
    pub fn send(self, body: String, plain: impl FnOnce(String) -> bool) -> bool {
        let (_, session) = use_app();
        let peer = self.peer.get_value();
        if let Some(e) = self.editing.get_untracked() {
            if e.body == body {
                self.cancel_edit();
                return true;
            }
            let Some(new_id) = crate::session::offline_id() else {
                return false;
            };
            let sent = session.get().command(Command::Correct {
                to: Jid::from(peer),
                id: e.id,
                new_id,
                body,
            });
            if sent {
                self.editing.set(None);
            }
            return sent;
        }
        let Some(r) = self.replying.get_untracked() else {
            return plain(body);
        };
        let ext = MessageExt {
            edits: Box::new(Edits {
                reply: Some(Reply {
                    to: Some(r.to),
                    id: r.id,
                    quote: Some(r.quote),
                    fallback: None,
                }),
                ..Edits::default()
            }),
            ..MessageExt::default()
        };
        let sent = session.get().send_message_with(peer, body, ext);
        if sent {
            self.replying.set(None);
        }
        sent
    }
}

pub fn use_edit_state() -> Option<EditState> {
    use_context::<EditState>()
}

/// What the composer is doing besides writing a new message, with the way out.
#[component]
pub fn ComposerMode() -> impl IntoView {
    let Some(edit) = use_edit_state() else {
        return ().into_any();
    };
    view! {
        {move || edit.editing.get().map(|_| view! {
            <div class="composer-mode">
                <span role="status">{t("edit-editing")}</span>
                <button type="button" class="ghost small" on:click=move |_| edit.cancel_edit()>
                    {t("edit-cancel-edit")}
                </button>
            </div>
        })}
        {move || edit.replying.get().map(|r| view! {
            <div class="composer-mode">
                <span role="status">{t_args("edit-replying-to", &[("name", r.name.into())])}</span>
                <button type="button" class="ghost small" on:click=move |_| edit.replying.set(None)>
                    {t("edit-cancel-reply")}
                </button>
            </div>
        })}
    }
    .into_any()
}

/// How a message's sender is named in "In reply to NAME": a contact by its roster name,
/// ourselves by our address.
fn sender_name(direction: Direction, peer: &BareJid) -> String {
    let (state, _) = use_app();
    match direction {
        Direction::Incoming => state.peek(|s| {
            s.roster
                .get(peer)
                .map_or_else(|| peer.to_string(), |c| c.display_name())
        }),
        Direction::Outgoing => state.peek(|s| {
            s.account
                .as_ref()
                .map_or_else(|| t("edit-me"), |a| a.to_bare().to_string())
        }),
    }
}

fn short(text: &str) -> String {
    let mut out: String = text.chars().take(QUOTE_CHARS).collect();
    if text.chars().nth(QUOTE_CHARS).is_some() {
        out.push('…');
    }
    out
}

/// The message a reply answers, quoted from our store (or from the fallback the sender
/// wrote, when we do not have it).
#[component]
pub fn ReplyQuote(message: StoredMessage) -> impl IntoView {
    let Some(reply) = message.msg.ext.edits.reply.clone() else {
        return ().into_any();
    };
    let (state, _) = use_app();
    let peer = message.msg.peer.clone();
    let ours = reply.to.as_ref().is_some_and(|to| {
        state.peek(|s| {
            s.account
                .as_ref()
                .is_some_and(|a| a.to_bare() == to.to_bare())
        })
    });
    let order = if ours {
        [Direction::Outgoing, Direction::Incoming]
    } else {
        [Direction::Incoming, Direction::Outgoing]
    };
    let found = {
        let (peer, id) = (peer.clone(), reply.id.clone());
        Memo::new(move |_| {
            state.with_messages(|s| {
                let conv = s.conversations.get(&peer)?;
                order.iter().find_map(|d| {
                    conv.get(&keys::local(*d, &id)).map(|m| {
                        let text = if m.msg.ext.edits.applied.retracted {
                            t("edit-retracted")
                        } else {
                            short(&m.msg.body)
                        };
                        (m.msg.direction, text)
                    })
                })
            })
        })
    };
    let fallback = reply.quote.clone().map(|q| short(&q));
    let default_direction = order[0];
    let quote = move || {
        found
            .get()
            .map(|(_, text)| text)
            .or_else(|| fallback.clone())
            .unwrap_or_else(|| t("edit-quote-missing"))
    };
    let label = move || {
        let direction = found.get().map_or(default_direction, |(d, _)| d);
        t_args(
            "edit-in-reply-to",
            &[("name", sender_name(direction, &peer).into())],
        )
    };
    view! { <blockquote class="reply-quote" aria-label=label>{quote}</blockquote> }.into_any()
}

/// The retracted message's place holder, and the `edited` mark of a corrected one.
#[component]
pub fn EditNote(message: StoredMessage) -> impl IntoView {
    let a = &message.msg.ext.edits.applied;
    if a.retracted {
        return view! { <p class="body retracted">{t("edit-retracted")}</p> }.into_any();
    }
    if a.edited_at != 0 {
        return view! { <span class="edited">{t("edit-edited")}</span> }.into_any();
    }
    ().into_any()
}

/// One reaction shown under a message: the emoji, how many reacted with it, ours or not.
#[derive(Clone, Debug, PartialEq)]
struct Tally {
    emoji: String,
    count: usize,
    mine: bool,
}

fn tally(message: &StoredMessage) -> Vec<Tally> {
    let a = &message.msg.ext.edits.applied;
    let mut out: Vec<Tally> = Vec::new();
    for (r, mine) in a
        .theirs
        .iter()
        .map(|r| (r, false))
        .chain(a.mine.iter().map(|r| (r, true)))
    {
        match out.iter_mut().find(|t| t.emoji == *r) {
            Some(t) => {
                t.count += 1;
                t.mine |= mine;
            }
            None => out.push(Tally {
                emoji: r.clone(),
                count: 1,
                mine,
            }),
        }
    }
    out
}

/// Our reactions with `emoji` added or taken away.
fn toggled(mine: &[String], emoji: &str) -> Vec<String> {
    if mine.iter().any(|r| r == emoji) {
        mine.iter().filter(|r| *r != emoji).cloned().collect()
    } else {
        mine.iter().cloned().chain([emoji.to_string()]).collect()
    }
}

fn react(message: &StoredMessage, emoji: &str) {
    let (_, session) = use_app();
    let reactions = toggled(&message.msg.ext.edits.applied.mine, emoji);
    session.get().command(Command::React {
        to: Jid::from(message.msg.peer.clone()),
        id: message.msg.id.clone(),
        reactions,
    });
}

/// The reactions under a message and its `Message actions` button.
#[component]
pub fn EditsFooter(message: StoredMessage) -> impl IntoView {
    let Some(edit) = use_edit_state() else {
        return ().into_any();
    };
    if message.msg.ext.edits.applied.retracted {
        return ().into_any();
    }
    let tallies = tally(&message);
    let reactions = (!tallies.is_empty()).then(|| {
        let buttons = tallies
            .into_iter()
            .map(|t| {
                let m = message.clone();
                let emoji = t.emoji.clone();
                view! {
                    <button
                        type="button"
                        class="reaction"
                        class:mine=t.mine
                        aria-pressed=if t.mine { "true" } else { "false" }
                        on:click=move |_| react(&m, &emoji)
                    >
                        {format!("{} {}", t.emoji, t.count)}
                    </button>
                }
            })
            .collect_view();
        view! { <div role="group" aria-label=t("edit-reactions") class="reactions">{buttons}</div> }
    });
    view! { {reactions} {menu::actions_button(edit, &message)} }.into_any()
}

/// What changes a message's rendering besides its key and state (the log re-renders a row
/// when it changes).
pub fn row_token(message: &StoredMessage) -> String {
    let e = &message.msg.ext.edits;
    let a = &e.applied;
    format!(
        "{}.{}.{}.{}.{}",
        a.edited_at,
        a.retracted,
        a.mine.join(","),
        a.theirs.join(","),
        e.reply.is_some()
    )
}
