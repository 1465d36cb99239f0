//! The META grammar: definitions `name [(preds)] (= | +=) "value"` and
//! nested `package "name" ( ... )` blocks, parsed without recursion (an
//! explicit stack holds the open blocks, so no input can exhaust the Rust
//! stack), then checked for the mistakes findlib rejects: a variable set
//! twice under the same predicates, a sub-package defined twice, a dot in a
//! sub-package name.

use std::collections::HashMap;
use std::path::Path;

use super::lexer::{LexError, Lexer, Span, Token, TokenKind};
use super::{Definition, FormalPredicate, MetaFile, Operator, PackageDecl};
use crate::error::{Error, Location};

struct Parser<'a> {
    lexer: Lexer<'a>,
    file: &'a Path,
}

impl Parser<'_> {
    fn location(&self, span: Span) -> Location {
        Location {
            file: self.file.to_path_buf(),
            line: span.line,
            start: span.start,
            end: span.end,
        }
    }

    fn error(&self, span: Span, message: impl Into<String>) -> Error {
        Error::Syntax {
            location: self.location(span),
            message: message.into(),
        }
    }

    fn next(&mut self) -> Result<Token, Error> {
        self.lexer
            .next_token()
            .map_err(|LexError { span, message }| self.error(span, message))
    }

    fn expect_string(&mut self, after: &str) -> Result<Token, Error> {
        let t = self.next()?;
        match t.kind {
            TokenKind::Str(_) => Ok(t),
            ref other => Err(self.error(
                t.span,
                format!(
                    "expected a string constant after {after}, found {}",
                    other.describe()
                ),
            )),
        }
    }

    fn predicate(&mut self) -> Result<FormalPredicate, Error> {
        let t = self.next()?;
        match t.kind {
            TokenKind::Name(n) => Ok(FormalPredicate::Positive(n)),
            TokenKind::Minus => {
                let n = self.next()?;
                match n.kind {
                    TokenKind::Name(name) => Ok(FormalPredicate::Negative(name)),
                    ref other => Err(self.error(
                        n.span,
                        format!(
                            "expected a predicate name after `-', found {}",
                            other.describe()
                        ),
                    )),
                }
            }
            ref other => Err(self.error(
                t.span,
                format!(
                    "expected a predicate name or -name, found {}",
                    other.describe()
                ),
            )),
        }
    }

    /// Everything after the variable name of a definition.
    fn definition(&mut self, name: Token) -> Result<Definition, Error> {
        let TokenKind::Name(variable) = name.kind else {
            return Err(self.error(name.span, "expected a variable name"));
        };
        let mut predicates: Vec<FormalPredicate> = Vec::new();
        let mut t = self.next()?;
        if t.kind == TokenKind::LParen {
            loop {
                let p = self.predicate()?;
                if !predicates.contains(&p) {
                    predicates.push(p);
                }
                let sep = self.next()?;
                match sep.kind {
                    TokenKind::Comma => {}
                    TokenKind::RParen => break,
                    ref other => {
                        return Err(self.error(
                            sep.span,
                            format!(
                                "expected `,' or `)' in the predicate list, found {}",
                                other.describe()
                            ),
                        ));
                    }
                }
            }
            t = self.next()?;
        }
        let operator = match t.kind {
            TokenKind::Equal => Operator::Set,
            TokenKind::PlusEqual => Operator::Append,
            ref other => {
                let what = if predicates.is_empty() {
                    "`=', `+=' or a predicate list"
                } else {
                    "`=' or `+='"
                };
                return Err(self.error(
                    t.span,
                    format!(
                        "expected {what} after `{variable}', found {}",
                        other.describe()
                    ),
                ));
            }
        };
        let op_text = if operator == Operator::Set {
            "`='"
        } else {
            "`+='"
        };
        let value = self.expect_string(op_text)?;
        let TokenKind::Str(text) = value.kind else {
            return Err(self.error(value.span, "expected a string constant"));
        };
        Ok(Definition {
            variable,
            operator,
            predicates,
            value: text,
            name_span: name.span,
            value_span: value.span,
            value_verbatim: value.verbatim,
        })
    }
}

/// Parses the text of a META file (or a findlib.conf, which has the same
/// syntax). `file` is only used in error locations.
pub(crate) fn parse(file: &Path, src: &[u8]) -> Result<MetaFile, Error> {
    let mut p = Parser {
        lexer: Lexer::new(src),
        file,
    };
    let mut packages = vec![PackageDecl {
        name: String::new(),
        parent: None,
        definitions: Vec::new(),
        span: Span {
            line: 1,
            start: 0,
            end: 0,
        },
    }];
    // The open package blocks, innermost last; the main package is never
    // closed explicitly.
    let mut open: Vec<usize> = vec![0];
    loop {
        let t = p.next()?;
        let current = *open.last().unwrap_or(&0);
        match t.kind {
            TokenKind::Name(ref n) if n == "package" => {
                let name = p.expect_string("`package'")?;
                let TokenKind::Str(local) = name.kind else {
                    return Err(p.error(name.span, "expected a string constant"));
                };
                let lp = p.next()?;
                if lp.kind != TokenKind::LParen {
                    return Err(p.error(
                        lp.span,
                        format!(
                            "expected `(' after package \"{local}\", found {}",
                            lp.kind.describe()
                        ),
                    ));
                }
                packages.push(PackageDecl {
                    name: local,
                    parent: Some(current),
                    definitions: Vec::new(),
                    span: name.span,
                });
                open.push(packages.len() - 1);
            }
            TokenKind::Name(_) => {
                let def = p.definition(t)?;
                packages[current].definitions.push(def);
            }
            TokenKind::RParen => {
                if open.len() <= 1 {
                    return Err(p.error(t.span, "unexpected `)': no package block is open here"));
                }
                open.pop();
            }
            TokenKind::Eof => {
                if open.len() > 1 {
                    let decl = &packages[current];
                    return Err(p.error(
                        t.span,
                        format!(
                            "unexpected end of file: the block of package \"{}\" (line {}) is not closed with `)'",
                            decl.name, decl.span.line
                        ),
                    ));
                }
                break;
            }
            ref other => {
                return Err(p.error(
                    t.span,
                    format!(
                        "expected a definition `name = \"value\"', `package \"name\" (' or `)', found {}",
                        other.describe()
                    ),
                ));
            }
        }
    }
    let meta = MetaFile {
        path: file.to_path_buf(),
        packages,
    };
    check(&p, &meta)?;
    Ok(meta)
}

/// The checks findlib makes after parsing.
fn check(p: &Parser<'_>, meta: &MetaFile) -> Result<(), Error> {
    let mut blocks: HashMap<(usize, &str), usize> = HashMap::new();
    for (index, decl) in meta.packages.iter().enumerate() {
        if index > 0 && decl.name.contains('.') {
            return Err(p.error(
                decl.span,
                format!("a sub-package name must not contain `.': \"{}\"", decl.name),
            ));
        }
        // `=` twice for the same variable under the same predicate set.
        let mut assigned: HashMap<(&str, Vec<&FormalPredicate>), &Definition> = HashMap::new();
        for def in decl
            .definitions
            .iter()
            .filter(|d| d.operator == Operator::Set)
        {
            let mut key: Vec<&FormalPredicate> = def.predicates.iter().collect();
            key.sort_by(|a, b| {
                (a.name(), matches!(a, FormalPredicate::Negative(_)))
                    .cmp(&(b.name(), matches!(b, FormalPredicate::Negative(_))))
            });
            if let Some(first) = assigned.insert((def.variable.as_str(), key), def) {
                let within = if index == 0 {
                    String::new()
                } else {
                    format!(" in package \"{}\"", meta.full_local_name(index))
                };
                return Err(p.error(
                    def.name_span,
                    format!(
                        "`{}{}' is set twice{within}; the first `=' is on line {} (use `+=' to append)",
                        def.variable,
                        super::show_predicates(&def.predicates),
                        first.name_span.line
                    ),
                ));
            }
        }
        // Sub-packages with the same name under the same parent.
        let twin = decl
            .parent
            .and_then(|parent| blocks.insert((parent, decl.name.as_str()), index));
        if let Some(first) = twin {
            return Err(p.error(
                decl.span,
                format!(
                    "sub-package \"{}\" is defined twice; the first definition is on line {}",
                    meta.full_local_name(index),
                    meta.packages[first].span.line
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(src: &str) -> MetaFile {
        parse(Path::new("/x/META"), src.as_bytes()).unwrap()
    }

    fn err(src: &str) -> (Location, String) {
        match parse(Path::new("/x/META"), src.as_bytes()) {
            Err(Error::Syntax { location, message }) => (location, message),
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn definitions_of_main_package_are_collected_in_order() {
        let m = ok("version = \"1\"\narchive(byte) = \"a.cma\"\narchive(byte) += \"b.cma\"");
        let d = &m.packages[0].definitions;
        assert_eq!(d.len(), 3);
        assert_eq!(d[1].variable, "archive");
        assert_eq!(
            d[1].predicates,
            vec![FormalPredicate::Positive("byte".into())]
        );
        assert_eq!(d[2].operator, Operator::Append);
    }

    #[test]
    fn nested_packages_are_flattened_in_preorder_with_parents() {
        let m = ok("package \"a\" ( package \"b\" ( x = \"1\" ) y = \"2\" ) package \"c\" ()");
        let names: Vec<(&str, Option<usize>)> = m
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.parent))
            .collect();
        assert_eq!(
            names,
            vec![("", None), ("a", Some(0)), ("b", Some(1)), ("c", Some(0))]
        );
        assert_eq!(m.packages[1].definitions[0].variable, "y");
    }

    #[test]
    fn negated_and_repeated_predicates_are_kept_once() {
        let m = ok("a(byte,-mt,byte) = \"x\"");
        assert_eq!(
            m.packages[0].definitions[0].predicates,
            vec![
                FormalPredicate::Positive("byte".into()),
                FormalPredicate::Negative("mt".into())
            ]
        );
    }

    #[test]
    fn missing_equal_is_reported_at_the_token() {
        let (loc, msg) = err("version \"1\"");
        assert_eq!((loc.line, loc.start, loc.end), (1, 8, 11));
        assert!(
            msg.contains("expected `=', `+=' or a predicate list"),
            "{msg}"
        );
    }

    #[test]
    fn unclosed_package_block_names_the_package() {
        let (loc, msg) = err("package \"sub\" (\n version = \"1\"\n");
        assert_eq!(loc.line, 3);
        assert!(msg.contains("\"sub\" (line 1) is not closed"), "{msg}");
    }

    #[test]
    fn stray_closing_paren_is_an_error() {
        let (loc, _) = err("a = \"1\"\n)");
        assert_eq!((loc.line, loc.start), (2, 0));
    }

    #[test]
    fn empty_predicate_list_is_an_error() {
        let (_, msg) = err("a() = \"1\"");
        assert!(msg.contains("predicate name"), "{msg}");
    }

    #[test]
    fn double_assignment_under_same_predicates_is_an_error() {
        let (loc, msg) = err("a(x,y) = \"1\"\na(y,x) = \"2\"");
        assert_eq!(loc.line, 2);
        assert!(msg.contains("set twice"), "{msg}");
    }

    #[test]
    fn double_assignment_under_other_predicates_is_fine() {
        ok("a(x) = \"1\"\na(y) = \"2\"\na = \"3\"\na += \"4\"\na += \"5\"");
    }

    #[test]
    fn same_variable_in_two_packages_is_fine() {
        ok("a = \"1\" package \"p\" ( a = \"2\" )");
    }

    #[test]
    fn duplicate_sub_package_is_an_error() {
        let (loc, msg) = err("package \"p\" ()\npackage \"p\" ()");
        assert_eq!(loc.line, 2);
        assert!(msg.contains("defined twice"), "{msg}");
    }

    #[test]
    fn dotted_sub_package_name_is_an_error() {
        let (_, msg) = err("package \"p.q\" ()");
        assert!(msg.contains("must not contain"), "{msg}");
    }

    #[test]
    fn package_keyword_needs_a_string() {
        let (_, msg) = err("package = \"x\"");
        assert!(msg.contains("after `package'"), "{msg}");
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let depth = 100_000;
        let src = "package \"a\" (".repeat(depth) + &")".repeat(depth);
        let m = ok(&src);
        assert_eq!(m.packages.len(), depth + 1);
    }
}
