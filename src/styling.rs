//! XEP-0393 message styling: a body read as blocks (lines, `>` quotations, ``` preformatted
//! blocks) and spans (`*strong*`, `_emphasis_`, `~strike~`, `` `pre` ``), as data the view turns
//! into DOM nodes. Never HTML: every piece of text stays a `&str` of the body.
//!
//! Here rather than in `natter-store`: styling is how a body is shown, not something the
//! store keeps or merges, and it sits next to `linkify`, which the view applies to the plain
//! text inside the spans. Pure: tested natively.
//!
//! Nothing of the body is lost: every directive, quotation marker and fence is kept (as a
//! marker next to the text it belongs to), so the view can show them as XEP-0393 §6
//! recommends (dimmed, styled like their text, hidden from screen readers) and the message
//! still reads, and copies, as what was sent. Quotations nest at most [`MAX_QUOTE_DEPTH`]
//! deep; deeper `>` are text, so a hostile body cannot make the parser or the view recurse
//! without bound. Spans cost O(n log n) for a line of n bytes whatever it holds: a failed
//! opening directive never scans the line again (see [`Closers`]).

/// Quotations nested deeper than this show their remaining `>` as text.
pub const MAX_QUOTE_DEPTH: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block<'a> {
    /// One line of text with its spans (an empty line has none). `marker`: the quotation
    /// markers in front of it (`> `, `>> `…; empty outside quotations).
    Line {
        marker: &'a str,
        spans: Vec<Span<'a>>,
    },
    /// A preformatted block: its opening fence line (with any language hint), the lines as
    /// they are (no spans, no child blocks) and the closing fence, if there is one.
    Pre {
        open: Marked<'a>,
        lines: Vec<Marked<'a>>,
        close: Option<Marked<'a>>,
    },
    /// A quotation's child blocks.
    Quote(Vec<Block<'a>>),
}

/// One line of a preformatted block, with the quotation markers in front of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Marked<'a> {
    pub marker: &'a str,
    pub text: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Strong,
    Emphasis,
    Strike,
}

impl Style {
    pub fn directive(self) -> char {
        match self {
            Style::Strong => '*',
            Style::Emphasis => '_',
            Style::Strike => '~',
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span<'a> {
    Plain(&'a str),
    /// Text between two directives (which are not part of `children`).
    Styled {
        style: Style,
        children: Vec<Span<'a>>,
    },
    /// A preformatted span's text, between the backticks: never styled further.
    Code(&'a str),
}

/// The body as blocks. Lines end at `\n` (a `\r` before it is dropped).
pub fn parse(body: &str) -> Vec<Block<'_>> {
    let lines: Vec<Src<'_>> = body
        .split('\n')
        .map(|l| Src {
            line: l.strip_suffix('\r').unwrap_or(l),
            start: 0,
        })
        .collect();
    blocks(&lines, 0)
}

/// A line and where its content starts (after the quotation markers taken so far).
#[derive(Clone, Copy)]
struct Src<'a> {
    line: &'a str,
    start: usize,
}

impl<'a> Src<'a> {
    fn content(self) -> &'a str {
        &self.line[self.start..]
    }

    fn marked(self) -> Marked<'a> {
        Marked {
            marker: &self.line[..self.start],
            text: self.content(),
        }
    }
}

fn blocks<'a>(lines: &[Src<'a>], depth: usize) -> Vec<Block<'a>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let src = lines[i];
        let content = src.content();
        if content.starts_with("```") {
            // Ends at a line of exactly three backticks or at the end of the parent block;
            // the rest of the opening line (a language hint) is ignored.
            let end = lines[i + 1..]
                .iter()
                .position(|l| l.content() == "```")
                .map(|k| i + 1 + k);
            let content_end = end.unwrap_or(lines.len());
            out.push(Block::Pre {
                open: src.marked(),
                lines: lines[i + 1..content_end]
                    .iter()
                    .map(|l| l.marked())
                    .collect(),
                close: end.map(|e| lines[e].marked()),
            });
            i = end.map_or(lines.len(), |e| e + 1);
        } else if content.starts_with('>') && depth < MAX_QUOTE_DEPTH {
            let count = lines[i..]
                .iter()
                .take_while(|l| l.content().starts_with('>'))
                .count();
            let inner: Vec<Src<'a>> = lines[i..i + count]
                .iter()
                .map(|l| Src {
                    line: l.line,
                    start: l.start + 1 + leading_space(&l.content()[1..]),
                })
                .collect();
            out.push(Block::Quote(blocks(&inner, depth + 1)));
            i += count;
        } else {
            out.push(Block::Line {
                marker: &src.line[..src.start],
                spans: spans(content),
            });
            i += 1;
        }
    }
    out
}

/// XEP-0393 §5.1.3: the first leading whitespace character of a quoted line is not content.
/// Its length in bytes (0 if there is none).
fn leading_space(line: &str) -> usize {
    match line.chars().next() {
        Some(c) if c.is_whitespace() => c.len_utf8(),
        _ => 0,
    }
}

/// The spans of one line.
pub fn spans(line: &str) -> Vec<Span<'_>> {
    let closers = Closers::new(line);
    span_range(line, 0, line.len(), &closers)
}

const DIRECTIVES: [char; 4] = ['*', '_', '~', '`'];

/// Where each directive could close: positions of the character not preceded by whitespace
/// (nor at the start of the line), ascending. Lazy matching takes the first one after an
/// opening, found by binary search, so no opening directive rescans the line.
struct Closers {
    at: [Vec<usize>; 4],
}

impl Closers {
    fn new(line: &str) -> Self {
        let mut at: [Vec<usize>; 4] = Default::default();
        let mut prev: Option<char> = None;
        for (i, c) in line.char_indices() {
            if let Some(k) = DIRECTIVES.iter().position(|d| *d == c) {
                if prev.is_some_and(|p| !p.is_whitespace()) {
                    at[k].push(i);
                }
            }
            prev = Some(c);
        }
        Closers { at }
    }

    /// The first closing position for directive `k` at or after `from`.
    fn next(&self, k: usize, from: usize) -> Option<usize> {
        let list = &self.at[k];
        list.get(list.partition_point(|&p| p < from)).copied()
    }
}

/// The spans of `line[start..end]`. `start` is the line's beginning or just after an opening
/// directive, where an opening directive may stand (XEP-0393 v0.2.1: `*`…`*` around `` ` ``).
fn span_range<'a>(line: &'a str, start: usize, end: usize, closers: &Closers) -> Vec<Span<'a>> {
    let mut out = Vec::new();
    let mut plain_start = start;
    let mut prev: Option<char> = None;
    let mut i = start;
    while i < end {
        let Some(c) = line[i..end].chars().next() else {
            break;
        };
        let may_open = prev.is_none_or(char::is_whitespace);
        if let (true, Some(k)) = (may_open, DIRECTIVES.iter().position(|d| *d == c)) {
            // Directives are ASCII: the next character starts at i + 1.
            let next_is_text = line[i + 1..end]
                .chars()
                .next()
                .is_some_and(|n| !n.is_whitespace());
            let close = closers.next(k, i + 1).filter(|&j| j < end);
            if let (true, Some(j)) = (next_is_text, close) {
                // The first closer right after the opening would enclose nothing: no span.
                if j > i + 1 {
                    if plain_start < i {
                        out.push(Span::Plain(&line[plain_start..i]));
                    }
                    out.push(match c {
                        '*' => styled(Style::Strong, line, i, j, closers),
                        '_' => styled(Style::Emphasis, line, i, j, closers),
                        '~' => styled(Style::Strike, line, i, j, closers),
                        _ => Span::Code(&line[i + 1..j]),
                    });
                    i = j + 1;
                    plain_start = i;
                    prev = Some(c);
                    continue;
                }
            }
        }
        prev = Some(c);
        i += c.len_utf8();
    }
    if plain_start < end {
        out.push(Span::Plain(&line[plain_start..end]));
    }
    out
}

fn styled<'a>(
    style: Style,
    line: &'a str,
    open: usize,
    close: usize,
    closers: &Closers,
) -> Span<'a> {
    Span::Styled {
        style,
        children: span_range(line, open + 1, close, closers),
    }
}

#[cfg(test)]
mod tests {
    use super::Span::{Code, Plain};
    use super::*;

    fn strong(children: Vec<Span<'_>>) -> Span<'_> {
        Span::Styled {
            style: Style::Strong,
            children,
        }
    }

    fn em(children: Vec<Span<'_>>) -> Span<'_> {
        Span::Styled {
            style: Style::Emphasis,
            children,
        }
    }

    fn strike(children: Vec<Span<'_>>) -> Span<'_> {
        Span::Styled {
            style: Style::Strike,
            children,
        }
    }

    /// The text of the spans with the directives put back: the line itself.
    fn text(spans: &[Span<'_>]) -> String {
        spans
            .iter()
            .map(|s| match s {
                Plain(t) => t.to_string(),
                Code(t) => format!("`{t}`"),
                Span::Styled { style, children } => {
                    let d = style.directive();
                    format!("{d}{}{d}", text(children))
                }
            })
            .collect()
    }

    fn styled_count(spans: &[Span<'_>]) -> usize {
        spans
            .iter()
            .map(|s| match s {
                Plain(_) => 0,
                Code(_) => 1,
                Span::Styled { children, .. } => 1 + styled_count(children),
            })
            .sum()
    }

    /// The body back from its blocks: nothing may be lost.
    fn flatten(blocks: &[Block<'_>]) -> Vec<String> {
        let mut lines = Vec::new();
        for block in blocks {
            match block {
                Block::Line { marker, spans } => lines.push(format!("{marker}{}", text(spans))),
                Block::Pre {
                    open,
                    lines: body,
                    close,
                } => {
                    for m in std::iter::once(open).chain(body).chain(close) {
                        lines.push(format!("{}{}", m.marker, m.text));
                    }
                }
                Block::Quote(children) => lines.extend(flatten(children)),
            }
        }
        lines
    }

    /// A compact picture of the blocks: `[marker|text]` lines, `P(open;lines;close)`, `Q(…)`.
    fn shape(blocks: &[Block<'_>]) -> String {
        blocks
            .iter()
            .map(|block| match block {
                Block::Line { marker, spans } => format!("[{marker}|{}]", text(spans)),
                Block::Pre { open, lines, close } => format!(
                    "P({};{};{})",
                    open.text,
                    lines.iter().map(|l| l.text).collect::<Vec<_>>().join(","),
                    close.map_or("-", |c| c.text)
                ),
                Block::Quote(children) => format!("Q({})", shape(children)),
            })
            .collect()
    }

    #[test]
    fn the_xeps_styled_examples() {
        assert_eq!(spans("*strong*"), vec![strong(vec![Plain("strong")])]);
        assert_eq!(
            spans("plain *strong* plain"),
            vec![
                Plain("plain "),
                strong(vec![Plain("strong")]),
                Plain(" plain")
            ]
        );
        assert_eq!(
            spans("*strong* plain *strong*"),
            vec![
                strong(vec![Plain("strong")]),
                Plain(" plain "),
                strong(vec![Plain("strong")])
            ]
        );
        assert_eq!(
            spans("*strong*plain*"),
            vec![strong(vec![Plain("strong")]), Plain("plain*")]
        );
        assert_eq!(
            spans("* plain *strong*"),
            vec![Plain("* plain "), strong(vec![Plain("strong")])]
        );
        assert_eq!(
            spans("Everyone ~dis~likes cake."),
            vec![
                Plain("Everyone "),
                strike(vec![Plain("dis")]),
                Plain("likes cake.")
            ]
        );
        assert_eq!(
            spans("The full title is _Twelfth Night, or What You Will_ but"),
            vec![
                Plain("The full title is "),
                em(vec![Plain("Twelfth Night, or What You Will")]),
                Plain(" but")
            ]
        );
        assert_eq!(
            spans("This is `*monospace*`"),
            vec![Plain("This is "), Code("*monospace*")]
        );
        assert_eq!(
            spans("This is *`monospace and bold`*"),
            vec![Plain("This is "), strong(vec![Code("monospace and bold")])]
        );
        assert_eq!(
            spans("_emphasized span containing *strong span*_"),
            vec![em(vec![
                Plain("emphasized span containing "),
                strong(vec![Plain("strong span")])
            ])]
        );
    }

    #[test]
    fn the_xeps_unstyled_examples() {
        for line in [
            "not strong*",
            "*not strong",
            "*not *strong",
            "**",
            "****",
            "a * b * c",
            "~ ~",
        ] {
            assert_eq!(spans(line), vec![Plain(line)], "{line}");
        }
        // No span crosses a line.
        assert_eq!(shape(&parse("*not \n strong*")), "[|*not ][| strong*]");
        assert!(matches!(
            parse("*not \n strong*").as_slice(),
            [Block::Line { spans: a, .. }, Block::Line { spans: b, .. }]
                if *a == vec![Plain("*not ")] && *b == vec![Plain(" strong*")]
        ));
    }

    #[test]
    fn directives_need_text_next_to_them() {
        assert_eq!(spans("* a*"), vec![Plain("* a*")]);
        assert_eq!(spans("*a *"), vec![Plain("*a *")]);
        // Inside a word an underscore is not an opening directive.
        assert_eq!(spans("snake_case_name"), vec![Plain("snake_case_name")]);
        // Unicode whitespace counts (U+3000 ideographic space, U+00A0).
        assert_eq!(spans("*a\u{3000}*"), vec![Plain("*a\u{3000}*")]);
        assert_eq!(
            spans("x\u{a0}*b*"),
            vec![Plain("x\u{a0}"), strong(vec![Plain("b")])]
        );
    }

    #[test]
    fn the_xeps_blocks() {
        assert_eq!(
            shape(&parse(
                "```ignored\n(println \"Hello, world!\")\n```\n\nThis should show up"
            )),
            "P(```ignored;(println \"Hello, world!\");```)[|][|This should show up]"
        );
        // An unclosed block inside a quotation ends with the quotation.
        assert_eq!(
            shape(&parse(
                "> ```\n> (println \"Hello, world!\")\n\nThe entire blockquote"
            )),
            "Q(P(```;(println \"Hello, world!\");-))[|][|The entire blockquote]"
        );
        assert_eq!(
            shape(&parse(
                ">> That that is, is.\n> Said the old hermit of Prague.\n\nWho?"
            )),
            "Q(Q([>> |That that is, is.])[> |Said the old hermit of Prague.])[|][|Who?]"
        );
        // Only the first whitespace after `>` goes; spans work inside quotes, not in pre.
        let body = ">  *a*\n```\n*b*\n```";
        let blocks = parse(body);
        assert_eq!(shape(&blocks), "Q([> | *a*])P(```;*b*;```)");
        let Block::Quote(quote) = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert_eq!(
            quote[0],
            Block::Line {
                marker: "> ",
                spans: vec![Plain(" "), strong(vec![Plain("a")])]
            }
        );
        // A fence needs exactly three backticks alone to close; an unclosed one runs to the end.
        assert_eq!(shape(&parse("```\na\n``` \nb")), "P(```;a,``` ,b;-)");
        assert_eq!(shape(&parse("x\r\n*y*")), "[|x][|*y*]");
        // A lone `>` is an empty quotation, its marker kept.
        assert_eq!(shape(&parse(">")), "Q([>|])");
    }

    #[test]
    fn markup_stays_text() {
        let line = "*<script>alert(1)</script>* `<img src=x onerror=alert(1)>`";
        assert_eq!(
            spans(line),
            vec![
                strong(vec![Plain("<script>alert(1)</script>")]),
                Plain(" "),
                Code("<img src=x onerror=alert(1)>")
            ]
        );
    }

    #[test]
    fn deep_quotes_stop_nesting() {
        let body = ">".repeat(10_000) + " deep";
        let mut blocks = parse(&body);
        assert_eq!(flatten(&blocks), vec![body.clone()]);
        let mut depth = 0;
        while let [Block::Quote(children)] = blocks.as_slice() {
            depth += 1;
            blocks = children.clone();
        }
        assert_eq!(depth, MAX_QUOTE_DEPTH);
        let [Block::Line { marker, spans }] = blocks.as_slice() else {
            panic!("{blocks:?}");
        };
        assert_eq!(*marker, ">".repeat(MAX_QUOTE_DEPTH));
        assert_eq!(text(spans), ">".repeat(10_000 - MAX_QUOTE_DEPTH) + " deep");
    }

    #[test]
    fn hostile_lines_are_fast_and_lossless() {
        let started = std::time::Instant::now();
        let cases = [
            "*".repeat(10_000),
            // Every `*` opens and finds no closer: a rescan per opening would be ~10^9 steps.
            " *a".repeat(40_000),
            "*a ".repeat(10_000) + "*",
            "_*~`".repeat(5_000),
            "*_~`x`~_* ".repeat(2_000),
            "*_~`x".repeat(5_000) + &"x`~_*".repeat(5_000),
        ];
        for line in &cases {
            let parsed = spans(line);
            assert_eq!(&text(&parsed), line);
        }
        // Quadratic scanning would take seconds here even in a release build.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        // Nesting of four kinds at most (a style never encloses itself), each found.
        assert_eq!(styled_count(&spans(&cases[4])), 4 * 2_000);
    }

    #[test]
    fn any_utf8_round_trips() {
        // A small deterministic fuzz: random mixes of directives, whitespace and multi-byte
        // characters never panic and always give the text back.
        let alphabet = [
            '*', '_', '~', '`', ' ', '\u{3000}', 'é', '😀', 'a', '>', '\n', '\r',
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..2_000 {
            let mut s = String::new();
            for _ in 0..(seed % 24) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            for line in s.split('\n') {
                assert_eq!(text(&spans(line)), line, "{line:?}");
            }
            let lines: Vec<String> = s
                .split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
                .collect();
            assert_eq!(flatten(&parse(&s)), lines, "{s:?}");
        }
    }
}
