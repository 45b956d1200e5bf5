//! How a shared file (an XEP-0066 URL that is the whole message, as after an HTTP upload) is
//! shown: an image, a player, a download link or, for a URL the app will not fetch, text.
//! Decided from the URL alone (scheme, host, extension) with [`natter_core::file_url`]'s
//! rule; the name shown is the URL's last path segment, decoded, as text.

use natter_core::file_url::FileUrl;
use natter_core::ChatMessage;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Image,
    Audio,
    Video,
    /// A link to download (any other file, or a plain-`http:` URL not on loopback).
    Download,
    /// Not an `http(s)` URL at all (`javascript:`, `data:`, malformed): shown as text only.
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub url: String,
    pub name: String,
    pub kind: Kind,
}

const IMAGES: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "avif"];
const AUDIO: &[&str] = &["mp3", "ogg", "opus", "m4a", "wav"];
const VIDEO: &[&str] = &["mp4", "webm"];

/// The file a message is, if it is one: it carries an OOB URL and its body is that URL (or
/// empty). A message with other text is shown as text.
pub fn of(msg: &ChatMessage) -> Option<Attachment> {
    let oob = msg.ext.oob.as_ref()?;
    let body = msg.body.trim();
    (body.is_empty() || body == oob.url).then(|| classify(&oob.url))
}

pub fn classify(url: &str) -> Attachment {
    let Some(parsed) = FileUrl::parse(url) else {
        return Attachment {
            url: url.to_owned(),
            name: url.to_owned(),
            kind: Kind::Text,
        };
    };
    let name = parsed
        .file_name()
        .unwrap_or_else(|| crate::i18n::t("attachment-unnamed"));
    let ext = parsed.extension().unwrap_or_default();
    // SVG is never inline: an image that can carry script. Neither is anything over plain
    // HTTP across a network.
    let kind = if !parsed.fetchable() {
        Kind::Download
    } else if IMAGES.contains(&ext.as_str()) {
        Kind::Image
    } else if AUDIO.contains(&ext.as_str()) {
        Kind::Audio
    } else if VIDEO.contains(&ext.as_str()) {
        Kind::Video
    } else {
        Kind::Download
    };
    Attachment {
        url: url.to_owned(),
        name,
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_extension_and_scheme() {
        let a = classify("https://up.example/x/Cat%20%C3%A9t%C3%A9.JPEG");
        assert_eq!((a.kind, a.name.as_str()), (Kind::Image, "Cat été.JPEG"));
        assert_eq!(classify("http://127.0.0.1:5280/f/a.png").kind, Kind::Image);
        assert_eq!(classify("https://u.example/v.webm").kind, Kind::Video);
        assert_eq!(classify("https://u.example/song.opus").kind, Kind::Audio);
        assert_eq!(classify("https://u.example/a.svg").kind, Kind::Download);
        assert_eq!(
            classify("https://u.example/report.pdf").kind,
            Kind::Download
        );
        assert_eq!(classify("http://u.example/a.png").kind, Kind::Download);
        assert_eq!(classify("https://u.example/").name, "file");
    }

    #[test]
    fn hostile_urls_never_become_links() {
        for url in [
            "javascript:alert(1)",
            "JavaScript://x/%0Aalert(1)",
            "data:image/png;base64,AAAA",
            "https://a.example/\"><img src=x onerror=alert(1)>",
            "vbscript:msgbox(1)",
        ] {
            assert_eq!(classify(url).kind, Kind::Text, "{url}");
        }
        let a = classify("https://a.example/%3Cscript%3Ealert(1)%3C%2Fscript%3E.png");
        assert_eq!(a.name, "<script>alert(1)</script>.png", "a name is text");
    }
}
