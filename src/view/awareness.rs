//! Awareness in the page: the title's unread count, the peer's chat state under the chat
//! header, our `<displayed/>` markers while a chat is on screen, our typing notifications,
//! and the `Settings` dialog. The decisions are [`crate::awareness`]'s; the browser calls
//! are [`crate::notify`]'s.

use std::time::Duration;

use leptos::html;
use leptos::prelude::*;
use natter_core::jid::BareJid;
use natter_core::{ChatState, Command, MessageExt};

use crate::app::{use_app, SessionHandle};
use crate::awareness::{self, Settings, Target, Typing, MARKER_INTERVAL_MS};
use crate::i18n::t;
use crate::notify;
use crate::state::{AppState, UiEvent};

fn now_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// The awareness settings and whether the tab is visible, for every component.
#[derive(Clone, Copy)]
pub struct Aware {
    pub settings: RwSignal<Settings>,
    pub visible: RwSignal<bool>,
    /// Whose settings these are.
    account: StoredValue<Option<BareJid>>,
}

impl Aware {
    /// Change the settings and keep them for the account.
    fn change(&self, f: impl FnOnce(&mut Settings)) {
        self.settings.update(f);
        if let Some(account) = self.account.get_value() {
            crate::dom::save(
                &Settings::key(&account),
                &self.settings.get_untracked().encode(),
            );
        }
    }
}

/// Sets up awareness for the app: the page title, the settings of the signed-in account,
/// the tab's visibility, and where a clicked notification leads. Call once, in the root.
pub fn provide() {
    let (state, session) = use_app();
    let aware = Aware {
        settings: RwSignal::new(Settings::default()),
        visible: RwSignal::new(!document().hidden()),
        account: StoredValue::new(None),
    };
    provide_context(aware);

    // "(3) Natter" while messages are unread in any chat or room.
    // Not in the widget: the title is the host page's.
    let embedded = use_context::<crate::widget::Embedded>().is_some();
    Effect::new(move |_| {
        let unread = state.with_roster(|s| s.unread_everywhere());
        if !embedded {
            document().set_title(&awareness::title(unread));
        }
    });

    session.get().local(UiEvent::Hidden(document().hidden()));
    let listener = window_event_listener(leptos::ev::visibilitychange, move |_| {
        let hidden = document().hidden();
        aware.visible.set(!hidden);
        session.get().local(UiEvent::Hidden(hidden));
    });
    on_cleanup(move || listener.remove());

    // The settings are per account: read them once it is known.
    Effect::new(move |_| {
        let account = state.with_connection(|s| s.account.as_ref().map(|j| j.to_bare()));
        if let Some(account) = account {
            if aware.account.get_value().as_ref() != Some(&account) {
                aware.settings.set(notify::stored(&account));
                aware.account.set_value(Some(account));
            }
        }
    });
    Effect::new(move |_| {
        let s = aware.settings.get();
        notify::set_enabled(s.notifications);
        session.get().command(Command::SetReceipts(s.receipts));
    });

    notify::on_click(move |target| {
        let session = session.get();
        match target {
            Target::Chat(peer) => session.local(UiEvent::Open(Some(peer))),
            Target::Room(room) => session.local(UiEvent::OpenRoom(Some(room))),
        }
    });
}

fn use_aware() -> Aware {
    expect_context::<Aware>()
}

/// Under the chat header: what the peer is doing (`NAME is typing…`), as a `Chat state`
/// status. While the chat is on screen and the tab visible, it also marks the peer's newest
/// markable message displayed (at most once a second, once per message).
#[component]
pub fn ChatAwareness(jid: BareJid, #[prop(into)] name: Signal<String>) -> impl IntoView {
    let (state, session) = use_app();
    let aware = use_aware();

    // A typing notice goes stale without an event: look at the clock now and then.
    let now = RwSignal::new(now_ms());
    let interval = set_interval_with_handle(move || now.set(now_ms()), Duration::from_secs(2)).ok();
    on_cleanup(move || {
        if let Some(h) = interval {
            h.clear();
        }
    });
    let typing = {
        let jid = jid.clone();
        Memo::new(move |_| {
            let t = now.get();
            let st = state.with_messages(|s| s.peers.typing(&jid, t));
            awareness::typing_text(&name.get(), st)
        })
    };

    let last_marker = StoredValue::new(0u64);
    let retry = RwSignal::new(0u32);
    Effect::new(move |_| {
        retry.track();
        if !aware.visible.get() || !aware.settings.with(|s| s.receipts) {
            return;
        }
        let Some(id) = state.with_messages(|s| s.displayed_due(&jid)) else {
            return;
        };
        let t = now_ms();
        let wait = (last_marker.get_value() + MARKER_INTERVAL_MS).saturating_sub(t);
        if wait > 0 {
            set_timeout(
                move || {
                    let _ = retry.try_update(|r| *r += 1);
                },
                Duration::from_millis(wait),
            );
            return;
        }
        let session = session.get();
        let command = Command::MarkDisplayed {
            to: jid.clone(),
            id: id.clone(),
        };
        if session.command(command) {
            last_marker.set_value(t);
            session.local(UiEvent::Displayed(jid.clone(), id));
        }
    });

    view! {
        <p class="chat-state" role="status" aria-label=t("chat-state")>
            {move || typing.get()}
        </p>
    }
}

/// Our typing in one chat's composer, turned into rate-limited chat states (see
/// [`Typing`]). Only to peers who follow chat states, and only while the user allows it.
#[derive(Clone, Copy)]
pub struct TypingHandle {
    jid: StoredValue<BareJid>,
    typing: StoredValue<Typing>,
    timer: StoredValue<Option<TimeoutHandle>>,
    // Captured here: timers run outside any component, where there is no context.
    state: AppState,
    session: SessionHandle,
    aware: Aware,
}

/// The typing handle for the composer of the chat with `jid`: `active` now (the chat
/// opened), `inactive` when the composer goes (the chat closed).
pub fn use_typing(jid: BareJid) -> TypingHandle {
    let (state, session) = use_app();
    let h = TypingHandle {
        jid: StoredValue::new(jid),
        typing: StoredValue::new(Typing::default()),
        timer: StoredValue::new(None),
        state,
        session,
        aware: use_aware(),
    };
    if h.allowed() {
        if let Some(st) = h.typing.try_update_value(|t| t.opened()).flatten() {
            h.send_state(st);
        }
    }
    let jid = h.jid.get_value();
    let (typing, timer, aware) = (h.typing, h.timer, h.aware);
    on_cleanup(move || {
        if let Some(Some(t)) = timer.try_update_value(Option::take) {
            t.clear();
        }
        let allowed = aware.settings.try_with_untracked(|s| s.typing) == Some(true);
        if let Some(Some(st)) = typing.try_update_value(|t| t.closed()) {
            if allowed {
                session
                    .get()
                    .command(Command::SendChatState { to: jid, state: st });
            }
        }
    });
    h
}

impl TypingHandle {
    fn allowed(&self) -> bool {
        let Some(jid) = self.jid.try_get_value() else {
            return false;
        };
        let Some(settings) = self.aware.settings.try_get_untracked() else {
            return false;
        };
        self.state
            .peek(|s| awareness::may_send_states(&settings, s, &jid))
    }

    fn send_state(&self, st: ChatState) {
        if let Some(to) = self.jid.try_get_value() {
            self.session
                .get()
                .command(Command::SendChatState { to, state: st });
        }
    }

    /// Follow the composer's draft: every change is a keystroke.
    pub fn watch(self, draft: RwSignal<String>) {
        Effect::new(move |first: Option<()>| {
            let empty = draft.with(|d| d.trim().is_empty());
            // The draft as the chat opened is not typing.
            if first.is_some() {
                self.typed(empty);
            }
        });
    }

    fn typed(self, empty: bool) {
        if !self.allowed() {
            return;
        }
        let t = now_ms();
        if let Some(st) = self
            .typing
            .try_update_value(|ty| ty.typed(t, empty))
            .flatten()
        {
            self.send_state(st);
        }
        self.schedule();
    }

    fn schedule(self) {
        if let Some(Some(old)) = self.timer.try_update_value(Option::take) {
            old.clear();
        }
        let Some(at) = self.typing.try_with_value(|t| t.next_tick()).flatten() else {
            return;
        };
        let wait = Duration::from_millis(at.saturating_sub(now_ms()));
        let handle = set_timeout_with_handle(move || self.tick(), wait).ok();
        let _ = self.timer.try_set_value(handle);
    }

    fn tick(self) {
        let t = now_ms();
        if let Some(st) = self.typing.try_update_value(|ty| ty.tick(t)).flatten() {
            if self.allowed() {
                self.send_state(st);
            }
        }
        self.schedule();
    }

    /// Send a message, with `active` in it where chat states go to this peer.
    pub fn send_message(self, body: String) -> bool {
        let allowed = self.allowed();
        let ext = MessageExt {
            chat_state: allowed.then_some(ChatState::Active),
            ..MessageExt::default()
        };
        let sent = self
            .session
            .get()
            .send_message_with(self.jid.get_value(), body, ext);
        if sent && allowed {
            self.typing.update_value(Typing::message_sent);
            if let Some(Some(t)) = self.timer.try_update_value(Option::take) {
                t.clear();
            }
        }
        sent
    }
}

/// The `Settings` button of the main header and its dialog: `Desktop notifications`
/// (asks the browser's permission in the click itself), `Send typing notifications`,
/// `Send read receipts`.
#[component]
pub fn SettingsButton() -> impl IntoView {
    let aware = use_aware();
    let open = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let notifications = NodeRef::<html::Input>::new();

    let toggle_notifications = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        problem.set(None);
        if !on {
            aware.change(|s| s.notifications = false);
            return;
        }
        // Off until the browser says yes.
        if let Some(input) = notifications.get_untracked() {
            input.set_checked(false);
        }
        notify::request_permission(move |granted| {
            if granted {
                aware.change(|s| s.notifications = true);
                if let Some(input) = notifications.get_untracked() {
                    input.set_checked(true);
                }
            } else {
                problem.set(Some(t(if notify::permission().is_none() {
                    "settings-notifications-unsupported"
                } else {
                    "settings-notifications-blocked"
                })));
            }
        });
    };

    view! {
        <div class="settings-menu">
            <button
                type="button"
                class="ghost"
                aria-haspopup="dialog"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {t("settings")}
            </button>
            <Show when=move || open.get()>
                <div
                    class="settings-dialog"
                    role="dialog"
                    aria-label=t("settings")
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            open.set(false);
                        }
                    }
                >
                    <h2 class="settings-title">{t("settings")}</h2>
                    <label class="settings-row">
                        <input
                            type="checkbox"
                            node_ref=notifications
                            prop:checked=move || aware.settings.with(|s| s.notifications)
                            on:change=toggle_notifications
                        />
                        {t("settings-notifications")}
                    </label>
                    {move || problem.get().map(|p| view! { <p class="alert small" role="alert">{p}</p> })}
                    <label class="settings-row">
                        <input
                            type="checkbox"
                            prop:checked=move || aware.settings.with(|s| s.typing)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                aware.change(|s| s.typing = on);
                            }
                        />
                        {t("settings-typing")}
                    </label>
                    <label class="settings-row">
                        <input
                            type="checkbox"
                            prop:checked=move || aware.settings.with(|s| s.receipts)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                aware.change(|s| s.receipts = on);
                            }
                        />
                        {t("settings-receipts")}
                    </label>
                    <crate::view::language::LanguagePicker />
                    <button type="button" class="ghost" on:click=move |_| open.set(false)>
                        {t("settings-close")}
                    </button>
                </div>
            </Show>
        </div>
    }
}
