//! Canonical S-expressions, the framing of the plugin protocol: an atom is
//! `<decimal length>:<bytes>` (any bytes), a list is `(`, its items, `)`.
//! Messages are written back to back, each followed by a newline that
//! readers skip. No escaping is ever needed, so OCaml and Rust agree on
//! every string byte for byte.

use std::fmt;
use std::io::{self, BufRead, Write};

/// A value: an atom or a list.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Sexp {
    /// Bytes (protocol atoms are UTF-8 in practice; paths and flags may not be).
    Atom(Vec<u8>),
    /// A list of values.
    List(Vec<Sexp>),
}

impl Sexp {
    /// An atom from text.
    pub fn atom(s: impl AsRef<str>) -> Sexp {
        Sexp::Atom(s.as_ref().as_bytes().to_vec())
    }

    /// A list of atoms.
    pub fn atoms<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Sexp {
        Sexp::List(items.into_iter().map(Sexp::atom).collect())
    }

    /// A list.
    pub fn list(items: Vec<Sexp>) -> Sexp {
        Sexp::List(items)
    }

    /// The text of an atom (lossy for invalid UTF-8).
    pub fn as_str(&self) -> Option<String> {
        match self {
            Sexp::Atom(b) => Some(String::from_utf8_lossy(b).into_owned()),
            Sexp::List(_) => None,
        }
    }

    /// The items of a list.
    pub fn as_list(&self) -> Option<&[Sexp]> {
        match self {
            Sexp::List(l) => Some(l),
            Sexp::Atom(_) => None,
        }
    }

    /// The texts of a list of atoms.
    pub fn as_strings(&self) -> Option<Vec<String>> {
        self.as_list()?.iter().map(Sexp::as_str).collect()
    }

    /// Whether this is the atom `s`.
    pub fn is(&self, s: &str) -> bool {
        matches!(self, Sexp::Atom(b) if b == s.as_bytes())
    }

    /// The canonical encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Sexp::Atom(b) => {
                out.extend_from_slice(b.len().to_string().as_bytes());
                out.push(b':');
                out.extend_from_slice(b);
            }
            Sexp::List(items) => {
                out.push(b'(');
                for i in items {
                    i.encode_into(out);
                }
                out.push(b')');
            }
        }
    }

    /// Parses one value from the start of `bytes`; returns it and the rest.
    pub fn decode(bytes: &[u8]) -> io::Result<(Sexp, &[u8])> {
        let mut i = 0;
        while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        let mut stack: Vec<Vec<Sexp>> = Vec::new();
        loop {
            let b = *bytes.get(i).ok_or_else(|| bad("truncated value"))?;
            let done = match b {
                b'(' => {
                    i += 1;
                    stack.push(Vec::new());
                    None
                }
                b')' => {
                    i += 1;
                    Some(Sexp::List(
                        stack.pop().ok_or_else(|| bad("unbalanced ')'"))?,
                    ))
                }
                b'0'..=b'9' => {
                    let colon = bytes[i..]
                        .iter()
                        .position(|&c| c == b':')
                        .ok_or_else(|| bad("truncated length"))?;
                    let len: usize = std::str::from_utf8(&bytes[i..i + colon])
                        .ok()
                        .and_then(|t| t.parse().ok())
                        .ok_or_else(|| bad("bad length"))?;
                    let start = i + colon + 1;
                    let atom = bytes
                        .get(start..start + len)
                        .ok_or_else(|| bad("truncated atom"))?;
                    i = start + len;
                    Some(Sexp::Atom(atom.to_vec()))
                }
                other => return Err(bad(&format!("unexpected byte {other:#04x}"))),
            };
            if let Some(v) = done {
                match stack.last_mut() {
                    Some(top) => top.push(v),
                    None => return Ok((v, &bytes[i..])),
                }
            }
        }
    }
}

impl fmt::Debug for Sexp {
    /// A readable form: atoms quoted only when needed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sexp::Atom(b) => {
                let s = String::from_utf8_lossy(b);
                let bare = !s.is_empty()
                    && s.bytes()
                        .all(|c| c.is_ascii_alphanumeric() || b"-_./%:+,@".contains(&c));
                if bare {
                    f.write_str(&s)
                } else {
                    write!(f, "{s:?}")
                }
            }
            Sexp::List(items) => {
                f.write_str("(")?;
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{x:?}")?;
                }
                f.write_str(")")
            }
        }
    }
}

fn bad(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("plugin protocol: {what}"),
    )
}

fn byte(r: &mut impl BufRead) -> io::Result<Option<u8>> {
    let b = {
        let buf = r.fill_buf()?;
        match buf.first() {
            Some(b) => *b,
            None => return Ok(None),
        }
    };
    r.consume(1);
    Ok(Some(b))
}

/// Reads the next value; `None` at end of input (between values).
pub fn read(r: &mut impl BufRead) -> io::Result<Option<Sexp>> {
    loop {
        match byte(r)? {
            None => return Ok(None),
            Some(b' ' | b'\n' | b'\t' | b'\r') => continue,
            Some(b) => return value(r, b).map(Some),
        }
    }
}

fn value(r: &mut impl BufRead, first: u8) -> io::Result<Sexp> {
    // Lists nest; an explicit stack keeps deep values off the call stack.
    let mut stack: Vec<Vec<Sexp>> = Vec::new();
    let mut b = first;
    loop {
        let done = match b {
            b'(' => {
                stack.push(Vec::new());
                None
            }
            b')' => {
                let items = stack.pop().ok_or_else(|| bad("unbalanced ')'"))?;
                Some(Sexp::List(items))
            }
            b'0'..=b'9' => Some(Sexp::Atom(atom(r, b)?)),
            other => return Err(bad(&format!("unexpected byte {other:#04x}"))),
        };
        if let Some(v) = done {
            match stack.last_mut() {
                Some(top) => top.push(v),
                None => return Ok(v),
            }
        }
        b = byte(r)?.ok_or_else(|| bad("truncated value"))?;
    }
}

fn atom(r: &mut impl BufRead, first: u8) -> io::Result<Vec<u8>> {
    let mut len: usize = (first - b'0') as usize;
    loop {
        match byte(r)?.ok_or_else(|| bad("truncated length"))? {
            b':' => break,
            d @ b'0'..=b'9' => {
                len = len
                    .checked_mul(10)
                    .and_then(|l| l.checked_add((d - b'0') as usize))
                    .ok_or_else(|| bad("atom too long"))?;
            }
            other => return Err(bad(&format!("unexpected byte {other:#04x} in a length"))),
        }
    }
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf)?;
    Ok(buf)
}

/// Writes one message and a newline, and flushes.
pub fn write(w: &mut impl Write, v: &Sexp) -> io::Result<()> {
    let mut bytes = v.encode();
    bytes.push(b'\n');
    w.write_all(&bytes)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_nested_values_and_odd_bytes() {
        let v = Sexp::list(vec![
            Sexp::atom("flag"),
            Sexp::atoms(["ocaml", "compile"]),
            Sexp::Atom(b"a (b) 12:x\n\0".to_vec()),
            Sexp::List(vec![]),
        ]);
        let bytes = v.encode();
        assert_eq!(&bytes[..7], b"(4:flag");
        let (back, rest) = Sexp::decode(&bytes).unwrap();
        assert_eq!(back, v);
        assert!(rest.is_empty());
    }

    #[test]
    fn reads_a_stream_of_messages() {
        let text = b"(5:hello1:1)\n(4:done())\n";
        let mut r = io::BufReader::new(&text[..]);
        assert!(read(&mut r).unwrap().unwrap().as_list().unwrap()[0].is("hello"));
        assert_eq!(format!("{:?}", read(&mut r).unwrap().unwrap()), "(done ())");
        assert!(read(&mut r).unwrap().is_none());
    }

    #[test]
    fn truncated_input_is_an_error() {
        let mut r = io::BufReader::new(&b"(3:ab"[..]);
        assert!(read(&mut r).is_err());
        let mut r = io::BufReader::new(&b"x"[..]);
        assert!(read(&mut r).is_err());
    }
}
