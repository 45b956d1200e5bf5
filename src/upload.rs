//! Sending files (XEP-0363): each file goes queued → requesting a slot → uploading (n of m
//! bytes) → sending the message → done, or ends failed (with its name in the reason) or
//! cancelled. One file uploads at a time; the others wait in order. This is the pure state
//! machine: it says what to do next ([`Action`]) and the browser part (`uploader.rs`: the
//! `PUT` through XMLHttpRequest, progress events, abort) does it and reports back.

use natter_core::jid::BareJid;
use natter_core::upload::megabytes;

use crate::i18n::{t, t_args};

/// What the user picked, dropped or pasted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    pub name: String,
    pub size: u64,
    pub content_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Queued,
    RequestingSlot,
    Uploading {
        sent: u64,
        total: u64,
    },
    Sending,
    Done,
    /// The whole sentence to show, naming the file.
    Failed(String),
    Cancelled,
}

impl Phase {
    /// Still to finish (shown with a `Cancel upload` button).
    pub fn active(&self) -> bool {
        matches!(
            self,
            Phase::Queued | Phase::RequestingSlot | Phase::Uploading { .. } | Phase::Sending
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The app's id: the slot request's and the message's.
    pub id: String,
    pub peer: BareJid,
    pub file: FileInfo,
    pub phase: Phase,
    /// Where the file can be fetched once uploaded (from the slot).
    pub get_url: Option<String>,
}

/// What the browser part has to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    RequestSlot {
        id: String,
        file: FileInfo,
    },
    Put {
        id: String,
        url: String,
        headers: Vec<(String, String)>,
        content_type: Option<String>,
    },
    Abort {
        id: String,
    },
    /// Send `url` to `peer` as the file's message (body and XEP-0066).
    Send {
        id: String,
        peer: BareJid,
        url: String,
    },
}

#[derive(Debug, Default)]
pub struct Uploads {
    items: Vec<Upload>,
}

/// The alert for a file above the service's limit.
pub fn too_large(name: &str, max: u64) -> String {
    t_args(
        "upload-too-large",
        &[("name", name.into()), ("max", megabytes(max).into())],
    )
}

/// `reason` is a phrase in the UI's language (or, from the network, the server's words).
fn failed(name: &str, reason: &str) -> String {
    t_args(
        "upload-failed",
        &[("name", name.into()), ("reason", reason.into())],
    )
}

impl Uploads {
    pub fn items(&self) -> &[Upload] {
        &self.items
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut Upload> {
        self.items.iter_mut().find(|u| u.id == id)
    }

    /// A new file for `peer`. `max_size`: the service's limit, if known (a bigger file fails
    /// at once, never asked for); `service`: whether the server offers upload at all (as far
    /// as known: `None` while the search is still on, then the core waits for it).
    pub fn add(
        &mut self,
        id: String,
        peer: BareJid,
        file: FileInfo,
        max_size: Option<u64>,
        service: Option<bool>,
    ) -> Vec<Action> {
        let phase = match (service, max_size) {
            (Some(false), _) => Phase::Failed(failed(&file.name, &t("upload-no-service"))),
            (_, Some(max)) if file.size > max => Phase::Failed(too_large(&file.name, max)),
            _ => Phase::Queued,
        };
        self.items.push(Upload {
            id,
            peer,
            file,
            phase,
            get_url: None,
        });
        self.next()
    }

    /// Starts the first queued file if none is under way.
    fn next(&mut self) -> Vec<Action> {
        let busy = self
            .items
            .iter()
            .any(|u| u.phase.active() && u.phase != Phase::Queued);
        if busy {
            return Vec::new();
        }
        match self.items.iter_mut().find(|u| u.phase == Phase::Queued) {
            Some(u) => {
                u.phase = Phase::RequestingSlot;
                vec![Action::RequestSlot {
                    id: u.id.clone(),
                    file: u.file.clone(),
                }]
            }
            None => Vec::new(),
        }
    }

    /// The slot came: upload to it.
    pub fn slot(
        &mut self,
        id: &str,
        put_url: String,
        headers: Vec<(String, String)>,
        get_url: String,
    ) -> Vec<Action> {
        let Some(u) = self
            .get_mut(id)
            .filter(|u| u.phase == Phase::RequestingSlot)
        else {
            // Cancelled while asking: the slot is left unused.
            return Vec::new();
        };
        u.phase = Phase::Uploading {
            sent: 0,
            total: u.file.size,
        };
        u.get_url = Some(get_url);
        vec![Action::Put {
            id: id.to_owned(),
            url: put_url,
            headers,
            content_type: u.file.content_type.clone(),
        }]
    }

    pub fn progress(&mut self, id: &str, sent: u64, total: u64) {
        if let Some(u) = self.get_mut(id) {
            if let Phase::Uploading { .. } = u.phase {
                // Some browsers report a total of 0 until they know it: keep the file's size.
                let total = if total == 0 { u.file.size } else { total };
                u.phase = Phase::Uploading {
                    sent: sent.min(total),
                    total,
                };
            }
        }
    }

    /// The `PUT` ended: `Ok` sends the message with the slot's `get` URL; `Err` in plain words.
    pub fn put_done(&mut self, id: &str, result: Result<(), String>) -> Vec<Action> {
        let Some(u) = self
            .get_mut(id)
            .filter(|u| matches!(u.phase, Phase::Uploading { .. }))
        else {
            return Vec::new();
        };
        let mut actions = match result {
            Ok(()) => {
                u.phase = Phase::Sending;
                vec![Action::Send {
                    id: id.to_owned(),
                    peer: u.peer.clone(),
                    url: u.get_url.clone().unwrap_or_default(),
                }]
            }
            Err(reason) => {
                u.phase = Phase::Failed(failed(&u.file.name, &reason));
                Vec::new()
            }
        };
        actions.extend(self.next());
        actions
    }

    /// The message went out (`true`) or could not (`false`: not signed in).
    pub fn sent(&mut self, id: &str, ok: bool) -> Vec<Action> {
        if let Some(u) = self.get_mut(id).filter(|u| u.phase == Phase::Sending) {
            u.phase = if ok {
                Phase::Done
            } else {
                Phase::Failed(failed(&u.file.name, &t("upload-not-signed-in")))
            };
        }
        // Done rows go: the message in the log shows the file now.
        self.items.retain(|u| u.phase != Phase::Done);
        self.next()
    }

    /// No slot: `reason` in plain words.
    pub fn slot_failed(&mut self, id: &str, reason: &str) -> Vec<Action> {
        if let Some(u) = self
            .get_mut(id)
            .filter(|u| u.phase == Phase::RequestingSlot)
        {
            u.phase = Phase::Failed(failed(&u.file.name, reason));
        }
        self.next()
    }

    /// The user cancelled: nothing of this file is sent. A running `PUT` is aborted.
    pub fn cancel(&mut self, id: &str) -> Vec<Action> {
        let Some(u) = self.get_mut(id).filter(|u| u.phase.active()) else {
            return Vec::new();
        };
        let uploading = matches!(u.phase, Phase::Uploading { .. });
        // Once the message is on its way there is nothing left to take back here.
        if u.phase == Phase::Sending {
            return Vec::new();
        }
        u.phase = Phase::Cancelled;
        let mut actions = if uploading {
            vec![Action::Abort { id: id.to_owned() }]
        } else {
            Vec::new()
        };
        self.items.retain(|u| u.phase != Phase::Cancelled);
        actions.extend(self.next());
        actions
    }

    /// The user closed a failure.
    pub fn dismiss(&mut self, id: &str) {
        self.items.retain(|u| u.id != id || u.phase.active());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer() -> BareJid {
        "bob@example.org".parse().unwrap()
    }

    fn file(name: &str, size: u64) -> FileInfo {
        FileInfo {
            name: name.into(),
            size,
            content_type: Some("image/png".into()),
        }
    }

    #[test]
    fn a_file_goes_from_slot_to_upload_to_message() {
        let mut u = Uploads::default();
        let a = u.add(
            "1".into(),
            peer(),
            file("a.png", 100),
            Some(1000),
            Some(true),
        );
        assert_eq!(
            a,
            vec![Action::RequestSlot {
                id: "1".into(),
                file: file("a.png", 100)
            }]
        );
        let a = u.slot(
            "1",
            "https://h/p".into(),
            vec![("Authorization".into(), "x".into())],
            "https://h/g".into(),
        );
        assert!(
            matches!(&a[..], [Action::Put { url, headers, .. }] if url == "https://h/p" && headers.len() == 1)
        );
        u.progress("1", 40, 100);
        assert_eq!(
            u.items()[0].phase,
            Phase::Uploading {
                sent: 40,
                total: 100
            }
        );
        let a = u.put_done("1", Ok(()));
        assert_eq!(
            a,
            vec![Action::Send {
                id: "1".into(),
                peer: peer(),
                url: "https://h/g".into()
            }]
        );
        let a = u.sent("1", true);
        assert!(a.is_empty());
        assert!(u.items().is_empty(), "done rows go");
    }

    #[test]
    fn several_files_upload_one_after_another() {
        let mut u = Uploads::default();
        assert_eq!(u.add("1".into(), peer(), file("a", 1), None, None).len(), 1);
        assert!(
            u.add("2".into(), peer(), file("b", 1), None, None)
                .is_empty(),
            "waits"
        );
        u.slot("1", "https://h/p".into(), vec![], "https://h/g".into());
        let a = u.put_done("1", Err("the server refused the file (HTTP 413)".into()));
        assert_eq!(
            a,
            vec![Action::RequestSlot {
                id: "2".into(),
                file: file("b", 1)
            }]
        );
        assert_eq!(
            u.items()[0].phase,
            Phase::Failed("Could not send a: the server refused the file (HTTP 413).".into())
        );
    }

    #[test]
    fn too_large_fails_at_once_with_the_limit() {
        let mut u = Uploads::default();
        let a = u.add(
            "1".into(),
            peer(),
            file("big.iso", 11 * 1024 * 1024),
            Some(10 * 1024 * 1024),
            Some(true),
        );
        assert!(a.is_empty());
        assert_eq!(
            u.items()[0].phase,
            Phase::Failed("big.iso is too large: the server accepts up to 10 MB.".into())
        );
        crate::i18n::set_locale(crate::i18n::Locale::Ru);
        let ru = too_large("big.iso", 10 * 1024 * 1024);
        crate::i18n::set_locale(crate::i18n::Locale::En);
        assert_eq!(
            ru,
            "Файл «big.iso» слишком большой: сервер принимает файлы до 10 МБ."
        );
        u.dismiss("1");
        assert!(u.items().is_empty());
    }

    #[test]
    fn cancelling_aborts_and_sends_nothing() {
        let mut u = Uploads::default();
        u.add("1".into(), peer(), file("a", 10), None, Some(true));
        u.add("2".into(), peer(), file("b", 10), None, Some(true));
        u.slot("1", "https://h/p".into(), vec![], "https://h/g".into());
        let a = u.cancel("1");
        assert_eq!(
            a,
            vec![
                Action::Abort { id: "1".into() },
                Action::RequestSlot {
                    id: "2".into(),
                    file: file("b", 10)
                }
            ]
        );
        // The aborted PUT reports an error afterwards: nothing is sent for it.
        assert!(u.put_done("1", Err("aborted".into())).is_empty());
        // Cancelled while asking for the slot: the slot that comes later is not used.
        u.cancel("2");
        assert!(u
            .slot("2", "https://h/p".into(), vec![], "https://h/g".into())
            .is_empty());
        assert!(u.items().is_empty());
    }

    #[test]
    fn slot_failures_and_missing_service_name_the_file() {
        let mut u = Uploads::default();
        u.add("1".into(), peer(), file("notes.txt", 1), None, None);
        u.slot_failed("1", "the service is not available");
        assert_eq!(
            u.items()[0].phase,
            Phase::Failed("Could not send notes.txt: the service is not available.".into())
        );
        u.add("2".into(), peer(), file("x.bin", 1), None, Some(false));
        assert_eq!(
            u.items()[1].phase,
            Phase::Failed("Could not send x.bin: your server does not offer file upload.".into())
        );
    }
}
