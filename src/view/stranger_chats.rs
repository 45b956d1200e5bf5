//! `Other chats`: one-to-one conversations with accounts outside the roster, such as anonymous
//! visitors writing from a site's chat widget to the support account. Each is named by its
//! XEP-0172 nick when it gave one (the store cleans it), else by its address; the list only
//! appears once there is such a chat.

use leptos::prelude::*;
use natter_core::jid::BareJid;

use crate::app::use_app;
use crate::i18n::{contract, t, t_args};
use crate::state::UiEvent;

#[derive(Clone, PartialEq)]
struct Row {
    jid: BareJid,
    name: String,
    unread: u32,
    selected: bool,
}

#[component]
pub fn StrangerChats() -> impl IntoView {
    let (state, session) = use_app();
    // Messages change the order and the unread counts; the roster decides who is a stranger.
    let rows = Memo::new(move |_| {
        state.with_roster(|_| ());
        state.with_messages(|s| {
            s.stranger_chats()
                .into_iter()
                .map(|jid| Row {
                    name: s.display_name(&jid),
                    unread: s.unread(&jid),
                    selected: s.open.as_ref() == Some(&jid),
                    jid,
                })
                .collect::<Vec<_>>()
        })
    });
    let open = move |jid: BareJid| session.get().local(UiEvent::Open(Some(jid)));
    move || {
        let list = rows.get();
        (!list.is_empty()).then(|| {
            let items = list
                .into_iter()
                .map(|row| {
                    let jid = row.jid.clone();
                    let text = row.jid.to_string();
                    let title = text.clone();
                    view! {
                        <li class="contact stranger" class:selected=row.selected data-jid=text>
                            <button type="button" class="stranger-open" title=title on:click=move |_| open(jid.clone())>
                                <span class="contact-name">{row.name}</span>
                                " "
                                // As in `Contacts`: "N unread" in English for the UI contract.
                                {(row.unread > 0).then(|| {
                                    let title = t_args("unread-count", &[("count", row.unread.into())]);
                                    view! {
                                        <span class="unread" title=title>
                                            {row.unread.to_string()}
                                            <span class="visually-hidden">" unread"</span>
                                        </span>
                                    }
                                })}
                            </button>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <h2 class="section-title">{t("stranger-chats-title")}</h2>
                <ul class="stranger-chats" aria-label=contract("Other chats")>
                    {items}
                </ul>
            }
        })
    }
}
