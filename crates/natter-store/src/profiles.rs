//! Avatars and names: images by hash (shared by every account that uses the same picture,
//! bounded, least recently used out first), which hash each account shows, and the names
//! from vCards and XEP-0172. The images are checked by the core before they get here.

use std::collections::HashMap;
use std::sync::Arc;

use jid::BareJid;
use natter_core::Event;

use crate::Changes;

/// Most images kept in memory (and in the cache).
pub const MAX_AVATARS: usize = 200;
/// Most accounts whose names and avatar hashes are kept (the roster is bounded the same way).
pub const MAX_PROFILES: usize = 10_000;

/// A checked image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Avatar {
    pub hash: String,
    pub mime: String,
    pub bytes: Arc<[u8]>,
}

/// What is known of an account's names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// From the vCard (vCard4 `fn`, vCard-temp `FN`).
    pub full_name: Option<String>,
    /// From the vCard.
    pub vcard_nickname: Option<String>,
    /// XEP-0172, announced through PEP.
    pub nickname: Option<String>,
    /// The vCard was fetched this session (the dialog shows "not given" rather than waiting).
    pub fetched: bool,
}

impl Profile {
    /// The nickname to show: the one the account announces, else its vCard's.
    pub fn nick(&self) -> Option<&str> {
        self.nickname.as_deref().or(self.vcard_nickname.as_deref())
    }
}

/// What the cache needs to write since the last batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileDirty {
    pub avatars_put: Vec<Avatar>,
    pub avatars_del: Vec<String>,
    /// (account, hash): `None` removes the entry.
    pub faces: Vec<(BareJid, Option<String>)>,
}

impl ProfileDirty {
    pub fn is_empty(&self) -> bool {
        self.avatars_put.is_empty() && self.avatars_del.is_empty() && self.faces.is_empty()
    }
}

#[derive(Debug, Default)]
pub struct Profiles {
    images: HashMap<String, (Avatar, u64)>,
    tick: u64,
    hashes: HashMap<BareJid, String>,
    names: HashMap<BareJid, Profile>,
    /// Images dropped from memory since the view last asked (it revokes their object URLs).
    evicted: Vec<String>,
    dirty: ProfileDirty,
}

impl Profiles {
    /// The image `jid` shows, if we have it.
    pub fn avatar_of(&self, jid: &BareJid) -> Option<&Avatar> {
        let hash = self.hashes.get(jid)?;
        self.images.get(hash).map(|(a, _)| a)
    }

    pub fn hash_of(&self, jid: &BareJid) -> Option<&str> {
        self.hashes.get(jid).map(String::as_str)
    }

    pub fn has_image(&self, hash: &str) -> bool {
        self.images.contains_key(hash)
    }

    pub fn profile(&self, jid: &BareJid) -> Option<&Profile> {
        self.names.get(jid)
    }

    pub fn image_count(&self) -> usize {
        self.images.len()
    }

    /// `jid` announced `hash` (`None`: no avatar). Whether anything changed.
    pub fn announced(&mut self, jid: BareJid, hash: Option<String>) -> bool {
        match hash {
            Some(hash) => {
                if self.hashes.get(&jid) == Some(&hash) {
                    return false;
                }
                if !self.hashes.contains_key(&jid) && self.hashes.len() >= MAX_PROFILES {
                    return false;
                }
                self.touch(&hash);
                self.dirty.faces.push((jid.clone(), Some(hash.clone())));
                self.hashes.insert(jid, hash);
                true
            }
            None => {
                let had = self.hashes.remove(&jid).is_some();
                if had {
                    self.dirty.faces.push((jid, None));
                }
                had
            }
        }
    }

    /// A checked image arrived (or came back from the cache: `cached`, nothing to write).
    pub fn image(&mut self, jid: Option<BareJid>, avatar: Avatar, cached: bool) -> bool {
        let hash = avatar.hash.clone();
        let mut changed = false;
        if let Some(jid) = jid {
            // The core only hands over what was asked for or what we published: the image
            // is this account's now.
            changed |= self.announced(jid, Some(hash.clone()));
        }
        if self.images.contains_key(&hash) {
            self.touch(&hash);
            return changed;
        }
        while self.images.len() >= MAX_AVATARS {
            let Some(oldest) = self
                .images
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(h, _)| h.clone())
            else {
                break;
            };
            self.images.remove(&oldest);
            self.dirty.avatars_del.push(oldest.clone());
            self.evicted.push(oldest);
        }
        self.tick += 1;
        if !cached {
            self.dirty.avatars_put.push(avatar.clone());
        }
        self.images.insert(hash, (avatar, self.tick));
        true
    }

    /// A restored `jid → hash` entry; one the session already set wins.
    pub fn restore_face(&mut self, jid: BareJid, hash: String) {
        if self.hashes.len() < MAX_PROFILES {
            self.hashes.entry(jid).or_insert(hash);
        }
    }

    pub fn set_profile(
        &mut self,
        jid: BareJid,
        full_name: Option<String>,
        nickname: Option<String>,
    ) -> bool {
        if !self.names.contains_key(&jid) && self.names.len() >= MAX_PROFILES {
            return false;
        }
        let entry = self.names.entry(jid).or_default();
        entry.full_name = full_name;
        entry.vcard_nickname = nickname;
        entry.fetched = true;
        true
    }

    pub fn set_nickname(&mut self, jid: BareJid, nickname: Option<String>) -> bool {
        if !self.names.contains_key(&jid) && self.names.len() >= MAX_PROFILES {
            return false;
        }
        let entry = self.names.entry(jid).or_default();
        let changed = entry.nickname != nickname;
        entry.nickname = nickname;
        changed
    }

    /// Hashes of images no longer kept, since the last call.
    pub fn take_evicted(&mut self) -> Vec<String> {
        std::mem::take(&mut self.evicted)
    }

    pub fn take_dirty(&mut self) -> Option<ProfileDirty> {
        (!self.dirty.is_empty()).then(|| std::mem::take(&mut self.dirty))
    }

    fn touch(&mut self, hash: &str) {
        self.tick += 1;
        if let Some((_, used)) = self.images.get_mut(hash) {
            *used = self.tick;
        }
    }
}

/// One core event about avatars or names; what the view must redraw (faces are in the roster
/// and in headers).
pub(crate) fn apply(profiles: &mut Profiles, event: Event) -> Changes {
    let changed = match event {
        Event::AvatarChanged { jid, hash } => profiles.announced(jid, hash),
        Event::Avatar {
            jid,
            hash,
            mime,
            bytes,
        } => {
            let avatar = Avatar {
                hash,
                mime,
                bytes: Arc::from(bytes),
            };
            profiles.image(Some(jid), avatar, false)
        }
        Event::Profile {
            jid,
            full_name,
            nickname,
        } => profiles.set_profile(jid, full_name, nickname),
        Event::Nickname { jid, nickname } => profiles.set_nickname(jid, nickname),
        _ => false,
    };
    Changes {
        roster: changed,
        messages: changed,
        ..Changes::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jid(s: &str) -> BareJid {
        s.parse().unwrap()
    }

    fn avatar(n: usize) -> Avatar {
        Avatar {
            hash: format!("{n:040x}"),
            mime: "image/png".into(),
            bytes: Arc::from(vec![n as u8]),
        }
    }

    #[test]
    fn accounts_map_to_shared_images_by_hash() {
        let mut p = Profiles::default();
        let a = avatar(1);
        assert!(p.announced(jid("a@x"), Some(a.hash.clone())));
        assert!(
            !p.announced(jid("a@x"), Some(a.hash.clone())),
            "same hash again"
        );
        assert!(p.avatar_of(&jid("a@x")).is_none(), "not fetched yet");
        assert!(p.image(Some(jid("a@x")), a.clone(), false));
        p.announced(jid("b@x"), Some(a.hash.clone()));
        assert_eq!(p.avatar_of(&jid("b@x")), Some(&a));
        assert_eq!(p.image_count(), 1);
        assert!(p.announced(jid("a@x"), None));
        assert!(p.avatar_of(&jid("a@x")).is_none());
        assert_eq!(p.avatar_of(&jid("b@x")), Some(&a));
        let dirty = p.take_dirty().unwrap();
        assert_eq!(dirty.avatars_put, vec![a]);
        assert_eq!(dirty.faces.last(), Some(&(jid("a@x"), None)));
        assert!(p.take_dirty().is_none());
    }

    #[test]
    fn least_recently_used_images_go_first() {
        let mut p = Profiles::default();
        for n in 0..MAX_AVATARS {
            p.image(None, avatar(n), false);
        }
        // Image 0 is used again: image 1 is now the oldest.
        p.announced(jid("a@x"), Some(avatar(0).hash));
        p.image(None, avatar(MAX_AVATARS), false);
        assert_eq!(p.image_count(), MAX_AVATARS);
        assert!(p.has_image(&avatar(0).hash));
        assert!(!p.has_image(&avatar(1).hash));
        assert_eq!(p.take_evicted(), vec![avatar(1).hash]);
        assert!(p.take_evicted().is_empty());
        assert_eq!(p.take_dirty().unwrap().avatars_del, vec![avatar(1).hash]);
        // A cached image coming back is not written again.
        let mut q = Profiles::default();
        q.image(None, avatar(7), true);
        assert!(q.take_dirty().is_none());
    }

    #[test]
    fn names_from_the_vcard_and_from_pep() {
        let mut p = Profiles::default();
        p.set_nickname(jid("a@x"), Some("al".into()));
        p.set_profile(jid("a@x"), Some("Alice".into()), Some("vcard-al".into()));
        let profile = p.profile(&jid("a@x")).unwrap();
        assert_eq!(profile.nick(), Some("al"));
        assert_eq!(profile.full_name.as_deref(), Some("Alice"));
        p.set_nickname(jid("a@x"), None);
        assert_eq!(p.profile(&jid("a@x")).unwrap().nick(), Some("vcard-al"));
        p.restore_face(jid("a@x"), "1".repeat(40));
        p.announced(jid("b@x"), Some("2".repeat(40)));
        p.restore_face(jid("b@x"), "3".repeat(40));
        assert_eq!(p.hash_of(&jid("b@x")), Some("2".repeat(40).as_str()));
    }
}
