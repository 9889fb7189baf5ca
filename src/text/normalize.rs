//! The normalizer itself: one pass over the NFKD form of a text.

use icu_normalizer::{ComposingNormalizerBorrowed, DecomposingNormalizerBorrowed};
use icu_properties::CodePointMapDataBorrowed;
use icu_properties::props::GeneralCategory;

use super::arabic;

/// A normalized text: tokens joined by single spaces, with each token's byte span.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Normalized {
    text: String,
    spans: Vec<(u32, u32)>,
    /// How it was read (the shingle stage reads it too).
    reading: Reading,
}

/// How texts are read, where the reading changed after indexes were first made: the current
/// reading, or an earlier one that an index stored its documents in. Each adds to the one
/// before it (they are ordered by when they came); an index goes on reading as it stored, so
/// its old and new documents stay comparable.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reading {
    /// Han and Kana characters alone, voicing marks dropped, Hangul words in 4-grams: how the
    /// indexes made before [`Reading::CjkPairs`] stored their documents.
    Characters,
    /// Han and Kana are written without spaces, so each character is a token: a kana keeps its
    /// voicing mark (`か` + `゙` is `が`, not `か`), and in the mixed shingles two characters in
    /// a row also make a pair (alone, the characters are a bag in which unrelated headlines
    /// share `国` and `大`; most Chinese words are two characters). A Hangul syllable holds two
    /// or three letters, and a Korean word's last syllables change with the particle it takes
    /// (`대통령이`, `대통령은`): the mixed shingles read its words in pairs of syllables, not
    /// the 4-grams of alphabetic scripts.
    CjkPairs,
    /// Korean is also its own script when the shingle stage measures a feature's rarity (see
    /// [`crate::shingle::script_class`]): Korean texts do not count as Chinese and Japanese
    /// ones, whose weights they would flatten in a file that holds all three.
    HangulApart,
    /// Thai, Lao, Khmer, Myanmar and the other scripts written without spaces between words
    /// keep spaces only between phrases, so a token of theirs is a phrase of several words: the
    /// word n-grams of long texts also read such a token in character windows the length of
    /// `n` words (see [`crate::shingle::Shingle::Word`]). Without them one changed word in each
    /// phrase left two copies of a Thai article nothing in common.
    Unspaced,
    /// Hebrew and Syriac vowel points and cantillation marks are dropped, as Arabic tashkeel
    /// is: they are written in some texts and not in most, and kept inside words they left a
    /// pointed Hebrew text and the same text unpointed nothing in common.
    PointsDropped,
    /// Traditional Chinese is read as simplified (OpenCC's `t2s` tables, phrases first, then
    /// characters): `韓國總統` and `韩国总统` are one text. A report from Taiwan or Hong Kong
    /// and its mainland reprint shared only the characters the two scripts write alike.
    Simplified,
    /// Letters written two ways are folded. Latin letters that decomposition leaves whole, as
    /// accents are dropped: dotless `ı` is `i`, `ß` is `ss`, `ł ø đ ħ ŧ` lose their strokes,
    /// `æ œ` are `ae oe`, `ð þ` are `d th`. A Turkish headline in capitals (`AÇIKLADI`) and in
    /// lower case (`açıkladı`), a Swiss reprint (`Strasse`) of a German report (`Straße`),
    /// `Łódź` and `Lodz` shared nothing in those words. In Devanagari and Gurmukhi the nukta of
    /// borrowed sounds, which many writers leave out (`ज़रूरी`, `जरूरी`), is dropped, and
    /// Devanagari's chandrabindu is read as the anusvara often written for it (`हाँ`, `हां`).
    /// Arabic veh (`ڤ`, the v of borrowed words) is read as feh, as most papers write it
    /// (`روڤر`, `روفر`), and the Maghrebi feh and qaf as feh and qaf.
    /// The modifier letters written as apostrophes (`ʼ ʻ ʾ ʿ ʹ`: Ukrainian `мʼясо`, `Hawaiʻi`,
    /// `Qurʾan`) separate words as `'` and `’` do, instead of staying inside the word. In
    /// Arabic script a zero-width non-joiner separates words too: Persian writes the parts it
    /// keeps apart (`می‌خواهم`, `کتاب‌ها`) with one or with a space, and seldom joined.
    LettersFolded,
    /// The name of God, `الله`, is kept whole (and `لله`, `بالله`, `والله` read as it): light
    /// stemming took its first letters for the article and left `له`, the preposition "to
    /// him", so that `عبد الله`, `حزب الله` and `رام الله` ended in one of the commonest
    /// words of Arabic (SaudiNewsNet's articles hold `الله` 16,860 times, `له` 9,143).
    DivineName,
    /// Compound names written as one word are read as the two words they are when spaced:
    /// `عبدالعزيز` as `عبد العزيز`, `وعبدالله` as `وعبد الله`, `نصرالله` as `نصر الله`. Saudi
    /// papers join the "Abd al-" names (SaudiNewsNet: `عبدالعزيز` 7,843 times, `عبد العزيز`
    /// 1,480), most others space them, so a king's name in a Riyadh paper and in a Cairo one
    /// shared nothing. And `اللهم` ("O God") is kept whole, where light stemming left `لهم`
    /// ("to them").
    NamesParted,
    /// A word of five letters after its clitics keeps a last `ان`, `ين` or `ون`, where light
    /// stemming left three letters (see [`arabic::light_stem_counted`]): `إيران` was `اير`
    /// while `الإيرانية` was `ايران`, `البحرين` was `بحر` ("sea"), `لبنان` `لبن` ("milk"),
    /// `طيران` ("flight") `طير` ("bird").
    NunKept,
    /// A word's first `ف` is its own, not the conjunction "so": light stemming takes only `و`
    /// for a conjunction (and `ف` before the article, `فالرئيس`). SaudiNewsNet's words that
    /// begin with `ف` are most often names and nouns (`فيها`, `فيما`, `فترة`, `فعاليات`,
    /// `فريق`, `فيصل`), seldom "so" (`فإنه`, `فقال`): `فيصل` was read as `يصل` ("arrives"),
    /// `فكرة` ("idea") as `كرة` ("ball"), `فيضانات` as `يضانات` where `الفيضانات` kept it.
    FehKept,
    /// Han written in another code point for the same character, a compatibility ideograph
    /// (U+F900..U+FAFF and its supplement, from Korean hanja and old character sets) or a
    /// Kangxi or supplementary radical (U+2E80..U+2FDF, what text taken from PDF files often
    /// holds for a character), is read as that character before traditional Chinese is
    /// simplified: OpenCC's tables hold only the unified ideographs, so `讀` (U+F95A) and `⾨`
    /// (U+2FA8) stayed traditional where `讀` and `門` became `读` and `门`.
    HanUnified,
    /// An Arabic verb of the derived forms VII, VIII and X is read as its verbal noun, the word
    /// a headline about the same event most often uses: `يعتذر` and `اعتذر` ("apologises",
    /// "apologised") as `اعتذار` ("apology"), `ينسحب` as `انسحاب`, `يستقبل` as `استقبال`,
    /// `تحتفل` as `احتفال`. After light stemming, a word of five letters `ـCتCC` or `ـنCCC`, or
    /// of six `ـستCCC`, that begins with `ا` or a prefix of the imperfect (`ي ت ن`) and whose
    /// root letters are strong (no `ا و ي ء`, which change the pattern) takes `ا` first and
    /// `ا` before its last letter, and is light-stemmed as the noun is. A verb and its noun
    /// shared at most one character 4-gram.
    VerbalNouns,
    /// A headline written as clauses joined by `..` (Arabic papers' lead clause, then the
    /// headline: `أولمبياد طوكيو.. اكتشاف إصابات في فندق`) is read for its clause of most words:
    /// the other clause is most often a label of the topic or a second fact, and it halved the
    /// share of words that two headlines of one story had in common. Only a text of one line
    /// and at most 500 bytes is a headline; three dots are a pause, not a join.
    #[default]
    MainClause,
}

impl Reading {
    /// Every reading, oldest first; the last is the current one.
    pub const ALL: [Reading; 14] = [
        Reading::Characters,
        Reading::CjkPairs,
        Reading::HangulApart,
        Reading::Unspaced,
        Reading::PointsDropped,
        Reading::Simplified,
        Reading::LettersFolded,
        Reading::DivineName,
        Reading::NamesParted,
        Reading::NunKept,
        Reading::FehKept,
        Reading::HanUnified,
        Reading::VerbalNouns,
        Reading::MainClause,
    ];

    /// Whether Han and Kana are read in pairs, kana with their voicing marks, and Hangul words
    /// in pairs of syllables.
    pub fn cjk_pairs(self) -> bool {
        self >= Reading::CjkPairs
    }

    /// Whether Hangul is a script of its own for rarity, apart from Han and Kana.
    pub fn hangul_apart(self) -> bool {
        self >= Reading::HangulApart
    }

    /// Whether a token of a script written without spaces is also read in character windows
    /// under word n-grams.
    pub fn unspaced_windows(self) -> bool {
        self >= Reading::Unspaced
    }

    /// Whether Hebrew and Syriac points are dropped.
    pub fn drops_points(self) -> bool {
        self >= Reading::PointsDropped
    }

    /// Whether traditional Chinese is read as simplified.
    pub fn simplifies(self) -> bool {
        self >= Reading::Simplified
    }

    /// Whether letters written two ways are folded (`ı ß ł ø æ` …, Indic nukta and
    /// chandrabindu).
    pub fn folds_letters(self) -> bool {
        self >= Reading::LettersFolded
    }

    /// Whether `الله` is kept whole by light stemming.
    pub fn keeps_divine_name(self) -> bool {
        self >= Reading::DivineName
    }

    /// Whether light stemming parts compound names (`عبدالعزيز`, `نصرالله`) into two words.
    pub fn parts_names(self) -> bool {
        self >= Reading::NamesParted
    }

    /// Whether light stemming leaves a five-letter word its last `ان`, `ين` or `ون`.
    pub fn keeps_nun(self) -> bool {
        self >= Reading::NunKept
    }

    /// Whether light stemming reads only `و` as a conjunction, and a first `ف` as the word's.
    pub fn keeps_feh(self) -> bool {
        self >= Reading::FehKept
    }

    /// Whether Han compatibility ideographs and radicals are read as the characters they stand
    /// for before traditional Chinese is simplified.
    pub fn unifies_han(self) -> bool {
        self >= Reading::HanUnified
    }

    /// Whether Arabic verbs of the derived forms VII, VIII and X are read as their verbal
    /// nouns.
    pub fn reads_verbal_nouns(self) -> bool {
        self >= Reading::VerbalNouns
    }

    /// Whether a headline of clauses joined by `..` is read for its clause of most words.
    pub fn reads_main_clause(self) -> bool {
        self >= Reading::MainClause
    }

    /// The reading's number (its place in [`Reading::ALL`]), as an index stores it.
    pub fn number(self) -> u32 {
        self as u32
    }

    /// The reading with this number, if this build knows it.
    pub fn from_number(n: u32) -> Option<Reading> {
        Reading::ALL.get(n as usize).copied()
    }
}

impl Normalized {
    /// The tokens, in order.
    pub fn tokens(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.spans.iter().map(|&(s, e)| &self.text[s as usize..e as usize])
    }

    /// The tokens joined by single spaces.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when the text had no letter or digit at all.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// How it was read (the [`Normalizer`]'s setting, carried to the shingle stage).
    pub fn reading(&self) -> Reading {
        self.reading
    }

    /// Bytes the text's buffer holds without growing.
    pub(crate) fn capacity(&self) -> usize {
        self.text.capacity()
    }

    fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
    }
}

/// Turns raw text into [`Normalized`] tokens. Cheap to copy; holds only options.
#[derive(Debug, Clone, Copy)]
pub struct Normalizer {
    stem: bool,
    reading: Reading,
}

impl Default for Normalizer {
    fn default() -> Self {
        Normalizer { stem: true, reading: Reading::default() }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Arabic,
    Other,
}

/// Combining marks used as accents by Latin, Greek and Cyrillic (removed: `é → e`). Marks that
/// other scripts need to spell a word (Indic vowel signs, viramas, …) are kept.
#[inline]
fn is_accent(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// Hebrew and Syriac vowel points, cantillation and other optional pointing (dropped, as Arabic
/// tashkeel is: see [`Reading::PointsDropped`]). Hebrew's punctuation in that block (maqaf,
/// paseq, sof pasuq, …) is not a mark and still separates words.
#[inline]
fn is_point(c: char) -> bool {
    matches!(c, '\u{0591}'..='\u{05BD}' | '\u{05BF}' | '\u{05C1}' | '\u{05C2}' | '\u{05C4}'
        | '\u{05C5}' | '\u{05C7}' | '\u{0730}'..='\u{074A}')
}

/// The letters a lower-case Latin letter without a decomposition is folded to (see
/// [`Reading::LettersFolded`]), or `None` for every other character.
#[inline]
fn folded_letter(c: char) -> Option<&'static str> {
    Some(match c {
        'ı' => "i",
        'ß' => "ss",
        'ł' => "l",
        'ø' => "o",
        'đ' | 'ð' => "d",
        'ħ' => "h",
        'ŧ' => "t",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        _ => return None,
    })
}

/// Modifier letters that are written as apostrophes and primes (`ʹ ʺ ʻ ʼ ʽ ʾ ʿ ˈ ˮ`): they
/// separate words, as the apostrophe does (see [`Reading::LettersFolded`]).
#[inline]
fn is_apostrophe_letter(c: char) -> bool {
    matches!(c, '\u{02B9}'..='\u{02BF}' | '\u{02C8}' | '\u{02EE}')
}

/// The nukta of Devanagari and Gurmukhi (dropped, see [`Reading::LettersFolded`]).
#[inline]
fn is_nukta(c: char) -> bool {
    matches!(c, '\u{093C}' | '\u{0A3C}')
}

/// Most bytes a text may hold to be read as a headline by [`Reading::MainClause`] (250 Arabic
/// letters; OG2021's longest headline has 239 characters).
const HEADLINE_BYTES: usize = 500;

/// What [`Reading::MainClause`] reads of `text`: of its clauses joined by `..` (two dots, not
/// three, with or without spaces), the one of most words (the later one of two as long),
/// trimmed, when `text` is a headline (one line, at most [`HEADLINE_BYTES`]) of two clauses or
/// more; `text` itself otherwise.
fn main_clause(text: &str) -> &str {
    if text.len() > HEADLINE_BYTES || text.contains(['\n', '\r']) {
        return text;
    }
    let bytes = text.as_bytes();
    let joins = (0..bytes.len().saturating_sub(1)).filter(|&i| {
        bytes[i] == b'.'
            && bytes[i + 1] == b'.'
            && (i == 0 || bytes[i - 1] != b'.')
            && bytes.get(i + 2) != Some(&b'.')
    });
    let (mut best, mut best_words, mut start, mut clauses) = ("", 0, 0, 0);
    for end in joins.chain([bytes.len()]) {
        let clause = text[start..end].trim();
        let words = clause.split_whitespace().count();
        if words >= best_words {
            (best, best_words) = (clause, words);
        }
        (start, clauses) = (end + 2, clauses + 1);
    }
    if clauses > 1 && best_words > 0 { best } else { text }
}

/// Whether a normalized text holds a Han character (a quick look at the lead bytes first: Han
/// is in U+3400..U+9FFF, U+F900..U+FAFF and the planes above).
fn has_han(text: &str) -> bool {
    text.bytes().any(|b| matches!(b, 0xE3..=0xE9 | 0xEF | 0xF0))
        && text.chars().any(|c| {
            matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'
                | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
        })
}

/// `text` with its traditional Chinese written in simplified characters (OpenCC's `t2s`).
fn simplified(text: &str) -> String {
    static T2S: std::sync::OnceLock<ferrous_opencc::OpenCC> = std::sync::OnceLock::new();
    T2S.get_or_init(|| {
        ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::T2s)
            .expect("OpenCC's t2s tables are built into the binary")
    })
    .convert(text)
}

/// Whether `c` is another code point for a Han character: a compatibility ideograph (NFKD
/// gives the unified one) or a Kangxi or supplementary radical (NFKD gives the character for
/// the Kangxi ones; the supplementary ones are variant shapes and stay).
fn is_han_form(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{2FDF}' | '\u{F900}'..='\u{FAFF}' | '\u{2F800}'..='\u{2FA1F}')
}

/// `text` with each of its [`is_han_form`] characters as its decomposition, the unified
/// ideograph OpenCC's tables know.
fn han_unified(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_han_form) {
        return std::borrow::Cow::Borrowed(text);
    }
    let nfkd = DecomposingNormalizerBorrowed::new_nfkd();
    let mut out = String::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        match is_han_form(c) {
            true => out.push_str(&nfkd.normalize(c.encode_utf8(&mut buf))),
            false => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Scripts written without spaces between words, where each character is a token.
#[inline]
pub fn is_ideograph(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3134F}')
}

/// The ASCII digit of a decimal digit of any script.
///
/// Unicode lays out every script's decimal digits as contiguous runs of 0..9 (some runs hold
/// several sets back to back, e.g. the mathematical digits), so the value is the distance from
/// the start of the run, modulo 10. No table to keep up to date with new Unicode versions.
fn ascii_digit(c: char, gc: CodePointMapDataBorrowed<'static, GeneralCategory>) -> char {
    if let Some(d) = c.to_digit(10) {
        return char::from(b'0' + d as u8);
    }
    let mut start = c as u32;
    while start > 0 && gc.get32(start - 1) == GeneralCategory::DecimalNumber {
        start -= 1;
    }
    char::from(b'0' + ((c as u32 - start) % 10) as u8)
}

/// `text` with every decimal digit of any script written as its ASCII digit (`٢٠١٥-٠٧-٢١` →
/// `2015-07-21`), the rest as it is: dates and numbers of an Arabic, Persian or Devanagari
/// archive read as those in ASCII are.
pub fn ascii_digits(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        return text.into();
    }
    let gc = CodePointMapDataBorrowed::<GeneralCategory>::new();
    let digit = |c: char| !c.is_ascii() && gc.get(c) == GeneralCategory::DecimalNumber;
    if !text.chars().any(digit) {
        return text.into();
    }
    text.chars().map(|c| if digit(c) { ascii_digit(c, gc) } else { c }).collect::<String>().into()
}

/// The numbers written in `text`: every run of decimal digits (of any script, so `٢٠١٥` and
/// `2015` are the same number), as its value without leading zeros (runs longer than 18 digits
/// as a hash of their digits, with the top bit set), sorted and distinct. Separators split
/// numbers (`12,5` is 12 and 5) the same way in every language.
pub fn numbers(text: &str) -> Vec<u64> {
    let gc = CodePointMapDataBorrowed::<GeneralCategory>::new();
    let mut out = Vec::new();
    let mut digits = String::new();
    let mut flush = |digits: &mut String| {
        if digits.is_empty() {
            return;
        }
        let trimmed = digits.trim_start_matches('0');
        out.push(if trimmed.len() <= 18 {
            trimmed.parse::<u64>().unwrap_or(0)
        } else {
            xxhash_rust::xxh3::xxh3_64(trimmed.as_bytes()) | 1 << 63
        });
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || (!c.is_ascii() && gc.get(c) == GeneralCategory::DecimalNumber) {
            digits.push(ascii_digit(c, gc));
        } else {
            flush(&mut digits);
        }
    }
    flush(&mut digits);
    out.sort_unstable();
    out.dedup();
    out
}

impl Normalizer {
    /// A normalizer; `stem` turns Arabic light stemming on or off.
    pub fn new(stem: bool) -> Self {
        Normalizer { stem, ..Normalizer::default() }
    }

    /// The same normalizer reading as `reading` says (by default the current [`Reading`]).
    pub fn with_reading(self, reading: Reading) -> Self {
        Normalizer { reading, ..self }
    }

    /// Normalizes `text` into a fresh [`Normalized`].
    pub fn normalize(&self, text: &str) -> Normalized {
        let mut out = Normalized::default();
        self.normalize_into(text, &mut out);
        out
    }

    /// Normalizes `text` into `out`, reusing its buffers.
    ///
    /// The result is that of decomposing the whole text (NFKD) and then reading it character by
    /// character, but only the characters that NFKD changes are decomposed, one at a time (see
    /// `decomposition`); most text is read in place, ASCII and the Arabic letters from their
    /// bytes (see `ARABIC_BLOCK`). Decomposing one character at a time skips
    /// the canonical reordering of combining marks, which matters only for marks kept in a token,
    /// and those tokens are recomposed (NFC, which reorders) at the end.
    pub fn normalize_into(&self, text: &str, out: &mut Normalized) {
        let text = if self.reading.reads_main_clause() { main_clause(text) } else { text };
        let wide = self.read(text, out);
        if self.reading.simplifies() && wide && has_han(out.as_str()) {
            let simplified = match self.reading.unifies_han() {
                true => simplified(&han_unified(text)),
                false => simplified(text),
            };
            if simplified != text {
                self.read(&simplified, out);
            }
        }
    }

    /// [`Normalizer::normalize_into`] but for traditional Chinese, read as it is written.
    /// Returns whether the text has a character from U+2E80 on, where the Han characters and
    /// everything NFKD makes them of begin (the radicals, the enclosed and squared forms): a
    /// text without one has no Han to simplify, and is not searched for it.
    fn read(&self, text: &str, out: &mut Normalized) -> bool {
        out.clear();
        out.reading = self.reading;
        let mut b = Builder::new(out, self.stem);
        let bytes = text.as_bytes();
        let (mut i, mut wide) = (0, false);
        while let Some(&lead) = bytes.get(i) {
            if lead.is_ascii() {
                b.char(char::from(lead));
                i += 1;
                continue;
            }
            // U+0600..U+067F, the bulk of Arabic text, straight from its two bytes: a valid
            // string holds the second.
            if let Some(offset) = arabic::block_offset(bytes, i) {
                let code = ARABIC_BLOCK[offset];
                if code >= 0x600 {
                    if let Some(next) = b.arabic_word(bytes, i) {
                        i = next;
                        continue;
                    }
                    b.push(char::from_u32(code.into()).unwrap_or('\u{0627}'), Some(Script::Arabic));
                    i += 2;
                    // The word's next letters, while they are letters of the table: the token
                    // is open and Arabic, so each is only appended.
                    while let Some(offset) = arabic::block_offset(bytes, i) {
                        let code = ARABIC_BLOCK[offset];
                        if code < 0x600 {
                            break;
                        }
                        b.push_to_arabic_token(code);
                        i += 2;
                    }
                    // A space or ASCII punctuation ends the word: close it here, where the
                    // token is known to be open and Arabic.
                    if let Some(&next) = bytes.get(i)
                        && next.is_ascii()
                        && !next.is_ascii_alphanumeric()
                    {
                        b.end_arabic();
                        i += 1;
                    }
                    continue;
                } else if code > SPLIT {
                    b.push(char::from(code as u8), None);
                } else if code == SPLIT {
                    b.end();
                } else if code == DECODE {
                    b.decomposed(char::from_u32(0x600 + offset as u32).unwrap_or('\u{0600}'));
                }
                i += 2;
                continue;
            }
            let c = text[i..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
            wide |= c >= '\u{2E80}';
            b.decomposed(c);
            i += c.len_utf8();
        }
        b.finish();
        wide
    }

    /// [`Normalizer::normalize_into`] by decomposing the whole text first: the definition the
    /// fast path must agree with.
    #[cfg(test)]
    fn normalize_reference(&self, text: &str) -> Normalized {
        let text = if self.reading.reads_main_clause() { main_clause(text) } else { text };
        let read = |text: &str| {
            let mut out = Normalized { reading: self.reading, ..Default::default() };
            let mut b = Builder::new(&mut out, self.stem);
            let nfkd = DecomposingNormalizerBorrowed::new_nfkd().normalize(text);
            nfkd.chars().for_each(|c| b.char(c));
            b.finish();
            out
        };
        let out = read(text);
        if self.reading.simplifies() && has_han(out.as_str()) {
            return match self.reading.unifies_han() {
                true => read(&simplified(&han_unified(text))),
                false => read(&simplified(text)),
            };
        }
        out
    }
}

/// What NFKD makes of one character.
#[derive(Clone, Copy)]
enum Decomposition {
    /// Itself.
    Same,
    /// Up to three characters.
    Short([char; 3], u8),
    /// More (ligatures such as `ﷺ`, `㍿`): asked of the normalizer each time.
    Long,
}

/// What [`Normalizer::normalize_into`] does with each code point of U+0600..U+067F, read from its
/// two UTF-8 bytes without decoding: the same as decomposing it and reading the result (a test
/// checks every one against that), written out for the code points Arabic text is made of.
///
/// An entry is a letter to push (an Arabic letter, already unified, from U+0600 up), an ASCII
/// digit to push, or one of [`DECODE`], [`DROP`] and [`SPLIT`]. Plain numbers rather than an
/// enum: the letters, nearly every entry read, are told apart by one compare instead of a jump
/// through a table.
static ARABIC_BLOCK: [u16; 128] = {
    let mut table = [DECODE; 128];
    let mut offset = 0;
    while offset < 128 {
        let cp = 0x600 + offset as u16;
        let Some(c) = char::from_u32(cp as u32) else { break };
        table[offset] = match cp {
            // Arabic comma, semicolon, question mark; percent, decimal and thousands separators,
            // five-pointed star.
            0x060C | 0x061B | 0x061F | 0x066A..=0x066D => SPLIT,
            // The Arabic letter mark, a bidi control.
            0x061C => DROP,
            _ if arabic::is_dropped_mark(c) => DROP,
            // Hamza and madda on a carrier: NFKD gives the carrier and a mark that is dropped.
            0x0622 | 0x0623 | 0x0625 => 0x0627,
            0x0624 => 0x0648,
            0x0626 => 0x064A,
            // The other letters as `arabic::unify_letter` has them (standalone hamza and tatweel
            // dropped).
            0x0620..=0x064A => match arabic::unify_letter(c) {
                Some(u) => u as u16,
                None => DROP,
            },
            0x0660..=0x0669 => b'0' as u16 + (cp - 0x0660),
            _ => DECODE,
        };
        // `Builder::push_to_arabic_token` writes the letters as two UTF-8 bytes.
        assert!(table[offset] < 0x800);
        offset += 1;
    }
    table
};

/// Whole words of [`ARABIC_BLOCK`]'s letters, eight letters at a time (see
/// [`Builder::arabic_word`]).
#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::*;

    /// Two UTF-8 bytes as one little-endian lane: the lead byte low, the continuation high.
    const fn lane(c: char) -> i16 {
        let mut buf = [0u8; 4];
        let b = c.encode_utf8(&mut buf).as_bytes();
        i16::from_le_bytes([b[0], b[1]])
    }

    /// Reads the 16 bytes at `p` as eight two-byte lanes. Returns how many lanes, from the
    /// first, are letters of [`super::ARABIC_BLOCK`] (U+0620..U+063F but the hamza, and
    /// U+0641..U+064A), and the lanes with each letter unified as the table has it (the lanes
    /// after the count are garbage).
    ///
    /// # Safety
    /// `p` must be valid for reading 16 bytes.
    #[inline(always)]
    pub(super) unsafe fn letters(p: *const u8) -> (usize, __m128i) {
        unsafe {
            let v = _mm_loadu_si128(p.cast());
            let lead = _mm_and_si128(v, _mm_set1_epi16(0xFF));
            let cont = _mm_srli_epi16::<8>(v);
            let d8 = _mm_cmpeq_epi16(lead, _mm_set1_epi16(0xD8));
            let d9 = _mm_cmpeq_epi16(lead, _mm_set1_epi16(0xD9));
            let eq = |c: char| _mm_cmpeq_epi16(v, _mm_set1_epi16(lane(c)));
            // U+0620..U+063F but the hamza U+0621; U+0641..U+064A.
            let in_d8 = _mm_andnot_si128(
                eq('\u{0621}'),
                _mm_and_si128(d8, _mm_cmpgt_epi16(cont, _mm_set1_epi16(0x9F))),
            );
            let in_d9 = _mm_and_si128(
                d9,
                _mm_and_si128(
                    _mm_cmpgt_epi16(cont, _mm_set1_epi16(0x80)),
                    _mm_cmplt_epi16(cont, _mm_set1_epi16(0x8B)),
                ),
            );
            let valid = _mm_or_si128(in_d8, in_d9);
            let yeh = _mm_or_si128(
                _mm_or_si128(eq('\u{0620}'), eq('\u{0626}')),
                _mm_or_si128(
                    eq('\u{0649}'),
                    _mm_and_si128(d8, _mm_cmpgt_epi16(cont, _mm_set1_epi16(0xBC))),
                ),
            );
            let alef = _mm_or_si128(_mm_or_si128(eq('\u{0622}'), eq('\u{0623}')), eq('\u{0625}'));
            let waw = eq('\u{0624}');
            let heh = eq('\u{0629}');
            let pick = |m: __m128i, c: char, v: __m128i| {
                _mm_or_si128(_mm_and_si128(m, _mm_set1_epi16(lane(c))), _mm_andnot_si128(m, v))
            };
            let mapped = pick(heh, 'ه', pick(waw, 'و', pick(alef, 'ا', pick(yeh, 'ي', v))));
            // Two mask bits per lane; the first lane that is not a letter stops the count.
            let mask = _mm_movemask_epi8(valid) as u32;
            ((!mask).trailing_zeros() as usize / 2, mapped)
        }
    }

    /// A word of fewer than 16 letters of the table, read by [`word`]: its length in letters,
    /// its stem as a range of them, and its lanes with the stem moved to the front (two
    /// registers when it is eight letters or more; garbage after the stem).
    pub(super) struct Word {
        pub letters: usize,
        pub stem: (usize, usize),
        pub lanes: [__m128i; 2],
        /// Whether the word spells `عبد` somewhere (as written: no letter is unified to those
        /// three).
        pub abd: bool,
        /// Whether the stem has the shape of a derived verb's (see `raw_derived_verb`): five
        /// letters with `ت` third or `ن` second, or six with `ست` after the first.
        pub verb_shaped: bool,
    }

    /// Whether the stem `from..to` of the word whose first lanes are `lo` has the shape of a
    /// derived verb's (see [`Word::verb_shaped`]). Without branches, from the lanes already
    /// read: the stem's second and third letters fall among the first eight (`from <= 4`).
    #[inline(always)]
    fn verb_shaped(lo: __m128i, (from, to): (usize, usize)) -> bool {
        // Two mask bits per lane that is the letter `c`.
        let mask = |c: char| {
            // SAFETY: SSE2 is part of x86-64.
            unsafe { _mm_movemask_epi8(_mm_cmpeq_epi16(lo, _mm_set1_epi16(lane(c)))) as u32 }
        };
        let at = |m: u32, k: usize| (m >> (2 * k)) & 1 == 1;
        let (second, third) = (from + 1, from + 2);
        let n = to - from;
        (n == 5) & (at(mask('ت'), third) | at(mask('ن'), second))
            | (n == 6) & at(mask('س'), second) & at(mask('ت'), third)
    }

    /// Whether the first `letters` lanes of `lo` and then `hi` (the lanes after eight; `hi`
    /// is `lo` again for a shorter word, whose count leaves them out) spell `عبد` somewhere.
    /// Unifying leaves those three letters as they were written. Without branches: word
    /// lengths vary too much for a branch on them to be predicted.
    #[inline(always)]
    fn spells_abd(lo: __m128i, hi: __m128i, letters: usize) -> bool {
        // Two mask bits per lane that is the letter `c`, over both registers.
        let mask = |c: char| {
            // SAFETY: SSE2 is part of x86-64.
            unsafe {
                let letter = _mm_set1_epi16(lane(c));
                let lo = _mm_movemask_epi8(_mm_cmpeq_epi16(lo, letter)) as u32;
                lo | (_mm_movemask_epi8(_mm_cmpeq_epi16(hi, letter)) as u32) << 16
            }
        };
        // The lanes of `ع` with `ب` and `د` after them, inside the word.
        let inside = (1u64 << (2 * letters.saturating_sub(2))) - 1;
        u64::from(mask('ع') & (mask('ب') >> 2) & (mask('د') >> 4)) & inside != 0
    }

    /// Reads the word of letters of the table at the start of `bytes`, unified and, if `stem`,
    /// light-stemmed as `reading` has it ([`super::arabic::light_stem_counted`]), when it has
    /// fewer than 16 letters and `bytes` holds 16 bytes (32 for a word of eight letters or
    /// more); `None` otherwise.
    #[inline(always)]
    pub(super) fn word(bytes: &[u8], stem: bool, reading: super::Reading) -> Option<Word> {
        let first = bytes.get(..16)?;
        // SAFETY: SSE2 is part of x86-64; each load reads 16 bytes of a slice that holds them.
        let (letters, lo) = unsafe { self::letters(first.as_ptr()) };
        if letters < 8 {
            let stem = if stem && letters > 3 {
                super::stem_of_letters::<16>(first.try_into().ok()?, letters, reading)
            } else {
                (0, letters)
            };
            // SAFETY: as above.
            let lanes = [unsafe { drop_letters(lo, stem.0) }, lo];
            let (abd, verb_shaped) = (spells_abd(lo, lo, letters), verb_shaped(lo, stem));
            return Some(Word { letters, stem, lanes, abd, verb_shaped });
        }
        let second = bytes.get(16..32)?;
        // SAFETY: as above.
        let (more, hi) = unsafe { self::letters(second.as_ptr()) };
        if more == 8 {
            return None;
        }
        let letters = 8 + more;
        let stem = if stem {
            super::stem_of_letters::<32>(bytes.get(..32)?.try_into().ok()?, letters, reading)
        } else {
            (0, letters)
        };
        // SAFETY: as above.
        let lanes = unsafe {
            // The first lanes of the second register move up to the end of the first.
            let carry =
                _mm_slli_si128::<8>(_mm_sll_epi64(hi, _mm_cvtsi32_si128(64 - 16 * stem.0 as i32)));
            [_mm_or_si128(drop_letters(lo, stem.0), carry), drop_letters(hi, stem.0)]
        };
        let (abd, verb_shaped) = (spells_abd(lo, hi, letters), verb_shaped(lo, stem));
        Some(Word { letters, stem, lanes, abd, verb_shaped })
    }

    /// `v` without its first `k` lanes (`k <= 4`), the rest moved to the front.
    ///
    /// # Safety
    /// None beyond SSE2, which x86-64 has.
    #[inline(always)]
    unsafe fn drop_letters(v: __m128i, k: usize) -> __m128i {
        debug_assert!(k <= 4);
        unsafe {
            // Each half shifted right by `16 k` bits, and the high half's low bits carried into
            // the low half (a shift by 64 bits or more gives zero, so `k = 4` moves it whole).
            let bits = 16 * k as i32;
            let halves = _mm_srl_epi64(v, _mm_cvtsi32_si128(bits));
            let carry = _mm_sll_epi64(_mm_srli_si128::<8>(v), _mm_cvtsi32_si128(64 - bits));
            _mm_or_si128(halves, carry)
        }
    }

    /// Stores `v` at `p`.
    ///
    /// # Safety
    /// `p` must be valid for writing 16 bytes.
    #[inline(always)]
    pub(super) unsafe fn store(p: *mut u8, v: __m128i) {
        unsafe { _mm_storeu_si128(p.cast(), v) }
    }
}

/// The [`arabic::affix_id`] of the letter each entry of [`ARABIC_BLOCK`] is unified to.
static AFFIX_ID: [u8; 128] = {
    let mut ids = [0; 128];
    let mut offset = 0;
    while offset < 128 {
        ids[offset] = arabic::affix_id(ARABIC_BLOCK[offset]);
        offset += 1;
    }
    ids
};

/// The light stem of a word of `n` letters of [`ARABIC_BLOCK`] (`3 < n`, `2 n <= N`, `N` a
/// power of two) at the start of `word`, read raw, as a range of its letters: each letter's
/// affix id is one look-up of its raw bytes, unification included.
#[inline(always)]
fn stem_of_letters<const N: usize>(word: &[u8; N], n: usize, reading: Reading) -> (usize, usize) {
    debug_assert!(n > 3 && 2 * n <= N && N.is_power_of_two());
    let id = |k: usize| {
        let (lead, cont) = (word[(2 * k) & (N - 1)], word[(2 * k + 1) & (N - 1)]);
        AFFIX_ID[usize::from(lead & 1) << 6 | usize::from(cont & 0x3F)]
    };
    let first = [id(0), id(1), id(2), id(3)];
    let (front, back) = arabic::affix_rules(first, id(n - 2), id(n - 1), n, reading);
    (front, n - back)
}

/// [`ARABIC_BLOCK`]: decompose the code point and read it as any other character.
const DECODE: u16 = 0;
/// [`ARABIC_BLOCK`]: a mark or control, dropped; the word goes on.
const DROP: u16 = 1;
/// [`ARABIC_BLOCK`]: punctuation; the word ends.
const SPLIT: u16 = 2;

/// Code points per lazily built table of [`decomposition`].
const BLOCK: usize = 1024;

/// NFKD of `c`, from a table built on first use for each block of 1,024 code points of the
/// Basic Multilingual Plane (a few hundred microseconds per block an input uses); other planes
/// ask the normalizer.
fn decomposition(c: char) -> Decomposition {
    static BLOCKS: [std::sync::OnceLock<Box<[Decomposition]>>; 0x10000 / BLOCK] =
        [const { std::sync::OnceLock::new() }; 0x10000 / BLOCK];
    let cp = c as usize;
    let Some(block) = BLOCKS.get(cp / BLOCK) else { return Decomposition::Long };
    block.get_or_init(|| {
        let nfkd = DecomposingNormalizerBorrowed::new_nfkd();
        let first = cp / BLOCK * BLOCK;
        (first..first + BLOCK)
            .map(|cp| {
                let Some(c) = char::from_u32(cp as u32) else { return Decomposition::Same };
                let mut buf = [0u8; 4];
                let d = nfkd.normalize(c.encode_utf8(&mut buf));
                let mut chars = ['\0'; 3];
                let mut n = 0;
                for d in d.chars() {
                    if n == 3 {
                        return Decomposition::Long;
                    }
                    chars[n] = d;
                    n += 1;
                }
                if n == 1 && chars[0] == c {
                    Decomposition::Same
                } else {
                    Decomposition::Short(chars, n as u8)
                }
            })
            .collect()
    })[cp % BLOCK]
}

/// Accumulates tokens into a [`Normalized`], one character of the NFKD form at a time.
///
/// It holds the text and spans by value, taken from the [`Normalized`] it fills and given back
/// by [`Builder::finish`]: through a reference, every character reloaded the text's length
/// that the character before had just stored.
struct Builder<'a> {
    out: &'a mut Normalized,
    text: String,
    spans: Vec<(u32, u32)>,
    /// Byte offset where the open token starts.
    start: Option<usize>,
    /// Characters in the open token.
    chars: usize,
    /// Script of the open token's letters (digits have none).
    script: Option<Script>,
    stem: bool,
    /// The output's reading, read once (light stemming asks it for every word).
    reading: Reading,
    /// A kept combining mark or a Hangul jamo was written: recompose at the end.
    needs_nfc: bool,
    /// Where the last Han or Kana token ended in `text` (a voicing mark read right after it goes
    /// back onto it).
    ideograph_end: usize,
    gc: CodePointMapDataBorrowed<'static, GeneralCategory>,
}

impl<'a> Builder<'a> {
    fn new(out: &'a mut Normalized, stem: bool) -> Self {
        let text = std::mem::take(&mut out.text);
        let spans = std::mem::take(&mut out.spans);
        let reading = out.reading;
        Builder {
            out,
            text,
            spans,
            start: None,
            chars: 0,
            script: None,
            stem,
            reading,
            needs_nfc: false,
            ideograph_end: usize::MAX,
            gc: CodePointMapDataBorrowed::<GeneralCategory>::new(),
        }
    }

    /// Reads one character of the raw text: its NFKD decomposition, character by character.
    fn decomposed(&mut self, c: char) {
        match decomposition(c) {
            Decomposition::Same => self.char(c),
            Decomposition::Short(d, n) => d[..n as usize].iter().for_each(|&d| self.char(d)),
            Decomposition::Long => {
                let mut buf = [0u8; 4];
                let nfkd = DecomposingNormalizerBorrowed::new_nfkd();
                nfkd.normalize(c.encode_utf8(&mut buf)).chars().for_each(|d| self.char(d));
            }
        }
    }

    /// Reads one character of the decomposed text.
    #[inline(always)]
    fn char(&mut self, c: char) {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                self.push(
                    c.to_ascii_lowercase(),
                    if c.is_ascii_digit() { None } else { Some(Script::Other) },
                );
            } else {
                self.separate();
            }
            return;
        }
        // The Arabic letters proper (all of them letters, tatweel a modifier letter): the bulk
        // of Arabic text, without the category lookup.
        if ('\u{0620}'..='\u{064A}').contains(&c) {
            if let Some(u) = arabic::unify_letter(c) {
                self.push(u, Some(Script::Arabic));
            }
            return;
        }
        if is_accent(c)
            || arabic::is_dropped_mark(c)
            || (is_point(c) && self.reading.drops_points())
            || (is_nukta(c) && self.reading.folds_letters())
        {
            return;
        }
        // An apostrophe written as a letter; a zero-width non-joiner inside an Arabic-script
        // word (Persian's `می‌خواهم`, written `می خواهم` as often).
        if (is_apostrophe_letter(c) || (c == '\u{200C}' && self.script == Some(Script::Arabic)))
            && self.reading.folds_letters()
        {
            self.separate();
            return;
        }
        let gc = self.gc;
        match gc.get(c) {
            // Enclosing marks (a circle, a keycap, the Cyrillic millions sign) decorate a
            // letter without changing it; invisible format controls are not text.
            GeneralCategory::Format | GeneralCategory::EnclosingMark => {}
            GeneralCategory::NonspacingMark | GeneralCategory::SpacingMark => {
                if self.start.is_some() {
                    // Devanagari's chandrabindu, as the anusvara.
                    let c = if c == '\u{0901}' && self.reading.folds_letters() {
                        '\u{0902}'
                    } else {
                        c
                    };
                    self.text.push(c);
                    self.chars += 1;
                    self.needs_nfc = true;
                } else if matches!(c, '\u{3099}' | '\u{309A}')
                    && self.ideograph_end == self.text.len()
                    && self.reading.cjk_pairs()
                {
                    // A kana's voicing mark, which NFKD parts from it (`が` is `か` + U+3099):
                    // back onto the kana, which it makes another syllable.
                    self.text.push(c);
                    self.ideograph_end = self.text.len();
                    if let Some(last) = self.spans.last_mut() {
                        last.1 = self.text.len() as u32;
                    }
                    self.needs_nfc = true;
                }
            }
            GeneralCategory::DecimalNumber => self.push(ascii_digit(c, gc), None),
            GeneralCategory::LetterNumber | GeneralCategory::OtherNumber => self.push(c, None),
            GeneralCategory::UppercaseLetter
            | GeneralCategory::LowercaseLetter
            | GeneralCategory::TitlecaseLetter
            | GeneralCategory::ModifierLetter
            | GeneralCategory::OtherLetter => {
                if arabic::is_arabic_letter(c) {
                    let c = match c {
                        // Veh (`ڤيروس`, `روڤر`: the v of borrowed words) and the Maghrebi feh
                        // and qaf, which most papers write as feh and qaf.
                        '\u{06A4}' | '\u{06A2}' if self.reading.folds_letters() => 'ف',
                        '\u{06A7}' if self.reading.folds_letters() => 'ق',
                        c => c,
                    };
                    if let Some(u) = arabic::unify_letter(c) {
                        self.push(u, Some(Script::Arabic));
                    }
                } else if is_ideograph(c) {
                    self.end();
                    self.push(c, Some(Script::Other));
                    self.end();
                    self.ideograph_end = self.text.len();
                } else {
                    if ('\u{1100}'..='\u{11FF}').contains(&c) {
                        self.needs_nfc = true;
                    }
                    let mut lower = c.to_lowercase();
                    if lower.len() == 1 {
                        let l = lower.next().unwrap_or(c);
                        if let Some(f) = folded_letter(l).filter(|_| self.reading.folds_letters()) {
                            f.chars().for_each(|f| self.push(f, Some(Script::Other)));
                        } else {
                            self.push(if l == 'ς' { 'σ' } else { l }, Some(Script::Other));
                        }
                    } else {
                        for l in lower {
                            self.push(l, Some(Script::Other));
                        }
                    }
                }
            }
            _ => self.separate(),
        }
    }

    /// A character that separates words: the open token ends, and a voicing mark after it
    /// no longer belongs to the kana before.
    #[inline(always)]
    fn separate(&mut self) {
        self.end();
        self.ideograph_end = usize::MAX;
    }

    #[inline(always)]
    fn push(&mut self, c: char, script: Option<Script>) {
        if let (Some(s), Some(cur)) = (script, self.script)
            && s != cur
        {
            self.end();
        }
        if self.start.is_none() {
            if !self.text.is_empty() {
                self.text.push(' ');
            }
            self.start = Some(self.text.len());
            self.chars = 0;
        }
        if script.is_some() {
            self.script = script;
        }
        self.text.push(c);
        self.chars += 1;
    }

    /// Appends a letter of [`ARABIC_BLOCK`] to the open token, which is Arabic: what [`push`]
    /// does there, without its checks.
    ///
    /// [`push`]: Builder::push
    #[inline(always)]
    fn push_to_arabic_token(&mut self, letter: u16) {
        debug_assert!(self.start.is_some() && self.script == Some(Script::Arabic));
        debug_assert!((0x600..0x800).contains(&letter));
        let utf8 = [0xC0 | (letter >> 6) as u8, 0x80 | (letter & 0x3F) as u8];
        // SAFETY: the table's letters lie in U+0600..U+07FF (checked where it is built), whose
        // UTF-8 is these two bytes.
        unsafe { self.text.as_mut_vec() }.extend_from_slice(&utf8);
        self.chars += 1;
    }

    /// Reads a whole Arabic word at byte `i` (its first letter is one of [`ARABIC_BLOCK`]'s)
    /// when no token is open, the word is fewer than 16 letters of the table, and a space, ASCII
    /// punctuation or Arabic punctuation ends it: the common case, done with one SSE2 read (two
    /// from eight letters on). Returns where reading goes on, after the character that ended
    /// the word; `None` leaves the word to the general path.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn arabic_word(&mut self, bytes: &[u8], i: usize) -> Option<usize> {
        if self.start.is_some() {
            return None;
        }
        let simd::Word { letters, stem: (from, to), lanes, abd, verb_shaped } =
            simd::word(&bytes[i..], self.stem, self.reading)?;
        let after = i + 2 * letters;
        // The name of God, which light stemming would cut, and compound names, which it parts,
        // are the general path's.
        if self.stem && self.reads_apart(&bytes[i..after], abd) {
            return None;
        }
        let next = match *bytes.get(after)? {
            b if b.is_ascii() => (!b.is_ascii_alphanumeric()).then_some(after + 1)?,
            // Arabic punctuation (the comma, the question mark, ...).
            _ => {
                (ARABIC_BLOCK[arabic::block_offset(bytes, after)?] == SPLIT).then_some(after + 2)?
            }
        };
        // SAFETY: a space between tokens, then 32 bytes of spare capacity from `start`; the
        // length grows only over the first `2 * (to - from)` bytes, whole two-byte letters
        // (U+0600..U+07FF).
        let (start, end) = unsafe {
            let vec = self.text.as_mut_vec();
            vec.reserve(33);
            if !vec.is_empty() {
                vec.push(b' ');
            }
            let start = vec.len();
            simd::store(vec.as_mut_ptr().add(start), lanes[0]);
            if letters >= 8 {
                simd::store(vec.as_mut_ptr().add(start + 16), lanes[1]);
            }
            vec.set_len(start + 2 * (to - from));
            (start, vec.len())
        };
        // A verb read as its verbal noun (see `Reading::VerbalNouns`) gains letters: rewritten
        // where it was stored, the rare time its letters are the pattern's.
        if verb_shaped
            && self.stem
            && self.reading.reads_verbal_nouns()
            && raw_derived_verb(&bytes[i + 2 * from..i + 2 * to])
        {
            write_verbal_noun(&mut self.text, start, to - from, self.reading);
            self.spans.push((start as u32, self.text.len() as u32));
            return Some(next);
        }
        self.spans.push((start as u32, end as u32));
        Some(next)
    }

    /// Whether the raw letters of a word may be the name of God, `اللهم` or a compound name: what
    /// [`Builder::close`] reads apart from light stemming. It looks at the letters as written,
    /// before they are unified, so it takes both ends of `الله` (`ه` and `ة`, which is unified
    /// to it) and any word with `عبد` (`abd`, from [`simd::word`]: no other letter is unified
    /// to those three, and the article's alef may be written `أ`).
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn reads_apart(&self, raw: &[u8], abd: bool) -> bool {
        let reading = self.reading;
        (reading.keeps_divine_name()
            && (raw.ends_with("لله".as_bytes()) || raw.ends_with("للة".as_bytes())))
            || (reading.parts_names() && (abd || raw.ends_with("للهم".as_bytes())))
    }

    /// Without SSE2, the general path reads every word.
    #[cfg(not(target_arch = "x86_64"))]
    #[inline(always)]
    fn arabic_word(&mut self, _bytes: &[u8], _i: usize) -> Option<usize> {
        None
    }

    /// Closes the open token, if any.
    fn end(&mut self) {
        let Some(start) = self.start.take() else { return };
        let script = self.script.take();
        self.close(start, self.stem && script == Some(Script::Arabic));
    }

    /// [`Builder::end`] of an open Arabic token, inlined where the Arabic letters are read (a
    /// call per word cost 7% of normalizing Arabic text).
    #[inline(always)]
    fn end_arabic(&mut self) {
        debug_assert!(self.start.is_some() && self.script == Some(Script::Arabic));
        let start = self.start.take().unwrap_or(self.text.len());
        self.script = None;
        self.close(start, self.stem);
    }

    /// Records the token that began at byte `start`, light-stemmed if `stem`; a compound name
    /// (see [`Reading::NamesParted`]) as its two words.
    #[inline(always)]
    fn close(&mut self, start: usize, stem: bool) {
        if stem
            && self.reading.parts_names()
            && may_be_a_name(&self.text.as_bytes()[start..])
            && self.read_name(start)
        {
            return;
        }
        self.close_word(start, stem);
    }

    /// Records the token that began at byte `start` as `اللهم`, kept whole, or as the two
    /// words of a compound name (see [`compound_name_cut`]), if it is one of them.
    #[cold]
    #[inline(never)]
    fn read_name(&mut self, start: usize) -> bool {
        let word = &self.text.as_bytes()[start..];
        if without_conjunction(word) == VOCATIVE.as_bytes() {
            self.text.truncate(start);
            self.text.push_str(VOCATIVE);
            self.spans.push((start as u32, self.text.len() as u32));
            return true;
        }
        let Some(cut) = compound_name_cut(&self.text.as_bytes()[start..]) else { return false };
        let second = self.text.split_off(start + cut);
        self.chars = self.text[start..].chars().count();
        self.close_word(start, true);
        self.text.push(' ');
        let start = self.text.len();
        self.chars = second.chars().count();
        self.text.push_str(&second);
        self.close_word(start, true);
        true
    }

    /// [`Builder::close`] of one word.
    #[inline(always)]
    fn close_word(&mut self, start: usize, stem: bool) {
        if stem
            && self.reading.keeps_divine_name()
            && is_divine_name(&self.text.as_bytes()[start..])
        {
            self.text.truncate(start);
            self.text.push_str(DIVINE_NAME);
        } else if stem {
            let word_len = self.text.len() - start;
            let (from, to) =
                arabic::light_stem_span(&self.text.as_bytes()[start..], self.chars, self.reading);
            // SAFETY: `from..to` falls on character boundaries of the word (see
            // `light_stem_span`), so the bytes moved to `start` (where the word began) are whole
            // characters, and the text is cut right after them.
            let bytes = unsafe { self.text.as_mut_vec() };
            if from > 0 {
                // A clitic is a few bytes: a loop, not a call to `memmove`.
                for k in start..start + to - from {
                    bytes[k] = bytes[k + from];
                }
            }
            bytes.truncate(start + to - from);
            if self.reading.reads_verbal_nouns() {
                // Every letter light stemming drops is two bytes.
                let letters = self.chars - from / 2 - (word_len - to) / 2;
                if matches!(letters, 5 | 6) {
                    read_verbal_noun(&mut self.text, start, letters, self.reading);
                }
            }
        }
        self.spans.push((start as u32, self.text.len() as u32));
    }

    /// Closes the last token and recomposes if needed.
    fn finish(mut self) {
        self.end();
        self.out.text = self.text;
        self.out.spans = self.spans;
        if self.needs_nfc {
            recompose(self.out);
        }
    }
}

/// The name of God, as light stemming keeps it (see [`Reading::DivineName`]).
const DIVINE_NAME: &str = "الله";

/// True for `الله` with the clitics written before it (`و ف` and, `ب` by, `ت` the oath, `ل`
/// for, which takes the article's alef: `لله`), after letters are unified.
#[inline]
fn is_divine_name(word: &[u8]) -> bool {
    // Every letter here is two bytes: `لله` is 6, `وبالله` 12.
    if !(6..=12).contains(&word.len()) || !word.ends_with("لله".as_bytes()) {
        return false;
    }
    let word = without_conjunction(word);
    ["لله", "الله", "بالله", "تالله"].iter().any(|n| word == n.as_bytes())
}

/// `word` without the conjunction `و` or `ف` written before it, if it has one.
#[inline]
fn without_conjunction(word: &[u8]) -> &[u8] {
    ["و", "ف"].iter().find_map(|c| word.strip_prefix(c.as_bytes())).unwrap_or(word)
}

/// `اللهم`, "O God", which light stemming would cut to `لهم`, "to them".
const VOCATIVE: &str = "اللهم";

/// Whether a word (unified) may be `اللهم` or a compound name: the quick test before
/// [`Builder::read_name`].
#[inline(always)]
fn may_be_a_name(word: &[u8]) -> bool {
    word.ends_with(VOCATIVE.as_bytes()) || may_be_compound_name(word)
}

/// Whether a word (unified) may be a compound name: the quick test in [`compound_name_cut`].
/// Every letter of the patterns is two bytes, so a shorter word is neither.
#[inline(always)]
fn may_be_compound_name(word: &[u8]) -> bool {
    word.len() >= 2 * COMPOUND_LETTERS
        && (word.ends_with(DIVINE_NAME.as_bytes())
            || word.windows(ABD_AL.len()).any(|w| w == ABD_AL.as_bytes()))
}

/// `عبدال`, the "Abd al-" that begins a compound name.
const ABD_AL: &str = "عبدال";

/// The fewest letters of a compound name (see [`compound_name_cut`]): `عبد`, `ال` and two
/// letters, or two letters and `الله`.
const COMPOUND_LETTERS: usize = 6;

/// Where a compound name written as one word parts (a byte offset into `word`, unified): after
/// `عبد` when `ال` and two letters or more follow it and at most three letters of clitics
/// (`و ف ب ل ك ا`) come before it (`عبدالعزيز`, `وعبدالرحمن`, `العبدالله`); before `الله` when
/// two letters or more come before it (`نصرالله`, `جارالله`). The name of God with its clitics
/// (`بالله`, `والله`) is not a compound: [`is_divine_name`] is asked first.
fn compound_name_cut(word: &[u8]) -> Option<usize> {
    const CLITICS: &str = "وفبلكا";
    if !may_be_compound_name(word) || is_divine_name(word) {
        return None;
    }
    let text = std::str::from_utf8(word).ok()?;
    if let Some(at) = text.find(ABD_AL) {
        let before = &text[..at];
        let after = &text[at + ABD_AL.len()..];
        if before.chars().count() <= 3
            && before.chars().all(|c| CLITICS.contains(c))
            && after.chars().nth(1).is_some()
        {
            return Some(at + "عبد".len());
        }
    }
    let before = text.strip_suffix(DIVINE_NAME)?;
    before.chars().nth(1).is_some().then_some(before.len())
}

/// Whether a light stem's letters (unified) are a verb of the derived forms VII, VIII or X
/// that [`Reading::VerbalNouns`] reads as its verbal noun: five letters `ـCتCC` (VIII) or
/// `ـنCCC` (VII), or six `ـستCCC` (X), where the first is `ا` (the perfect, or the verbal noun's
/// own alef) or a prefix of the imperfect (`ي ت ن`), and the root letters `C` are strong. A
/// weak or hamzated root (`يختار`, `استقال`, `يبتدئ`) makes another pattern.
fn is_derived_verb(letters: &[char]) -> bool {
    let strong = |c: char| !matches!(c, 'ا' | 'و' | 'ي' | 'ء');
    let prefix = |c: char| matches!(c, 'ا' | 'ي' | 'ت' | 'ن');
    match *letters {
        [p, a, b, c, d] => {
            prefix(p)
                && strong(a)
                && strong(c)
                && strong(d)
                && (b == 'ت' || (a == 'ن' && strong(b)))
        }
        [p, 'س', 'ت', c, d, e] => prefix(p) && strong(c) && strong(d) && strong(e),
        _ => false,
    }
}

/// [`is_derived_verb`] of a light stem's raw letters, as the fast path reads them (letters of
/// [`ARABIC_BLOCK`], two bytes each, not yet unified): each is unified by the table first.
/// Called for a stem of the verbs' shape only (`simd::Word::verb_shaped`).
#[cfg(target_arch = "x86_64")]
#[inline(never)]
fn raw_derived_verb(stem: &[u8]) -> bool {
    let mut letters = ['\0'; 6];
    for (k, slot) in letters.iter_mut().enumerate().take(stem.len() / 2) {
        let code = arabic::block_offset(stem, 2 * k).map_or(0, |offset| ARABIC_BLOCK[offset]);
        *slot = char::from_u32(code.into()).unwrap_or('\0');
    }
    is_derived_verb(&letters[..stem.len() / 2])
}

/// Rewrites the light stem at the end of `text`, from `start` (`len` letters), as the verbal
/// noun of the derived verb it is, if it is one (see [`is_derived_verb`]; the general path's
/// words, whose letters it reads).
#[inline(never)]
fn read_verbal_noun(text: &mut String, start: usize, len: usize, reading: Reading) {
    let mut letters = ['\0'; 6];
    if !(5..=6).contains(&len) {
        return;
    }
    for (slot, c) in letters.iter_mut().zip(text[start..].chars()) {
        *slot = c;
    }
    if is_derived_verb(&letters[..len]) {
        write_verbal_noun(text, start, len, reading);
    }
}

/// Rewrites the derived verb at the end of `text`, from `start` (`len` letters), as its verbal
/// noun: `ا` for its first letter and `ا` before its last (`يعتذر` → `اعتذار`, `استقبل` →
/// `استقبال`), then light-stemmed as the noun is where a text writes it (`يلتمس` → `التماس` →
/// `تماس`, `يحتضن` → `احتضان` → `احتض`).
fn write_verbal_noun(text: &mut String, start: usize, len: usize, reading: Reading) {
    let first = text[start..].chars().next().map_or(0, char::len_utf8);
    let last = text.chars().next_back().map_or(0, char::len_utf8);
    text.replace_range(start..start + first, "ا");
    text.insert(text.len() - last, 'ا');
    let (from, to) = arabic::light_stem_span(&text.as_bytes()[start..], len + 1, reading);
    text.truncate(start + to);
    text.replace_range(start..start + from, "");
}

/// Recomposes (NFC) a text that kept combining marks, and recomputes the token spans.
fn recompose(out: &mut Normalized) {
    let composed = ComposingNormalizerBorrowed::new_nfc().normalize(&out.text).into_owned();
    out.spans.clear();
    let mut pos = 0u32;
    for tok in composed.split(' ') {
        let end = pos + tok.len() as u32;
        if !tok.is_empty() {
            out.spans.push((pos, end));
        }
        pos = end + 1;
    }
    out.text = composed;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        Normalizer::default().normalize(s).tokens().map(str::to_owned).collect()
    }

    fn unstemmed(s: &str) -> Vec<String> {
        Normalizer::new(false).normalize(s).tokens().map(str::to_owned).collect()
    }

    #[test]
    fn latin_case_accents_punctuation() {
        assert_eq!(toks("Olímpicos: ÉTÉ, «Tokyo»!"), ["olimpicos", "ete", "tokyo"]);
        assert_eq!(toks("ΟΔΟΣ"), ["οδοσ"]);
        assert_eq!(toks("ﬁnal Ⅻ"), ["final", "xii"]);
    }

    #[test]
    fn numbers_are_the_same_in_every_digit_system() {
        assert_eq!(numbers("جلسة ٧٣٩٥ في ٢٠١٥"), numbers("meeting 7395 in 2015"));
        assert_eq!(numbers("meeting 7395 in 2015"), vec![2015, 7395]);
        assert_eq!(numbers("۰۰7 and 7, 12٫5"), vec![5, 7, 12]);
        assert_eq!(numbers("no digits"), Vec::<u64>::new());
        let long = numbers(&"9".repeat(40));
        assert_eq!(long.len(), 1);
        assert!(long[0] >= 1 << 63);
    }

    #[test]
    fn digits_of_every_script_become_ascii() {
        assert_eq!(toks("٢٠٢١ ۱۴۰۰ १२ １２"), ["2021", "1400", "12", "12"]);
    }

    #[test]
    fn arabic_marks_letters_and_clitics() {
        // Tashkeel, tatweel, hamza carriers, alef maksura, teh marbuta.
        assert_eq!(toks("مُـحَمَّد"), ["محمد"]);
        assert_eq!(toks("أحمد إلى آخر"), ["احمد", "الي", "اخر"]);
        assert_eq!(toks("والناتو بالناتو الناتو"), ["ناتو", "ناتو", "ناتو"]);
        assert_eq!(unstemmed("كورية"), ["كوريه"]);
        assert_eq!(toks("كورية"), ["كور"]);
        // Presentation forms (NFKD) are plain letters.
        assert_eq!(toks("\u{FEE1}\u{FEE0}\u{FEDF}"), toks("\u{0645}\u{0644}\u{0644}"));
    }

    #[test]
    fn controls_do_not_split_words_but_punctuation_and_emoji_do() {
        // A bidi mark inside a word leaves it whole; Persian's zero-width non-joiner separates
        // (see `latin_letters_without_a_decomposition_are_folded`), as it did not before.
        assert_eq!(toks("مر\u{200F}حبا \u{202B}مرحبا\u{202C} world"), ["مرحبا", "مرحبا", "world"]);
        assert_eq!(unstemmed("می\u{200C}خواهم"), ["مي", "خواهم"]);
        let before = Normalizer::new(false).with_reading(Reading::Simplified);
        assert_eq!(before.normalize("می\u{200C}خواهم").as_str(), "ميخواهم");
        assert_eq!(toks("a⚡️b 🎉"), ["a", "b"]);
        assert!(toks("!!! 🎉 ...").is_empty());
        assert!(toks("\u{064E}\u{0650}\u{0651}").is_empty());
    }

    #[test]
    fn mixed_scripts_split_word_by_word() {
        assert_eq!(toks("NATOالناتو"), ["nato", "ناتو"]);
        assert_eq!(toks("東京五輪"), ["东", "京", "五", "轮"]);
    }

    #[test]
    fn a_kana_keeps_its_voicing_mark() {
        // NFKD parts `が` into `か` + U+3099; half-width `ｶﾞ` reads as `ガ`.
        assert_eq!(toks("がっこう ｶﾞｽ パン"), ["が", "っ", "こ", "う", "ガ", "ス", "パ", "ン"]);
        assert_ne!(toks("かぎ"), toks("かき"));
        // Only right after its kana; an index made before reads them as it stored them.
        assert_eq!(toks("か \u{3099}"), ["か"]);
        assert_eq!(toks("か、\u{3099}"), ["か"]);
        let first = Normalizer::default().with_reading(Reading::Characters);
        assert_eq!(first.normalize("がっこう").as_str(), "か っ こ う");
    }

    #[test]
    fn indic_and_hangul_survive() {
        assert_eq!(toks("हिन्दी"), ["हिन्दी"]);
        assert_eq!(toks("한국어"), ["한국어"]);
    }

    #[test]
    fn traditional_chinese_reads_as_simplified() {
        assert_eq!(toks("韓國總統向朝鮮道歉"), toks("韩国总统向朝鲜道歉"));
        assert_eq!(toks("臺灣 發生 地震"), toks("台湾 发生 地震"));
        // Only Han changes; an index made before reads it as it stored it.
        assert_eq!(toks("Tokyo 東京 كوريا"), ["tokyo", "东", "京", "كوريا"]);
        let before = Normalizer::default().with_reading(Reading::PointsDropped);
        assert_eq!(before.normalize("韓國").as_str(), "韓 國");
    }

    #[test]
    fn han_compatibility_forms_are_simplified_as_their_characters() {
        // `讀` as the compatibility ideograph U+F95A and `門` as the Kangxi radical U+2FA8
        // (as PDF text holds it), beside their unified forms: all read simplified.
        assert_eq!(toks("\u{F95A}書 \u{2FA8}口"), toks("读书 门口"));
        assert_eq!(toks("讀書 門口"), toks("读书 门口"));
        // A compatibility form with nothing to simplify reads as its character.
        assert_eq!(toks("\u{F9B2}"), toks("零"));
        // A supplementary radical that NFKD leaves is not a character: it separates words.
        assert_eq!(toks("\u{2E8C}"), Vec::<String>::new());
        // An index made before reads them as it stored them: the character, not simplified.
        let before = Normalizer::default().with_reading(Reading::FehKept);
        assert_eq!(before.normalize("\u{F95A}書").as_str(), "讀 书");
    }

    #[test]
    fn latin_letters_without_a_decomposition_are_folded() {
        // Turkish in capitals and in lower case, Swiss and German spelling, a name with and
        // without its strokes; an index made before reads them as it stored them.
        assert_eq!(toks("AÇIKLADI İstanbul"), toks("açıkladı istanbul"));
        assert_eq!(
            toks("Straße ẞ Łódź Øresund Đoković Þór Æsir œuvre"),
            toks("Strasse SS Lodz Oresund Dokovic Thor Aesir oeuvre")
        );
        assert_eq!(toks("Straße"), ["strasse"]);
        // Arabic veh as feh.
        assert_eq!(toks("ديسكڤري روڤر ڧ"), toks("ديسكفري روفر ق"));
        // Apostrophes written as modifier letters separate words as `'` does.
        assert_eq!(toks("мʼясо Hawaiʻi Qurʾan Belgorodʹ"), toks("м'ясо Hawai'i Qur’an Belgorod'"));
        assert_eq!(toks("мʼясо"), ["м", "ясо"]);
        // Persian's zero-width non-joiner as the space written for it as often; in other
        // scripts it stays invisible.
        assert_eq!(toks("می\u{200C}خواهم کتاب\u{200C}ها"), toks("می خواهم کتاب ها"));
        assert_eq!(toks("क\u{200C}ष"), toks("कष"));
        let before = Normalizer::default().with_reading(Reading::Simplified);
        assert_eq!(
            before.normalize("açıkladı Straße Łódź мʼясо می\u{200C}خواهم").as_str(),
            "acıkladı straße łodz мʼясо ميخوا"
        );
    }

    #[test]
    fn indic_nukta_and_chandrabindu_are_folded() {
        // With and without the nukta (precomposed `ज़` U+095B too), chandrabindu and anusvara;
        // other vowel signs stay. An index made before reads them as it stored them.
        assert_eq!(toks("ज़िंदगी \u{095B}रूरी फ़ैसला ਜ਼ਮੀਨ"), toks("जिंदगी जरूरी फैसला ਜਮੀਨ"));
        assert_eq!(toks("हाँ वहाँ जाऊँगा"), toks("हां वहां जाऊंगा"));
        assert_ne!(toks("कि"), toks("क"));
        let before = Normalizer::default().with_reading(Reading::Simplified);
        assert_eq!(before.normalize("ज़ हाँ").as_str(), "ज़ हाँ");
    }

    #[test]
    fn the_divine_name_is_kept_whole() {
        // Names that end in it, the name with its clitics and as a ligature; `له` ("to him")
        // and words that only end in its letters stay as they were. An index made before
        // reads them as it stored them.
        assert_eq!(
            toks("عبد الله حزب الله رام الله"),
            ["عبد", "الله", "حزب", "الله", "رام", "الله"]
        );
        assert_eq!(toks("لله والله بالله فالله ولله وبالله تالله ﷲ"), ["الله"; 8]);
        assert_eq!(toks("له وله"), ["له", "وله"]);
        assert_eq!(toks("لهم ولهم"), ["لهم", "لهم"]);
        let before = Normalizer::default().with_reading(Reading::LettersFolded);
        assert_eq!(before.normalize("حزب الله بالله لله").as_str(), "حزب له له لله");
        let unstemmed = Normalizer { stem: false, ..Normalizer::default() };
        assert_eq!(unstemmed.normalize("لله").as_str(), "لله");
    }

    #[test]
    fn compound_names_are_read_as_spaced() {
        // Joined and spaced, with the clitics a spaced name takes on its first word.
        for (joined, spaced) in [
            ("الملك عبدالعزيز", "الملك عبد العزيز"),
            (
                "وعبدالرحمن عبدالإله العبدالله لعبدالكريم",
                "وعبد الرحمن عبد الإله العبد الله لعبد الكريم",
            ),
            ("عبدالله نصرالله جارالله عند الله", "عبد الله نصر الله جار الله عندالله"),
        ] {
            assert_eq!(toks(joined), toks(spaced), "{joined}");
        }
        assert_eq!(toks("عبدالعزيز عبدالله"), ["عبد", "عزيز", "عبد", "الله"]);
        // Not compounds: the name of God with its clitics, `عبد` alone or before one letter,
        // a word that only holds the letters after other letters.
        assert_eq!(toks("وبالله والله يالله"), ["الله", "الله", "يالل"]);
        assert_eq!(toks("عبد العبد عبدال معبدالكبير"), ["عبد", "عبد", "عبدال", "معبدالكبير"]);
        // `اللهم` ("O God") kept whole, not cut to `لهم` ("to them").
        assert_eq!(toks("اللهم واللهم لهم"), ["اللهم", "اللهم", "لهم"]);
        let before = Normalizer::default().with_reading(Reading::DivineName);
        assert_eq!(before.normalize("عبدالعزيز نصرالله اللهم").as_str(), "عبدالعزيز نصرالل لهم");
        let unstemmed = Normalizer { stem: false, ..Normalizer::default() };
        assert_eq!(unstemmed.normalize("عبدالعزيز").as_str(), "عبدالعزيز");
    }

    #[test]
    fn compound_names_read_in_place_as_decomposed() {
        // `عبد` at every lane of the SSE2 registers, the article's alef written with a hamza,
        // `اللهم`, and the words after it long enough for the fast path to read them.
        let names = [
            "عبدالعزيز",
            "عبدأللطيف",
            "عبد",
            "عبدال",
            "عبدالله",
            "نصرالله",
            "جاراللة",
            "اللهم",
            "واللهم",
        ];
        read_in_place_as_decomposed(12, &names, |before, name| {
            let word = format!("{before}{name}");
            format!("{word} {word}")
        });
    }

    /// [`Normalizer::normalize`] and [`Normalizer::normalize_reference`] agree on each of
    /// `words` written by `text` after 0 to `shifts - 1` letters `م` (which it places), with
    /// words after it long enough for the fast path to read them.
    fn read_in_place_as_decomposed(
        shifts: usize,
        words: &[&str],
        text: impl Fn(&str, &str) -> String,
    ) {
        let n = Normalizer::default();
        for before in 0..shifts {
            for word in words {
                let s = format!("{}، كتاب جديد وكبير في المكتبة", text(&"م".repeat(before), word));
                assert_eq!(n.normalize(&s), n.normalize_reference(&s), "{s}");
            }
        }
    }

    #[test]
    fn derived_verbs_are_read_as_their_verbal_nouns() {
        // Forms VIII, VII and X: imperfect (with its person prefixes and a plural suffix),
        // perfect, and the noun itself with its clitics, one token.
        for (verbs, noun) in [
            ("يعتذر تعتذر نعتذر اعتذر أعتذر يعتذرون الاعتذار للاعتذار واعتذاره", "اعتذار"),
            ("ينسحب انسحب الانسحاب", "انسحاب"),
            ("يستقبل استقبل تستقبل باستقبال", "استقبال"),
            // The noun's own light stem: the article of `التماس`, the `ان` of `احتضان`.
            ("يلتمس التماس", "تماس"),
            ("يحتضن احتضان", "احتض"),
        ] {
            assert_eq!(toks(verbs), vec![noun; verbs.split(' ').count()], "{verbs}");
        }
        // Weak and hamzated roots make other patterns; other words of five letters with `ت`
        // third or `ن` second, and words of other lengths, are left as they were.
        assert_eq!(
            toks("يختار استقال يستطيع يبتدئ يناير تنظيم مكتب نتائج يكتب"),
            ["يختار", "استقال", "يستطيع", "يبتد", "يناير", "تنظيم", "مكتب", "نتايج", "يكتب"]
        );
        // Read once more, a verbal noun stays as it is.
        let n = Normalizer::default();
        let once = n.normalize("يعتذر ينسحب يستقبل يلتمس يحتضن");
        assert_eq!(n.normalize(once.as_str()), once);
        // An index made before reads the verbs as it stored them.
        let before = Normalizer::default().with_reading(Reading::HanUnified);
        assert_eq!(before.normalize("يعتذر اعتذر").as_str(), "يعتذر اعتذر");
    }

    #[test]
    fn derived_verbs_read_in_place_as_decomposed() {
        // The verbs at every place of the fast path's registers, with a clitic, and words of
        // their lengths that are not verbs.
        let words = [
            "يعتذر",
            "ويعتذرون",
            "استقبل",
            "ويستقبلونها",
            "ينسحب",
            "يحتضن",
            "يلتمس",
            "وبالانسحاب",
            "يختار",
            "مكتب",
            "تنظيم",
        ];
        read_in_place_as_decomposed(8, &words, |before, word| format!("{before} {word}"));
    }

    #[test]
    fn a_headline_is_read_for_its_main_clause() {
        let lead = "أكد معالجة تداعيات محاولة فرض الأحكام العرفية.. رئيس كوريا الجنوبية يعتذر";
        assert_eq!(main_clause(lead), "أكد معالجة تداعيات محاولة فرض الأحكام العرفية");
        let main = "أولمبياد طوكيو.. اكتشاف إصابات بكورونا في فندق";
        assert_eq!(main_clause(main), "اكتشاف إصابات بكورونا في فندق");
        // Three clauses, spaces around the dots; two of as many words: the later.
        assert_eq!(main_clause("a .. bcd ef .. g"), "bcd ef");
        assert_eq!(main_clause("abc de..f g h"), "f g h");
        assert_eq!(main_clause("abcdefgh..i"), "i");
        // Three dots are a pause; a text of two lines, or longer than a headline, is whole.
        for whole in [
            "أول إصابة بفيروس كورونا... في القرية الأولمبية",
            "first line.. a\nsecond line",
            &format!("{}.. short", "long words ".repeat(50)),
            "no join at all",
            "..",
        ] {
            assert_eq!(main_clause(whole), whole);
        }
        let n = Normalizer::default();
        assert_eq!(n.normalize(main).as_str(), "اكتشاف اصاب بكورو في فندق");
        // An index made before reads the whole headline.
        let before = Normalizer::default().with_reading(Reading::VerbalNouns);
        assert_eq!(before.normalize("abc.. defg").as_str(), "abc defg");
    }

    #[test]
    fn hebrew_and_syriac_points_are_dropped() {
        // Pointed (with dagesh, shin dot, cantillation) and unpointed: one text; a maqaf still
        // separates words. An index made before reads them as it stored them.
        assert_eq!(toks("שָׁלוֹם בָּעוֹלָם֑ בֵּית־הַסֵּפֶר"), toks("שלום בעולם בית הספר"));
        assert_eq!(toks("שלום בעולם בית הספר"), ["שלום", "בעולם", "בית", "הספר"]);
        assert_eq!(toks("ܫܠܳܡܳܐ"), toks("ܫܠܡܐ"));
        let before = Normalizer::default().with_reading(Reading::Unspaced);
        assert_eq!(before.normalize("שָׁלוֹם").as_str(), "שָׁלוֹם");
    }

    #[test]
    fn reading_in_place_agrees_with_decomposing_the_whole_text() {
        let samples = [
            "أحمد إلى آخر مؤتمر ئ ﻷ ﷺ ﷲ والناتو بالناتو لله بالله اللّٰه",
            "اللة والله عبدالعزيز وعبدالله نصرالله العبد عبدال معبدالكبير كتاب جديد وكبير",
            "Crème brûlée, ÉTÉ naïve ﬁnal Ⅻ ½ ² ㍿ ℌ 𝐀𝐁𝐂 Ａｂｃ ｶﾀｶﾅ",
            "한국어 ᄒᆞᆫ 東京五輪 हिन्दी ক্ষ தமிழ் ไทย がっこう ﾊﾞｽ か\u{3099}",
            "שָׁלוֹם בָּעוֹלָם֑ בֵּית־הַסֵּפֶר ﬠ שּׁ ܫܠܳܡܳܐ",
            "a\u{0323}\u{0302} q\u{0307}\u{0323} ệ ḍ̇ e\u{0301}\u{0327}",
            "٢٠٢١ ۱۴۰۰ १२ １２ 7th ①②",
            "韓國 \u{F902} \u{2F9E} ㊥ 🈐 مرحبا",
            "\u{F902}\u{2F9E}",
            "می\u{200C}خواهم \u{202B}مرحبا\u{202C} a⚡️b 🎉 ΟΔΟΣ İstanbul ß ǅ ẞ Łódź ıØæŒþ ज़िंदगी \u{095B} हाँ ਜ਼ мʼясо Hawaiʻi ڤيروس روڤر",
        ];
        for stem in [true, false] {
            let n = Normalizer::new(stem);
            for s in samples {
                assert_eq!(n.normalize(s), n.normalize_reference(s), "{s}");
            }
        }
    }

    #[test]
    fn the_arabic_block_read_from_bytes_agrees_with_decomposing() {
        for cp in 0x600..0x680 {
            let Some(c) = char::from_u32(cp) else { continue };
            for context in ["{}", "ب{}ب", "والكتاب{}ة", "a{}a", "1{}١", "{}{}"] {
                let s = context.replace("{}", &c.to_string());
                for stem in [true, false] {
                    let n = Normalizer::new(stem);
                    assert_eq!(n.normalize(&s), n.normalize_reference(&s), "U+{cp:04X} in {s}");
                }
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_sse2_lanes_agree_with_the_arabic_block() {
        let table_letter = |lead: u8, cont: u8| {
            let code = ARABIC_BLOCK[usize::from(lead & 1) << 6 | usize::from(cont & 0x3F)];
            (matches!(lead, 0xD8 | 0xD9) && code >= 0x600).then_some(code)
        };
        for lead in 0..=255u8 {
            // After a lead byte 0xD8 or 0xD9 a valid string holds a continuation byte.
            let conts = if matches!(lead, 0xD8 | 0xD9) { 0x80..=0xBF } else { 0..=255 };
            for cont in conts {
                for at in [0, 3, 7] {
                    // `at` letters `ب` before the lane, and `ب` after it.
                    let mut bytes = "ب".repeat(8).into_bytes();
                    bytes[2 * at..2 * at + 2].copy_from_slice(&[lead, cont]);
                    let mut mapped = [0u8; 16];
                    // SAFETY: both arrays hold 16 bytes.
                    let letters = unsafe {
                        let (letters, v) = simd::letters(bytes.as_ptr());
                        simd::store(mapped.as_mut_ptr(), v);
                        letters
                    };
                    let lane = format!("lane {lead:02X} {cont:02X} at {at}");
                    match table_letter(lead, cont) {
                        Some(code) => {
                            assert_eq!(letters, 8, "{lane}");
                            let c = char::from_u32(code.into()).unwrap();
                            assert_eq!(
                                &mapped[2 * at..2 * at + 2],
                                c.to_string().as_bytes(),
                                "{lane}"
                            );
                            assert_eq!(&mapped[..2 * at], "ب".repeat(at).as_bytes(), "{lane}");
                        }
                        None => assert_eq!(letters, at, "{lane}"),
                    }
                }
            }
        }
    }

    /// Every word of four to six letters over the affix letters and one other (`د`), and
    /// words of 7 to 15 letters made of their ends, stemmed by the SSE2 rules and by
    /// `light_stem_span`, by the rules of every reading; and read as a derived verb or not
    /// alike.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_sse2_stem_agrees_with_the_byte_rules() {
        let alphabet: Vec<char> = "وفبكالهنتيمد".chars().collect();
        let check = |word: &[char]| {
            let text: String = word.iter().collect();
            let mut bytes = text.clone().into_bytes();
            bytes.resize(48, b' ');
            let n = word.len();
            for reading in Reading::ALL {
                let w = simd::word(&bytes, true, reading).unwrap_or_else(|| panic!("{text}"));
                assert_eq!(w.letters, n, "{text}");
                let mut out = [0u8; 32];
                // SAFETY: `out` holds 32 bytes.
                unsafe {
                    simd::store(out.as_mut_ptr(), w.lanes[0]);
                    simd::store(out.as_mut_ptr().add(16), w.lanes[1]);
                }
                let (a, b) = arabic::light_stem_span(text.as_bytes(), n, reading);
                assert_eq!((2 * w.stem.0, 2 * w.stem.1), (a, b), "{text}");
                assert_eq!(&out[..b - a], &text.as_bytes()[a..b], "{text}");
                // The verbs' shape and the verb read from the raw stem, as the rules have it.
                let stem: Vec<char> = text[a..b].chars().collect();
                let raw = w.verb_shaped && raw_derived_verb(&text.as_bytes()[a..b]);
                assert_eq!(raw, is_derived_verb(&stem), "{text}");
            }
        };
        for n in 4..=6 {
            let mut word = vec![alphabet[0]; n];
            for code in 0..alphabet.len().pow(n as u32) {
                let mut digits = code;
                for c in word.iter_mut() {
                    *c = alphabet[digits % alphabet.len()];
                    digits /= alphabet.len();
                }
                check(&word);
                if n == 6 {
                    // The rules read the first four letters and the last two: longer words
                    // put letters between them, as many as keep the word under 16.
                    let more = [1, 2, 3, 6, 9][code % 5];
                    check(&[&word[..4], &vec!['د'; more], &word[4..]].concat());
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn long_arabic_words_agree_with_decomposing(s in "([\u{0620}-\u{064A}]{1,12}[\u{0600}-\u{067F}\u{06A9}\u{08A0}a1 .]{0,2}){0,12}") {
            for stem in [true, false] {
                let n = Normalizer::new(stem);
                proptest::prop_assert_eq!(n.normalize(&s), n.normalize_reference(&s));
            }
        }

        #[test]
        fn reading_in_place_agrees_on_any_text(s in "(\\PC|[\u{0300}-\u{036F}\u{0610}-\u{06FF}\u{1100}-\u{11FF}\u{FB50}-\u{FEFF}\u{AC00}-\u{AC40}\u{3040}-\u{30FF}\u{FF65}-\u{FF9F}]){0,40}") {
            for stem in [true, false] {
                let n = Normalizer::new(stem);
                proptest::prop_assert_eq!(n.normalize(&s), n.normalize_reference(&s));
            }
        }
    }

    #[test]
    fn deterministic_and_idempotent() {
        let n = Normalizer::default();
        for s in ["والناتو يؤكد", "Crème brûlée", "한국어 हिन्दी"] {
            let once = n.normalize(s);
            assert_eq!(once, n.normalize(s));
            assert_eq!(n.normalize(once.as_str()).as_str(), once.as_str(), "{s}");
        }
    }
}
