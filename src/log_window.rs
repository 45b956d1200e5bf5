//! Which rows of a long chat log are in the DOM: the arithmetic of the virtualized `Messages`
//! log, pure and tested natively. The view ([`crate::view`]'s chat log) measures the rendered
//! rows and applies the result.
//!
//! Messages have different heights, so the log renders a contiguous run of rows in normal
//! flow between two spacers whose heights are the row count times an estimated row height.
//! Where the reader is comes from the rendered rows themselves when the viewport is inside
//! them, else from the estimate; when the run moves, a row that stays rendered keeps its
//! place on screen (the view corrects the scroll position), so estimates never show as jumps.

use natter_store::{Gap, StoredMessage};

/// Rows rendered beyond each edge of the viewport.
pub const OVERSCAN: usize = 10;
/// No row is shorter than this (CSS pixels): bounds how many rows a viewport can show.
pub const MIN_ROW_PX: f64 = 32.0;
/// Row height assumed before any row was measured.
pub const INITIAL_ESTIMATE_PX: f64 = 64.0;

/// The rows of a conversation's log: its messages in order, with gap markers between them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Shape {
    pub messages: usize,
    /// `(at, seq)` of the oldest message: when it changes with the count unchanged (the
    /// oldest left memory as a new one came), every row holds another message now.
    pub oldest: Option<(u64, u64)>,
    /// Each gap marker with the row it takes, in row order.
    pub gaps: Vec<(usize, Gap)>,
}

/// What one row shows.
#[derive(Debug, Clone, PartialEq)]
pub enum RowKind<'a> {
    /// The message at this index of the conversation's messages.
    Message(usize),
    Gap(&'a Gap),
}

impl Shape {
    /// `messages` in display order (by `at`, then `seq`), `gaps` oldest first. A gap sits just
    /// before the first message not older than it. O(gaps × log messages).
    pub fn new(messages: &[StoredMessage], gaps: &[Gap]) -> Shape {
        Shape::from_orders(messages.len(), |i| (messages[i].at, messages[i].seq), gaps)
    }

    /// [`Shape::new`] for any list of `count` items in display order, item `i` at position
    /// `order(i)` (a room's log keeps its own `(time, seq)`).
    pub fn from_orders(count: usize, order: impl Fn(usize) -> (u64, u64), gaps: &[Gap]) -> Shape {
        // The first item not before `at`: a binary search, the items being sorted.
        let first_from = |at: (u64, u64)| {
            let (mut lo, mut hi) = (0, count);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if order(mid) < at {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        let gaps = gaps
            .iter()
            .enumerate()
            .map(|(i, g)| (first_from((g.at, g.seq)) + i, g.clone()))
            .collect();
        Shape {
            messages: count,
            oldest: (count > 0).then(|| order(0)),
            gaps,
        }
    }

    pub fn rows(&self) -> usize {
        self.messages + self.gaps.len()
    }

    pub fn kind(&self, row: usize) -> RowKind<'_> {
        let mut before = 0;
        for (r, g) in &self.gaps {
            match r.cmp(&row) {
                std::cmp::Ordering::Less => before += 1,
                std::cmp::Ordering::Equal => return RowKind::Gap(g),
                std::cmp::Ordering::Greater => break,
            }
        }
        RowKind::Message(row - before)
    }

    /// The row of the message at `index`: after every gap marker that precedes it (gap `i`
    /// takes row `k + i`, where `k` is the index of the message after it).
    pub fn row_of_message(&self, index: usize) -> usize {
        let before = self
            .gaps
            .iter()
            .enumerate()
            .filter(|(i, (r, _))| r - i <= index)
            .count();
        index + before
    }
}

/// One rendered row as measured: its row number and its top and bottom edge in the scroll
/// container's content (CSS pixels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    pub row: usize,
    pub top: f64,
    pub bottom: f64,
}

/// The row at the top edge of the viewport. `rendered`: the rendered rows in order (the run
/// `first..last`); `estimate`: the assumed height of a row outside it.
pub fn row_at(scroll_top: f64, rendered: &[Measured], rows: usize, estimate: f64) -> usize {
    if rows == 0 {
        return 0;
    }
    let last_row = rows - 1;
    let (Some(first), Some(last)) = (rendered.first(), rendered.last()) else {
        return ((scroll_top / estimate).max(0.0) as usize).min(last_row);
    };
    if scroll_top < first.top {
        // Above the run: the spacer there stands for `first.row` rows of `estimate`.
        let above = ((first.top - scroll_top) / estimate).ceil() as usize;
        return first.row.saturating_sub(above);
    }
    if scroll_top >= last.bottom {
        let below = ((scroll_top - last.bottom) / estimate) as usize;
        return (last.row + 1 + below).min(last_row);
    }
    let i = rendered.partition_point(|m| m.bottom <= scroll_top);
    rendered.get(i).map_or(last.row, |m| m.row)
}

/// The run of rows to render when row `top_row` is at the top of a viewport `viewport` pixels
/// high.
pub fn run_for(top_row: usize, viewport: f64, rows: usize) -> (usize, usize) {
    let shown = (viewport / MIN_ROW_PX).ceil().max(1.0) as usize;
    let first = top_row.saturating_sub(OVERSCAN).min(rows);
    let last = (top_row + shown + OVERSCAN).min(rows);
    (first, last)
}

/// The run of rows to render when the reader is at the bottom.
pub fn run_at_end(viewport: f64, rows: usize) -> (usize, usize) {
    let shown = (viewport / MIN_ROW_PX).ceil().max(1.0) as usize;
    (rows.saturating_sub(shown + OVERSCAN), rows)
}

/// Whether the rendered run `current` must move to cover `wanted`: when the viewport is near
/// an edge of what is rendered (less than half the overscan left), not on every scroll event,
/// and whenever `wanted` reaches an end of the log that `current` stops short of.
pub fn must_move(current: (usize, usize), wanted: (usize, usize), rows: usize) -> bool {
    let (first, last) = current;
    let (want_first, want_last) = wanted;
    let slack = OVERSCAN / 2;
    // A wanted run is cut off at the ends of the log, so there its edge no longer tells how
    // much overscan is left: a run stopping up to `slack` rows short of the end would stay,
    // with the viewport on the spacer that stands for the missing rows.
    let short_above = first > 0 && (want_first + slack < first || want_first == 0);
    let short_below = last < rows && (want_last > last + slack || want_last == rows);
    // Far more rendered than needed (after a jump): shrink.
    let bloated = (last - first) > 3 * (want_last - want_first).max(1);
    let outside = want_last <= first || want_first >= last;
    short_above || short_below || bloated || outside || first > rows || last > rows
}

/// A running estimate of a row's height from the rendered rows: the average, kept within
/// sane bounds so one huge message cannot blow the spacers up.
pub fn estimate(rendered: &[Measured], previous: f64) -> f64 {
    let (Some(first), Some(last)) = (rendered.first(), rendered.last()) else {
        return previous;
    };
    let avg = (last.bottom - first.top) / rendered.len() as f64;
    if !avg.is_finite() || avg <= 0.0 {
        return previous;
    }
    // Smooth: the spacers should not change much between two scroll events.
    (previous * 0.5 + avg * 0.5).clamp(MIN_ROW_PX, 400.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jid::{BareJid, Jid};
    use natter_core::{ChatMessage, Direction};
    use natter_store::DeliveryState;

    fn msg(at: u64, seq: u64) -> StoredMessage {
        StoredMessage {
            msg: ChatMessage {
                id: format!("m{seq}"),
                direction: Direction::Incoming,
                peer: BareJid::new("bob@example.org").unwrap(),
                from: Jid::new("bob@example.org/a").unwrap(),
                body: "hi".into(),
                delayed: None,
                stanza_id: None,
                origin_id: None,
                archived: false,
                ext: Default::default(),
            },
            state: DeliveryState::Sent,
            at,
            seq,
        }
    }

    fn gap(at: u64, seq: u64) -> Gap {
        Gap {
            at,
            seq,
            before: Some(format!("s{seq}")),
        }
    }

    #[test]
    fn gaps_take_rows_before_the_message_they_precede() {
        let messages: Vec<_> = (0..10).map(|i| msg(i * 10, i)).collect();
        // Before message 3 (at 30), before message 7 (at 70), and after everything.
        let shape = Shape::new(&messages, &[gap(25, 100), gap(70, 7), gap(1_000, 0)]);
        assert_eq!(shape.rows(), 13);
        let rows: Vec<_> = shape.gaps.iter().map(|(r, _)| *r).collect();
        assert_eq!(rows, vec![3, 8, 12]);
        assert_eq!(shape.kind(0), RowKind::Message(0));
        assert_eq!(shape.kind(2), RowKind::Message(2));
        assert_eq!(shape.kind(3), RowKind::Gap(&shape.gaps[0].1));
        assert_eq!(shape.kind(4), RowKind::Message(3));
        assert_eq!(shape.kind(7), RowKind::Message(6));
        assert_eq!(shape.kind(8), RowKind::Gap(&shape.gaps[1].1));
        assert_eq!(shape.kind(9), RowKind::Message(7));
        assert_eq!(shape.kind(11), RowKind::Message(9));
        assert_eq!(shape.kind(12), RowKind::Gap(&shape.gaps[2].1));
        for i in 0..10 {
            assert_eq!(
                shape.kind(shape.row_of_message(i)),
                RowKind::Message(i),
                "message {i}"
            );
        }
    }

    #[test]
    fn a_shape_without_gaps_is_the_messages() {
        let messages: Vec<_> = (0..5).map(|i| msg(i, i)).collect();
        let shape = Shape::new(&messages, &[]);
        assert_eq!(shape.rows(), 5);
        assert_eq!(shape.kind(4), RowKind::Message(4));
        assert_eq!(shape.row_of_message(4), 4);
        assert_eq!(Shape::new(&[], &[gap(0, 0)]).rows(), 1);
    }

    fn measured(first_row: usize, top: f64, heights: &[f64]) -> Vec<Measured> {
        let mut y = top;
        heights
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let m = Measured {
                    row: first_row + i,
                    top: y,
                    bottom: y + h,
                };
                y += h;
                m
            })
            .collect()
    }

    #[test]
    fn row_at_reads_the_rendered_rows_and_estimates_outside_them() {
        // Rows 100..105 rendered below a spacer of 100 × 50 px, of uneven heights.
        let rendered = measured(100, 5_000.0, &[40.0, 120.0, 40.0, 40.0, 200.0]);
        assert_eq!(row_at(5_000.0, &rendered, 1_000, 50.0), 100);
        assert_eq!(row_at(5_039.0, &rendered, 1_000, 50.0), 100);
        assert_eq!(row_at(5_040.0, &rendered, 1_000, 50.0), 101);
        assert_eq!(row_at(5_159.0, &rendered, 1_000, 50.0), 101);
        assert_eq!(row_at(5_300.0, &rendered, 1_000, 50.0), 104);
        // Above: by the estimate.
        assert_eq!(row_at(4_990.0, &rendered, 1_000, 50.0), 99);
        assert_eq!(row_at(0.0, &rendered, 1_000, 50.0), 0);
        // Below: by the estimate, never past the end.
        assert_eq!(row_at(5_440.0, &rendered, 1_000, 50.0), 105);
        assert_eq!(row_at(5_440.0 + 50.0 * 10.0, &rendered, 1_000, 50.0), 115);
        assert_eq!(row_at(1e9, &rendered, 1_000, 50.0), 999);
        // Nothing rendered yet.
        assert_eq!(row_at(500.0, &[], 1_000, 50.0), 10);
        assert_eq!(row_at(500.0, &[], 0, 50.0), 0);
    }

    #[test]
    fn runs_cover_the_viewport_with_overscan() {
        let (first, last) = run_for(500, 640.0, 100_000);
        assert_eq!(first, 500 - OVERSCAN);
        assert_eq!(last, 500 + 20 + OVERSCAN);
        assert_eq!(run_for(3, 640.0, 100_000).0, 0);
        assert_eq!(run_for(99_990, 640.0, 100_000).1, 100_000);
        assert_eq!(
            run_at_end(640.0, 100_000),
            (100_000 - 20 - OVERSCAN, 100_000)
        );
        assert_eq!(run_at_end(640.0, 5), (0, 5));
        // Never more rows than a viewport of the smallest rows can show, plus overscan.
        let (f, l) = run_for(50_000, 900.0, 100_000);
        assert!(l - f <= (900.0 / MIN_ROW_PX).ceil() as usize + 2 * OVERSCAN);
    }

    #[test]
    fn the_run_moves_only_near_its_edges() {
        let rows = 10_000;
        let current = run_for(1_000, 640.0, rows);
        // A few rows of scrolling stay within the overscan.
        assert!(!must_move(current, run_for(1_002, 640.0, rows), rows));
        assert!(!must_move(current, run_for(998, 640.0, rows), rows));
        // Close to the edge: move.
        assert!(must_move(
            current,
            run_for(1_000 + OVERSCAN, 640.0, rows),
            rows
        ));
        assert!(must_move(
            current,
            run_for(1_000 - OVERSCAN, 640.0, rows),
            rows
        ));
        // A jump far away.
        assert!(must_move(current, run_for(9_000, 640.0, rows), rows));
        // At the very top and bottom there is nothing more to render.
        let top = run_for(0, 640.0, rows);
        assert!(!must_move(top, run_for(0, 640.0, rows), rows));
        let end = run_at_end(640.0, rows);
        assert!(!must_move(end, run_at_end(640.0, rows), rows));
        // The conversation shrank under the run (a trim).
        assert!(must_move((9_000, 9_040), run_at_end(640.0, 500), 500));
    }

    /// A reader scrolls a log of equal rows (so the estimate is exact) from the bottom to the
    /// top and back in steps of `step` pixels, the run moving as the view moves it; after every
    /// step each row in the viewport must be rendered.
    fn scroll_round_trip(rows: usize, row_px: f64, viewport: f64, step: f64) {
        let content = rows as f64 * row_px;
        let bottom = (content - viewport).max(0.0);
        let mut run = run_at_end(viewport, rows);
        let mut positions: Vec<f64> = Vec::new();
        let mut y = bottom;
        while y > 0.0 {
            y = (y - step).max(0.0);
            positions.push(y);
        }
        while y < bottom {
            y = (y + step).min(bottom);
            positions.push(y);
        }
        for scroll_top in positions {
            let top_row = ((scroll_top / row_px) as usize).min(rows - 1);
            let wanted = if scroll_top >= bottom {
                run_at_end(viewport, rows)
            } else {
                run_for(top_row, viewport, rows)
            };
            if must_move(run, wanted, rows) {
                run = wanted;
            }
            let in_view = top_row..(((scroll_top + viewport) / row_px).ceil() as usize).min(rows);
            assert!(
                run.0 <= in_view.start && in_view.end <= run.1,
                "{rows} rows of {row_px} px, viewport {viewport}, step {step}: at {scroll_top} \
                 rows {in_view:?} are in view but {run:?} are rendered"
            );
        }
        assert_eq!(run.1, rows, "back at the bottom, the last row is rendered");
    }

    #[test]
    fn every_row_in_view_is_rendered_after_scrolling_to_the_top_and_back() {
        // The e2e repro: 100 messages of 57 px in a 728 px log, read in steps of 70 % of it.
        scroll_round_trip(100, 57.0, 728.0, 509.6);
        for rows in [30, 100, 2_000] {
            for row_px in [32.0, 48.0, 57.0, 90.0] {
                for viewport in [300.0, 728.0, 1_000.0] {
                    for step in [10.0, 40.0, 100.0, 0.7 * viewport] {
                        scroll_round_trip(rows, row_px, viewport, step);
                    }
                }
            }
        }
    }

    #[test]
    fn a_run_short_of_an_end_reaches_it_when_the_wanted_run_does() {
        // Seen in the browser: rows 53..96 of 100 rendered with the reader at the bottom.
        assert!(must_move((53, 96), run_at_end(728.0, 100), 100));
        assert!(must_move((53, 96), run_for(80, 728.0, 100), 100));
        // The same at the top: rows 0..3 left to a spacer.
        assert!(must_move((3, 40), run_for(0, 728.0, 100), 100));
        // Already at the ends: nothing to do.
        assert!(!must_move((0, 43), run_for(0, 728.0, 100), 100));
        assert!(!must_move((67, 100), run_at_end(728.0, 100), 100));
    }

    #[test]
    fn the_estimate_follows_measurements_within_bounds() {
        let rendered = measured(0, 0.0, &[100.0, 100.0]);
        assert_eq!(estimate(&rendered, 60.0), 80.0);
        assert_eq!(estimate(&[], 60.0), 60.0);
        let huge = measured(0, 0.0, &[10_000.0]);
        assert_eq!(estimate(&huge, 60.0), 400.0);
        let tiny = measured(0, 0.0, &[1.0, 1.0]);
        assert_eq!(estimate(&tiny, 32.0), MIN_ROW_PX);
    }
}
