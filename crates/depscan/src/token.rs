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
    #[cfg(test)]
    pub fn keyword(word: &[u8]) -> Option<Kind> {
        Kind::keyword_in(word, 0, word.len())
    }

    /// The keyword spelled by `src[start..end]`, if it is one (like
    /// [`Kind::keyword`], reading the word's first bytes at once).
    #[inline]
    pub fn keyword_in(src: &[u8], start: usize, end: usize) -> Option<Kind> {
        // Keywords are 2 to 11 lowercase letters; a perfect hash of the
        // length and first 7 bytes finds the only candidate.
        let len = end.wrapping_sub(start);
        if !(2..=11).contains(&len) {
            return None;
        }
        let key = match src.get(start..start + 8) {
            Some(chunk) => {
                let mut bytes = [0u8; 8];
                bytes.copy_from_slice(chunk);
                let kept = if len >= 7 {
                    (1 << 56) - 1
                } else {
                    (1u64 << (8 * len)) - 1
                };
                (u64::from_le_bytes(bytes) & kept) | ((len as u64) << 56)
            }
            None => key(src.get(start..end)?),
        };
        let at = slot(key);
        if KEYWORD_KEYS[at] != key {
            return None;
        }
        let (candidate, kind) = KEYWORD_TABLE[at];
        (len <= 7 || src.get(start..end) == Some(candidate.as_bytes())).then_some(kind)
    }

    /// Whether the token is a keyword usable as an attribute or extension
    /// name (`single_attr_id` in the grammar).
    pub fn is_keyword(self) -> bool {
        (self as u8) >= (Kind::And as u8)
    }
}

/// The length of `word` and its first 7 bytes, packed in an integer
/// (exact for words of up to 7 bytes).
const fn key(word: &[u8]) -> u64 {
    let mut packed = (word.len() as u64) << 56;
    let mut i = 0;
    while i < word.len() && i < 7 {
        packed |= (word[i] as u64) << (8 * i);
        i += 1;
    }
    packed
}

/// Multiplier of the perfect hash of keywords (found by search: no two
/// keywords share a slot).
const KEYWORD_HASH: u64 = 0xa572_2786_7092_0f1d;

/// The slot of a keyword key in [`KEYWORD_TABLE`].
const fn slot(key: u64) -> usize {
    (key.wrapping_mul(KEYWORD_HASH) >> 56) as usize
}

/// The keywords, and the words lexed as operators.
const KEYWORDS: [(&str, Kind); 56] = [
    ("and", Kind::And),
    ("as", Kind::As),
    ("assert", Kind::Assert),
    ("begin", Kind::Begin),
    ("class", Kind::Class),
    ("constraint", Kind::Constraint),
    ("do", Kind::Do),
    ("done", Kind::Done),
    ("downto", Kind::Downto),
    ("else", Kind::Else),
    ("end", Kind::End),
    ("exception", Kind::Exception),
    ("external", Kind::External),
    ("false", Kind::False),
    ("for", Kind::For),
    ("fun", Kind::Fun),
    ("function", Kind::Function),
    ("functor", Kind::Functor),
    ("if", Kind::If),
    ("in", Kind::In),
    ("include", Kind::Include),
    ("inherit", Kind::Inherit),
    ("initializer", Kind::Initializer),
    ("lazy", Kind::Lazy),
    ("let", Kind::Let),
    ("match", Kind::Match),
    ("method", Kind::Method),
    ("module", Kind::Module),
    ("mutable", Kind::Mutable),
    ("new", Kind::New),
    ("nonrec", Kind::Nonrec),
    ("object", Kind::Object),
    ("of", Kind::Of),
    ("open", Kind::Open),
    ("or", Kind::Or),
    ("private", Kind::Private),
    ("rec", Kind::Rec),
    ("sig", Kind::Sig),
    ("struct", Kind::Struct),
    ("then", Kind::Then),
    ("to", Kind::To),
    ("true", Kind::True),
    ("try", Kind::Try),
    ("type", Kind::Type),
    ("val", Kind::Val),
    ("virtual", Kind::Virtual),
    ("when", Kind::When),
    ("while", Kind::While),
    ("with", Kind::With),
    ("mod", Kind::Infix3),
    ("land", Kind::Infix3),
    ("lor", Kind::Infix3),
    ("lxor", Kind::Infix3),
    ("lsl", Kind::Infix4),
    ("lsr", Kind::Infix4),
    ("asr", Kind::Infix4),
];

/// Keywords by hash slot; empty slots hold `("", Kind::Eof)`.
static KEYWORD_TABLE: [(&str, Kind); 256] = {
    let mut table = [("", Kind::Eof); 256];
    let mut i = 0;
    while i < KEYWORDS.len() {
        let (word, kind) = KEYWORDS[i];
        let at = slot(key(word.as_bytes()));
        assert!(table[at].0.is_empty(), "keyword hash collision");
        table[at] = (word, kind);
        i += 1;
    }
    table
};

/// The key of the keyword in each slot of [`KEYWORD_TABLE`]; 0 (the key
/// of no word) for empty slots.
static KEYWORD_KEYS: [u64; 256] = {
    let mut keys = [0u64; 256];
    let mut i = 0;
    while i < KEYWORDS.len() {
        let word = KEYWORDS[i].0.as_bytes();
        let key = key(word);
        keys[slot(key)] = key;
        i += 1;
    }
    keys
};

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
        assert_eq!(Kind::keyword(b"initializer"), Some(Kind::Initializer));
        assert_eq!(Kind::keyword(b"initializes"), None);
        assert_eq!(Kind::keyword(b"constrain"), None);
        assert_eq!(Kind::keyword(b"l"), None);
        // Every piece of texts holding each keyword, against a plain search
        // (the first 8 bytes are read at once only when there are 8).
        let oracle = |word: &[u8]| KEYWORDS.iter().find(|(k, _)| k.as_bytes() == word);
        for (word, _) in KEYWORDS {
            for text in [format!("({word} x)"), word.to_owned(), format!("{word}s")] {
                let bytes = text.as_bytes();
                for start in 0..bytes.len() {
                    for end in start..=bytes.len() {
                        assert_eq!(
                            Kind::keyword_in(bytes, start, end),
                            oracle(&bytes[start..end]).map(|&(_, kind)| kind),
                            "{text:?} {start}..{end}"
                        );
                    }
                }
            }
        }
    }
}
