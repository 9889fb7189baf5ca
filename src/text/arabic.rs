//! Arabic-script letters: variant unification and light stemming.
//!
//! Arabic news text spells the same word several ways (hamza carriers, final yeh or alef maksura,
//! teh marbuta or heh, Persian keyboard letters) and glues clitics to words (`و` and, `ب` with,
//! `ال` the, `لل` for the). Full morphological analysis is slow and error-prone on names, so we do
//! what the IR literature calls *light* stemming (Larkey et al., "Light Stemming for Arabic
//! Information Retrieval", 2007, the `light10` stemmer), slightly extended: it only strips
//! affixes, never rewrites a root, and it is applied the same way to every text, so even a wrong
//! cut is the same wrong cut on both sides of a comparison.

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
/// - a leading conjunction `و`/`ف` is removed when at least three letters remain;
/// - then a definite article (`ال`, `وال`, `بال`, `كال`, `فال`, `لل`) when at least two remain;
/// - otherwise a preposition `ل`/`ب` before an alef-initial word (`لأوكرانيا` → `اوكرانيا`)
///   when at least four remain;
/// - then one suffix from the list of common suffixes (`ها ان ات ون ين يه نا هم كم ه ي`) when at least three letters remain.
pub fn light_stem(word: &str) -> &str {
    light_stem_counted(word, word.chars().count())
}

/// [`light_stem`] of a word of `len` characters (the caller counted them while writing it).
pub fn light_stem_counted(word: &str, len: usize) -> &str {
    debug_assert_eq!(len, word.chars().count());
    let (start, end) = light_stem_span(word.as_bytes(), len);
    &word[start..end]
}

/// The two UTF-8 bytes of an Arabic letter as one number (see [`letter_at`]).
const fn letter(c: char) -> u16 {
    let mut buf = [0u8; 4];
    let b = c.encode_utf8(&mut buf).as_bytes();
    u16::from_le_bytes([b[0], b[1]])
}

const ALEF: u16 = letter('ا');
const BEH: u16 = letter('ب');
const TEH: u16 = letter('ت');
const FEH: u16 = letter('ف');
const KAF: u16 = letter('ك');
const LAM: u16 = letter('ل');
const MEEM: u16 = letter('م');
const NOON: u16 = letter('ن');
const HEH: u16 = letter('ه');
const WAW: u16 = letter('و');
const YEH: u16 = letter('ي');

/// The two bytes of `word` from `i` as one number, 0 past its end. Comparing them with
/// [`letter`] compares bytes, so it finds a letter exactly where `str::starts_with` would.
#[inline(always)]
fn letter_at(word: &[u8], i: usize) -> u16 {
    match word.get(i..i.wrapping_add(2)) {
        Some(&[a, b]) => u16::from_le_bytes([a, b]),
        _ => 0,
    }
}

/// [`light_stem_counted`] as the byte range of the stem in `word`: the rules of [`light_stem`],
/// spelled out as comparisons of two bytes at a time (every affix letter is two bytes). A test
/// checks them against the same rules applied by going through the lists of affixes in order.
///
/// The range falls on character boundaries: it only ever drops whole two-byte letters, found by
/// comparing bytes at character boundaries.
#[inline]
pub(crate) fn light_stem_span(word: &[u8], len: usize) -> (usize, usize) {
    if len <= 3 {
        return (0, word.len());
    }
    // Every rule is a yes or no computed without a branch (`&` and `|`, not `&&` and `||`):
    // whether a word has an article or a suffix is a coin toss the processor cannot predict.
    let at = |i: usize| letter_at(word, i);
    let is = |l: u16, letters: &[u16]| letters.iter().fold(false, |any, &x| any | (l == x));
    // Conjunction.
    let conj = is(at(0), &[WAW, FEH]) & (at(2) != WAW);
    let mut start = 2 * usize::from(conj);
    let mut n = len - usize::from(conj);
    // Article, or preposition before alef.
    let (l0, l1, l2) = (at(start), at(start + 2), at(start + 4));
    let article3 = (n >= 5) & is(l0, &[WAW, BEH, KAF, FEH]) & (l1 == ALEF) & (l2 == LAM);
    let article2 = !article3 & (n >= 4) & is(l0, &[ALEF, LAM]) & (l1 == LAM);
    let preposition = !article3 & !article2 & (n >= 5) & is(l0, &[LAM, BEH]) & (l1 == ALEF);
    let (article3, article2, preposition) =
        (usize::from(article3), usize::from(article2), usize::from(preposition));
    start += 6 * article3 + 4 * article2 + 2 * preposition;
    n -= 3 * article3 + 2 * article2 + preposition;
    // One suffix.
    let end = word.len();
    let last = at(end.wrapping_sub(2));
    let pair = u32::from(at(end.wrapping_sub(4))) << 16 | u32::from(last);
    let two = (n >= 5)
        & [
            (HEH, ALEF),
            (ALEF, NOON),
            (ALEF, TEH),
            (WAW, NOON),
            (YEH, NOON),
            (YEH, HEH),
            (NOON, ALEF),
            (HEH, MEEM),
            (KAF, MEEM),
        ]
        .iter()
        .fold(false, |any, &(p, l)| any | (pair == u32::from(p) << 16 | u32::from(l)));
    let one = !two & (n >= 4) & is(last, &[HEH, YEH]);
    (start, end - 4 * usize::from(two) - 2 * usize::from(one))
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
    fn reference(word: &str, len: usize) -> &str {
        if len <= 3 {
            return word;
        }
        let mut w = word;
        let mut n = len;
        // Conjunction.
        if let Some(rest) = w.strip_prefix('و').or_else(|| w.strip_prefix('ف'))
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
            proptest::prop_assert_eq!(light_stem_counted(&w, n), reference(&w, n));
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
