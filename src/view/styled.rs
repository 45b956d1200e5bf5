//! A message body as DOM: XEP-0393 blocks and spans (`strong`, `em`, `s`, `code`, `pre`,
//! `blockquote`) whose text is text nodes, with links (`linkify`) in the plain text but never
//! inside `code` or `pre`. One component for every log (chats, rooms, private messages).

use leptos::prelude::*;

use crate::linkify::{self, Segment};
use crate::styling::{self, Block, Marked, Span, Style};

/// `unstyled`: the sender asked for plain text (XEP-0393 §6): only links are made.
#[component]
pub fn StyledBody(text: String, #[prop(optional)] unstyled: bool) -> impl IntoView {
    if unstyled {
        linked(&text)
    } else {
        blocks(&styling::parse(&text))
    }
}

/// Blocks are separated by newlines, so that the body's text (`textContent`) is the message
/// as sent. Between two lines the newline is a text node, which `white-space: pre-wrap` shows
/// as the line break; next to a `pre` or `blockquote`, a box of its own, a visible newline
/// would add an empty line, so there it is a hidden one. Quotation markers and fences stay in
/// the text, as markers (see `directive`).
fn blocks(list: &[Block<'_>]) -> Vec<AnyView> {
    let mut out = Vec::new();
    for (i, block) in list.iter().enumerate() {
        match block {
            Block::Line {
                marker,
                spans: line,
            } => {
                if !marker.is_empty() {
                    out.push(directive(marker).into_any());
                }
                out.extend(spans(line));
            }
            Block::Pre { open, lines, close } => {
                let mut inner = vec![marked(open, true)];
                for line in lines {
                    inner.push("\n".into_any());
                    inner.push(marked(line, false));
                }
                if let Some(close) = close {
                    inner.push("\n".into_any());
                    inner.push(marked(close, true));
                }
                out.push(view! { <pre class="styled-pre">{inner}</pre> }.into_any());
            }
            Block::Quote(children) => {
                // Nesting is bounded by the parser (styling::MAX_QUOTE_DEPTH).
                let inner = blocks(children);
                out.push(
                    view! { <blockquote class="styled-quote">{inner}</blockquote> }.into_any(),
                );
            }
        }
        match (block, list.get(i + 1)) {
            (_, None) => {}
            (Block::Line { .. }, Some(Block::Line { .. })) => out.push("\n".into_any()),
            _ => out.push(view! { <span hidden>"\n"</span> }.into_any()),
        }
    }
    out
}

/// One line of a preformatted block: its quotation markers, then the text (a fence is a
/// marker too).
fn marked(line: &Marked<'_>, fence: bool) -> AnyView {
    let marker = (!line.marker.is_empty()).then(|| directive(line.marker));
    if fence {
        view! { {marker}{directive(line.text)} }.into_any()
    } else {
        view! { {marker}{line.text.to_string()} }.into_any()
    }
}

fn spans(list: &[Span<'_>]) -> Vec<AnyView> {
    let mut out = Vec::new();
    for span in list {
        match span {
            Span::Plain(text) => out.extend(linked(text)),
            Span::Code(text) => out.push(
                view! { <code>{directive("`")}{text.to_string()}{directive("`")}</code> }
                    .into_any(),
            ),
            Span::Styled { style, children } => {
                let d = style.directive().to_string();
                let d = d.as_str();
                let inner = spans(children);
                out.push(match style {
                    Style::Strong => {
                        view! { <strong>{directive(d)}{inner}{directive(d)}</strong> }.into_any()
                    }
                    Style::Emphasis => {
                        view! { <em>{directive(d)}{inner}{directive(d)}</em> }.into_any()
                    }
                    Style::Strike => {
                        view! { <s>{directive(d)}{inner}{directive(d)}</s> }.into_any()
                    }
                });
            }
        }
    }
    out
}

/// A directive, quotation marker or fence: shown as the XEP recommends (dimmed by the
/// stylesheet) but not read out: "*bold*" would be read as "star bold star".
fn directive(text: &str) -> impl IntoView {
    view! { <span class="directive" aria-hidden="true">{text.to_string()}</span> }
}

/// Text nodes, and `<a>` elements for the safe links in it.
fn linked(text: &str) -> Vec<AnyView> {
    linkify::split(text)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(t) => t.to_string().into_any(),
            Segment::Link(url) => view! {
                <a href=url.to_string() rel="noopener noreferrer" target="_blank">{url.to_string()}</a>
            }
            .into_any(),
        })
        .collect()
}
