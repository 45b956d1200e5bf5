//! Why we are out of a room, in the plain words of the room's `alert`.

use natter_core::room::LeaveReason;

/// Addressed to the user, with the reason the moderator gave; `None` when we left on
/// purpose.
pub fn removal_words(reason: &LeaveReason, text: Option<String>) -> Option<String> {
    let words = match reason {
        LeaveReason::Left => return None,
        LeaveReason::Kicked => "You were kicked from the room",
        LeaveReason::Banned => "You were banned from the room",
        LeaveReason::AffiliationChanged => "You were removed from the room (membership changed)",
        LeaveReason::MembersOnly => "You were removed: the room is now for members only",
        LeaveReason::Shutdown => "You left: the chat service is shutting down",
        LeaveReason::Error => "You were removed from the room by a technical error",
        LeaveReason::Destroyed { .. } => "The room was closed",
    };
    Some(match text.filter(|t| !t.trim().is_empty()) {
        Some(t) => format!("{words}: {}", t.trim()),
        None => words.to_owned(),
    })
}
