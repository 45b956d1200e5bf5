//! The app state's side of the avatar cache: what the store reports changed about images and
//! faces goes to IndexedDB; on opening an account, what the cache holds goes back into the
//! store before the session asks for anything (so no known face is fetched again).

use leptos::prelude::*;
use natter_store::ProfileDirty;

use super::AppState;
use crate::persist::Cache;

impl AppState {
    pub(super) fn save_profiles(&self, dirty: Option<ProfileDirty>) {
        let Some(d) = dirty else {
            return;
        };
        self.cache.with_value(|c| {
            if let Some(c) = c {
                c.save_profiles(d);
            }
        });
    }

    pub(super) async fn restore_profiles(&self, cache: &Cache) {
        let (avatars, faces) = cache.load_profiles().await;
        if avatars.is_empty() && faces.is_empty() {
            return;
        }
        self.store.update_value(|s| {
            for (jid, hash) in faces {
                s.profiles.restore_face(jid, hash);
            }
            for avatar in avatars {
                s.profiles.image(None, avatar, true);
            }
        });
        self.roster.notify();
        self.messages.notify();
    }
}
