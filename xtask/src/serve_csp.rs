//! The Content-Security-Policy the app runs under (docs/deploy.md): no inline script or style,
//! wasm compiled from the page's own files only, images from anywhere secure (avatars, link
//! previews later), and connections only to the configured XMPP endpoints. Images and media
//! (shared files) also from the local test servers' plain-HTTP loopback origins, as the
//! client itself allows (natter_core::file_url).

/// Everything but `connect-src`, which depends on where the XMPP server is. The service worker
/// (`sw.js`) and the web app manifest need nothing more: `worker-src` falls back to `script-src`,
/// `manifest-src` to `default-src`.
pub const BASE: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
                        style-src 'self'; img-src 'self' https: data: blob: http://127.0.0.1:* \
                        http://localhost:*; media-src 'self' https: blob: http://127.0.0.1:* \
                        http://localhost:*; object-src 'none'; \
                        base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// For pages whose users type any Connection URL (tests that aim at dead ports, a dev page
/// pointed at another server): every WebSocket and HTTP(S) endpoint. `--connect-src any`.
pub const ANY_ENDPOINT: &str = "'self' ws: wss: http: https:";

/// The `--connect-src` value as a source list (`any` is [`ANY_ENDPOINT`]).
pub fn connect_src_option(value: &str) -> Result<String, String> {
    let value = if value.trim() == "any" {
        ANY_ENDPOINT
    } else {
        value
    };
    check_connect_src(value)?;
    Ok(value.trim().to_string())
}

/// The whole policy with this `connect-src` source list.
pub fn policy(connect_src: &str) -> String {
    format!("{BASE}; connect-src {}", connect_src.trim())
}

/// `connect-src` for the one-origin dev server: its own origin (`/xmpp-websocket`,
/// `/http-bind`, host-meta; CSP 3 `'self'` covers `ws:` to the same host and port), plus the XMPP
/// server's own HTTP port on loopback, which `cargo xtask demo`'s direct link names.
pub fn dev_connect_src(backend: Option<u16>) -> String {
    let mut sources = vec!["'self'".to_string()];
    if let Some(port) = backend {
        for host in ["127.0.0.1", "localhost"] {
            sources.push(format!("ws://{host}:{port}"));
            sources.push(format!("http://{host}:{port}"));
        }
    }
    sources.join(" ")
}

/// Refuses a source list that would break the header or widen more than `connect-src`.
pub fn check_connect_src(value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err("--connect-src: empty (use \"'none'\" to allow no connection)".into());
    }
    if value
        .chars()
        .any(|c| c.is_control() || matches!(c, ';' | ',') || !c.is_ascii())
    {
        return Err(format!(
            "--connect-src {value:?}: one source list, without `;`, `,` or control characters"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_of_the_issue() {
        let p = policy("'self'");
        for directive in [
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval'",
            "style-src 'self'",
            "img-src 'self' https: data: blob: http://127.0.0.1:* http://localhost:*",
            "media-src 'self' https: blob: http://127.0.0.1:* http://localhost:*",
            "connect-src 'self'",
        ] {
            assert!(p.split("; ").any(|d| d == directive), "{directive} in {p}");
        }
        assert!(!p.contains("unsafe-inline") && !p.contains("'unsafe-eval'"));
    }

    #[test]
    fn dev_server_sources() {
        assert_eq!(dev_connect_src(None), "'self'");
        assert_eq!(
            dev_connect_src(Some(5280)),
            "'self' ws://127.0.0.1:5280 http://127.0.0.1:5280 ws://localhost:5280 http://localhost:5280"
        );
    }

    #[test]
    fn connect_src_cannot_inject_directives() {
        assert!(check_connect_src("'self' wss://x.example").is_ok());
        assert_eq!(connect_src_option("any").unwrap(), ANY_ENDPOINT);
        assert!(connect_src_option("'self'; x").is_err());
        for bad in ["", "  ", "'self'; script-src *", "a\r\nX-Evil: 1", "x,y"] {
            assert!(check_connect_src(bad).is_err(), "{bad:?}");
        }
    }
}
