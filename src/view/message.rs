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
    let clock = dom::clock(message.at);
    let delivery = outgoing.then(|| match &message.state {
        DeliveryState::Pending => ("pending", "Sending\u{2026}".to_string()),
        DeliveryState::Sent => ("sent", "Sent".to_string()),
        DeliveryState::Failed(reason) => ("failed", format!("Not delivered: {reason}")),
    });
    let token = delivery.as_ref().map(|d| d.0);
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
                    {delivery.map(|(token, text)| view! { <span class="delivery" data-state=token>{text}</span> })}
                </p>
            </div>
        </article>
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
