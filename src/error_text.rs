//! The core's errors in the UI's language. natter-core's `Display` is English and the core
//! must not depend on the app's catalogue, so the app maps each kind to a message of its own
//! (in English the same words as `Display`: the tests below hold them together). Pure:
//! tested natively.

use natter_core::Error;

use crate::i18n::{t, t_args};

/// What went wrong, as a phrase (no final full stop where `Display` has none).
pub fn describe(err: &Error) -> String {
    match err {
        // RFC 6120 §6.5 conditions in the user's words; the server's own text is jargon for
        // the common case and is only shown for the rare ones.
        Error::AuthFailed { condition, text } => match condition.as_str() {
            "not-authorized" | "invalid-authzid" | "invalid-mechanism" => t("conn-auth-wrong"),
            "account-disabled" => t("conn-auth-disabled"),
            natter_core::SAVED_SIGN_IN_EXPIRED => t("conn-auth-saved-expired"),
            "credentials-expired" => t("conn-auth-password-expired"),
            "temporary-auth-failure" => t("conn-auth-try-again"),
            _ => with_text(
                t_args("conn-auth-other", &[("condition", condition.into())]),
                text,
            ),
        },
        Error::NoUsableMechanism { offered } => {
            let offered = if offered.is_empty() {
                t("conn-no-mechanism-nothing")
            } else {
                offered.join(", ")
            };
            t_args("conn-no-mechanism", &[("offered", offered.into())])
        }
        Error::StreamError { condition, text } => with_text(
            t_args("conn-stream-error", &[("condition", condition.into())]),
            text,
        ),
        Error::Redirect { to } => t_args("conn-redirect", &[("to", to.into())]),
        Error::Protocol(what) => t_args("conn-protocol", &[("what", what.into())]),
        Error::TransportClosed { reason: Some(r) } => {
            t_args("conn-transport-lost-reason", &[("reason", r.into())])
        }
        Error::TransportClosed { reason: None } => t("conn-transport-lost"),
        Error::Timeout => t("conn-timeout"),
    }
}

/// The server's own words after ours (text from the network: shown as text, never markup).
fn with_text(head: String, text: &Option<String>) -> String {
    match text {
        Some(text) => format!("{head}: {text}"),
        None => head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{set_locale, Locale};

    fn all() -> Vec<Error> {
        let auth = |c: &str, text: Option<&str>| Error::AuthFailed {
            condition: c.into(),
            text: text.map(Into::into),
        };
        vec![
            auth("not-authorized", None),
            auth("invalid-authzid", Some("x")),
            auth("invalid-mechanism", None),
            auth("account-disabled", None),
            auth(natter_core::SAVED_SIGN_IN_EXPIRED, None),
            auth("credentials-expired", None),
            auth("temporary-auth-failure", None),
            auth("malformed-request", None),
            auth("aborted", Some("Go away")),
            Error::NoUsableMechanism { offered: vec![] },
            Error::NoUsableMechanism {
                offered: vec!["PLAIN".into(), "X-OAUTH2".into()],
            },
            Error::StreamError {
                condition: "conflict".into(),
                text: None,
            },
            Error::StreamError {
                condition: "policy-violation".into(),
                text: Some("<b>too fast</b>".into()),
            },
            Error::Redirect {
                to: "wss://b.example/ws".into(),
            },
            Error::Protocol("bad XML".into()),
            Error::TransportClosed {
                reason: Some("the server is restarting (code 1012)".into()),
            },
            Error::TransportClosed { reason: None },
            Error::Timeout,
        ]
    }

    #[test]
    fn english_is_the_cores_own_words() {
        for err in all() {
            assert_eq!(describe(&err), err.to_string(), "{err:?}");
        }
    }

    #[test]
    fn russian_translates_every_kind_and_keeps_the_servers_words() {
        set_locale(Locale::Ru);
        let texts: Vec<String> = all().iter().map(describe).collect();
        let wrong = describe(&Error::AuthFailed {
            condition: "not-authorized".into(),
            text: None,
        });
        let stream = describe(&Error::StreamError {
            condition: "conflict".into(),
            text: Some("Replaced".into()),
        });
        set_locale(Locale::En);
        for (err, text) in all().iter().zip(&texts) {
            assert_ne!(*text, err.to_string(), "{err:?} is not translated");
            assert!(!text.is_empty());
        }
        assert_eq!(wrong, "Не удалось войти: неверный адрес или пароль.");
        assert_eq!(stream, "Сервер завершил сеанс (conflict): Replaced");
    }
}
