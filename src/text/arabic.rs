//! Arabic-script letters: variant unification and light stemming.
//!
//! Arabic news text spells the same word several ways (hamza carriers, final yeh or alef maksura,
//! teh marbuta or heh, Persian keyboard letters) and glues clitics to words (`و` and, `ب` with,
//! `ال` the, `لل` for the). Full morphological analysis is slow and error-prone on names, so we do
//! what the IR literature calls *light* stemming (Larkey et al., "Light Stemming for Arabic
//! Information Retrieval", 2007, the `light10` stemmer), slightly extended: it only strips
//! affixes, never rewrites a root, and it is applied the same way to every text, so even a wrong
//! cut is the same wrong cut on both sides of a comparison.

use super::Reading;

/// Maps one Arabic-script letter to its unified form; `None` drops it.
///
/// Called after NFKD, so hamza and madda above or below a carrier arrive as separate combining
/// marks (dropped by the caller) and the carriers (`ا و ي`) arrive bare.
#[inline]
pub const fn unify_letter(c: char) -> Option<char> {
    Some(match c {
        // Alef forms that NFKD does not decompose: wasla, wavy hamzas.
        '\u{0671}' | '\u{0672}' | '\u{0673}' | '\u{0675}' => 'ا',
        // Alef maksura, Farsi yeh, yeh barree, other yeh forms → yeh.
        '\u{0649}'
        | '\u{06CC}'
        | '\u{06D2}'
        | '\u{06D0}'
        | '\u{0620}'
        | '\u{063D}'..='\u{063F}' => 'ي',
        // Teh marbuta and the Persian/Urdu heh forms → heh.
        '\u{0629}' | '\u{06C0}' | '\u{06C1}' | '\u{06C3}' | '\u{06BE}' | '\u{06D5}' => 'ه',
        // Keheh and swash kaf → kaf.
        '\u{06A9}' | '\u{06AA}' => 'ك',
        // Standalone hamza carries no letter of its own in light normalization.
        '\u{0621}' => return None,
        // Tatweel (kashida) only stretches a word.
        '\u{0640}' => return None,
        _ => c,
    })
}

/// True for the Arabic combining marks we drop: tashkeel, hamza/madda above and below, the
/// superscript alef and the Quranic annotation signs.
#[inline]
pub const fn is_dropped_mark(c: char) -> bool {
    matches!(c,
        '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}' | '\u{06DF}'..='\u{06E8}' | '\u{06EA}'..='\u{06ED}'
        | '\u{08D3}'..='\u{08FF}')
}

/// True for letters of the Arabic script blocks (after NFKD, presentation forms are gone).
#[inline]
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{06D5}' | '\u{06FA}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08C9}')
}

/// Light stem of one unified Arabic token: a sub-slice of `word`, never empty.
///
/// - a leading conjunction `و` is removed when at least three letters remain (not before a
///   second `و`; `ف` too before [`Reading::FehKept`]);
/// - then a definite article (`ال`, `وال`, `بال`, `كال`, `فال`, `لل`) when at least two remain;
/// - otherwise a preposition `ل`/`ب` before an alef-initial word (`لأوكرانيا` → `اوكرانيا`)
///   when at least four remain;
/// - then one suffix from the list of common suffixes (`ها ان ات ون ين يه نا هم كم ه ي`) when at least three letters remain;
///   but a word of five letters keeps a last `ان`, `ين` or `ون` (see [`light_stem_counted`]).
pub fn light_stem(word: &str) -> &str {
    light_stem_counted(word, word.chars().count(), Reading::default())
}

/// [`light_stem`] of a word of `len` characters (the caller counted them while writing it), by
/// the rules of `reading`.
///
/// Since [`Reading::NunKept`], a word of five letters (after its clitics) keeps a last `ان`, `ين` or
/// `ون`, which would leave three: there the `ن` is most often the word's own. Names (`إيران`,
/// `اليابان`, `البحرين`, `لبنان`, `سلمان`, `رمضان`) were cut to common words or to nothing
/// (`اير`, `ياب`, `بحر` "sea", `لبن` "milk", `سلم` "peace") while their adjectives kept them
/// (`الإيرانية` → `ايران`), and so were nouns (`طيران` "flight" → `طير` "bird", `قانون` →
/// `قان`, `عشرين` "twenty" → `عشر` "ten"). The duals and plurals of three-letter nouns
/// (`يومين`, `شهرين`) lose their singular: fewer, and weaker evidence of a story.
pub fn light_stem_counted(word: &str, len: usize, reading: Reading) -> &str {
    debug_assert_eq!(len, word.chars().count());
    let (start, end) = light_stem_span(word.as_bytes(), len, reading);
    &word[start..end]
}

/// The letters light stemming looks for, by id (from 1; 0 is any other letter).
const AFFIX_LETTERS: [char; 11] = ['ا', 'ب', 'ت', 'ف', 'ك', 'ل', 'م', 'ن', 'ه', 'و', 'ي'];

/// The id (1 to 11) of the code point `code` among the letters light stemming looks for, which
/// are unified letters; 0 for any other code point.
pub(crate) const fn affix_id(code: u16) -> u8 {
    let mut id = 0;
    while id < AFFIX_LETTERS.len() {
        if AFFIX_LETTERS[id] as u32 == code as u32 {
            return id as u8 + 1;
        }
        id += 1;
    }
    0
}

/// The id of `c` among the affix letters, as a mask of one bit.
const fn affix_bit(c: char) -> u32 {
    1 << affix_id(c as u16)
}

/// The ids of `letters` as one mask.
const fn affix_set(letters: &[char]) -> u32 {
    let (mut set, mut k) = (0, 0);
    while k < letters.len() {
        set |= affix_bit(letters[k]);
        k += 1;
    }
    set
}

/// Per id of a next-to-last letter, the ids of the last letters it makes a two-letter suffix
/// with (`ها ان ات ون ين يه نا هم كم`); in the second row, those a five-letter word loses when it
/// keeps its `ن` (all but `ان ون ين`).
const SUFFIX_PAIRS: [[u32; 12]; 2] = {
    let pairs = [
        ['ه', 'ا'],
        ['ا', 'ن'],
        ['ا', 'ت'],
        ['و', 'ن'],
        ['ي', 'ن'],
        ['ي', 'ه'],
        ['ن', 'ا'],
        ['ه', 'م'],
        ['ك', 'م'],
    ];
    let mut table = [[0; 12]; 2];
    let mut k = 0;
    while k < pairs.len() {
        let [prev, last] = pairs[k];
        table[0][affix_id(prev as u16) as usize] |= affix_bit(last);
        if last != 'ن' {
            table[1][affix_id(prev as u16) as usize] |= affix_bit(last);
        }
        k += 1;
    }
    table
};

/// The ids of the letters read as a conjunction before a word: `و` and `ف` ("and", "so"),
/// and since [`Reading::FehKept`] `و` alone. Far more words begin with a `ف` of their own than
/// with the conjunction: `فيصل` was read `يصل` ("arrives"), `فكرة` ("idea") as `كرة` ("ball"),
/// `فيضانات` as `يضانات` while `الفيضانات` kept it. `ف` before the article (`فالرئيس`) is still
/// the article's.
const CONJUNCTIONS: [u32; 2] = [affix_set(&['و', 'ف']), affix_set(&['و'])];

/// The rules of [`light_stem_counted`] for a word of `len > 3` letters, given the affix ids
/// (see [`affix_id`]) of its first four letters and of its last two and the reading: how many
/// letters to drop from its front and from its back.
///
/// Every rule is a yes or no computed without a branch (`&`, not `&&`): whether a word has an
/// article or a suffix is a coin toss the processor cannot predict. Ids are tested as bits of a
/// mask of the letters a rule accepts.
#[inline(always)]
pub(crate) fn affix_rules(
    first: [u8; 4],
    prev: u8,
    last: u8,
    len: usize,
    reading: Reading,
) -> (usize, usize) {
    debug_assert!(len > 3);
    let has = |set: u32, id: u8| (set >> id) as usize & 1;
    let (alef, lam) = (affix_bit('ا'), affix_bit('ل'));
    // Conjunction (not before a second waw).
    let conj = has(CONJUNCTIONS[usize::from(reading.keeps_feh())], first[0])
        & (1 - has(affix_bit('و'), first[1]));
    // The next three letters' ids, from the one after the conjunction if any.
    let [p0, p1, p2, _] = (u32::from_le_bytes(first) >> (8 * conj)).to_le_bytes();
    let n = len - conj;
    // Article, or preposition before alef.
    let article3 = usize::from(n >= 5)
        & has(affix_set(&['و', 'ب', 'ك', 'ف']), p0)
        & has(alef, p1)
        & has(lam, p2);
    let article2 = (1 - article3) & usize::from(n >= 4) & has(alef | lam, p0) & has(lam, p1);
    let preposition = (1 - article3)
        & (1 - article2)
        & usize::from(n >= 5)
        & has(affix_set(&['ل', 'ب']), p0)
        & has(alef, p1);
    let front = conj + 3 * article3 + 2 * article2 + preposition;
    let n = n - 3 * article3 - 2 * article2 - preposition;
    // One suffix; a five-letter word's `ان ين ون` only before reading 9.
    let pairs = &SUFFIX_PAIRS[usize::from(reading.keeps_nun()) & usize::from(n == 5)];
    let two = usize::from(n >= 5) & has(pairs[usize::from(prev)], last);
    let one = (1 - two) & usize::from(n >= 4) & has(affix_set(&['ه', 'ي']), last);
    (front, 2 * two + one)
}

/// Per code point of U+0600..U+067F, its [`affix_id`].
static AFFIX_IDS: [u8; 128] = {
    let mut ids = [0; 128];
    let mut offset = 0;
    while offset < 128 {
        ids[offset] = affix_id(0x600 + offset as u16);
        offset += 1;
    }
    ids
};

/// The affix id of the character at byte `i` of `word` (0 past its end, and for anything that
/// does not start there with a lead byte of U+0600..U+067F). A lead byte is never part of
/// another character, so this finds a letter exactly where `str::starts_with` would.
#[inline(always)]
fn id_at(word: &[u8], i: usize) -> u8 {
    block_offset(word, i).map_or(0, |offset| AFFIX_IDS[offset])
}

/// Where the character at byte `i` of `bytes` (a `str`'s) falls in U+0600..U+067F, the range of
/// [`AFFIX_IDS`] and of the normalizer's table of Arabic letters, if it is there (lead byte 0xD8
/// or 0xD9; a valid string holds the second byte).
#[inline(always)]
pub(crate) fn block_offset(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i..i.wrapping_add(2)) {
        Some(&[lead @ (0xD8 | 0xD9), cont]) => {
            Some(usize::from(lead & 1) << 6 | usize::from(cont & 0x3F))
        }
        _ => None,
    }
}

/// [`light_stem_counted`] as the byte range of the stem in `word`: [`affix_rules`] on the
/// letters at its first four even bytes and its last four bytes (every affix letter is two
/// bytes). A test checks them against the same rules applied by going through the lists of
/// affixes in order.
///
/// The range falls on character boundaries: it only ever drops whole two-byte letters, found by
/// their lead bytes.
#[inline]
pub(crate) fn light_stem_span(word: &[u8], len: usize, reading: Reading) -> (usize, usize) {
    if len <= 3 {
        return (0, word.len());
    }
    let end = word.len();
    let first = [id_at(word, 0), id_at(word, 2), id_at(word, 4), id_at(word, 6)];
    let (prev, last) = (id_at(word, end.wrapping_sub(4)), id_at(word, end.wrapping_sub(2)));
    let (front, back) = affix_rules(first, prev, last, len, reading);
    (2 * front, end - 2 * back)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Definite-article prefixes, longest first (already unified: no hamza forms). Like
    /// [`SUFFIXES`], only two-byte letters, so that a length in bytes is twice one in letters.
    const ARTICLES: [&str; 6] = ["وال", "بال", "كال", "فال", "ال", "لل"];

    /// Suffixes removed once, the first that matches, in this order (light10's list with `ة`
    /// already folded to `ه`, plus the possessives `نا هم كم`).
    const SUFFIXES: [&str; 11] = ["ها", "ان", "ات", "ون", "ين", "يه", "نا", "هم", "كم", "ه", "ي"];

    /// The rules as first written, over the lists: what [`light_stem_span`] must agree with.
    fn reference(word: &str, len: usize, reading: Reading) -> &str {
        if len <= 3 {
            return word;
        }
        let mut w = word;
        let mut n = len;
        // Conjunction.
        let feh = (!reading.keeps_feh()).then(|| w.strip_prefix('ف')).flatten();
        if let Some(rest) = w.strip_prefix('و').or(feh)
            && n > 3
            && !rest.starts_with('و')
        {
            w = rest;
            n -= 1;
        }
        // Article, or preposition before alef.
        let mut cut = false;
        for art in ARTICLES {
            if let Some(rest) = w.strip_prefix(art) {
                let k = art.len() / 2;
                if n - k >= 2 {
                    w = rest;
                    n -= k;
                    cut = true;
                    break;
                }
            }
        }
        if !cut
            && n >= 5
            && let Some(rest) = w.strip_prefix('ل').or_else(|| w.strip_prefix('ب'))
            && rest.starts_with('ا')
        {
            w = rest;
            n -= 1;
        }
        // One suffix.
        for suf in SUFFIXES {
            let k = suf.len() / 2;
            if reading.keeps_nun() && n == 5 && ["ان", "ين", "ون"].contains(&suf) {
                continue;
            }
            if n >= k + 3
                && let Some(rest) = w.strip_suffix(suf)
            {
                w = rest;
                break;
            }
        }
        w
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20000))]
        #[test]
        fn the_byte_rules_agree_with_the_lists(w in "[اوفبكلتنهمي\u{0621}\u{06A9}\u{08A0}a]{0,9}") {
            let n = w.chars().count();
            for reading in Reading::ALL {
                proptest::prop_assert_eq!(
                    light_stem_counted(&w, n, reading),
                    reference(&w, n, reading)
                );
            }
        }
    }

    #[test]
    fn stems_clitics_consistently() {
        assert_eq!(light_stem("والناتو"), "ناتو");
        assert_eq!(light_stem("الناتو"), "ناتو");
        assert_eq!(light_stem("بالناتو"), "ناتو");
        assert_eq!(light_stem("للحلف"), "حلف");
        assert_eq!(light_stem("لاوكرانيا"), "اوكرانيا");
        assert_eq!(light_stem("اوكرانيا"), "اوكرانيا");
        assert_eq!(light_stem("الشماليه"), "شمال");
        assert_eq!(light_stem("الجنوبيه"), "جنوب");
    }

    #[test]
    fn a_first_feh_is_the_word_s() {
        for (word, stem) in [
            ("فيصل", "فيصل"),
            ("فكره", "فكر"),
            ("الفكره", "فكر"),
            ("فيضانات", "فيضان"),
            ("الفيضانات", "فيضان"),
            ("فرنسا", "فرنسا"),
        ] {
            assert_eq!(light_stem(word), stem, "{word}");
        }
        // `و` is still the conjunction, and `ف` before the article still goes with it.
        for (word, stem) in [("وفيصل", "فيصل"), ("فالرييس", "رييس"), ("والفكره", "فكر")]
        {
            assert_eq!(light_stem(word), stem, "{word}");
        }
        // The earlier readings took it for the conjunction.
        assert_eq!(light_stem_counted("فيصل", 4, Reading::NunKept), "يصل");
        assert_eq!(light_stem_counted("فيضانات", 7, Reading::NunKept), "يضان");
    }

    #[test]
    fn a_five_letter_word_keeps_its_nun() {
        // The country and its adjective meet; the name is no longer "sea", "milk" or "peace".
        for (word, stem) in [
            ("ايران", "ايران"),
            ("الايرانيه", "ايران"),
            ("البحرين", "بحرين"),
            ("والبحرينيه", "بحرين"),
            ("لبنان", "لبنان"),
            ("سلمان", "سلمان"),
            ("قانون", "قانون"),
            ("القانونيه", "قانون"),
            ("عشرين", "عشرين"),
        ] {
            assert_eq!(light_stem(word), stem, "{word}");
        }
        // Longer words and the other suffixes are cut as before.
        for (word, stem) in
            [("معلمين", "معلم"), ("مهندسون", "مهندس"), ("بيتها", "بيت"), ("سنوات", "سنو")]
        {
            assert_eq!(light_stem(word), stem, "{word}");
        }
        // The earlier readings cut it.
        assert_eq!(light_stem_counted("البحرين", 7, Reading::NamesParted), "بحر");
        assert_eq!(light_stem_counted("ايران", 5, Reading::NamesParted), "اير");
    }

    #[test]
    fn affixes_are_two_byte_letters() {
        for a in ARTICLES.iter().chain(&SUFFIXES) {
            assert_eq!(a.len(), 2 * a.chars().count(), "{a}");
        }
    }

    #[test]
    fn short_words_are_left_alone() {
        for w in ["من", "في", "ال", "وال", "روس"] {
            assert_eq!(light_stem(w), w);
        }
    }

    #[test]
    fn never_empty() {
        for w in ["والها", "ولل", "فالي", "باله", "لاي"] {
            assert!(!light_stem(w).is_empty(), "{w}");
        }
    }

    #[test]
    fn letters_unify() {
        assert_eq!(unify_letter('ى'), Some('ي'));
        assert_eq!(unify_letter('ة'), Some('ه'));
        assert_eq!(unify_letter('ک'), Some('ك'));
        assert_eq!(unify_letter('ی'), Some('ي'));
        assert_eq!(unify_letter('ـ'), None);
        assert_eq!(unify_letter('ب'), Some('ب'));
    }
}
