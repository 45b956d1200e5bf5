//! One message: an `article` with `data-from`, the body as text nodes and link elements, the
//! time and (for ours) the delivery state.

use leptos::prelude::*;
use natter_core::Direction;
use natter_store::{DeliveryState, StoredMessage};

use crate::dom;
use crate::i18n::{t, t_args};

#[component]
pub fn MessageItem(message: StoredMessage, from: String) -> impl IntoView {
    let outgoing = message.msg.direction == Direction::Outgoing;
    // A shared file (XEP-0066 URL as the whole message) shows as the file, not its URL.
    let file = crate::attachment::of(&message.msg);
    let clock = dom::clock(message.sent_at());
    let delivery = outgoing.then(|| Delivery::of(&message.state));
    let token = delivery.as_ref().map(|d| d.token);
    let edited = message.clone();
    view! {
        <article
            class="msg"
            class:out=outgoing
            data-from=from
            data-state=token
        >
            <div class="bubble">
                <crate::view::edits::ReplyQuote message=edited.clone() />
                {match file {
                    Some(file) => view! { <crate::view::attachment::AttachmentView file /> }.into_any(),
                    None => view! {
                        <p class="body">
                            <MessageBody text=message.msg.body unstyled=message.msg.ext.unstyled />
                        </p>
                    }
                    .into_any(),
                }}
                <crate::view::edits::EditNote message=edited.clone() />
                <p class="meta">
                    {clock.map(|c| view! { <time datetime=c.iso title=c.full>{c.short}</time> })}
                    {delivery.map(|d| view! {
                        <span class="delivery" data-state=d.token>
                            <span class="delivery-icon" role="img" aria-label=d.name.clone() title=d.name>
                                {d.icon}
                            </span>
                            {d.reason.map(|r| view! { <span class="delivery-reason">{r}</span> })}
                        </span>
                    })}
                </p>
            </div>
            <crate::view::edits::EditsFooter message=edited />
        </article>
    }
}

/// How far one of our messages got, as shown next to it: a token for `data-state`, a small
/// icon, and its accessible name (the icon alone says nothing to a screen reader).
struct Delivery {
    token: &'static str,
    icon: &'static str,
    name: String,
    /// Why it bounced, in the server's words (text, never markup).
    reason: Option<String>,
}

impl Delivery {
    fn of(state: &DeliveryState) -> Delivery {
        let (icon, name, reason) = match state {
            // In the outbox: not yet on the wire (offline, or just written).
            DeliveryState::Pending => ("\u{25F7}", "msg-pending", None),
            DeliveryState::Sent => ("\u{2713}", "msg-sent", None),
            // XEP-0198 acknowledged, or the server's copy came back: it cannot be lost now.
            DeliveryState::Acked => ("\u{2713}\u{2713}", "msg-acked", None),
            // XEP-0184 receipt: the peer's client has it.
            DeliveryState::Delivered => ("\u{2713}\u{2713}", "msg-delivered", None),
            // XEP-0333 marker: the peer displayed it (or a later message).
            DeliveryState::Read => ("\u{25C9}", "msg-read", None),
            DeliveryState::Failed(r) => (
                "!",
                "msg-failed",
                Some(if r.is_empty() {
                    t("msg-not-delivered")
                } else {
                    t_args("msg-not-delivered-reason", &[("reason", r.into())])
                }),
            ),
        };
        Delivery {
            token: state.token(),
            icon,
            name: t(name),
            reason,
        }
    }
}

/// Message text as DOM: XEP-0393 styling (`styled.rs`), text nodes and `<a>` elements for
/// http(s) links. Never HTML.
#[component]
pub fn MessageBody(text: String, #[prop(optional)] unstyled: bool) -> impl IntoView {
    view! { <crate::view::styled::StyledBody text unstyled /> }
}
