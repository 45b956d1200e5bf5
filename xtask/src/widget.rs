//! The embeddable widget's files in the bundle: `widget.js` (unhashed, the URL embedders
//! write into their pages) with the hashed names of the glue, the wasm and the app's CSS that
//! Trunk produced, `widget.css` (the bubble and panel), and `widget-app-<hash>.css`: the app's
//! stylesheet made fit for a shadow root.
//!
//! Why a second copy of the app's CSS: inside a shadow root `:root` and `html, body` match
//! nothing, and `rem` follows the *host page's* html font-size (a shop with `html { font-size:
//! 10px }` would shrink the chat by a third). [`shadow_css`] rewrites those three things; the
//! full app keeps its stylesheet as it is.

use crate::util::{self, Result};
use std::path::Path;

/// The widget's top element (widget/widget.js): where the app's variables and font live.
const TOP: &str = ".nw-root";
/// The container the wasm mounts into: what `html, body` were for the full app.
const BODY: &str = ".nw-body";

/// Writes the widget's files into `dir` after Trunk built it there.
pub fn write(dir: &Path) -> Result {
    let root = util::root();
    let html = read(&dir.join("index.html"))?;
    let glue = meta_content(&html, "natter-js").ok_or("index.html: no natter-js meta")?;
    let wasm = meta_content(&html, "natter-wasm").ok_or("index.html: no natter-wasm meta")?;
    let main_css = stylesheet(&html).ok_or("index.html: no stylesheet link")?;
    // main-<hash>.css -> widget-app-<hash>.css: a new name whenever the app's CSS changes.
    let app_css = format!(
        "widget-app-{}",
        main_css.strip_prefix("main-").unwrap_or(&main_css)
    );
    let source = read(&root.join("style/main.css"))?;
    let extra = read(&root.join("widget/app-extra.css"))?;
    write_file(
        &dir.join(&app_css),
        &format!("{}\n{extra}", shadow_css(&source)),
    )?;
    let js = fill(
        &read(&root.join("widget/widget.js"))?,
        &glue,
        &wasm,
        &app_css,
    )?;
    write_file(&dir.join("widget.js"), &js)?;
    write_file(
        &dir.join("widget.css"),
        &read(&root.join("widget/widget.css"))?,
    )
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| format!("read {}: {e}", path.display()))
}

fn write_file(path: &Path, text: &str) -> Result {
    std::fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))
}

/// Puts the file names into widget.js's placeholders; fails if one is missing (a renamed
/// placeholder would otherwise ship a widget that 404s on open).
fn fill(js: &str, glue: &str, wasm: &str, css: &str) -> Result<String> {
    let mut out = js.to_string();
    for (placeholder, value) in [
        ("__NATTER_GLUE__", glue),
        ("__NATTER_WASM__", wasm),
        ("__NATTER_APP_CSS__", css),
    ] {
        if !out.contains(placeholder) {
            return Err(format!("widget/widget.js has no {placeholder}"));
        }
        out = out.replace(placeholder, &bare_name(value));
    }
    Ok(out)
}

/// `./app-1f.js` -> `app-1f.js` (the widget resolves names against its own URL).
fn bare_name(name: &str) -> String {
    name.trim_start_matches("./").to_string()
}

/// The `content` of `<meta name="NAME" content="…">` (quoted or not: the page is minified).
fn meta_content(html: &str, name: &str) -> Option<String> {
    tags(html, "<meta")
        .find(|t| attr(t, "name").as_deref() == Some(name))
        .and_then(|t| attr(t, "content"))
        .map(|v| bare_name(&v))
}

/// The href of the page's (one) stylesheet.
fn stylesheet(html: &str) -> Option<String> {
    tags(html, "<link")
        .find(|t| attr(t, "rel").as_deref() == Some("stylesheet"))
        .and_then(|t| attr(t, "href"))
        .map(|v| bare_name(&v))
}

/// The tags of `html` that start with `open` (`<meta`), up to their `>`.
fn tags<'a>(html: &'a str, open: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    let mut rest = html;
    std::iter::from_fn(move || {
        let i = rest.find(open)?;
        let end = i + rest[i..].find('>')?;
        let tag = &rest[i..end];
        rest = &rest[end..];
        Some(tag)
    })
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=");
    let mut from = 0;
    let i = loop {
        let i = from + tag[from..].find(&key)?;
        if i > 0 && tag.as_bytes()[i - 1].is_ascii_whitespace() {
            break i;
        }
        from = i + key.len();
    };
    let v = &tag[i + key.len()..];
    match v.chars().next() {
        Some(q @ ('"' | '\'')) => v[1..].find(q).map(|j| v[1..1 + j].to_string()),
        _ => {
            let end = v
                .find(|c: char| c.is_whitespace() || c == '>')
                .unwrap_or(v.len());
            Some(v[..end].to_string())
        }
    }
}

/// The app's stylesheet for a shadow root: `:root` becomes the widget's top element (and its
/// dark-scheme block also answers to `data-theme`), `html, body` the mount container, and every
/// `rem` a multiple of `--nw-rem` (set in px on the top element).
pub fn shadow_css(css: &str) -> String {
    let css = rem_to_var(css);
    let dark_marker = "@media (prefers-color-scheme: dark) {";
    let mut out = String::with_capacity(css.len() + 2048);
    let mut dark_copy = None;
    let mut rest = css.as_str();
    while let Some(i) = rest.find(dark_marker) {
        out.push_str(&rest[..i]);
        let block_start = i + dark_marker.len();
        let Some(len) = block_len(&rest[block_start..]) else {
            break;
        };
        let inner = &rest[block_start..block_start + len];
        let themed = if inner.trim_start().starts_with(":root") {
            // The page asked for a theme: dark only when it did not ask for light.
            dark_copy = Some(inner.trim().replacen(
                ":root",
                &format!("{TOP}[data-theme=\"dark\"]"),
                1,
            ));
            inner.replacen(":root", &format!("{TOP}:not([data-theme=\"light\"])"), 1)
        } else {
            inner.to_string()
        };
        out.push_str(dark_marker);
        out.push_str(&themed);
        out.push('}');
        rest = &rest[block_start + len + 1..];
    }
    out.push_str(rest);
    let mut out = out
        .replace(":root", TOP)
        .replace("html,\nbody", BODY)
        .replace("html, body", BODY);
    if let Some(dark) = dark_copy {
        out.push_str("\n/* data-theme=\"dark\" (widget) */\n");
        out.push_str(&dark);
        out.push('\n');
    }
    out
}

/// The length of a `{…}` block's inside, `s` starting right after its `{`.
fn block_len(s: &str) -> Option<usize> {
    let mut depth = 1;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// `0.87rem` -> `calc(0.87 * var(--nw-rem))`; identifiers that merely end in "rem" stay.
fn rem_to_var(css: &str) -> String {
    let b = css.as_bytes();
    let mut out = String::with_capacity(css.len() + css.len() / 8);
    let mut last = 0;
    let mut i = 0;
    while let Some(off) = css[i..].find("rem") {
        let at = i + off;
        i = at + 3;
        let after_ok = b
            .get(at + 3)
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_'));
        let mut start = at;
        while start > 0 && (b[start - 1].is_ascii_digit() || b[start - 1] == b'.') {
            start -= 1;
        }
        if start == at || !after_ok {
            continue;
        }
        if start > 0 && b[start - 1] == b'-' {
            start -= 1;
        }
        // A number glued to an identifier (`h1rem`) is not a length.
        if start > 0 && (b[start - 1].is_ascii_alphabetic() || b[start - 1] == b'_') {
            continue;
        }
        out.push_str(&css[last..start]);
        out.push_str(&format!("calc({} * var(--nw-rem))", &css[start..at]));
        last = at + 3;
    }
    out.push_str(&css[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rem_follows_the_widget_not_the_host() {
        assert_eq!(
            rem_to_var("a { padding: 0.45rem -1rem; margin: 2rem; }"),
            "a { padding: calc(0.45 * var(--nw-rem)) calc(-1 * var(--nw-rem)); margin: calc(2 * var(--nw-rem)); }"
        );
        assert_eq!(rem_to_var(".remove { x: lorem; }"), ".remove { x: lorem; }");
        assert_eq!(
            rem_to_var("min(24rem, 1px)"),
            "min(calc(24 * var(--nw-rem)), 1px)"
        );
    }

    #[test]
    fn root_and_dark_theme_move_to_the_top_element() {
        let css = ":root {\n  --bg: #fff;\n}\n@media (prefers-color-scheme: dark) {\n  :root {\n    --bg: #000;\n  }\n}\nhtml,\nbody {\n  margin: 0;\n}\n@media (prefers-color-scheme: dark) {\n  .x { color: red; }\n}\n";
        let out = shadow_css(css);
        assert!(!out.contains(":root"), "{out}");
        assert!(out.starts_with(".nw-root {"), "{out}");
        assert!(
            out.contains(".nw-root:not([data-theme=\"light\"]) {\n    --bg: #000;"),
            "{out}"
        );
        assert!(
            out.contains(".nw-root[data-theme=\"dark\"] {\n    --bg: #000;"),
            "{out}"
        );
        assert!(out.contains(".nw-body {\n  margin: 0;"), "{out}");
        assert!(out.contains("  .x { color: red; }"), "{out}");
        assert_eq!(out.matches('{').count(), out.matches('}').count(), "{out}");
    }

    #[test]
    fn the_real_stylesheet_converts() {
        let css = std::fs::read_to_string(util::root().join("style/main.css")).unwrap();
        let out = shadow_css(&css);
        assert!(!out.contains(":root") && !out.contains("html,"));
        assert!(
            !out.contains("rem;") && !out.contains("rem "),
            "a rem survived"
        );
        assert!(out.contains("[data-theme=\"dark\"]"));
        assert_eq!(out.matches('{').count(), out.matches('}').count());
    }

    #[test]
    fn placeholders_are_filled_or_the_build_fails() {
        let js = "const G='__NATTER_GLUE__', W='__NATTER_WASM__', C='__NATTER_APP_CSS__';";
        let out = fill(js, "./app-1.js", "./app-1_bg.wasm", "widget-app-2.css").unwrap();
        assert_eq!(
            out,
            "const G='app-1.js', W='app-1_bg.wasm', C='widget-app-2.css';"
        );
        assert!(fill("const G='__NATTER_GLUE__';", "a", "b", "c").is_err());
    }

    #[test]
    fn names_come_from_the_built_page() {
        let html = r#"<head><link rel="stylesheet" href="./main-ab.css" integrity="x"><meta name="natter-js" content="./app-1.js"><meta name="natter-wasm" content="./app-1_bg.wasm"></head>"#;
        assert_eq!(meta_content(html, "natter-js").as_deref(), Some("app-1.js"));
        assert_eq!(
            meta_content(html, "natter-wasm").as_deref(),
            Some("app-1_bg.wasm")
        );
        assert_eq!(stylesheet(html).as_deref(), Some("main-ab.css"));
        let min = "<link href=./main-c.css rel=stylesheet><meta content=./app-2.js name=natter-js>";
        assert_eq!(stylesheet(min).as_deref(), Some("main-c.css"));
        assert_eq!(meta_content(min, "natter-js").as_deref(), Some("app-2.js"));
    }
}
