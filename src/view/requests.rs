//! Pending subscription requests: someone wants to see our presence.

use leptos::prelude::*;
use natter_core::jid::BareJid;

use crate::app::use_app;

#[component]
pub fn Requests() -> impl IntoView {
    let (state, session) = use_app();
    let requests = Memo::new(move |_| state.with_roster(|s| s.requests.clone()));
    move || {
        let list = requests.get();
        (!list.is_empty()).then(|| {
            view! {
                <section class="requests" aria-label="Contact requests">
                    <h2 class="section-title">"Requests"</h2>
                    <ul>
                        {list
                            .into_iter()
                            .map(|jid: BareJid| {
                                let text = jid.to_string();
                                let (accept, deny) = (jid.clone(), jid);
                                view! {
                                    <li class="request" data-jid=text.clone()>
                                        <span class="request-text">
                                            <b>{text.clone()}</b>
                                            " wants to add you"
                                        </span>
                                        <span class="request-actions">
                                            <button
                                                type="button"
                                                class="primary small"
                                                aria-label=format!("Accept {text}")
                                                on:click=move |_| {
                                                    session.get().answer_request(accept.clone(), true);
                                                }
                                            >
                                                "Accept"
                                            </button>
                                            <button
                                                type="button"
                                                class="small"
                                                aria-label=format!("Deny {text}")
                                                on:click=move |_| {
                                                    session.get().answer_request(deny.clone(), false);
                                                }
                                            >
                                                "Deny"
                                            </button>
                                        </span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </section>
            }
        })
    }
}
