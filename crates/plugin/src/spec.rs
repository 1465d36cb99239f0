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
use flags::word;

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

    /// A spec made of flag-table words (flags given back to the plugin):
    /// ordinary words are atoms, raw shell texts `Sh`.
    pub fn atoms(words: &[String]) -> Spec {
        Spec::S(
            words
                .iter()
                .map(|w| match word::as_raw(w) {
                    Some(text) => Spec::Sh(text.to_string()),
                    None => Spec::A(w.clone()),
                })
                .collect(),
        )
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
    /// The flags of a set of tags, as the flag table holds them (raw
    /// shell texts marked, see [`flags::word`]).
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
        Spec::T(tags) => {
            line.words
                .extend(x.flags(tags).into_iter().map(|w| match word::as_raw(&w) {
                    Some(text) => Word::Raw(text.to_string()),
                    None => Word::Plain(w),
                }))
        }
        Spec::V(v) => line
            .words
            .extend(x.virtual_tool(v).into_iter().map(Word::Plain)),
        Spec::Quote(s) => {
            let inner = render(s, x);
            line.words.push(Word::Plain(inner.to_shell()));
        }
    }
}

/// The words of a spec used as flags, for the flag table: each atom one
/// word (spaces and all), a `Quote` one word (its rendering), raw shell
/// text one marked word ([`word::raw`]), so that a command's argv splits
/// it as a shell would and a `-pp` string pastes it as ocamlbuild does;
/// `T tags` a marked word ([`word::tags`]) that becomes the flags of
/// `tags` when a command's flags are asked for, as in ocamlbuild.
pub fn flag_words(spec: &Spec, x: &dyn Expander) -> Vec<String> {
    let mut out = Vec::new();
    flag_words_into(spec, x, &mut out);
    out
}

fn flag_words_into(spec: &Spec, x: &dyn Expander, out: &mut Vec<String>) {
    match spec {
        Spec::S(l) => l.iter().for_each(|s| flag_words_into(s, x, out)),
        Spec::T(tags) => out.push(word::tags(tags)),
        other => out.extend(render(other, x).words.into_iter().map(|w| match w {
            Word::Plain(s) => s,
            Word::Raw(s) => word::raw(&s),
        })),
    }
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
    fn flag_words_keep_raw_text_for_the_shell_and_split_it_for_an_argv() {
        let s = Spec::S(vec![
            Spec::Sh("-ccopt '-L /x'".into()),
            Spec::A("-g".into()),
        ]);
        let words = flag_words(&s, &NoFlags);
        assert_eq!(word::argv(words.clone()), ["-ccopt", "-L /x", "-g"]);
        assert_eq!(word::shell_text(&words), "-ccopt '-L /x' -g");
    }

    /// Each kind of spec rendered as ocamlbuild 0.14.1's
    /// `Command.string_of_command_spec` renders it (the expected strings
    /// were printed by the real ocamlbuild; `V` is resolved here, where
    /// ocamlbuild's printer shows `<virtual V>`).
    #[test]
    fn every_kind_of_spec_renders_as_ocamlbuilds() {
        let a = |s: &str| Spec::A(s.into());
        let shell = |s: Spec| render(&s, &NoFlags).to_shell();
        assert_eq!(shell(Spec::N), "");
        assert_eq!(
            shell(Spec::S(vec![a("a b"), a("it's"), a(""), a("x=1")])),
            r"'a b' 'it'\''s' '' 'x=1'"
        );
        assert_eq!(
            shell(Spec::S(vec![
                Spec::P("dir/f g.ml".into()),
                Spec::Px("out put".into())
            ])),
            "'dir/f g.ml' 'out put'"
        );
        assert_eq!(
            shell(Spec::S(vec![
                a("x"),
                Spec::Sh("| cat >'o u'".into()),
                a("y")
            ])),
            "x | cat >'o u' y"
        );
        let quoted = Spec::S(vec![
            a("-pp"),
            Spec::Quote(Box::new(Spec::S(vec![
                Spec::P("./pp.exe".into()),
                a("with space"),
                Spec::Sh("$X".into()),
                Spec::Quote(Box::new(a("a b"))),
            ]))),
        ]);
        assert_eq!(
            shell(quoted),
            r"-pp './pp.exe '\''with space'\'' $X '\'''\''\'\'''\''a b'\''\'\'''\'''\'''"
        );
        assert_eq!(
            shell(Spec::S(vec![Spec::V("OCAMLC".into()), a("-c")])),
            "ocamlc -c"
        );
        assert_eq!(shell(Spec::T(vec!["g".into()])), "-g");
    }

    /// A flag made of every kind of spec gives the `-pp` string ocamlbuild
    /// 0.14.1 gave the same flag (`T` expanded when the command is made).
    #[test]
    fn a_pp_flag_of_every_kind_of_spec_gives_ocamlbuilds_pp_string() {
        let spec = Spec::S(vec![
            Spec::P("./pp.sh".into()),
            Spec::A("with space".into()),
            Spec::N,
            Spec::Sh("-x '1 2'".into()),
            Spec::Quote(Box::new(Spec::S(vec![
                Spec::A("q r".into()),
                Spec::A("s".into()),
            ]))),
            Spec::Px("o p".into()),
            Spec::T(vec!["ppinner".into()]),
        ]);
        let words = flag_words(&spec, &NoFlags);
        let inner = flag_words(
            &Spec::S(vec![Spec::A("in ner".into()), Spec::Sh("raw text".into())]),
            &NoFlags,
        );
        let words = word::expand_tags(words, &|_| inner.clone());
        assert_eq!(
            word::shell_text(&words),
            r"./pp.sh 'with space' -x '1 2' ''\''q r'\'' s' 'o p' 'in ner' raw text"
        );
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
