//! Anonymous visitors (XEP-0175), as the embeddable widget signs them in: SASL ANONYMOUS to the
//! site's anonymous host, the nick the visitor typed sent as XEP-0172 `<nick/>` in presence and
//! every message, and the conversation kept across page navigations of the same site (same
//! tab) in `sessionStorage` under [`STORAGE_KEY`].
//!
//! Across a navigation:
//! - **BOSH**: the next page continues the SAME BOSH session (XEP-0124: the saved sid, the next
//!   rid) with a core attached to the bound session ([`Client::attach`]), without signing in
//!   again, so the visitor keeps its made-up address and the support's replies still arrive. If
//!   the server has forgotten the session (terminate `item-not-found`, HTTP 404, no answer),
//!   the visitor signs in afresh with the saved nick, transcript kept.
//! - **WebSocket**: there is nothing to continue. XEP-0198 resumption cannot help either:
//!   Prosody 0.12 and ejabberd 23.01 resume a stream only for the account that owned it, and a
//!   new SASL ANONYMOUS sign-in gets a new account. So the visitor signs in again (a new
//!   address) with the saved nick and transcript; the support sees the same name on a new
//!   address. This is why the widget prefers BOSH for visitors.
//!
//! What is saved: the domain, the endpoint, the nick, the bound JID, the newest
//! [`MAX_SAVED_MESSAGES`] messages of the visitor's conversations (the offline cache's own
//! record format, `persist::codec`) and, for BOSH, the session (`BoshSnapshot`). Written a
//! moment after every change (debounced) and at once on `pagehide`.

use std::time::Duration;

use js_sys::{Array, Object, Reflect, JSON};
use leptos::prelude::{set_timeout_with_handle, window, TimeoutHandle};
use natter_core::bosh::BoshSnapshot;
use natter_core::jid::{BareJid, FullJid};
use natter_core::{Client, Config};
use natter_store::{Snapshot, StoredMessage};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use super::{enter, now, Inner, LoginRequest, Session};
use crate::endpoint::{self, Endpoint};
use crate::persist::{codec, local};
use crate::state::UiEvent;
use crate::transport::{BoshTransport, Sink, Transport};

/// The `sessionStorage` key of a visitor's saved session (one per tab and site).
pub const STORAGE_KEY: &str = "natter.visitor";
/// Most messages saved: enough for a support chat, small enough for every save to be cheap.
pub const MAX_SAVED_MESSAGES: usize = 200;
/// How long after a change the save waits for more changes.
const SAVE_DEBOUNCE_MS: u64 = 300;

/// What the widget's nickname form gives.
pub struct VisitorSignIn {
    pub endpoint: Endpoint,
    pub domain: String,
    pub nick: String,
}

/// The driver's view of the visitor of this tab.
pub(super) struct Visitor {
    domain: BareJid,
    endpoint: Endpoint,
    nick: Option<String>,
    /// For the next attempt: continue this BOSH session as this address.
    resume: Option<(BoshSnapshot, FullJid)>,
    /// The current attempt is such a continuation: if it fails, sign in afresh at once.
    resuming: bool,
    /// The continued session, saved again as it was until the new attempt is online and
    /// its own transport can say (a navigation in between must not lose it).
    carry: Option<(BoshSnapshot, FullJid)>,
    save_timer: Option<TimeoutHandle>,
    pagehide: Option<Closure<dyn FnMut()>>,
}

impl Drop for Visitor {
    fn drop(&mut self) {
        if let Some(h) = self.save_timer.take() {
            h.clear();
        }
        if let Some(f) = self.pagehide.take() {
            let _ = window()
                .remove_event_listener_with_callback("pagehide", f.as_ref().unchecked_ref());
        }
    }
}

impl Session {
    /// Sign in with SASL ANONYMOUS to `domain` (e.g. "anon.localhost"); the server makes up
    /// the account; the nick goes out as XEP-0172 <nick/> in presence and in every message.
    pub fn sign_in_anonymous(&self, v: VisitorSignIn) {
        self.start_visitor(v, None, false);
    }

    /// A visitor session that an earlier page of this site left in sessionStorage (same tab):
    /// continue it, put its transcript back in the store and return the nick it was started
    /// with (rooms are joined again under it). `None` when there is none.
    pub fn resume_visitor(&self) -> Option<String> {
        let saved = load()?;
        let nick = saved.sign_in.nick.clone();
        let state = self.state();
        state.apply_now([UiEvent::Restore(Box::new(Snapshot {
            messages: saved.messages,
            ..Snapshot::default()
        }))]);
        let resume = match (&saved.sign_in.endpoint, saved.bosh, saved.jid) {
            (Endpoint::Bosh(_), Some(bosh), Some(jid)) => Some((bosh, jid)),
            // WebSocket (see the module docs), or the old page never got online.
            _ => None,
        };
        self.start_visitor(saved.sign_in, resume, true);
        Some(nick)
    }

    fn start_visitor(
        &self,
        v: VisitorSignIn,
        resume: Option<(BoshSnapshot, FullJid)>,
        restored: bool,
    ) {
        let domain = match BareJid::new(v.domain.trim()) {
            Ok(d) if d.node().is_none() => d,
            _ => {
                let state = self.state();
                let text =
                    crate::i18n::t_args("visitor-bad-domain", &[("domain", v.domain.into())]);
                state.push(UiEvent::Error(Some(text)));
                return;
            }
        };
        let nick = natter_core::visitor_nick::clean(&v.nick);
        let login = LoginRequest {
            jid: domain.clone(),
            password: String::new(),
            endpoint: Some(v.endpoint.clone()),
        };
        {
            let mut inner = self.0.borrow_mut();
            let weak = inner.me.clone();
            let pagehide: Closure<dyn FnMut()> =
                Closure::new(move || enter(weak.clone(), |inner| inner.save_visitor()));
            let _ = window()
                .add_event_listener_with_callback("pagehide", pagehide.as_ref().unchecked_ref());
            inner.visitor = Some(Visitor {
                domain,
                endpoint: v.endpoint,
                nick,
                carry: resume.clone(),
                resume,
                resuming: false,
                save_timer: None,
                pagehide: Some(pagehide),
            });
        }
        // `restored`: keep the transcript just put back (no store reset) and show the chat
        // while signing in.
        self.start(login, restored);
        self.0.borrow_mut().save_visitor();
    }
}

impl Inner {
    /// The visitor's part of a new attempt's config (see `attempt::open`).
    pub(super) fn visitor_config(&self, config: &mut Config) {
        if let Some(v) = &self.visitor {
            config.nick = v.nick.clone();
            // A throwaway account has nothing remembered and no roster to version.
            config.stored = None;
            config.roster_ver = None;
            config.roster_items.clear();
        }
    }

    /// The attempt that continues a saved BOSH session, if this is one: its transport and a
    /// core already online as the saved address. Taken once; a later attempt signs in.
    pub(super) fn visitor_attach(
        &mut self,
        endpoint: &Endpoint,
        config: &Config,
        sink: Sink,
    ) -> Option<(Box<dyn Transport>, Client)> {
        let v = self.visitor.as_mut()?;
        let (snapshot, jid) = v.resume.take()?;
        let Endpoint::Bosh(url) = endpoint else {
            return None;
        };
        let transport = BoshTransport::resume(url, snapshot, sink).ok()?;
        v.resuming = true;
        Some((
            Box::new(transport),
            Client::attach(config.clone(), jid, now()),
        ))
    }

    /// The attempt ended. If it was continuing a saved BOSH session, the server has dropped
    /// it: sign in afresh now (same nick, transcript kept) rather than after a backoff.
    /// `true`: handled here.
    pub(super) fn visitor_resume_failed(&mut self) -> bool {
        let Some(v) = self.visitor.as_mut().filter(|v| v.resuming) else {
            return false;
        };
        v.resuming = false;
        v.carry = None;
        if let Some(mut a) = self.attempt.take() {
            a.clear_timers();
        }
        self.resumption = None;
        self.connect();
        true
    }

    pub(super) fn is_visitor(&self) -> bool {
        self.visitor.is_some()
    }

    /// Something changed: save a moment later (a burst of events makes one write).
    pub(super) fn visitor_changed(&mut self) {
        let me = self.me.clone();
        let Some(v) = self.visitor.as_mut() else {
            return;
        };
        if v.save_timer.is_some() {
            return;
        }
        let fire = move || {
            enter(me, |inner| {
                if let Some(v) = inner.visitor.as_mut() {
                    v.save_timer = None;
                }
                inner.save_visitor();
            })
        };
        v.save_timer = set_timeout_with_handle(fire, Duration::from_millis(SAVE_DEBOUNCE_MS)).ok();
    }

    /// Writes the visitor's session to `sessionStorage` now.
    pub(super) fn save_visitor(&mut self) {
        let live = self
            .attempt
            .as_ref()
            .filter(|a| a.online)
            .and_then(|a| a.transport.bosh_snapshot());
        let Some(v) = self.visitor.as_mut() else {
            return;
        };
        if live.is_some() {
            v.carry = None;
        }
        let carried = v.carry.clone();
        let state = self.state;
        state.flush();
        let (jid, messages) = state.peek(|s| {
            let mut all: Vec<&StoredMessage> = s
                .conversations
                .values()
                .flat_map(|c| c.messages.iter())
                .collect();
            all.sort_by(|a, b| a.cmp_order(b));
            let newest = all.len().saturating_sub(MAX_SAVED_MESSAGES);
            let records = Array::new();
            for m in &all[newest..] {
                records.push(&codec::message_to_js(m));
            }
            (s.account.clone(), records)
        });
        let (carried_bosh, carried_jid) = carried.unzip();
        let jid = jid.or(carried_jid);
        let bosh = live.or(carried_bosh);
        let o = Object::new();
        set(&o, "domain", v.domain.as_str());
        set(&o, "endpoint", v.endpoint.url());
        set(&o, "nick", v.nick.as_deref().unwrap_or(""));
        if let Some(jid) = jid {
            set(&o, "jid", jid.to_string().as_str());
        }
        let _ = Reflect::set(&o, &"messages".into(), &messages);
        if let Some(b) = bosh {
            let s = Object::new();
            set(&s, "sid", b.sid.as_str());
            set(&s, "rid", b.next_rid as f64);
            set(&s, "to", b.to.as_str());
            set(&s, "from", b.from.as_str());
            set(&s, "lang", b.lang.as_str());
            set(&s, "requests", f64::from(b.requests));
            set(&s, "wait", b.wait_secs as f64);
            set(&s, "polling", b.polling_ms as f64);
            let _ = Reflect::set(&o, &"bosh".into(), &s);
        }
        if let Some(text) = JSON::stringify(&o).ok().and_then(|t| t.as_string()) {
            local::session_set(STORAGE_KEY, Some(&text));
        }
    }

    /// The visitor signed out (ended the chat): nothing is kept for the next page.
    pub(super) fn forget_visitor(&mut self) {
        if self.visitor.take().is_some() {
            local::session_set(STORAGE_KEY, None);
        }
    }
}

fn set(o: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(o, &JsValue::from_str(key), &value.into());
}

/// What an earlier page saved.
struct Saved {
    sign_in: VisitorSignIn,
    jid: Option<FullJid>,
    messages: Vec<StoredMessage>,
    bosh: Option<BoshSnapshot>,
}

/// Reads [`STORAGE_KEY`]. Page storage is the host page's to write too, so everything is
/// checked as if it came from the network; anything unreadable is `None` (or left out).
fn load() -> Option<Saved> {
    let text = local::session_get(STORAGE_KEY)?;
    let v = JSON::parse(&text).ok()?;
    let string = |o: &JsValue, k: &str| Reflect::get(o, &JsValue::from_str(k)).ok()?.as_string();
    let number = |o: &JsValue, k: &str| {
        Reflect::get(o, &JsValue::from_str(k))
            .ok()?
            .as_f64()
            .filter(|n| n.is_finite() && *n >= 0.0 && n.fract() == 0.0)
    };
    let domain = string(&v, "domain")?;
    let endpoint = endpoint::parse_endpoint(&string(&v, "endpoint")?).ok()??;
    let nick = string(&v, "nick").unwrap_or_default();
    // Only an address on the visitor's own domain is continued.
    let jid = string(&v, "jid")
        .and_then(|j| FullJid::new(&j).ok())
        .filter(|j| j.domain().as_str() == domain && j.node().is_some());
    let messages = Reflect::get(&v, &"messages".into())
        .ok()
        .filter(|m| m.is_array())
        .map(|m| {
            Array::from(&m)
                .iter()
                .take(MAX_SAVED_MESSAGES)
                .filter_map(|r| codec::message_from_js(&r))
                .collect()
        })
        .unwrap_or_default();
    let bosh = Reflect::get(&v, &"bosh".into())
        .ok()
        .filter(|b| b.is_object())
        .and_then(|b| {
            Some(BoshSnapshot {
                sid: string(&b, "sid")?,
                next_rid: number(&b, "rid")? as u64,
                to: string(&b, "to")?,
                from: string(&b, "from")?,
                lang: string(&b, "lang").unwrap_or_default(),
                requests: number(&b, "requests")?.min(8.0) as u32,
                wait_secs: number(&b, "wait")? as u64,
                polling_ms: number(&b, "polling").unwrap_or(0.0) as u64,
            })
        });
    Some(Saved {
        sign_in: VisitorSignIn {
            endpoint,
            domain,
            nick,
        },
        jid,
        messages,
        bosh,
    })
}
