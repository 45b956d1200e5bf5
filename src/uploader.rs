//! The browser side of sending files: runs what [`crate::upload::Uploads`] decides. The `PUT`
//! goes through XMLHttpRequest because it reports upload progress (fetch does not) and can be
//! aborted; nothing here waits on it, the page only hears its events. The core's answers
//! (`UploadSlot`, `UploadFailed`) arrive while the session is busy pumping, so they are
//! handled a microtask later, when the session can take commands again.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use natter_core::jid::{BareJid, Jid};
use natter_core::upload::OutOfBand;
use natter_core::{Command, Event, MessageExt};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, ProgressEvent, XmlHttpRequest};

use crate::session::Session;
use crate::upload::{Action, FileInfo, Upload, Uploads};

struct Running {
    xhr: XmlHttpRequest,
    // Kept alive as long as the request can call them.
    _progress: Closure<dyn FnMut(ProgressEvent)>,
    _end: Closure<dyn FnMut(web_sys::Event)>,
}

#[derive(Default)]
struct Uploader {
    machine: Uploads,
    files: HashMap<String, File>,
    running: HashMap<String, Running>,
    rows: Option<ArcRwSignal<Vec<Upload>>>,
    session: Option<Session>,
}

thread_local! {
    static UPLOADER: RefCell<Uploader> = RefCell::new(Uploader::default());
}

/// The uploads to show (files waiting, under way, failed), updated on every change.
pub fn rows() -> ArcRwSignal<Vec<Upload>> {
    UPLOADER.with_borrow_mut(|u| {
        // Not owned by any component: it outlives the chat pane that shows it.
        u.rows
            .get_or_insert_with(|| ArcRwSignal::new(Vec::new()))
            .clone()
    })
}

fn publish(u: &Uploader) {
    if let Some(rows) = &u.rows {
        rows.set(u.machine.items().to_vec());
    }
}

/// Does `f` to the state machine, shows the result, then runs the actions it asked for.
fn step(f: impl FnOnce(&mut Uploads) -> Vec<Action>) {
    let actions = UPLOADER.with_borrow_mut(|u| {
        let actions = f(&mut u.machine);
        publish(u);
        actions
    });
    for action in actions {
        run(action);
    }
}

/// A file the user picked, dropped or pasted, for `peer`. `max_size` and `service` as the
/// store knows them ([`Uploads::add`]).
pub fn add(
    session: Session,
    peer: BareJid,
    file: File,
    max_size: Option<u64>,
    service: Option<bool>,
) {
    let Some(id) = new_id() else {
        return;
    };
    let info = FileInfo {
        name: file.name(),
        size: file.size() as u64,
        content_type: Some(file.type_()).filter(|t| !t.is_empty()),
    };
    UPLOADER.with_borrow_mut(|u| {
        u.session = Some(session);
        u.files.insert(id.clone(), file);
    });
    step(|m| m.add(id, peer, info, max_size, service));
}

pub fn cancel(id: &str) {
    step(|m| m.cancel(id));
    forget_finished();
}

pub fn dismiss(id: &str) {
    step(|m| {
        m.dismiss(id);
        Vec::new()
    });
    forget_finished();
}

/// Takes the core's answers about slots; `false` for every other event.
pub fn core_event(event: &Event) -> bool {
    let event = match event {
        Event::UploadSlot { .. } | Event::UploadFailed { .. } => event.clone(),
        _ => return false,
    };
    wasm_bindgen_futures::spawn_local(async move {
        match event {
            Event::UploadSlot {
                request,
                put_url,
                put_headers,
                get_url,
            } => step(|m| m.slot(&request, put_url, put_headers, get_url)),
            Event::UploadFailed { request, reason } => {
                step(|m| m.slot_failed(&request, &reason));
                forget_finished();
            }
            _ => {}
        }
    });
    true
}

fn session() -> Option<Session> {
    UPLOADER.with_borrow(|u| u.session.clone())
}

fn run(action: Action) {
    match action {
        Action::RequestSlot { id, file } => {
            let asked = session().is_some_and(|s| {
                s.command(Command::RequestUploadSlot {
                    request: id.clone(),
                    filename: file.name,
                    size: file.size,
                    content_type: file.content_type,
                })
            });
            if !asked {
                step(|m| m.slot_failed(&id, "you are not signed in"));
            }
        }
        Action::Put {
            id,
            url,
            headers,
            content_type,
        } => {
            if let Err(reason) = put(&id, &url, &headers, content_type.as_deref()) {
                step(|m| m.put_done(&id, Err(reason)));
                forget_finished();
            }
        }
        Action::Abort { id } => {
            // abort() fires loadend at once, into the closures still held in `running`.
            if let Some(xhr) = UPLOADER.with_borrow(|u| u.running.get(&id).map(|r| r.xhr.clone())) {
                let _ = xhr.abort();
            }
            release(id);
            forget_finished();
        }
        Action::Send { id, peer, url } => {
            let sent = session().is_some_and(|s| {
                s.command(Command::SendMessage {
                    to: Jid::from(peer),
                    id: new_id().unwrap_or_else(|| id.clone()),
                    // Conversations and Gajim send the URL as the body too: older clients
                    // still show something to click.
                    body: url.clone(),
                    ext: MessageExt {
                        oob: Some(Box::new(OutOfBand { url, desc: None })),
                        ..Default::default()
                    },
                })
            });
            step(|m| m.sent(&id, sent));
            forget_finished();
        }
    }
}

fn put(
    id: &str,
    url: &str,
    headers: &[(String, String)],
    content_type: Option<&str>,
) -> Result<(), String> {
    let Some(file) = UPLOADER.with_borrow(|u| u.files.get(id).cloned()) else {
        return Err("the file is no longer there".into());
    };
    let broken = |_| "the browser could not start the upload".to_owned();
    let xhr = XmlHttpRequest::new().map_err(broken)?;
    xhr.open("PUT", url).map_err(broken)?;
    if let Some(t) = content_type {
        xhr.set_request_header("Content-Type", t).map_err(broken)?;
    }
    for (name, value) in headers {
        xhr.set_request_header(name, value).map_err(broken)?;
    }
    let progress = {
        let id = id.to_owned();
        Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            let (sent, total) = (e.loaded() as u64, e.total() as u64);
            step(|m| {
                m.progress(&id, sent, total);
                Vec::new()
            });
        })
    };
    let end = {
        let id = id.to_owned();
        let xhr = xhr.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let status = xhr.status().unwrap_or(0);
            let result = match status {
                200..=299 => Ok(()),
                0 => Err("the upload did not reach the server".to_owned()),
                413 => Err("the server refused the file as too large".to_owned()),
                s => Err(format!("the server refused the upload (HTTP {s})")),
            };
            release(id.clone());
            step(|m| m.put_done(&id, result));
            forget_finished();
        })
    };
    let upload = xhr.upload().map_err(broken)?;
    upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    xhr.set_onloadend(Some(end.as_ref().unchecked_ref()));
    xhr.send_with_opt_blob(Some(&file)).map_err(broken)?;
    UPLOADER.with_borrow_mut(|u| {
        u.running.insert(
            id.to_owned(),
            Running {
                xhr,
                _progress: progress,
                _end: end,
            },
        )
    });
    Ok(())
}

/// Drops a finished request and its closures, a microtask later: one of them may be the
/// code running now.
fn release(id: String) {
    wasm_bindgen_futures::spawn_local(async move {
        UPLOADER.with_borrow_mut(|u| u.running.remove(&id));
    });
}

/// Lets go of the files no upload needs any more.
fn forget_finished() {
    UPLOADER.with_borrow_mut(|u| {
        let Uploader { machine, files, .. } = u;
        files.retain(|id, _| {
            machine
                .items()
                .iter()
                .any(|i| &i.id == id && i.phase.active())
        });
    });
}

fn new_id() -> Option<String> {
    let mut bytes = [0u8; 12];
    getrandom_02::getrandom(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
