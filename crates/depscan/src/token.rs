//! The tokens of OCaml 4.13, as `parsing/lexer.mll` produces them (comments,
//! blanks and line directives are dropped by the lexer).

/// Kind of a token. Operator classes follow the compiler's lexer:
/// `Infix0`..`Infix4` are the precedence classes of user operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Kind {
    Eof,
    Lident,
    Uident,
    Int,
    Float,
    Char,
    String,
    /// `{%ext|...|}`
    QuotedStringExpr,
    /// `{%%ext|...|}`
    QuotedStringItem,
    /// `~label:`
    Label,
    /// `?label:`
    OptLabel,
    Tilde,
    Question,
    Underscore,
    Quote,
    Backquote,
    Ampersand,
    AmperAmper,
    Bang,
    Bar,
    BarBar,
    BarRBracket,
    Colon,
    ColonColon,
    ColonEqual,
    ColonGreater,
    Comma,
    Dot,
    DotDot,
    /// `.+`, `.%` ... (user indexing operators)
    DotOp,
    Equal,
    Greater,
    GreaterRBrace,
    GreaterRBracket,
    Hash,
    HashOp,
    Infix0,
    Infix1,
    Infix2,
    Infix3,
    Infix4,
    LetOp,
    AndOp,
    PrefixOp,
    LBrace,
    LBraceLess,
    LBracket,
    LBracketBar,
    LBracketLess,
    LBracketGreater,
    LBracketPercent,
    LBracketPercentPercent,
    LBracketAt,
    LBracketAtAt,
    LBracketAtAtAt,
    Less,
    LessMinus,
    LParen,
    RParen,
    RBrace,
    RBracket,
    Minus,
    MinusDot,
    MinusGreater,
    Percent,
    Plus,
    PlusDot,
    PlusEq,
    Semi,
    SemiSemi,
    Star,
    // Keywords.
    And,
    As,
    Assert,
    Begin,
    Class,
    Constraint,
    Do,
    Done,
    Downto,
    Else,
    End,
    Exception,
    External,
    False,
    For,
    Fun,
    Function,
    Functor,
    If,
    In,
    Include,
    Inherit,
    Initializer,
    Lazy,
    Let,
    Match,
    Method,
    Module,
    Mutable,
    New,
    Nonrec,
    Object,
    Of,
    Open,
    Or,
    Private,
    Rec,
    Sig,
    Struct,
    Then,
    To,
    True,
    Try,
    Type,
    Val,
    Virtual,
    When,
    While,
    With,
}

impl Kind {
    /// The keyword spelled `word`, if it is one. `mod`, `land`, `lor`,
    /// `lxor`, `lsl`, `lsr` and `asr` are operators.
    pub fn keyword(word: &[u8]) -> Option<Kind> {
        let kind = match word {
            b"and" => Kind::And,
            b"as" => Kind::As,
            b"assert" => Kind::Assert,
            b"begin" => Kind::Begin,
            b"class" => Kind::Class,
            b"constraint" => Kind::Constraint,
            b"do" => Kind::Do,
            b"done" => Kind::Done,
            b"downto" => Kind::Downto,
            b"else" => Kind::Else,
            b"end" => Kind::End,
            b"exception" => Kind::Exception,
            b"external" => Kind::External,
            b"false" => Kind::False,
            b"for" => Kind::For,
            b"fun" => Kind::Fun,
            b"function" => Kind::Function,
            b"functor" => Kind::Functor,
            b"if" => Kind::If,
            b"in" => Kind::In,
            b"include" => Kind::Include,
            b"inherit" => Kind::Inherit,
            b"initializer" => Kind::Initializer,
            b"lazy" => Kind::Lazy,
            b"let" => Kind::Let,
            b"match" => Kind::Match,
            b"method" => Kind::Method,
            b"module" => Kind::Module,
            b"mutable" => Kind::Mutable,
            b"new" => Kind::New,
            b"nonrec" => Kind::Nonrec,
            b"object" => Kind::Object,
            b"of" => Kind::Of,
            b"open" => Kind::Open,
            b"or" => Kind::Or,
            b"private" => Kind::Private,
            b"rec" => Kind::Rec,
            b"sig" => Kind::Sig,
            b"struct" => Kind::Struct,
            b"then" => Kind::Then,
            b"to" => Kind::To,
            b"true" => Kind::True,
            b"try" => Kind::Try,
            b"type" => Kind::Type,
            b"val" => Kind::Val,
            b"virtual" => Kind::Virtual,
            b"when" => Kind::When,
            b"while" => Kind::While,
            b"with" => Kind::With,
            b"mod" | b"land" | b"lor" | b"lxor" => Kind::Infix3,
            b"lsl" | b"lsr" | b"asr" => Kind::Infix4,
            _ => return None,
        };
        Some(kind)
    }

    /// Whether the token is a keyword usable as an attribute or extension
    /// name (`single_attr_id` in the grammar).
    pub fn is_keyword(self) -> bool {
        (self as u8) >= (Kind::And as u8)
    }
}

/// A token: its kind and its byte range in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Token {
    /// The token's text in `source`.
    pub fn text<'a>(&self, source: &'a [u8]) -> &'a [u8] {
        source
            .get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_and_word_operators() {
        assert_eq!(Kind::keyword(b"let"), Some(Kind::Let));
        assert_eq!(Kind::keyword(b"land"), Some(Kind::Infix3));
        assert_eq!(Kind::keyword(b"asr"), Some(Kind::Infix4));
        assert_eq!(Kind::keyword(b"lets"), None);
        assert!(Kind::With.is_keyword());
        assert!(!Kind::Star.is_keyword());
    }
}
