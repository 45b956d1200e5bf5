//! Which announced avatars to fetch: every image a contact announces that the store (memory,
//! or the offline cache restored into it) does not already hold by its hash. The core skips
//! a fetch of the same image already running.

use natter_core::{Command, Event};

use crate::state::AppState;

pub(super) fn fetch_for(state: &AppState, event: &Event) -> Option<Command> {
    let Event::AvatarChanged {
        jid,
        hash: Some(hash),
    } = event
    else {
        return None;
    };
    if state.peek(|s| s.profiles.has_image(hash)) {
        return None;
    }
    Some(Command::FetchAvatar {
        jid: jid.clone(),
        hash: hash.clone(),
    })
}
