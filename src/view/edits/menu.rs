//! The `Message actions` button of each message and the one menu (or reaction picker) a
//! conversation shows for it. Rows carry only the button: a long chat renders many rows, and
//! nothing reactive is set up per message.

use leptos::ev::{KeyboardEvent, MouseEvent};
use leptos::html;
use leptos::prelude::*;
use natter_core::jid::Jid;
use natter_core::{Command, Direction};
use natter_store::{keys, StoredMessage};
use wasm_bindgen::JsCast;

use super::{react, sender_name, short, use_edit_state, EditState, Replying, PICKER};
use crate::app::use_app;
use crate::i18n::{t, t_args};
use crate::view::occupant_actions::move_focus;

/// Which message a menu is open for, what it shows, and where (viewport pixels).
#[derive(Clone, Debug, PartialEq)]
pub struct MenuAt {
    key: String,
    trigger: String,
    picker: bool,
    top: f64,
    left: Option<f64>,
    right: Option<f64>,
}

#[derive(Clone, Copy, PartialEq)]
enum Item {
    Reply,
    React,
    Edit,
    Retract,
}

impl Item {
    fn label(self) -> String {
        t(match self {
            Item::Reply => "edit-reply",
            Item::React => "edit-react",
            Item::Edit => "edit-edit",
            Item::Retract => "edit-retract",
        })
    }
}

/// The `Message actions` button of one message (its glyph is CSS, so that the article's
/// text stays the message's).
pub fn actions_button(edit: EditState, message: &StoredMessage) -> impl IntoView {
    let key = message.key();
    let trigger = format!("msg-actions-{key}");
    let outgoing = message.msg.direction == Direction::Outgoing;
    let open = move |ev: MouseEvent| {
        let Some(el) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        let rect = el.get_bounding_client_rect();
        let width = window()
            .inner_width()
            .ok()
            .and_then(|w| w.as_f64())
            .unwrap_or(0.0);
        let at = MenuAt {
            key: key.clone(),
            trigger: el.id(),
            picker: false,
            top: rect.bottom(),
            left: (!outgoing).then(|| rect.left()),
            right: outgoing.then(|| (width - rect.right()).max(0.0)),
        };
        edit.menu.update(|m| {
            *m = match m {
                Some(open) if open.key == at.key => None,
                _ => Some(at),
            }
        });
    };
    view! {
        <button
            type="button"
            class="message-actions icon-btn"
            aria-label=t("edit-actions")
            aria-haspopup="menu"
            id=trigger
            on:click=open
        ></button>
    }
}

/// Where a conversation shows the menu of the message whose button was pressed.
#[component]
pub fn MessageMenuHost() -> impl IntoView {
    let Some(edit) = use_edit_state() else {
        return ().into_any();
    };
    (move || edit.menu.get().map(|at| view! { <MessageMenu at edit /> })).into_any()
}

fn focus_trigger(trigger: &str) {
    if let Some(el) =
        crate::widget::root::by_id(trigger).and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

#[component]
fn MessageMenu(at: MenuAt, edit: EditState) -> impl IntoView {
    let (state, session) = use_app();
    let peer = edit.peer.get_value();
    let message = state.peek(|s| {
        s.conversations
            .get(&peer)
            .and_then(|c| c.get(&at.key))
            .cloned()
    });
    let Some(message) = message else {
        edit.menu.set(None);
        return ().into_any();
    };
    let popup = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = popup.get() {
            move_focus(&el, "Home");
        }
    });
    let trigger = at.trigger.clone();
    let close = move || {
        edit.menu.set(None);
        focus_trigger(&trigger);
    };
    let keydown = {
        let close = close.clone();
        move |ev: KeyboardEvent| {
            let key = ev.key();
            if key == "Escape" || key == "Tab" {
                ev.prevent_default();
                close();
            } else if let Some(el) = popup.get_untracked() {
                let key = match key.as_str() {
                    "ArrowRight" => "ArrowDown",
                    "ArrowLeft" => "ArrowUp",
                    k => k,
                };
                if move_focus(&el, key) {
                    ev.prevent_default();
                }
            }
        }
    };
    let top = format!("{}px", at.top.round() as i64);
    let left = at.left.map(|l| format!("{}px", l.round() as i64));
    let right = at.right.map(|r| format!("{}px", r.round() as i64));
    let backdrop =
        view! { <div class="menu-backdrop" on:click=move |_| edit.menu.set(None)></div> };
    if at.picker {
        let choices = PICKER
            .iter()
            .map(|emoji| {
                let m = message.clone();
                view! {
                    <button
                        type="button"
                        class="pick"
                        aria-label=t_args("edit-react-with", &[("emoji", (*emoji).into())])
                        on:click=move |_| {
                            edit.menu.set(None);
                            if !m.msg.ext.edits.applied.mine.iter().any(|r| r == emoji) {
                                react(&m, emoji);
                            }
                        }
                    >
                        {*emoji}
                    </button>
                }
            })
            .collect_view();
        return view! {
            {backdrop}
            <div
                role="group"
                aria-label=t("edit-pick-reaction")
                class="reaction-picker"
                node_ref=popup
                style:top=top
                style:left=left
                style:right=right
                on:keydown=keydown
            >
                {choices}
            </div>
        }
        .into_any();
    }
    let ours = message.msg.direction == Direction::Outgoing;
    let last = edit.last_own.with_untracked(|l| {
        l.as_ref()
            .is_some_and(|(id, _)| keys::local(Direction::Outgoing, id) == at.key)
    });
    let mut items = vec![Item::Reply, Item::React];
    if ours && last {
        items.push(Item::Edit);
    }
    if ours {
        items.push(Item::Retract);
    }
    let act = move |item: Item| {
        let m = &message.msg;
        match item {
            Item::Reply => {
                edit.menu.set(None);
                edit.cancel_edit();
                edit.replying.set(Some(Replying {
                    id: m.id.clone(),
                    to: m.from.clone(),
                    name: sender_name(m.direction, &m.peer),
                    quote: short(&m.body),
                }));
                super::focus_composer();
            }
            Item::React => edit.menu.update(|o| {
                if let Some(o) = o {
                    o.picker = true;
                }
            }),
            Item::Edit => {
                edit.menu.set(None);
                edit.start_edit(m.id.clone(), m.body.clone());
            }
            Item::Retract => {
                close();
                session.get().command(Command::Retract {
                    to: Jid::from(m.peer.clone()),
                    id: m.id.clone(),
                });
            }
        }
    };
    let entries = items
        .into_iter()
        .map(|item| {
            let act = act.clone();
            view! {
                <button
                    type="button"
                    role="menuitem"
                    tabindex="-1"
                    class="menu-item"
                    class:danger=item == Item::Retract
                    on:click=move |_| act(item)
                >
                    {item.label()}
                </button>
            }
        })
        .collect_view();
    view! {
        {backdrop}
        <div
            role="menu"
            aria-label=t("edit-actions")
            class="message-menu"
            node_ref=popup
            style:top=top
            style:left=left
            style:right=right
            on:keydown=keydown
        >
            {entries}
        </div>
    }
    .into_any()
}
