//! Profiles: our own (`Profile`: avatar, nickname) and a contact's (`Contact details`: avatar,
//! full name, nickname, address). Every name shown comes from someone's vCard or PEP and is
//! rendered as text.
//!
//! Our new avatar is resized in the browser (a canvas, 96×96, the centre square of the
//! picture) before it is published: a phone photo of several megabytes becomes a few KiB,
//! and what is published is a plain PNG (or JPEG when smaller) whatever was picked.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use natter_core::jid::BareJid;
use natter_core::Command;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::app::use_app;
use crate::i18n::t;
use crate::view::avatar::{self, BigFace};

/// The side of the published avatar, in pixels.
const SIDE: u32 = 96;

/// The header button and our own profile dialog.
#[component]
pub fn ProfileButton() -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button
            type="button"
            class="ghost"
            aria-haspopup="dialog"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)
        >
            {t("profile")}
        </button>
        <Show when=move || open.get()>
            <OwnProfile on_close=move || open.set(false) />
        </Show>
    }
}

#[component]
fn OwnProfile(on_close: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let (state, session) = use_app();
    let me = Memo::new(move |_| state.with_connection(|s| s.account.as_ref().map(|j| j.to_bare())));
    let current_nick = move || {
        me.get().and_then(|jid| {
            state.with_roster(|s| {
                s.profiles
                    .profile(&jid)
                    .and_then(|p| p.nick().map(str::to_owned))
            })
        })
    };
    let initial = me.get_untracked().and_then(|jid| {
        state.peek(|s| {
            s.profiles
                .profile(&jid)
                .and_then(|p| p.nick().map(str::to_owned))
        })
    });
    let nickname = RwSignal::new(initial.unwrap_or_default());
    let note = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let picker = NodeRef::<leptos::html::Input>::new();

    let picked = move |_| {
        let Some(input) = picker.get_untracked() else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        // The same file picked again must fire `change` again.
        input.set_value("");
        busy.set(true);
        note.set(Some(t("profile-resizing")));
        spawn_local(async move {
            let outcome = match resize(&file).await {
                Ok((mime, bytes)) => {
                    let sent = session.get().command(Command::PublishAvatar {
                        mime,
                        bytes,
                        width: SIDE as u16,
                        height: SIDE as u16,
                    });
                    if sent {
                        None
                    } else {
                        Some(t("profile-offline"))
                    }
                }
                Err(e) => Some(e),
            };
            busy.set(false);
            note.set(outcome);
        });
    };

    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let nick = nickname.get_untracked().trim().to_owned();
        if nick.is_empty() {
            note.set(Some(t("profile-nickname-empty")));
            return;
        }
        let sent = session
            .get()
            .command(Command::SetNickname { nickname: nick });
        note.set(Some(t(if sent {
            "profile-saved"
        } else {
            "profile-offline"
        })));
    };

    let name = Signal::derive(move || {
        current_nick()
            .or_else(|| me.get().map(|j| j.to_string()))
            .unwrap_or_default()
    });
    view! {
        <div
            role="dialog"
            aria-label=t("profile")
            class="dialog profile-dialog"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    on_close();
                }
            }
        >
            <form class="profile-form" novalidate on:submit=save>
                <div class="profile-face">
                    {move || me.get().map(|jid| view! { <BigFace jid name /> })}
                    <button
                        type="button"
                        class="ghost"
                        disabled=move || busy.get()
                        on:click=move |_| {
                            if let Some(input) = picker.get_untracked() {
                                input.click();
                            }
                        }
                    >
                        {t("profile-change-avatar")}
                    </button>
                    <input
                        type="file"
                        accept="image/png,image/jpeg,image/gif,image/webp"
                        class="visually-hidden"
                        tabindex="-1"
                        aria-label=t("profile-avatar-image")
                        node_ref=picker
                        on:change=picked
                    />
                </div>
                <label for="profile-nickname">{t("profile-nickname")}</label>
                <input
                    id="profile-nickname"
                    type="text"
                    maxlength="100"
                    autocomplete="nickname"
                    prop:value=move || nickname.get()
                    on:input=move |ev| nickname.set(event_target_value(&ev))
                />
                {move || note.get().map(|n| view! { <p class="profile-note small">{n}</p> })}
                <div class="dialog-actions">
                    <button type="button" class="ghost" on:click=move |_| on_close()>
                        {t("profile-close")}
                    </button>
                    <button type="submit" class="primary">{t("profile-save")}</button>
                </div>
            </form>
        </div>
    }
}

/// The chat header's button and the contact's details.
#[component]
pub fn ContactDetailsButton(jid: BareJid) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button
            type="button"
            class="ghost icon-btn contact-details-btn"
            aria-label=t("profile-contact-details")
            aria-haspopup="dialog"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)
        >
            "ⓘ"
        </button>
        <Show when=move || open.get()>
            <ContactDetails jid=jid.clone() on_close=move || open.set(false) />
        </Show>
    }
}

#[component]
fn ContactDetails(
    jid: BareJid,
    on_close: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let (state, session) = use_app();
    // Names change rarely and are not pushed (vCards): ask each time the dialog opens.
    session
        .get()
        .command(Command::FetchProfile { jid: jid.clone() });
    let profile = {
        let jid = jid.clone();
        Memo::new(move |_| state.with_roster(|s| s.profiles.profile(&jid).cloned()))
    };
    let roster_name = {
        let jid = jid.clone();
        Memo::new(move |_| {
            state.with_roster(|s| {
                s.roster
                    .get(&jid)
                    .map(|c| c.display_name())
                    .unwrap_or_else(|| jid.to_string())
            })
        })
    };
    let field = move |get: fn(&natter_store::Profile) -> Option<String>| {
        move || {
            profile.with(|p| match p {
                Some(p) => get(p).unwrap_or_else(|| {
                    t(if p.fetched {
                        "profile-not-given"
                    } else {
                        "profile-loading"
                    })
                }),
                None => t("profile-loading"),
            })
        }
    };
    let full_name = field(|p| p.full_name.clone());
    let nick = field(|p| p.nick().map(str::to_owned));
    let address = jid.to_string();
    view! {
        <div
            role="dialog"
            aria-label=t("profile-contact-details")
            class="dialog profile-dialog"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    on_close();
                }
            }
        >
            <div class="profile-face">
                <BigFace jid=jid.clone() name=Signal::derive(move || roster_name.get()) />
                <p class="profile-name">{move || roster_name.get()}</p>
            </div>
            <dl class="profile-fields">
                <dt>{t("profile-full-name")}</dt>
                <dd class="profile-full-name">{full_name}</dd>
                <dt>{t("profile-nickname")}</dt>
                <dd class="profile-nickname">{nick}</dd>
                <dt>{t("profile-address")}</dt>
                <dd class="profile-address">{address}</dd>
            </dl>
            <div class="dialog-actions">
                <button type="button" class="ghost" on:click=move |_| on_close()>
                    {t("profile-close")}
                </button>
            </div>
        </div>
    }
}

/// The picked picture as a 96×96 image: its centre square, scaled in a canvas; PNG, or JPEG
/// when that is smaller (photos). Nothing of the original file (metadata, location) is kept.
async fn resize(file: &web_sys::File) -> Result<(String, Vec<u8>), String> {
    let not_an_image = || t("profile-not-an-image");
    let window = web_sys::window().ok_or("no window")?;
    let bitmap = window
        .create_image_bitmap_with_blob(file)
        .map_err(|_| not_an_image())?;
    let bitmap: web_sys::ImageBitmap = JsFuture::from(bitmap)
        .await
        .map_err(|_| not_an_image())?
        .unchecked_into();
    let (w, h) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    if w < 1.0 || h < 1.0 {
        return Err(not_an_image());
    }
    let side = w.min(h);
    let canvas: web_sys::HtmlCanvasElement = window
        .document()
        .ok_or("no document")?
        .create_element("canvas")
        .map_err(|_| "no canvas")?
        .unchecked_into();
    canvas.set_width(SIDE);
    canvas.set_height(SIDE);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .ok_or("no canvas")?
        .unchecked_into();
    context.set_image_smoothing_enabled(true);
    context
        .draw_image_with_image_bitmap_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
            &bitmap,
            (w - side) / 2.0,
            (h - side) / 2.0,
            side,
            side,
            0.0,
            0.0,
            f64::from(SIDE),
            f64::from(SIDE),
        )
        .map_err(|_| not_an_image())?;
    bitmap.close();
    let png = encode(&canvas, "image/png").await?;
    let jpeg = encode(&canvas, "image/jpeg").await.unwrap_or_default();
    Ok(if !jpeg.is_empty() && jpeg.len() < png.len() {
        ("image/jpeg".into(), jpeg)
    } else {
        ("image/png".into(), png)
    })
}

/// The canvas as bytes of `mime`.
async fn encode(canvas: &web_sys::HtmlCanvasElement, mime: &str) -> Result<Vec<u8>, String> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &blob);
        });
        if let Err(e) = canvas.to_blob_with_type(done.unchecked_ref(), mime) {
            let _ = reject.call1(&JsValue::NULL, &e);
        }
    });
    let blob = JsFuture::from(promise).await.map_err(|e| {
        avatar::log("canvas.toBlob failed", &e);
        t("profile-not-converted")
    })?;
    let blob: web_sys::Blob = blob.dyn_into().map_err(|_| t("profile-not-converted"))?;
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| t("profile-not-read"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
