//! XEP-0191 controls: block/unblock in the chat header (with a confirmation), the notice and
//! the disabled composer of a blocked chat, the roster's `Blocked` badge, and the `Blocked
//! contacts` dialog (the list, unblock, block an address that is not a contact). All of it is
//! hidden while the server has not shown that it blocks (`Blocklist::supported`).

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::prelude::*;
use natter_core::jid::{BareJid, Jid};
use natter_core::Command;

use crate::app::use_app;
use crate::i18n::{t, t_args};

fn offline() -> String {
    t("block-offline")
}

fn supported() -> Memo<bool> {
    let (state, _) = use_app();
    Memo::new(move |_| state.with_roster(|s| s.blocking.supported))
}

fn is_blocked(jid: BareJid) -> Memo<bool> {
    let (state, _) = use_app();
    Memo::new(move |_| state.with_roster(|s| s.blocking.has_bare(&jid)))
}

/// `Block contact` / `Unblock contact` for the open chat's header.
#[component]
pub fn BlockToggle(jid: BareJid) -> impl IntoView {
    let (_, session) = use_app();
    let supported = supported();
    let blocked = is_blocked(jid.clone());
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let unblock_jid = jid.clone();
    let unblock = move |_| {
        let jid = Jid::from(unblock_jid.clone());
        if !session.get().command(Command::Unblock { jid }) {
            error.set(Some(offline()));
        }
    };
    move || {
        if !supported.get() {
            return None;
        }
        let jid = jid.clone();
        let unblock = unblock.clone();
        Some(view! {
            {move || if blocked.get() {
                view! {
                    <button type="button" class="ghost block-toggle" on:click=unblock.clone()>
                        {t("block-unblock-contact")}
                    </button>
                }
                .into_any()
            } else {
                view! {
                    <button
                        type="button"
                        class="ghost block-toggle"
                        aria-haspopup="dialog"
                        on:click=move |_| confirming.set(true)
                    >
                        {t("block-block-contact")}
                    </button>
                }
                .into_any()
            }}
            {move || error.get().map(|e| view! { <p role="alert" class="alert small">{e}</p> })}
            {move || confirming.get().then(|| view! {
                <ConfirmBlock jid=jid.clone() on_close=move || confirming.set(false) />
            })}
        })
    }
}

/// `Block contact?`: what blocking does, `Block` and `Cancel`.
#[component]
fn ConfirmBlock(jid: BareJid, on_close: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let (_, session) = use_app();
    let error = RwSignal::new(None::<String>);
    let first = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = first.get() {
            let _ = button.focus();
        }
    });
    let text = jid.to_string();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if session.get().command(Command::Block {
            jid: Jid::from(jid.clone()),
        }) {
            on_close();
        } else {
            error.set(Some(offline()));
        }
    };
    let keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            on_close();
        }
    };
    view! {
        <div class="removal-backdrop" on:click=move |_| on_close()></div>
        <div role="dialog" aria-modal="true" aria-label=t("block-confirm-title") class="removal-dialog" on:keydown=keydown>
            <form on:submit=submit>
                <h2 class="removal-title">{t("block-confirm-title")}</h2>
                <p class="block-explain">
                    {t_args("block-confirm-explain", &[("jid", text.into())])}
                </p>
                {move || error.get().map(|e| view! { <p role="alert" class="alert small">{e}</p> })}
                <div class="dialog-actions">
                    <button type="button" class="ghost" node_ref=first on:click=move |_| on_close()>
                        {t("block-cancel")}
                    </button>
                    <button type="submit" class="primary danger">{t("block-block")}</button>
                </div>
            </form>
        </div>
    }
}

/// `You blocked this contact.` above a blocked chat's composer, which it disables (a disabled
/// `fieldset` disables every control inside it, whatever the composer holds).
#[component]
pub fn BlockGuard(jid: BareJid, children: Children) -> impl IntoView {
    let blocked = is_blocked(jid);
    view! {
        {move || blocked.get().then(|| view! {
            <p class="blocked-notice" role="status">{t("block-notice")}</p>
        })}
        <fieldset class="block-guard" disabled=move || blocked.get()>
            {children()}
        </fieldset>
    }
}

/// The roster row's `Blocked` badge. The space before it keeps "Blocked" a word of its own in
/// the row's text (what a screen reader reads); in the flex row it takes no room.
#[component]
pub fn BlockedBadge(jid: BareJid) -> impl IntoView {
    let blocked = is_blocked(jid);
    move || {
        blocked
            .get()
            .then(|| view! { " " <span class="badge blocked-badge">{t("block-badge")}</span> })
    }
}

/// `Blocked contacts` next to `Add contact`, and its dialog.
#[component]
pub fn BlockedContactsButton() -> impl IntoView {
    let supported = supported();
    let open = RwSignal::new(false);
    move || {
        supported.get().then(|| {
            view! {
                <button
                    type="button"
                    class="add-btn blocked-btn"
                    aria-expanded=move || open.get().to_string()
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {t("block-list-button")}
                </button>
                {move || open.get().then(|| view! { <BlockedContacts on_close=move || open.set(false) /> })}
            }
        })
    }
}

#[component]
fn BlockedContacts(on_close: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let (state, session) = use_app();
    let list = Memo::new(move |_| {
        state.with_roster(|s| s.blocking.iter().map(|j| j.to_string()).collect::<Vec<_>>())
    });
    let address = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let field = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = field.get() {
            let _ = input.focus();
        }
    });
    let command = move |command: Command| {
        if session.get().command(command) {
            error.set(None);
            true
        } else {
            error.set(Some(offline()));
            false
        }
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = address.get_untracked();
        let text = text.trim();
        // A whole domain may be blocked too (`spam.example`), so any JID goes.
        match Jid::new(text) {
            Ok(jid) if !text.is_empty() => {
                if command(Command::Block { jid }) {
                    address.set(String::new());
                }
            }
            _ => error.set(Some(t("block-address-invalid"))),
        }
    };
    let row = move |jid: String| {
        let target = jid.clone();
        let unblock = move |_| {
            if let Ok(jid) = Jid::new(&target) {
                command(Command::Unblock { jid });
            }
        };
        view! {
            <li role="listitem" class="blocked-item" data-jid=jid.clone()>
                <span class="blocked-jid">{jid.clone()}</span>
                <button type="button" class="ghost" aria-label=t_args("block-unblock-jid", &[("jid", jid.as_str().into())]) on:click=unblock>
                    {t("block-unblock")}
                </button>
            </li>
        }
    };
    view! {
        <div
            role="dialog"
            aria-label=t("block-list-button")
            class="dialog blocked-dialog"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    on_close();
                }
            }
        >
            <ul role="list" aria-label=t("block-list") class="blocked-list">
                <For each=move || list.get() key=|jid| jid.clone() children=row />
            </ul>
            {move || list.with(Vec::is_empty).then(|| view! { <p class="hint">{t("block-none")}</p> })}
            <form class="add-form" novalidate on:submit=submit>
                <label for="block-address">{t("block-address")}</label>
                <input
                    id="block-address"
                    type="text"
                    inputmode="email"
                    autocapitalize="none"
                    spellcheck="false"
                    placeholder="spammer@example.org"
                    node_ref=field
                    prop:value=move || address.get()
                    on:input=move |ev| address.set(event_target_value(&ev))
                />
                {move || error.get().map(|e| view! { <p role="alert" class="alert small">{e}</p> })}
                <div class="dialog-actions">
                    <button type="button" class="ghost" on:click=move |_| on_close()>{t("block-close")}</button>
                    <button type="submit" class="primary">{t("block-block")}</button>
                </div>
            </form>
        </div>
    }
}
