//! XEP-0206 (XMPP over BOSH) in the browser: natter-core's sans-IO [`Bosh`] session driven
//! with `fetch` POSTs and `setTimeout`. The protocol lives in natter-core; this file only moves
//! bytes and time.
//!
//! Event contract, as for the WebSocket: `Opened` at once (BOSH has no handshake of its own:
//! the session creation request goes out with the core's `<open/>`), then `Frame`s, then one
//! `Closed`, whose `opened` says whether the session creation request was answered.
//!
//! Frames and the end are delivered only from this transport's own tasks (fetch answers,
//! timers, a microtask after `send`), never from inside `send`/`close`, so the session driver
//! is never re-entered and everything reaches it in order. Frames the core sends within one
//! task are batched into one request.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::time::Duration;

use leptos::prelude::{set_timeout_with_handle, window, TimeoutHandle};
use natter_core::bosh::{Bosh, BoshSnapshot, Failure, Request, Settings, CONTENT_TYPE};
use natter_core::Instant;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{AbortController, Headers, RequestInit, RequestMode, Response};

use super::{Sink, Transport, TransportEvent};

/// Longest a slice of frame delivery may run before yielding to the browser.
const SLICE_MS: u64 = 8;

/// Largest answer read (natter-core's frame limit).
const MAX_BODY: u64 = 8 * 1024 * 1024;

pub struct BoshTransport {
    inner: Rc<RefCell<Inner>>,
}

struct Inner {
    bosh: Bosh,
    url: String,
    sink: Sink,
    me: Weak<RefCell<Inner>>,
    /// rid → (try number, its abort handle): a resend replaces the try in flight.
    in_flight: HashMap<u64, (u64, Option<AbortController>)>,
    tries: u64,
    terminate_rid: Option<u64>,
    timer: Option<(Instant, TimeoutHandle)>,
    /// A pump is queued as a microtask.
    scheduled: bool,
    /// The next slice of frames is queued as a macrotask (see [`pump`]).
    continuation: Option<TimeoutHandle>,
    /// `Closed` was delivered, or the transport dropped: nothing more reaches the sink.
    done: bool,
}

fn now() -> Instant {
    let ms = window().performance().map_or(0.0, |p| p.now());
    Instant::from_millis(ms.max(0.0) as u64)
}

impl BoshTransport {
    /// Starts the session. Fails at once only without a usable random source.
    pub fn connect(url: &str, sink: Sink) -> Result<Self, String> {
        let mut entropy = [0u8; 32];
        getrandom_02::getrandom(&mut entropy)
            .map_err(|_| "This browser has no secure random source.".to_string())?;
        Ok(Self::start_with(
            Bosh::new(Settings::default(), &entropy),
            url,
            sink,
        ))
    }

    /// Continues the session another page of the site left (an anonymous visitor who followed
    /// a link): same sid, the next rid. Fails when the stored snapshot describes no session.
    pub fn resume(url: &str, snapshot: BoshSnapshot, sink: Sink) -> Result<Self, String> {
        let bosh = Bosh::resume(Settings::default(), snapshot)
            .ok_or_else(|| "the saved BOSH session is unusable".to_string())?;
        Ok(Self::start_with(bosh, url, sink))
    }

    fn start_with(bosh: Bosh, url: &str, sink: Sink) -> Self {
        let inner = Rc::new_cyclic(|me| {
            RefCell::new(Inner {
                bosh,
                url: url.to_string(),
                sink,
                me: me.clone(),
                in_flight: HashMap::new(),
                tries: 0,
                terminate_rid: None,
                timer: None,
                scheduled: false,
                continuation: None,
                done: false,
            })
        });
        let weak = Rc::downgrade(&inner);
        spawn_local(async move {
            let Some(rc) = weak.upgrade() else { return };
            let sink = rc.borrow().sink.clone();
            if !rc.borrow().done {
                sink(TransportEvent::Opened);
            }
            // A resumed session has nothing queued yet: its first long-poll goes out now.
            pump(&rc);
        });
        BoshTransport { inner }
    }
}

impl Transport for BoshTransport {
    fn name(&self) -> &'static str {
        "BOSH"
    }

    fn send(&self, frame: &str) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            inner.bosh.send_frame(now(), frame);
            inner.schedule();
        }
    }

    fn close(&self) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            inner.bosh.close(now());
            inner.schedule();
        }
    }

    fn bosh_snapshot(&self) -> Option<BoshSnapshot> {
        self.inner.try_borrow().ok()?.bosh.snapshot()
    }
}

impl Drop for BoshTransport {
    fn drop(&mut self) {
        let Ok(mut inner) = self.inner.try_borrow_mut() else {
            return;
        };
        inner.done = true;
        if let Some((_, h)) = inner.timer.take() {
            h.clear();
        }
        if let Some(h) = inner.continuation.take() {
            h.clear();
        }
        // The terminate request (queued by `close` just before the drop, or in flight) still
        // goes out: the server then ends the session now rather than after its inactivity
        // timeout. Everything else is aborted.
        let terminate = inner.terminate_rid;
        let stale: Vec<u64> = inner
            .in_flight
            .keys()
            .copied()
            .filter(|rid| Some(*rid) != terminate)
            .collect();
        for rid in stale {
            if let Some((_, Some(c))) = inner.in_flight.remove(&rid) {
                c.abort();
            }
        }
        while let Some(request) = inner.bosh.poll_request(now()) {
            if request.terminate {
                inner.start(request, false);
            }
        }
    }
}

impl Inner {
    /// Pump from a microtask: after the caller (the session driver) is done.
    fn schedule(&mut self) {
        if self.scheduled || self.done {
            return;
        }
        self.scheduled = true;
        let weak = self.me.clone();
        spawn_local(async move {
            if let Some(rc) = weak.upgrade() {
                pump(&rc);
            }
        });
    }

    /// Queues the next slice of frame delivery as a macrotask.
    fn continue_later(&mut self) {
        let weak = self.me.clone();
        let next = move || {
            if let Some(rc) = weak.upgrade() {
                if let Ok(mut inner) = rc.try_borrow_mut() {
                    inner.continuation = None;
                }
                pump(&rc);
            }
        };
        self.continuation = set_timeout_with_handle(next, Duration::ZERO).ok();
    }

    /// POSTs one request; its answer comes back through [`pump`] (unless `track` is false: a
    /// terminate sent while dropping, whose answer nobody waits for).
    fn start(&mut self, request: Request, track: bool) {
        self.tries += 1;
        let (rid, n) = (request.rid, self.tries);
        if let Some((_, Some(old))) = self.in_flight.remove(&rid) {
            old.abort();
        }
        if request.terminate {
            self.terminate_rid = Some(rid);
        }
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_mode(RequestMode::Cors);
        init.set_body(&JsValue::from_str(&request.body));
        if let Ok(headers) = Headers::new() {
            let _ = headers.set("Content-Type", CONTENT_TYPE);
            init.set_headers(&headers);
        }
        let controller = if track && !request.terminate {
            AbortController::new().ok()
        } else {
            None
        };
        if let Some(c) = &controller {
            init.set_signal(Some(&c.signal()));
        }
        let promise = window().fetch_with_str_and_init(&self.url, &init);
        self.in_flight.insert(rid, (n, controller));
        let weak = self.me.clone();
        spawn_local(async move {
            let result = answer(promise).await;
            let Some(rc) = weak.upgrade() else { return };
            {
                let Ok(mut inner) = rc.try_borrow_mut() else {
                    return;
                };
                if inner.in_flight.get(&rid).map(|(m, _)| *m) != Some(n) {
                    return; // replaced by a resend, or aborted
                }
                inner.in_flight.remove(&rid);
                let response = match &result {
                    Ok((status, body)) => Ok((*status, body.as_bytes())),
                    Err(failure) => Err(failure.clone()),
                };
                inner.bosh.handle_response(now(), rid, response);
            }
            pump(&rc);
        });
    }

    fn arm_timer(&mut self) {
        let due = self.bosh.poll_timeout();
        if self.timer.as_ref().map(|(d, _)| *d) == due {
            return;
        }
        if let Some((_, h)) = self.timer.take() {
            h.clear();
        }
        let Some(due) = due else { return };
        let weak = self.me.clone();
        let fire = move || {
            let Some(rc) = weak.upgrade() else { return };
            if let Ok(mut inner) = rc.try_borrow_mut() {
                inner.timer = None;
                inner.bosh.handle_timeout(now());
            }
            pump(&rc);
        };
        let delay = Duration::from_millis(due.since(now()));
        if let Ok(h) = set_timeout_with_handle(fire, delay) {
            self.timer = Some((due, h));
        }
    }
}

/// Drains the session: frames (and the end) to the sink, then requests out, then the timer.
///
/// One BOSH answer can carry thousands of stanzas (a presence flood the server held for us);
/// handing them all to the core in one task froze the page for over half a second. Frames go
/// out in slices of about [`SLICE_MS`]; the rest follow in a later task (a macrotask, so the
/// browser paints and handles input in between), in order.
fn pump(rc: &Rc<RefCell<Inner>>) {
    let started = now();
    loop {
        let (sink, event) = {
            let Ok(mut inner) = rc.try_borrow_mut() else {
                return;
            };
            inner.scheduled = false;
            if inner.done {
                return;
            }
            if inner.continuation.is_some() {
                // A later slice is already queued; it delivers what is left, in order.
                break;
            }
            if now().since(started) >= SLICE_MS && inner.bosh.has_frames() {
                inner.continue_later();
                break;
            }
            let event = match inner.bosh.poll_frame() {
                Some(frame) => Some(TransportEvent::Frame(frame)),
                None => inner.bosh.poll_closed().map(|reason| {
                    inner.done = true;
                    TransportEvent::Closed {
                        opened: inner.bosh.is_created(),
                        reason,
                    }
                }),
            };
            (inner.sink.clone(), event)
        };
        let Some(event) = event else {
            break;
        };
        // No borrow held: the session may call `send`/`close`, or drop this transport.
        sink(event);
    }
    let Ok(mut inner) = rc.try_borrow_mut() else {
        return;
    };
    if inner.done {
        // Closed: nothing more to wait for; abort what is left but a terminate.
        if let Some((_, h)) = inner.timer.take() {
            h.clear();
        }
        let terminate = inner.terminate_rid;
        for (rid, (_, c)) in inner.in_flight.drain() {
            if let (Some(c), false) = (c, Some(rid) == terminate) {
                c.abort();
            }
        }
        return;
    }
    while let Some(request) = inner.bosh.poll_request(now()) {
        inner.start(request, true);
    }
    inner.arm_timer();
}

/// Whether a `Content-Length` announces more than [`MAX_BODY`]. Parsed as an integer, not an f64:
/// float parsing would link core's decimal tables (about 15 KB of wasm); a run of digits too long
/// for a u64 is too large too.
fn too_large(length: &str) -> bool {
    let l = length.trim();
    match l.parse::<u64>() {
        Ok(n) => n > MAX_BODY,
        Err(_) => !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// The status and text of a fetch, or why there is none.
async fn answer(promise: js_sys::Promise) -> Result<(u16, String), Failure> {
    let failed = |_| Failure::Network("the browser could not complete the request".into());
    let response: Response = JsFuture::from(promise)
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(failed)?;
    let length = response
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .map(|l| too_large(&l));
    if length == Some(true) {
        return Err(Failure::TooLarge);
    }
    let text = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}
