//! The room header's actions: nickname, subject, invite, settings (owners), bookmark with
//! autojoin, and `Enter room` for a listed room we are not in. Each opens at most one panel
//! under the header ([`Panel`]); what a request's failure says shows there as an `alert`.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_core::{Affiliation, Bookmark, Command, JoinError};

use crate::app::use_app;
use crate::i18n::t;
use crate::state::UiEvent;
use crate::view::invite::InviteForm;
use crate::view::room_settings::SettingsPanel;

/// The panel open under the header.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Panel {
    #[default]
    None,
    Nick,
    Subject,
    Invite,
    Settings,
}

#[derive(Clone, PartialEq)]
struct Facts {
    joined: bool,
    joining: bool,
    owner: bool,
    nick: Option<String>,
    bookmark: Option<Bookmark>,
    /// The last join was refused for want of the right password.
    needs_password: bool,
}

fn facts(jid: BareJid) -> Memo<Facts> {
    let (state, _) = use_app();
    Memo::new(move |_| {
        state.with_messages(|s| {
            let r = s.rooms.get(&jid);
            Facts {
                joined: r.is_some_and(|r| r.joined),
                joining: r.is_some_and(|r| r.joining),
                owner: r.is_some_and(|r| {
                    r.occupants
                        .values()
                        .any(|o| o.me && o.affiliation == Affiliation::Owner)
                }),
                nick: r.and_then(|r| r.nick.clone()),
                bookmark: s.admin.bookmark(&jid).cloned(),
                needs_password: r.and_then(|r| r.error.as_deref())
                    == Some(JoinError::PasswordRequired.to_string().as_str()),
            }
        })
    })
}

/// The buttons at the end of the header.
#[component]
pub fn RoomActions(jid: BareJid, panel: RwSignal<Panel>) -> impl IntoView {
    let (state, session) = use_app();
    let f = facts(jid.clone());
    let toggle = move |p: Panel| {
        move |_| {
            panel.update(|cur| *cur = if *cur == p { Panel::None } else { p });
        }
    };
    let expanded = move |p: Panel| move || (panel.get() == p).to_string();
    let settings_jid = jid.clone();
    let open_settings = move |_| {
        let room = settings_jid.clone();
        if panel.get_untracked() == Panel::Settings {
            session.get().local(UiEvent::RoomSettings(room, false));
            return panel.set(Panel::None);
        }
        session
            .get()
            .local(UiEvent::RoomSettings(room.clone(), true));
        if !session
            .get()
            .command(Command::GetRoomConfig { room: room.clone() })
        {
            session.get().local(UiEvent::RoomSettings(room, false));
        }
        panel.set(Panel::Settings);
    };
    let mark_jid = jid.clone();
    let toggle_bookmark = move |_| {
        let room = mark_jid.clone();
        let command = match f.get_untracked().bookmark {
            Some(_) => Command::RemoveBookmark { room },
            None => Command::SetBookmark(Bookmark {
                name: None,
                nick: f.get_untracked().nick,
                password: None,
                autojoin: false,
                room,
            }),
        };
        session.get().command(command);
    };
    let autojoin = move |ev: leptos::ev::Event| {
        if let Some(mut b) = f.get_untracked().bookmark {
            b.autojoin = event_target_checked(&ev);
            session.get().command(Command::SetBookmark(b));
        }
    };
    // What the room calls itself (its name in the header) and whether it is members-only
    // (how to invite): asked once we are in.
    let info_jid = jid.clone();
    let joined = Memo::new(move |_| f.with(|f| f.joined));
    Effect::new(move |_| {
        if joined.get() {
            session.get().command(Command::RoomInfo {
                room: info_jid.clone(),
            });
        }
    });
    let password = RwSignal::new(String::new());
    let enter_jid = jid.clone();
    let enter = move |_| {
        let room = enter_jid.clone();
        let facts = f.get_untracked();
        let mark = facts.bookmark.clone();
        let nick = mark
            .as_ref()
            .and_then(|b| b.nick.clone())
            .or(facts.nick)
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| own_name(state));
        session.get().local(UiEvent::ClearRoomFailure(room.clone()));
        session.get().command(Command::JoinRoom {
            room,
            nick,
            password: Some(password.get_untracked())
                .filter(|p| !p.is_empty())
                .or(mark.and_then(|b| b.password)),
            after: None,
        });
    };
    view! {
        <div class="room-actions">
            {move || f.with(|f| f.needs_password && !f.joining).then(|| view! {
                <input
                    type="password"
                    class="room-password"
                    aria-label=t("room-password")
                    autocomplete="off"
                    placeholder=t("room-password")
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
            })}
            {move || (!f.with(|f| f.joined || f.joining)).then(|| view! {
                <button type="button" class="primary" on:click=enter.clone()>{t("room-enter")}</button>
            })}
            {move || f.with(|f| f.joined).then(|| view! {
                <button type="button" class="ghost small"
                    aria-expanded=expanded(Panel::Nick) on:click=toggle(Panel::Nick)>
                    {t("room-change-nick")}
                </button>
                <button type="button" class="ghost small"
                    aria-expanded=expanded(Panel::Subject) on:click=toggle(Panel::Subject)>
                    {t("room-change-subject")}
                </button>
                <button type="button" class="ghost small"
                    aria-expanded=expanded(Panel::Invite) on:click=toggle(Panel::Invite)>
                    {t("room-invite")}
                </button>
            })}
            {move || f.with(|f| f.joined && f.owner).then(|| view! {
                <button type="button" class="ghost small"
                    aria-expanded=expanded(Panel::Settings) on:click=open_settings.clone()>
                    {t("room-settings")}
                </button>
            })}
            <button
                type="button"
                class="ghost small bookmark-btn"
                aria-pressed=move || f.with(|f| f.bookmark.is_some()).to_string()
                on:click=toggle_bookmark
            >
                {t("room-bookmark")}
            </button>
            {move || f.with(|f| f.bookmark.as_ref().map(|b| b.autojoin)).map(|on| view! {
                <label class="autojoin">
                    <input type="checkbox" prop:checked=on on:change=autojoin />
                    " "
                    {t("room-autojoin")}
                </label>
            })}
        </div>
    }
}

/// The open panel and the room's last failed request.
#[component]
pub fn RoomPanel(jid: BareJid, panel: RwSignal<Panel>) -> impl IntoView {
    let (state, session) = use_app();
    let f = facts(jid.clone());
    let failure = {
        let jid = jid.clone();
        Memo::new(move |_| state.with_messages(|s| s.admin.failures.get(&jid).cloned()))
    };
    // Out of the room: nothing to change any more.
    Effect::new(move |_| {
        if !f.with(|f| f.joined) {
            panel.set(Panel::None);
        }
    });
    let dismiss_jid = jid.clone();
    let dismiss = move |_| {
        session
            .get()
            .local(UiEvent::ClearRoomFailure(dismiss_jid.clone()))
    };
    let close = move || panel.set(Panel::None);
    view! {
        {move || failure.get().map(|e| view! {
            <div class="alert-row room-failure">
                <p role="alert" class="alert small">{e}</p>
                <button type="button" class="icon-btn" aria-label=t("room-dismiss") on:click=dismiss.clone()>
                    "×"
                </button>
            </div>
        })}
        {move || {
            let jid = jid.clone();
            match panel.get() {
                Panel::None => None,
                Panel::Nick => Some(view! { <NickForm jid close /> }.into_any()),
                Panel::Subject => Some(view! { <SubjectForm jid close /> }.into_any()),
                Panel::Invite => Some(view! { <InviteForm jid close /> }.into_any()),
                Panel::Settings => Some(view! { <SettingsPanel jid close /> }.into_any()),
            }
        }}
    }
}

/// The local part of the account: the default nickname.
pub fn own_name(state: crate::state::AppState) -> String {
    state.peek(|s| {
        s.account
            .as_ref()
            .and_then(|j| j.node().map(|n| n.to_string()))
            .unwrap_or_else(|| "guest".into())
    })
}

#[component]
fn NickForm(jid: BareJid, close: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let (state, session) = use_app();
    let nick = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // Closes once the room confirms the nickname we asked for.
    let asked = RwSignal::new(None::<String>);
    let current = {
        let jid = jid.clone();
        Memo::new(move |_| state.with_messages(|s| s.rooms.get(&jid).and_then(|r| r.nick.clone())))
    };
    Effect::new(move |_| {
        if asked.get().is_some() && asked.get() == current.get() {
            close();
        }
    });
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let new = nick.get_untracked().trim().to_string();
        if new.is_empty() {
            return error.set(Some(t("room-nick-empty")));
        }
        session.get().local(UiEvent::ClearRoomFailure(jid.clone()));
        if session.get().command(Command::ChangeNick {
            room: jid.clone(),
            nick: new.clone(),
        }) {
            error.set(None);
            asked.set(Some(new));
        } else {
            error.set(Some(t("room-offline-retry")));
        }
    };
    view! {
        <form class="dialog add-form room-panel" aria-label=t("room-change-nick") novalidate on:submit=submit>
            <label for="room-new-nick">{t("room-nick-new")}</label>
            <input
                id="room-new-nick"
                type="text"
                autocapitalize="none"
                spellcheck="false"
                autofocus
                placeholder=move || current.get().unwrap_or_default()
                prop:value=move || nick.get()
                on:input=move |ev| nick.set(event_target_value(&ev))
            />
            {move || error.get().map(|e| view! { <p role="alert" class="alert small">{e}</p> })}
            <div class="dialog-actions">
                <button type="button" class="ghost" on:click=move |_| close()>{t("room-cancel")}</button>
                <button type="submit" class="primary">{t("room-nick-submit")}</button>
            </div>
        </form>
    }
}

#[component]
fn SubjectForm(jid: BareJid, close: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let (state, session) = use_app();
    let subject = RwSignal::new(state.peek(|s| {
        s.rooms
            .get(&jid)
            .and_then(|r| r.subject.clone())
            .unwrap_or_default()
    }));
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        session.get().local(UiEvent::ClearRoomFailure(jid.clone()));
        if session.get().command(Command::SetSubject {
            room: jid.clone(),
            subject: subject.get_untracked().trim().to_string(),
        }) {
            close();
        } else {
            error.set(Some(t("room-offline-retry")));
        }
    };
    view! {
        <form class="dialog add-form room-panel" aria-label=t("room-change-subject") novalidate on:submit=submit>
            <label for="room-subject">{t("room-subject")}</label>
            <input
                id="room-subject"
                type="text"
                autofocus
                prop:value=move || subject.get()
                on:input=move |ev| subject.set(event_target_value(&ev))
            />
            {move || error.get().map(|e| view! { <p role="alert" class="alert small">{e}</p> })}
            <div class="dialog-actions">
                <button type="button" class="ghost" on:click=move |_| close()>{t("room-cancel")}</button>
                <button type="submit" class="primary">{t("room-subject-save")}</button>
            </div>
        </form>
    }
}
