//! RFC 7395 over the browser's WebSocket: subprotocol `xmpp`, one text message per frame.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

use super::{Sink, Transport, TransportEvent};

pub struct WebSocketTransport {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl WebSocketTransport {
    /// Starts connecting. Fails at once only for a URL the browser rejects.
    pub fn connect(url: &str, sink: Sink) -> Result<Self, String> {
        let ws = WebSocket::new_with_str(url, "xmpp").map_err(|_| {
            format!("\u{201c}{url}\u{201d} is not a WebSocket URL the browser accepts")
        })?;
        let opened = Rc::new(Cell::new(false));
        let closed = Rc::new(Cell::new(false));

        let on_open = {
            let (sink, opened) = (sink.clone(), opened.clone());
            Closure::<dyn FnMut(Event)>::new(move |_| {
                opened.set(true);
                sink(TransportEvent::Opened);
            })
        };
        let on_message = {
            let sink = sink.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                // RFC 7395 frames are text; binary messages are not XMPP and are ignored.
                if let Some(text) = ev.data().as_string() {
                    sink(TransportEvent::Frame(text));
                }
            })
        };
        let on_close = {
            let (sink, opened, closed) = (sink.clone(), opened.clone(), closed.clone());
            let url = url.to_string();
            Closure::<dyn FnMut(CloseEvent)>::new(move |ev: CloseEvent| {
                if closed.replace(true) {
                    return;
                }
                let opened = opened.get();
                let reason = if !opened {
                    Some(format!("could not reach the server at {url}"))
                } else {
                    close_reason(ev.code(), &ev.reason())
                };
                sink(TransportEvent::Closed { opened, reason });
            })
        };
        // An `error` is always followed by `close`, which reports it; nothing to do here but
        // keep the browser from treating it as unhandled.
        let on_error = Closure::<dyn FnMut(Event)>::new(move |_| {});

        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WebSocketTransport {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
            _on_error: on_error,
        })
    }
}

fn close_reason(code: u16, reason: &str) -> Option<String> {
    let what = match code {
        1000 => return (!reason.is_empty()).then(|| reason.to_string()),
        1001 => "the server is going away",
        1006 => "the connection was interrupted",
        1011 => "the server hit an internal error",
        1012 => "the server is restarting",
        _ => "the connection closed",
    };
    Some(if reason.is_empty() {
        format!("{what} (code {code})")
    } else {
        format!("{what} (code {code}: {reason})")
    })
}

impl Transport for WebSocketTransport {
    fn name(&self) -> &'static str {
        "WebSocket"
    }

    fn send(&self, frame: &str) {
        // A send on a closing socket fails; the close event reports the end.
        let _ = self.ws.send_with_str(frame);
    }

    fn close(&self) {
        let _ = self.ws.close();
    }
}

impl Drop for WebSocketTransport {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        if self.ws.ready_state() <= WebSocket::OPEN {
            let _ = self.ws.close();
        }
    }
}
