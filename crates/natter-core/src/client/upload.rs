//! XEP-0363 in the session: the upload service is looked for once per session (with a fresh
//! session's sign-in requests, or at the first slot request of a resumed one): our server
//! itself, or one of the items it lists. Slot requests wait for that search, then go to the service found.

use jid::{BareJid, Jid};
use minidom::Element;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::stanza_error::StanzaError;

use super::Client;
use crate::iq::{describe, IqKind};
use crate::upload::{self, Request, Service, UploadIq};
use crate::{Event, Instant};

const NO_SERVICE: &str = "your server does not offer file upload";

impl Client {
    /// A fresh session asks for our server's items with its other sign-in requests (and
    /// learns from the carbons check whether the server itself is the service).
    pub(super) fn upload_discover(&mut self, now: Instant) {
        if self.uploads.start() {
            let domain = BareJid::from_parts(None, self.account.domain());
            self.uploads.expect(1);
            self.upload_iq(now, domain, upload::items_query(), UploadIq::Items);
        }
    }

    /// Our server's disco#info (asked for carbons): it may be the service itself.
    pub(super) fn upload_server_info(&mut self, now: Instant, info: Option<&Element>) {
        if let Some(max_size) = info.and_then(upload::offered) {
            let domain = BareJid::from_parts(None, self.account.domain());
            self.upload_service_found(now, domain, max_size);
        }
    }

    fn upload_found_or_items(&mut self, now: Instant, info: Option<&Element>) {
        let domain = BareJid::from_parts(None, self.account.domain());
        match info.and_then(upload::offered) {
            Some(max_size) => self.upload_service_found(now, domain, max_size),
            None => {
                self.uploads.expect(1);
                self.upload_iq(now, domain, upload::items_query(), UploadIq::Items);
            }
        }
    }

    pub(super) fn request_upload_slot(&mut self, now: Instant, request: Request) {
        if let Some(reason) = self
            .uploads
            .service
            .as_ref()
            .and_then(|s| s.max_size)
            .filter(|max| request.size > *max)
            .map(upload::too_large)
        {
            self.events.push_back(Event::UploadFailed {
                request: request.request,
                reason,
            });
            return;
        }
        if !self.uploads.settled() {
            self.uploads.waiting.push(request);
            // A resumed session never looked (a fresh one is looking already): our server
            // first, then its items.
            if self.uploads.start() {
                let domain = BareJid::from_parts(None, self.account.domain());
                self.uploads.expect(1);
                self.upload_iq(now, domain, upload::info_query(), UploadIq::ServerInfo);
            }
            return;
        }
        let Some(service) = self.uploads.service.clone() else {
            self.events.push_back(Event::UploadFailed {
                request: request.request,
                reason: NO_SERVICE.into(),
            });
            return;
        };
        let payload = upload::slot_request(&request);
        self.upload_iq(
            now,
            service.jid,
            payload,
            UploadIq::Slot {
                request: request.request,
            },
        );
    }

    fn upload_iq(&mut self, now: Instant, to: BareJid, payload: Element, kind: UploadIq) {
        let id = self.ids.next();
        let to = Jid::from(to);
        self.send(Iq::Get {
            from: None,
            to: Some(to.clone()),
            id: id.clone(),
            payload,
        });
        self.iqs.track(
            id,
            Some(to),
            now.after(self.config.iq_timeout_ms),
            IqKind::Upload(kind),
        );
    }

    fn upload_service_found(&mut self, now: Instant, jid: BareJid, max_size: Option<u64>) {
        if self.uploads.service.is_some() {
            return;
        }
        self.uploads.service = Some(Service {
            jid: jid.clone(),
            max_size,
        });
        self.events
            .push_back(Event::UploadService { jid, max_size });
        self.upload_release(now);
    }

    /// Discovery is over: the waiting requests go out (or fail if there is no service).
    fn upload_release(&mut self, now: Instant) {
        if !self.uploads.settled() {
            return;
        }
        for request in std::mem::take(&mut self.uploads.waiting) {
            self.request_upload_slot(now, request);
        }
    }

    pub(super) fn upload_answered(
        &mut self,
        now: Instant,
        kind: UploadIq,
        payload: Option<Element>,
    ) {
        match kind {
            UploadIq::ServerInfo => {
                self.uploads.answered();
                self.upload_found_or_items(now, payload.as_ref());
            }
            UploadIq::Items => {
                let items = payload.as_ref().map(upload::items).unwrap_or_default();
                self.uploads.expect(items.len());
                self.uploads.answered();
                for jid in items {
                    let kind = UploadIq::ItemInfo { jid: jid.clone() };
                    self.upload_iq(now, jid, upload::info_query(), kind);
                }
                self.upload_release(now);
            }
            UploadIq::ItemInfo { jid } => {
                self.uploads.answered();
                match payload.as_ref().and_then(upload::offered) {
                    Some(max_size) => self.upload_service_found(now, jid, max_size),
                    None => self.upload_release(now),
                }
            }
            UploadIq::Slot { request } => {
                let event = match upload::read_slot(payload.as_ref()) {
                    Ok(slot) => Event::UploadSlot {
                        request,
                        put_url: slot.put_url,
                        put_headers: slot.put_headers,
                        get_url: slot.get_url,
                    },
                    Err(reason) => Event::UploadFailed { request, reason },
                };
                self.events.push_back(event);
            }
        }
    }

    /// `error`: `None` for a timeout.
    pub(super) fn upload_failed(
        &mut self,
        now: Instant,
        kind: UploadIq,
        error: Option<&StanzaError>,
    ) {
        match kind {
            UploadIq::Slot { request } => self.events.push_back(Event::UploadFailed {
                request,
                reason: error
                    .map(describe)
                    .unwrap_or_else(|| "the upload service did not answer in time".into()),
            }),
            // An item that does not answer is not the service; the others may be.
            // Our server may still list the service among its items.
            UploadIq::ServerInfo => {
                self.uploads.answered();
                self.upload_found_or_items(now, None);
            }
            UploadIq::Items | UploadIq::ItemInfo { .. } => {
                self.uploads.answered();
                self.upload_release(now);
            }
        }
    }
}
