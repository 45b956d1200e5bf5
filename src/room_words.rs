//! The roster's and the rooms' sentences and labels that depend on data (a count, an
//! occupant's standing, an invitation), from the catalogue. Pure, so the words in both
//! languages are tested natively; the views in `src/view/` only place them.

use natter_core::{Affiliation, Invitation, Role};

use crate::i18n::{t, t_args};

/// "3 mentions", for the screen-reader text of a room's `@` badge.
pub fn mentions(count: u32) -> String {
    t_args("room-mention-count", &[("count", count.into())])
}

/// A short word for an occupant's standing worth showing; ordinary participants get none.
pub fn badge(role: Role, affiliation: Affiliation) -> Option<String> {
    let id = match (role, affiliation) {
        (_, Affiliation::Owner) => "room-badge-owner",
        (_, Affiliation::Admin) => "room-badge-admin",
        (Role::Moderator, _) => "room-badge-moderator",
        (Role::Visitor, _) => "room-badge-visitor",
        _ => return None,
    };
    Some(t(id))
}

/// Who invites, where to, and why, as one sentence of plain text.
pub fn invitation(inv: &Invitation) -> String {
    let from = inv.from.to_bare();
    let room = inv.room.to_string();
    // A room that names no inviter vouches for the invitation itself.
    let head = if from == inv.room {
        t_args("room-invitation-from-room", &[("room", room.into())])
    } else {
        t_args(
            "room-invitation",
            &[("from", from.to_string().into()), ("room", room.into())],
        )
    };
    match inv
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        Some(reason) => format!("{head}: {reason}"),
        None => head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{set_locale, Locale};

    fn invitation_from(from: &str, reason: Option<&str>) -> Invitation {
        Invitation {
            room: "tea@rooms.example.org".parse().unwrap(),
            from: from.parse().unwrap(),
            password: None,
            reason: reason.map(str::to_string),
            direct: true,
        }
    }

    #[test]
    fn english_words_are_the_ones_the_tests_match() {
        assert_eq!(mentions(1), "1 mention");
        assert_eq!(mentions(4), "4 mentions");
        assert_eq!(
            badge(Role::Participant, Affiliation::Owner).as_deref(),
            Some("owner")
        );
        assert_eq!(badge(Role::Participant, Affiliation::Member), None);
        assert_eq!(
            invitation(&invitation_from(
                "alice@example.org/pc",
                Some("  tea time ")
            )),
            "alice@example.org invites you to tea@rooms.example.org: tea time"
        );
        assert_eq!(
            invitation(&invitation_from("tea@rooms.example.org", None)),
            "You are invited to tea@rooms.example.org"
        );
    }

    #[test]
    fn russian_plurals_and_arguments() {
        set_locale(Locale::Ru);
        let cases = [
            (1, "1 упоминание"),
            (2, "2 упоминания"),
            (4, "4 упоминания"),
            (5, "5 упоминаний"),
            (11, "11 упоминаний"),
            (20, "20 упоминаний"),
            (21, "21 упоминание"),
            (22, "22 упоминания"),
            (25, "25 упоминаний"),
            (111, "111 упоминаний"),
        ];
        let got: Vec<_> = cases.iter().map(|(n, _)| mentions(*n)).collect();
        let inv = invitation(&invitation_from("alice@example.org", Some("чай")));
        let badge = badge(Role::Moderator, Affiliation::None);
        set_locale(Locale::En);
        for ((n, want), got) in cases.iter().zip(got) {
            assert_eq!(&got, want, "n = {n}");
        }
        assert_eq!(
            inv,
            "alice@example.org приглашает вас в tea@rooms.example.org: чай"
        );
        assert_eq!(badge.as_deref(), Some("модератор"));
    }
}
