//! A re-implementation of the line-breaking engine of OCaml's `Format`
//! module (4.13), enough of it to reproduce ocamlbuild's wrapped output
//! (`-show-tags`, `-documentation`): boxes, break hints, forced newlines and
//! flushes, with the default margin of 78 and maximum indentation of 68.
//!
//! The algorithm is Format's: tokens wait in a queue until their size is
//! known (a break's size runs to the next break of the same box, a box's to
//! its end) or until the waiting text no longer fits on the line, in which
//! case the first waiting token is printed as if it were infinitely large.
//! That second rule is why a line never reaches 78 columns.

use std::collections::VecDeque;

const INFINITY: i64 = 1_000_000_010;

/// How a box breaks its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BoxKind {
    /// `@[<n>`: break when needed, and also when that reduces indentation.
    Structural,
    /// `@[<hov n>`: break only when needed.
    Hov,
    /// A box whose contents fit on the line: never breaks.
    Fits,
}

#[derive(Debug, Clone)]
enum Token {
    Text(String),
    Begin { indent: i64, kind: BoxKind },
    End,
    Break { width: i64, offset: i64 },
    Newline,
}

#[derive(Debug)]
struct Queued {
    size: i64,
    token: Token,
    length: i64,
}

#[derive(Debug, Clone, Copy)]
struct Scan {
    left_total: i64,
    /// Absolute queue index of the break or box; `None` is the bottom guard.
    target: Option<usize>,
    /// Is the target a break (rather than a box opening)?
    is_break: bool,
}

#[derive(Debug, Clone, Copy)]
struct Open {
    kind: BoxKind,
    width: i64,
}

/// A pretty-printer writing into a string.
#[derive(Debug)]
pub(crate) struct Printer {
    margin: i64,
    max_indent: i64,
    space_left: i64,
    current_indent: i64,
    is_new_line: bool,
    left_total: i64,
    right_total: i64,
    depth: i64,
    queue: VecDeque<Queued>,
    /// Absolute index of the queue's front element.
    front: usize,
    scan: Vec<Scan>,
    boxes: Vec<Open>,
    out: String,
}

impl Printer {
    /// A fresh formatter, like `Format.std_formatter` at program start.
    pub(crate) fn new() -> Printer {
        let margin = 78;
        let mut p = Printer {
            margin,
            max_indent: margin - 10,
            space_left: margin,
            current_indent: 0,
            is_new_line: true,
            left_total: 1,
            right_total: 1,
            depth: 1,
            queue: VecDeque::new(),
            front: 0,
            scan: vec![Scan {
                left_total: -1,
                target: None,
                is_break: false,
            }],
            boxes: Vec::new(),
            out: String::new(),
        };
        // The system box, whose size is never known until a flush.
        p.queue.push_back(Queued {
            size: -1,
            token: Token::Begin {
                indent: 0,
                kind: BoxKind::Hov,
            },
            length: 0,
        });
        p.scan.push(Scan {
            left_total: 1,
            target: Some(0),
            is_break: false,
        });
        p
    }

    /// The text printed so far.
    pub(crate) fn finish(self) -> String {
        self.out
    }

    fn output_newline(&mut self) {
        self.out.push('\n');
    }

    fn output_spaces(&mut self, n: i64) {
        for _ in 0..n.max(0) {
            self.out.push(' ');
        }
    }

    fn format_text(&mut self, size: i64, text: &str) {
        self.space_left -= size;
        self.out.push_str(text);
        self.is_new_line = false;
    }

    fn break_new_line(&mut self, offset: i64, width: i64) {
        self.output_newline();
        self.is_new_line = true;
        let indent = self.margin - width + offset;
        let real_indent = self.max_indent.min(indent);
        self.current_indent = real_indent;
        self.space_left = self.margin - self.current_indent;
        self.output_spaces(self.current_indent);
    }

    fn break_same_line(&mut self, width: i64) {
        self.space_left -= width;
        self.output_spaces(width);
    }

    fn force_break_line(&mut self) {
        match self.boxes.last().copied() {
            None => self.output_newline(),
            Some(Open { kind, width }) => {
                if width > self.space_left && kind != BoxKind::Fits {
                    self.break_new_line(0, width);
                }
            }
        }
    }

    fn format_token(&mut self, size: i64, token: Token) {
        match token {
            Token::Text(s) => self.format_text(size, &s),
            Token::Begin { indent, kind } => {
                let insertion_point = self.margin - self.space_left;
                if insertion_point > self.max_indent {
                    self.force_break_line();
                }
                let width = self.space_left - indent;
                let kind = if size > self.space_left {
                    kind
                } else {
                    BoxKind::Fits
                };
                self.boxes.push(Open { kind, width });
            }
            Token::End => {
                self.boxes.pop();
            }
            Token::Newline => match self.boxes.last().copied() {
                None => self.output_newline(),
                Some(Open { width, .. }) => self.break_new_line(0, width),
            },
            Token::Break { width: w, offset } => {
                let Some(Open { kind, width }) = self.boxes.last().copied() else {
                    return;
                };
                match kind {
                    BoxKind::Hov => {
                        if size > self.space_left {
                            self.break_new_line(offset, width);
                        } else {
                            self.break_same_line(w);
                        }
                    }
                    BoxKind::Structural => {
                        if self.is_new_line {
                            self.break_same_line(w);
                        } else if size > self.space_left
                            || self.current_indent > self.margin - width + offset
                        {
                            self.break_new_line(offset, width);
                        } else {
                            self.break_same_line(w);
                        }
                    }
                    BoxKind::Fits => self.break_same_line(w),
                }
            }
        }
    }

    fn advance(&mut self) {
        while let Some(front) = self.queue.front() {
            let pending = self.right_total - self.left_total;
            if !(front.size >= 0 || pending >= self.space_left) {
                return;
            }
            let Some(q) = self.queue.pop_front() else {
                return;
            };
            self.front += 1;
            let size = if q.size >= 0 { q.size } else { INFINITY };
            self.format_token(size, q.token);
            self.left_total += q.length;
        }
    }

    fn enqueue(&mut self, q: Queued) -> usize {
        self.right_total += q.length;
        self.queue.push_back(q);
        self.front + self.queue.len() - 1
    }

    fn set_size(&mut self, is_break: bool) {
        let Some(top) = self.scan.last().copied() else {
            return;
        };
        if top.left_total < self.left_total {
            self.scan.clear();
            self.scan.push(Scan {
                left_total: -1,
                target: None,
                is_break: false,
            });
            return;
        }
        let Some(index) = top.target else {
            return;
        };
        if top.is_break == is_break {
            let right_total = self.right_total;
            // A token already printed keeps its old size: it is not used again.
            if let Some(q) = index
                .checked_sub(self.front)
                .and_then(|i| self.queue.get_mut(i))
            {
                q.size += right_total;
            }
            self.scan.pop();
        }
    }

    fn scan_push(&mut self, is_break: bool, q: Queued) {
        let index = self.enqueue(q);
        if is_break {
            self.set_size(true);
        }
        self.scan.push(Scan {
            left_total: self.right_total,
            target: Some(index),
            is_break,
        });
    }

    /// `@[<indent>` (structural) or `@[<hov indent>`.
    pub(crate) fn open_box(&mut self, indent: i64, kind: BoxKind) {
        self.depth += 1;
        let size = -self.right_total;
        self.scan_push(
            false,
            Queued {
                size,
                token: Token::Begin { indent, kind },
                length: 0,
            },
        );
    }

    /// `@]`.
    pub(crate) fn close_box(&mut self) {
        if self.depth > 1 {
            self.enqueue(Queued {
                size: 0,
                token: Token::End,
                length: 0,
            });
            self.set_size(true);
            self.set_size(false);
            self.depth -= 1;
        }
    }

    /// Prints a string (its length in bytes is its width).
    pub(crate) fn text(&mut self, s: &str) {
        let len = i64::try_from(s.len()).unwrap_or(INFINITY);
        self.enqueue(Queued {
            size: len,
            token: Token::Text(s.to_string()),
            length: len,
        });
        self.advance();
    }

    /// `@;<width offset>`; `@ ` is `brk(1, 0)`.
    pub(crate) fn brk(&mut self, width: i64, offset: i64) {
        let size = -self.right_total;
        self.scan_push(
            true,
            Queued {
                size,
                token: Token::Break { width, offset },
                length: width,
            },
        );
    }

    /// `@\n`.
    pub(crate) fn force_newline(&mut self) {
        self.enqueue(Queued {
            size: 0,
            token: Token::Newline,
            length: 0,
        });
        self.advance();
    }

    /// `@.`: closes every box, prints everything, a newline, and resets.
    pub(crate) fn flush_newline(&mut self) {
        while self.depth > 1 {
            self.close_box();
        }
        self.right_total = INFINITY;
        self.advance();
        self.output_newline();
        // Reinitialise, as Format's `pp_rinit` does.
        self.queue.clear();
        self.front = 0;
        self.left_total = 1;
        self.right_total = 1;
        self.scan.clear();
        self.scan.push(Scan {
            left_total: -1,
            target: None,
            is_break: false,
        });
        self.boxes.clear();
        self.current_indent = 0;
        self.depth = 0;
        self.space_left = self.margin;
        self.open_box(0, BoxKind::Hov);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(ws: &[&str]) -> String {
        let mut p = Printer::new();
        p.open_box(2, BoxKind::Structural);
        for (i, w) in ws.iter().enumerate() {
            if i > 0 {
                p.text(",");
                p.brk(1, 0);
            }
            p.text(w);
        }
        p.close_box();
        p.flush_newline();
        p.finish()
    }

    #[test]
    fn short_contents_stay_on_one_line() {
        assert_eq!(words(&["a", "b", "c"]), "a, b, c\n");
    }

    #[test]
    fn lines_stop_short_of_the_margin() {
        let w = "x".repeat(10);
        let ws: Vec<&str> = std::iter::repeat_n(w.as_str(), 12).collect();
        let s = words(&ws);
        for line in s.lines() {
            assert!(line.len() < 78, "{line:?}");
        }
        assert!(s.lines().count() > 1);
        assert!(s.lines().nth(1).is_some_and(|l| l.starts_with("  x")));
    }
}
