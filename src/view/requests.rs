//! Pending subscription requests: someone wants to see our presence.

use leptos::prelude::*;
use natter_core::jid::BareJid;

use crate::app::use_app;
use crate::i18n::{t, t_args};

#[component]
pub fn Requests() -> impl IntoView {
    let (state, session) = use_app();
    let requests = Memo::new(move |_| state.with_roster(|s| s.requests.clone()));
    move || {
        let list = requests.get();
        (!list.is_empty()).then(|| {
            view! {
                <section class="requests" aria-label=t("roster-requests-label")>
                    <h2 class="section-title">{t("roster-requests-title")}</h2>
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
                                            " "
                                            {t("roster-request-wants")}
                                        </span>
                                        <span class="request-actions">
                                            <button
                                                type="button"
                                                class="primary small"
                                                aria-label=t_args("roster-request-accept-label", &[("jid", text.as_str().into())])
                                                on:click=move |_| {
                                                    session.get().answer_request(accept.clone(), true);
                                                }
                                            >
                                                {t("roster-request-accept")}
                                            </button>
                                            <button
                                                type="button"
                                                class="small"
                                                aria-label=t_args("roster-request-deny-label", &[("jid", text.as_str().into())])
                                                on:click=move |_| {
                                                    session.get().answer_request(deny.clone(), false);
                                                }
                                            >
                                                {t("roster-request-deny")}
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
