//! One message: an `article` with `data-from`, the body as text nodes and link elements, the
//! time and (for ours) the delivery state.

use leptos::prelude::*;
use natter_core::Direction;
use natter_store::{DeliveryState, StoredMessage};

use crate::dom;
use crate::linkify::{self, Segment};

#[component]
pub fn MessageItem(message: StoredMessage, from: String) -> impl IntoView {
    let outgoing = message.msg.direction == Direction::Outgoing;
    let clock = dom::clock(message.sent_at());
    let delivery = outgoing.then(|| Delivery::of(&message.state));
    let token = delivery.as_ref().map(|d| d.token);
    view! {
        <article
            class="msg"
            class:out=outgoing
            data-from=from
            data-state=token
        >
            <div class="bubble">
                <p class="body">
                    <MessageBody text=message.msg.body />
                </p>
                <p class="meta">
                    {clock.map(|c| view! { <time datetime=c.iso title=c.full>{c.short}</time> })}
                    {delivery.map(|d| view! {
                        <span class="delivery" data-state=d.token>
                            <span class="delivery-icon" role="img" aria-label=d.name title=d.name>
                                {d.icon}
                            </span>
                            {d.reason.map(|r| view! { <span class="delivery-reason">{r}</span> })}
                        </span>
                    })}
                </p>
            </div>
        </article>
    }
}

/// How far one of our messages got, as shown next to it: a token for `data-state`, a small
/// icon, and its accessible name (the icon alone says nothing to a screen reader).
struct Delivery {
    token: &'static str,
    icon: &'static str,
    name: &'static str,
    /// Why it bounced, in the server's words (text, never markup).
    reason: Option<String>,
}

impl Delivery {
    fn of(state: &DeliveryState) -> Delivery {
        let (icon, name, reason) = match state {
            // In the outbox: not yet on the wire (offline, or just written).
            DeliveryState::Pending => ("\u{25F7}", "Pending", None),
            DeliveryState::Sent => ("\u{2713}", "Sent", None),
            // XEP-0198 acknowledged, or the server's copy came back: it cannot be lost now.
            DeliveryState::Acked => ("\u{2713}\u{2713}", "Delivered to server", None),
            DeliveryState::Failed(r) => (
                "!",
                "Failed",
                Some(if r.is_empty() {
                    "Not delivered".to_string()
                } else {
                    format!("Not delivered: {r}")
                }),
            ),
        };
        Delivery {
            token: state.token(),
            icon,
            name,
            reason,
        }
    }
}

/// Message text as DOM: text nodes, and `<a>` elements for http(s) links. Never HTML.
#[component]
pub fn MessageBody(text: String) -> impl IntoView {
    linkify::split(&text)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(t) => t.to_string().into_any(),
            Segment::Link(url) => view! {
                <a href=url.to_string() rel="noopener noreferrer" target="_blank">{url.to_string()}</a>
            }
            .into_any(),
        })
        .collect_view()
}
