//! What we can do to another occupant: the `menu` behind `Actions for NICK` (private
//! message; kick and voice for moderators; ban for admins and owners when the room tells us
//! the occupant's account) and the `Kick NICK` / `Ban NICK` dialogs asking for a reason.

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use natter_core::jid::{BareJid, Jid};
use natter_core::{Affiliation, Command, Role};
use natter_store::Occupant;
use wasm_bindgen::JsCast;

use crate::app::use_app;
use crate::i18n::{t, t_args};
use crate::state::UiEvent;

/// The occupant a menu is open for, and where (viewport pixels, below its button).
#[derive(Clone, Debug, PartialEq)]
pub struct MenuAt {
    pub occupant: Occupant,
    pub top: f64,
    pub left: f64,
    /// The id of the button that opened it.
    pub trigger: String,
}

/// Our own standing in the room: what the menu may offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Powers {
    pub moderator: bool,
    pub admin: bool,
}

impl Powers {
    pub fn of(me: Option<&Occupant>) -> Powers {
        me.map_or_else(Powers::default, |o| Powers {
            moderator: o.role == Role::Moderator,
            admin: matches!(o.affiliation, Affiliation::Owner | Affiliation::Admin),
        })
    }
}

/// Kick or ban, asked for in a dialog with a reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    Kick,
    Ban,
}

impl Removal {
    fn word(self) -> String {
        t(match self {
            Removal::Kick => "room-menu-kick",
            Removal::Ban => "room-menu-ban",
        })
    }

    /// `Kick NICK` / `Ban NICK`: the dialog's name and heading.
    fn title(self, nick: &str) -> String {
        let id = match self {
            Removal::Kick => "room-kick-title",
            Removal::Ban => "room-ban-title",
        };
        t_args(id, &[("nick", nick.into())])
    }
}

/// Menu entries, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Item {
    Private,
    Kick,
    Voice(bool),
    Ban,
}

impl Item {
    fn label(self) -> String {
        t(match self {
            Item::Private => "room-menu-private",
            Item::Kick => "room-menu-kick",
            Item::Voice(true) => "room-menu-voice-give",
            Item::Voice(false) => "room-menu-voice-revoke",
            Item::Ban => "room-menu-ban",
        })
    }
}

fn items(o: &Occupant, p: Powers) -> Vec<Item> {
    let mut v = vec![Item::Private];
    if p.moderator {
        v.push(Item::Kick);
        // Moderators always have voice: nothing to give or take.
        match o.role {
            Role::Visitor => v.push(Item::Voice(true)),
            Role::Participant => v.push(Item::Voice(false)),
            _ => {}
        }
    }
    if p.admin && o.jid.is_some() {
        v.push(Item::Ban);
    }
    v
}

/// Move focus among the menu's items (arrows, Home, End); `false` if the key is not one.
pub(crate) fn move_focus(menu: &web_sys::HtmlElement, key: &str) -> bool {
    // The items are the menu's children.
    let items: Vec<web_sys::HtmlElement> =
        std::iter::successors(menu.first_element_child(), |e| e.next_element_sibling())
            .filter_map(|e| e.dyn_into().ok())
            .collect();
    if items.is_empty() {
        return false;
    }
    let active = crate::widget::root::active_element(menu);
    let at = items.iter().position(|e| {
        active
            .as_ref()
            .is_some_and(|a| a == e.unchecked_ref::<web_sys::Element>())
    });
    let last = items.len() - 1;
    let next = match key {
        "ArrowDown" => at.map_or(0, |i| if i == last { 0 } else { i + 1 }),
        "ArrowUp" => at.map_or(last, |i| if i == 0 { last } else { i - 1 }),
        "Home" => 0,
        "End" => last,
        _ => return false,
    };
    let _ = items[next].focus();
    true
}

/// The actions menu for one occupant.
#[component]
pub fn OccupantMenu(
    room: BareJid,
    at: MenuAt,
    powers: Powers,
    on_close: impl Fn() + Copy + Send + Sync + 'static,
    on_remove: impl Fn(Removal, Occupant) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let (_, session) = use_app();
    let menu = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = menu.get() {
            move_focus(&el, "Home");
        }
    });
    let o = at.occupant.clone();
    let trigger = at.trigger.clone();
    let nick = o.nick.clone();
    let act = move |item: Item, o: &Occupant| {
        let s = session.get();
        let (room, nick) = (room.clone(), o.nick.clone());
        on_close();
        match item {
            Item::Private => s.local(UiEvent::OpenPrivate(Some((room, nick)))),
            Item::Kick => on_remove(Removal::Kick, o.clone()),
            Item::Ban => on_remove(Removal::Ban, o.clone()),
            Item::Voice(give) => {
                let role = if give {
                    Role::Participant
                } else {
                    Role::Visitor
                };
                s.command(Command::SetRole {
                    room,
                    nick,
                    role,
                    reason: None,
                });
            }
        }
    };
    let entries = items(&o, powers)
        .into_iter()
        .map(|item| {
            let o = o.clone();
            let act = act.clone();
            view! {
                <button
                    type="button"
                    role="menuitem"
                    tabindex="-1"
                    class="menu-item"
                    class:danger=matches!(item, Item::Kick | Item::Ban)
                    on:click=move |_| act(item, &o)
                >
                    {item.label()}
                </button>
            }
        })
        .collect_view();
    let keydown = move |ev: KeyboardEvent| {
        let key = ev.key();
        if key == "Escape" || key == "Tab" {
            ev.prevent_default();
            on_close();
            // Back where the user was (the row's button), not lost at the page's top.
            if let Some(el) = crate::widget::root::by_id(&trigger)
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        } else if let Some(el) = menu.get_untracked() {
            if move_focus(&el, &key) {
                ev.prevent_default();
            }
        }
    };
    view! {
        <div class="menu-backdrop" on:click=move |_| on_close()></div>
        <div
            role="menu"
            aria-label=nick
            class="occupant-menu"
            node_ref=menu
            style:position="fixed"
            style:top=format!("{}px", at.top.round() as i64)
            style:left=format!("{}px", at.left.round() as i64)
            on:keydown=keydown
        >
            {entries}
        </div>
    }
}

/// `Kick NICK` / `Ban NICK`: a reason, then the action or `Cancel`.
#[component]
pub fn RemovalDialog(
    room: BareJid,
    what: Removal,
    occupant: Occupant,
    on_close: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let (_, session) = use_app();
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let input = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let nick = occupant.nick.clone();
    let jid: Option<BareJid> = occupant.jid.as_ref().map(Jid::to_bare);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let reason = Some(reason.get_untracked().trim().to_string()).filter(|r| !r.is_empty());
        let command = match (what, jid.clone()) {
            (Removal::Kick, _) => Command::Kick {
                room: room.clone(),
                nick: nick.clone(),
                reason,
            },
            (Removal::Ban, Some(jid)) => Command::Ban {
                room: room.clone(),
                jid,
                reason,
            },
            (Removal::Ban, None) => return error.set(Some(t("room-ban-unknown"))),
        };
        if session.get().command(command) {
            on_close();
        } else {
            error.set(Some(t("room-offline-retry")));
        }
    };
    let title = what.title(&occupant.nick);
    let heading = title.clone();
    let keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            on_close();
        }
    };
    view! {
        <div class="removal-backdrop" on:click=move |_| on_close()></div>
        <div role="dialog" aria-modal="true" aria-label=title.clone() class="removal-dialog" on:keydown=keydown>
            <form class="removal-form" on:submit=submit>
                <h2 class="removal-title">{heading}</h2>
                <label class="removal-field">
                    <span>{t("room-reason")}</span>
                    <input
                        type="text"
                        aria-label=t("room-reason")
                        placeholder=t("room-removal-reason-placeholder")
                        maxlength="500"
                        node_ref=input
                        prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))
                    />
                </label>
                {move || error.get().map(|e| view! { <p role="alert" class="alert small">{e}</p> })}
                <div class="dialog-actions">
                    <button type="button" class="ghost" on:click=move |_| on_close()>{t("room-cancel")}</button>
                    <button type="submit" class="primary danger">{what.word()}</button>
                </div>
            </form>
        </div>
    }
}
