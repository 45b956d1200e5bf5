//! Sending files in a chat: `Attach file` (a hidden `File to send` input), files dropped onto
//! the conversation or pasted into the composer, and for each file a `progressbar`
//! `Uploading NAME` with `Cancel upload`, or its failure as an `alert`. The work itself is
//! [`crate::uploader`]'s; this only hands it files and shows its rows.

use leptos::html;
use leptos::prelude::*;
use natter_core::jid::BareJid;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ClipboardEvent, DragEvent, FileList};

use crate::app::{use_app, SessionHandle};
use crate::i18n::{t, t_args};
use crate::state::AppState;
use crate::upload::{Phase, Upload};
use crate::uploader;

type Listener = Closure<dyn FnMut(web_sys::Event)>;

fn add_files(state: AppState, session: SessionHandle, jid: &BareJid, files: Option<FileList>) {
    let Some(files) = files else {
        return;
    };
    // What the store knows of the service now; unknown (`None`) lets the core wait for it.
    let (max_size, service) = state.peek(|s| match &s.upload {
        Some(service) => (service.max_size, Some(true)),
        None => (None, None),
    });
    for i in 0..files.length() {
        if let Some(file) = files.get(i) {
            uploader::add(session.get(), jid.clone(), file, max_size, service);
        }
    }
}

#[component]
pub fn UploadBar(jid: BareJid) -> impl IntoView {
    let (state, session) = use_app();
    let rows = uploader::rows();
    let offered = Memo::new(move |_| state.with_messages(|s| s.upload.is_some()));
    let input = NodeRef::<html::Input>::new();
    let bar = NodeRef::<html::Div>::new();

    // Drops on the whole conversation and pastes into its composer: listeners on the
    // enclosing section, taken off when the chat closes.
    let listeners =
        StoredValue::new_local(Vec::<(web_sys::Element, &'static str, Listener)>::new());
    {
        let jid = jid.clone();
        Effect::new(move |_| {
            let Some(section) = bar.get().and_then(|b| b.closest("section").ok().flatten()) else {
                return;
            };
            let over = Listener::new(move |e: web_sys::Event| {
                let files = e
                    .dyn_ref::<DragEvent>()
                    .and_then(|d| d.data_transfer())
                    .is_some_and(|t| t.types().includes(&JsValue::from_str("Files"), 0));
                if files {
                    // Without this the browser opens the file instead of dropping it here.
                    e.prevent_default();
                }
            });
            let drop = {
                let jid = jid.clone();
                Listener::new(move |e: web_sys::Event| {
                    let files = e
                        .dyn_ref::<DragEvent>()
                        .and_then(|d| d.data_transfer())
                        .and_then(|t| t.files());
                    if files.as_ref().is_some_and(|f| f.length() > 0) {
                        e.prevent_default();
                        add_files(state, session, &jid, files);
                    }
                })
            };
            let paste = {
                let jid = jid.clone();
                Listener::new(move |e: web_sys::Event| {
                    let files = e
                        .dyn_ref::<ClipboardEvent>()
                        .and_then(|c| c.clipboard_data())
                        .and_then(|d| d.files());
                    // Text pastes go on into the composer as usual.
                    if files.as_ref().is_some_and(|f| f.length() > 0) {
                        e.prevent_default();
                        add_files(state, session, &jid, files);
                    }
                })
            };
            let mut added = Vec::new();
            for (name, listener) in [("dragover", over), ("drop", drop), ("paste", paste)] {
                if section
                    .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
                    .is_ok()
                {
                    added.push((section.clone(), name, listener));
                }
            }
            listeners.update_value(|l| l.extend(added));
        });
    }
    on_cleanup(move || {
        listeners.update_value(|l| {
            for (target, name, listener) in l.drain(..) {
                let _ = target
                    .remove_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
            }
        });
    });

    let mine = {
        let jid = jid.clone();
        move || {
            rows.get()
                .into_iter()
                .filter(|u| u.peer == jid)
                .collect::<Vec<_>>()
        }
    };
    let picked = {
        let jid = jid.clone();
        move |_| {
            let Some(el) = input.get() else {
                return;
            };
            add_files(state, session, &jid, el.files());
            // The same file can be picked again.
            el.set_value("");
        }
    };
    view! {
        <div class="uploads" node_ref=bar>
            <For each=mine key=|u| (u.id.clone(), phase_key(&u.phase)) let:upload>
                <UploadRow upload />
            </For>
            // Only where the server offers upload: a button that can only fail helps no one.
            <div class="upload-actions" hidden=move || !offered.get()>
                <input
                    type="file"
                    multiple
                    class="visually-hidden"
                    aria-label=t("upload-file-to-send")
                    tabindex="-1"
                    node_ref=input
                    on:change=picked
                />
                <button
                    type="button"
                    class="attach"
                    aria-label=t("upload-attach")
                    title=t("upload-attach")
                    on:click=move |_| {
                        if let Some(el) = input.get() {
                            el.click();
                        }
                    }
                >
                    "📎"
                </button>
            </div>
        </div>
    }
}

/// Rows are re-made when the phase kind changes, and updated in place while bytes go up.
fn phase_key(phase: &Phase) -> u8 {
    match phase {
        Phase::Queued => 0,
        Phase::RequestingSlot => 1,
        Phase::Uploading { .. } => 2,
        Phase::Sending => 3,
        Phase::Done => 4,
        Phase::Failed(_) => 5,
        Phase::Cancelled => 6,
    }
}

#[component]
fn UploadRow(upload: Upload) -> impl IntoView {
    let id = upload.id.clone();
    let name = upload.file.name.clone();
    if let Phase::Failed(text) = &upload.phase {
        let text = text.clone();
        return view! {
            <div class="alert-row upload-failed">
                <p role="alert" class="alert small">{text}</p>
                <button
                    type="button"
                    class="icon-btn"
                    aria-label=t("upload-dismiss")
                    on:click=move |_| uploader::dismiss(&id)
                >
                    "×"
                </button>
            </div>
        }
        .into_any();
    }
    // Live progress: read from the uploader's rows, not the snapshot this row was made from.
    let rows = uploader::rows();
    let progress = {
        let id = id.clone();
        let size = upload.file.size;
        move || {
            rows.with(|r| {
                r.iter()
                    .find(|u| u.id == id)
                    .map_or((0, size), |u| match u.phase {
                        Phase::Uploading { sent, total } => (sent, total),
                        Phase::Sending => (size, size),
                        _ => (0, size),
                    })
            })
        }
    };
    let progress = Memo::new(move |_| progress());
    let waiting = matches!(upload.phase, Phase::Queued | Phase::RequestingSlot);
    view! {
        <div class="upload-row">
            <span class="upload-name">{name.clone()}</span>
            <progress
                class="upload-progress"
                aria-label=t_args("upload-progress", &[("name", name.as_str().into())])
                max=move || progress.get().1.to_string()
                value=move || progress.get().0.to_string()
                aria-valuemin="0"
                aria-valuemax=move || progress.get().1.to_string()
                aria-valuenow=move || progress.get().0.to_string()
                data-waiting=waiting.then_some("true")
            ></progress>
            <button
                type="button"
                class="upload-cancel"
                aria-label=t("upload-cancel-label")
                on:click=move |_| uploader::cancel(&id)
            >
                {t("upload-cancel")}
            </button>
        </div>
    }
    .into_any()
}
