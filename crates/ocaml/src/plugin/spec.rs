//! ocamlbuild's `Command.t` and `Command.spec`, as the plugin sends them,
//! and how caravan turns them into words and shell text.
//!
//! - `A`, `P`, `Px` are words, quoted when shown as ocamlbuild quotes them
//!   (bare if made of `[A-Za-z0-9./_:@+,-]`); `Px` also names the log
//!   target;
//! - `Sh` is raw shell text: a command holding one runs through `sh -c`;
//! - `T tags` becomes the flags caravan's declarations give those tags;
//! - `V name` is a virtual tool; the plugin resolves the ones in rule
//!   results, caravan those in flags (`OCAMLC` is `ocamlc.opt` on `PATH`...);
//! - `Quote s` is `s` rendered, then quoted as one word;
//! - `Seq` runs its commands in order, stopping at the first failure;
//!   `Echo(texts, path)` writes the texts to the file; `Nop` does nothing.

use super::wire::Sexp;

/// A command specification.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Spec {
    /// Nothing.
    #[default]
    N,
    /// A sequence of specs.
    S(Vec<Spec>),
    /// An atom.
    A(String),
    /// A path.
    P(String),
    /// A path that is the command's target.
    Px(String),
    /// Raw shell text.
    Sh(String),
    /// Tags, replaced by their flags.
    T(Vec<String>),
    /// A virtual tool.
    V(String),
    /// A spec quoted as one word.
    Quote(Box<Spec>),
}

/// A command.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    /// Commands in order.
    Seq(Vec<Command>),
    /// One command line.
    Cmd(Spec),
    /// Texts written to a file.
    Echo(Vec<String>, String),
    /// Nothing.
    Nop,
}

fn one(items: &[Sexp]) -> Option<String> {
    match items {
        [x] => x.as_str(),
        _ => None,
    }
}

impl Spec {
    /// Decodes the protocol form (`N`, `(S ...)`, `(A "x")`...).
    pub fn decode(v: &Sexp) -> Option<Spec> {
        if v.is("N") {
            return Some(Spec::N);
        }
        let l = v.as_list()?;
        let (head, rest) = l.split_first()?;
        let head = head.as_str()?;
        Some(match head.as_str() {
            "S" => Spec::S(rest.iter().map(Spec::decode).collect::<Option<_>>()?),
            "A" => Spec::A(one(rest)?),
            "P" => Spec::P(one(rest)?),
            "Px" => Spec::Px(one(rest)?),
            "Sh" => Spec::Sh(one(rest)?),
            "V" => Spec::V(one(rest)?),
            "T" => Spec::T(rest.iter().map(Sexp::as_str).collect::<Option<_>>()?),
            "Quote" => match rest {
                [s] => Spec::Quote(Box::new(Spec::decode(s)?)),
                _ => return None,
            },
            _ => return None,
        })
    }

    /// The protocol form.
    pub fn encode(&self) -> Sexp {
        let tagged = |t: &str, s: &str| Sexp::atoms([t, s]);
        match self {
            Spec::N => Sexp::atom("N"),
            Spec::S(l) => {
                let mut items = vec![Sexp::atom("S")];
                items.extend(l.iter().map(Spec::encode));
                Sexp::List(items)
            }
            Spec::A(s) => tagged("A", s),
            Spec::P(s) => tagged("P", s),
            Spec::Px(s) => tagged("Px", s),
            Spec::Sh(s) => tagged("Sh", s),
            Spec::V(s) => tagged("V", s),
            Spec::T(tags) => {
                let mut items = vec![Sexp::atom("T")];
                items.extend(tags.iter().map(Sexp::atom));
                Sexp::List(items)
            }
            Spec::Quote(s) => Sexp::List(vec![Sexp::atom("Quote"), s.encode()]),
        }
    }

    /// A spec made of atoms (flags given back to the plugin).
    pub fn atoms(words: &[String]) -> Spec {
        Spec::S(words.iter().map(|w| Spec::A(w.clone())).collect())
    }

    /// Every path (`P`, `Px`) in the spec, in order.
    pub fn paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.visit_paths(&mut out);
        out
    }

    fn visit_paths(&self, out: &mut Vec<String>) {
        match self {
            Spec::P(p) | Spec::Px(p) => out.push(p.clone()),
            Spec::S(l) => l.iter().for_each(|s| s.visit_paths(out)),
            _ => {}
        }
    }
}

impl Command {
    /// Decodes the protocol form (`Nop`, `(Seq ...)`, `(Cmd s)`, `(Echo (t...) p)`).
    pub fn decode(v: &Sexp) -> Option<Command> {
        if v.is("Nop") {
            return Some(Command::Nop);
        }
        let l = v.as_list()?;
        let (head, rest) = l.split_first()?;
        Some(match head.as_str()?.as_str() {
            "Seq" => Command::Seq(rest.iter().map(Command::decode).collect::<Option<_>>()?),
            "Cmd" => match rest {
                [s] => Command::Cmd(Spec::decode(s)?),
                _ => return None,
            },
            "Echo" => match rest {
                [texts, path] => Command::Echo(texts.as_strings()?, path.as_str()?),
                _ => return None,
            },
            _ => return None,
        })
    }

    /// The commands in execution order, sequences flattened, `Nop`s dropped.
    pub fn flatten(&self) -> Vec<&Command> {
        let mut out = Vec::new();
        self.flatten_into(&mut out);
        out
    }

    fn flatten_into<'a>(&'a self, out: &mut Vec<&'a Command>) {
        match self {
            Command::Seq(l) => l.iter().for_each(|c| c.flatten_into(out)),
            Command::Nop => {}
            c => out.push(c),
        }
    }
}

/// A word of a rendered command: quoted when needed, or raw shell text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Word {
    /// A word passed as it is (`A`, `P`, `Px`, a flag, a quoted spec).
    Plain(String),
    /// Raw shell text (`Sh`).
    Raw(String),
}

/// A command line ready to run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    /// The words.
    pub words: Vec<Word>,
    /// The last `Px` path (ocamlbuild's log target).
    pub target: Option<String>,
}

impl Line {
    /// The line as ocamlbuild prints and runs it.
    pub fn to_shell(&self) -> String {
        let words: Vec<String> = self
            .words
            .iter()
            .map(|w| match w {
                Word::Plain(s) => engine::shell_quote(s),
                Word::Raw(s) => s.clone(),
            })
            .collect();
        words.join(" ")
    }

    /// The argv, when no raw shell text is involved.
    pub fn argv(&self) -> Option<Vec<String>> {
        self.words
            .iter()
            .map(|w| match w {
                Word::Plain(s) => Some(s.clone()),
                Word::Raw(_) => None,
            })
            .collect()
    }
}

/// What caravan supplies to render specs: the flags of tags and the
/// command of a virtual tool.
pub trait Expander {
    /// The flags of a set of tags.
    fn flags(&self, tags: &[String]) -> Vec<String>;
    /// The words of a virtual tool (`OCAMLC`...).
    fn virtual_tool(&self, name: &str) -> Vec<String>;
}

/// Renders a spec into a line.
pub fn render(spec: &Spec, x: &dyn Expander) -> Line {
    let mut line = Line::default();
    render_into(spec, x, &mut line);
    line
}

fn render_into(spec: &Spec, x: &dyn Expander, line: &mut Line) {
    match spec {
        Spec::N => {}
        Spec::S(l) => l.iter().for_each(|s| render_into(s, x, line)),
        Spec::A(s) | Spec::P(s) => line.words.push(Word::Plain(s.clone())),
        Spec::Px(s) => {
            line.words.push(Word::Plain(s.clone()));
            line.target = Some(s.clone());
        }
        Spec::Sh(s) => line.words.push(Word::Raw(s.clone())),
        Spec::T(tags) => line
            .words
            .extend(x.flags(tags).into_iter().map(Word::Plain)),
        Spec::V(v) => line
            .words
            .extend(x.virtual_tool(v).into_iter().map(Word::Plain)),
        Spec::Quote(s) => {
            let inner = render(s, x);
            line.words.push(Word::Plain(inner.to_shell()));
        }
    }
}

/// The words of a spec used as flags: raw shell text is split the way a
/// shell would split it (flags go into caravan's argv, never through a
/// shell).
pub fn flag_words(spec: &Spec, x: &dyn Expander) -> Vec<String> {
    let line = render(spec, x);
    let mut out = Vec::new();
    for w in line.words {
        match w {
            Word::Plain(s) => out.push(s),
            Word::Raw(s) => match shlex::split(&s) {
                Some(words) => out.extend(words),
                None => out.push(s),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoFlags;
    impl Expander for NoFlags {
        fn flags(&self, tags: &[String]) -> Vec<String> {
            tags.iter().map(|t| format!("-{t}")).collect()
        }
        fn virtual_tool(&self, name: &str) -> Vec<String> {
            vec![name.to_lowercase()]
        }
    }

    #[test]
    fn specs_round_trip_through_the_protocol_form() {
        let s = Spec::S(vec![
            Spec::A("ocamlc".into()),
            Spec::T(vec!["debug".into()]),
            Spec::Quote(Box::new(Spec::Sh("a b".into()))),
            Spec::Px("x.ml".into()),
            Spec::N,
        ]);
        assert_eq!(Spec::decode(&s.encode()), Some(s));
    }

    #[test]
    fn lines_quote_like_ocamlbuild_and_keep_raw_text() {
        let s = Spec::S(vec![
            Spec::V("OCAMLC".into()),
            Spec::T(vec!["g".into()]),
            Spec::A("a b".into()),
            Spec::Sh(">".into()),
            Spec::Px("out.txt".into()),
        ]);
        let line = render(&s, &NoFlags);
        assert_eq!(line.to_shell(), "ocamlc -g 'a b' > out.txt");
        assert_eq!(line.target.as_deref(), Some("out.txt"));
        assert_eq!(line.argv(), None);
        let plain = render(&Spec::S(vec![Spec::A("cp".into())]), &NoFlags);
        assert_eq!(plain.argv(), Some(vec!["cp".to_string()]));
    }

    #[test]
    fn flags_split_raw_text_into_words() {
        let s = Spec::S(vec![
            Spec::Sh("-ccopt '-L /x'".into()),
            Spec::A("-g".into()),
        ]);
        assert_eq!(flag_words(&s, &NoFlags), ["-ccopt", "-L /x", "-g"]);
    }

    #[test]
    fn commands_flatten_in_order() {
        let c = Command::Seq(vec![
            Command::Nop,
            Command::Cmd(Spec::A("a".into())),
            Command::Seq(vec![Command::Echo(vec!["x".into()], "f".into())]),
        ]);
        assert_eq!(c.flatten().len(), 2);
        let encoded = Sexp::List(vec![
            Sexp::atom("Seq"),
            Sexp::atom("Nop"),
            Sexp::List(vec![Sexp::atom("Cmd"), Spec::A("a".into()).encode()]),
        ]);
        assert!(Command::decode(&encoded).is_some());
    }
}
