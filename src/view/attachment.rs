//! A shared file in the log (see [`crate::attachment`]): an inline image, an audio or video
//! player, or a `Download NAME` link. Every URL and name is an attribute value or a text
//! node; a URL the app would not fetch is only ever shown as text. Images and players load
//! lazily into a fixed box (no layout jump) and send no referrer.

use leptos::prelude::*;

use crate::attachment::{Attachment, Kind};

#[component]
pub fn AttachmentView(file: Attachment) -> impl IntoView {
    let Attachment { url, name, kind } = file;
    let download = {
        let (url, name) = (url.clone(), name.clone());
        move || {
            view! {
                <a
                    class="attachment-link"
                    href=url
                    download=name.clone()
                    target="_blank"
                    rel="noopener noreferrer"
                    referrerpolicy="no-referrer"
                >
                    {crate::i18n::t_args("attachment-download", &[("name", name.as_str().into())])}
                </a>
            }
        }
    };
    let media = match kind {
        Kind::Image => Some(
            view! {
                <img
                    class="attachment-media attachment-img"
                    src=url.clone()
                    alt=name.clone()
                    loading="lazy"
                    decoding="async"
                    referrerpolicy="no-referrer"
                />
            }
            .into_any(),
        ),
        Kind::Audio => Some(
            view! {
                <audio
                    class="attachment-audio"
                    controls
                    preload="none"
                    src=url.clone()
                    aria-label=name.clone()
                ></audio>
            }
            .into_any(),
        ),
        Kind::Video => Some(
            view! {
                <video
                    class="attachment-media"
                    controls
                    preload="none"
                    src=url.clone()
                    aria-label=name.clone()
                ></video>
            }
            .into_any(),
        ),
        Kind::Download | Kind::Text => None,
    };
    match kind {
        Kind::Text => view! { <p class="body attachment-text">{url}</p> }.into_any(),
        _ => view! {
            <div class="attachment">
                {media}
                {download()}
            </div>
        }
        .into_any(),
    }
}
