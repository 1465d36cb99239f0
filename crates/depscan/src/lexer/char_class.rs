//! Character classes of the lexer (the character sets of `lexer.mll`) and
//! the word-at-a-time (SWAR) searches that skip identifiers, indentation,
//! comments and strings eight bytes at a time.

/// Character classes, one bit each, looked up in [`CLASSES`].
pub(super) const IDENT: u8 = 1;

pub(super) const IDENT_LATIN1: u8 = 2;

pub(super) const LOWER: u8 = 4;

pub(super) const LOWER_LATIN1: u8 = 8;

pub(super) const UPPER_LATIN1: u8 = 16;

pub(super) const SYMBOL: u8 = 32;

/// The classes of every byte, as in the character sets of `lexer.mll`.
pub(super) static CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut class = 0;
        let lower = b.is_ascii_lowercase() || b == b'_';
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'\'' {
            class |= IDENT | IDENT_LATIN1;
        }
        if (b >= 0xC0 && b <= 0xD6) || (b >= 0xD8 && b <= 0xF6) || b >= 0xF8 {
            class |= IDENT_LATIN1;
        }
        if lower {
            class |= LOWER | LOWER_LATIN1;
        }
        if (b >= 0xDF && b <= 0xF6) || b >= 0xF8 {
            class |= LOWER_LATIN1;
        }
        if b.is_ascii_uppercase() || (b >= 0xC0 && b <= 0xD6) || (b >= 0xD8 && b <= 0xDE) {
            class |= UPPER_LATIN1;
        }
        if matches!(
            b,
            b'!' | b'$'
                | b'%'
                | b'&'
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'/'
                | b':'
                | b'<'
                | b'='
                | b'>'
                | b'?'
                | b'@'
                | b'^'
                | b'|'
                | b'~'
        ) {
            class |= SYMBOL;
        }
        table[i] = class;
        i += 1;
    }
    table
};

pub(super) fn has_class(b: u8, class: u8) -> bool {
    CLASSES[b as usize] & class != 0
}

pub(super) fn is_identchar(b: u8) -> bool {
    has_class(b, IDENT)
}

pub(super) fn is_identchar_latin1(b: u8) -> bool {
    has_class(b, IDENT_LATIN1)
}

pub(super) fn is_lowercase(b: u8) -> bool {
    has_class(b, LOWER)
}

pub(super) fn is_lowercase_latin1(b: u8) -> bool {
    has_class(b, LOWER_LATIN1)
}

pub(super) fn is_uppercase_latin1(b: u8) -> bool {
    has_class(b, UPPER_LATIN1)
}

pub(super) fn is_symbolchar(b: u8) -> bool {
    has_class(b, SYMBOL)
}

pub(super) fn is_symbolchar_or_hash(b: u8) -> bool {
    is_symbolchar(b) || b == b'#'
}

pub(super) fn is_dotsymbolchar(b: u8) -> bool {
    is_symbolchar(b) && !matches!(b, b'.' | b'<' | b'~')
}

pub(super) fn is_kwdopchar(b: u8) -> bool {
    matches!(
        b,
        b'$' | b'&' | b'*' | b'+' | b'-' | b'/' | b'<' | b'=' | b'>' | b'@' | b'^' | b'|'
    )
}

pub(super) fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | 0x0C)
}

/// Bytes whose high bit marks the bytes of a word (SWAR).
pub(super) const HIGH: u64 = 0x8080_8080_8080_8080;

/// `c` in every byte of a word.
pub(super) const fn splat(c: u8) -> u64 {
    (c as u64) * 0x0101_0101_0101_0101
}

/// For each byte of `low7` (high bits clear), the high bit set when the
/// byte is within `lo..=hi` (both below 128).
pub(super) fn bytes_between(low7: u64, lo: u8, hi: u8) -> u64 {
    let at_least_lo = low7.wrapping_add(splat(128 - lo)) & HIGH;
    let above_hi = low7.wrapping_add(splat(127 - hi)) & HIGH;
    at_least_lo & !above_hi
}

/// The end of the run of ASCII identifier characters (`[A-Za-z0-9_']`)
/// starting at `from`, eight bytes at a time.
#[inline]
pub(super) fn ascii_ident_end(src: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(chunk) = src.get(at..at + 8) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let word = u64::from_le_bytes(bytes);
        let low7 = word & !HIGH;
        let letters = bytes_between(low7 | splat(0x20), b'a', b'z');
        let digits = bytes_between(low7, b'0', b'9');
        let underscores = bytes_between(low7, b'_', b'_');
        let quotes = bytes_between(low7, b'\'', b'\'');
        let ident = (letters | digits | underscores | quotes) & !word & HIGH;
        let run = (!ident & HIGH).trailing_zeros() / 8;
        at += run as usize;
        if run < 8 {
            return at;
        }
    }
    while at < src.len() && is_identchar(src[at]) {
        at += 1;
    }
    at
}

/// For each byte of `word`, the high bit set where the byte is `c` (exact
/// for the lowest such byte, which is all the callers use).
pub(super) fn bytes_equal(word: u64, c: u8) -> u64 {
    let diff = word ^ splat(c);
    diff.wrapping_sub(splat(1)) & !diff & HIGH
}

/// The first byte at or after `from` for which `special` holds, eight bytes
/// at a time where `mask` (the SWAR version of `special`) allows; the
/// length of `src` if there is none.
pub(super) fn find_special(
    src: &[u8],
    from: usize,
    mask: impl Fn(u64) -> u64,
    special: impl Fn(u8) -> bool,
) -> usize {
    let mut at = from;
    while let Some(chunk) = src.get(at..at + 8) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let found = mask(u64::from_le_bytes(bytes));
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while at < src.len() && !special(src[at]) {
        at += 1;
    }
    at
}

/// The next byte that matters in a comment: `(`, `*`, `"`, `{` or `'`.
pub(super) fn find_comment_special(src: &[u8], from: usize) -> usize {
    find_special(
        src,
        from,
        |w| {
            bytes_equal(w, b'(')
                | bytes_equal(w, b'*')
                | bytes_equal(w, b'"')
                | bytes_equal(w, b'{')
                | bytes_equal(w, b'\'')
        },
        |b| matches!(b, b'(' | b'*' | b'"' | b'{' | b'\''),
    )
}

/// The next `"` or `\` in a string.
pub(super) fn find_string_special(src: &[u8], from: usize) -> usize {
    find_special(
        src,
        from,
        |w| bytes_equal(w, b'"') | bytes_equal(w, b'\\'),
        |b| b == b'"' || b == b'\\',
    )
}

/// The end of the run of spaces starting at `from` (indentation is often
/// long: eight bytes at a time).
pub(super) fn spaces_end(src: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(chunk) = src.get(at..at + 8) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let others = u64::from_le_bytes(bytes) ^ splat(b' ');
        if others != 0 {
            return at + (others.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while src.get(at) == Some(&b' ') {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_byte_search() {
        let text = b"abcdefghij(klmnopq*rst\"uvw{xyz'0123456789\\end";
        for from in 0..text.len() {
            let slow = (from..text.len())
                .find(|&i| matches!(text[i], b'(' | b'*' | b'"' | b'{' | b'\''))
                .unwrap_or(text.len());
            assert_eq!(find_comment_special(text, from), slow, "from {from}");
            let slow = (from..text.len())
                .find(|&i| matches!(text[i], b'"' | b'\\'))
                .unwrap_or(text.len());
            assert_eq!(find_string_special(text, from), slow, "from {from}");
        }
    }

    #[test]
    fn identifier_runs() {
        let text = b"abc_12'x+ y \xC9t\xE9 a_very_long_identifier_indeed.";
        for from in 0..text.len() {
            let slow = from
                + text[from..]
                    .iter()
                    .position(|&b| !is_identchar(b))
                    .unwrap_or(text.len() - from);
            assert_eq!(ascii_ident_end(text, from), slow, "from {from}");
        }
    }
}
