//! The number a normalized token stands for: digits (any script, already ASCII after
//! normalization), `1st`-style ordinals, and the number words one to ten, cardinal and ordinal,
//! of the languages xdedup is measured on (English, French, Spanish, Portuguese, German,
//! Russian, Arabic).
//!
//! Two reports of one event carry the same figures; "first athlete tests positive" and "second
//! athlete tests positive" are two events that share every other word. Verification uses the
//! numbers to tell them apart (see [`crate::verify::NUMBER_PENALTY`]). Four-digit years
//! 1900–2099 are left out: every story of a year shares them. Words that are also articles (`un`,
//! `una`, `ein`, `um`) are left out too.

use std::sync::OnceLock;

use xxhash_rust::xxh3::xxh3_64;

use super::Normalizer;
use crate::weights::FeatureMap;

/// No number word is longer than this many bytes (`четвертый`, 18): longer tokens skip the
/// lookup.
const LONGEST_WORD: usize = 24;

const WORDS: [(u64, &str); 10] = [
    (
        1,
        "one first premier premiere primero primera primeiro primeira erste erster ersten \
         первый первая первое первого первой один одна واحد الاول الاولى",
    ),
    (
        2,
        "two second deux deuxieme second seconde dos segundo segunda dois duas zwei zweite zweiter \
         zweiten второй вторая второе второго два две اثنان اثنين الثاني الثانيه",
    ),
    (
        3,
        "three third trois troisieme tres tercero tercera tercer tres terceiro terceira drei \
         dritte dritter dritten третий третья третье три ثلاثه ثلاث الثالث الثالثه",
    ),
    (
        4,
        "four fourth quatre quatrieme cuatro cuarto cuarta quatro quarto quarta vier vierte \
         vierter четвертый четвертая четыре اربعه اربع الرابع الرابعه",
    ),
    (
        5,
        "five fifth cinq cinquieme cinco quinto quinta funf funfte пятый пятая пять خمسه خمس \
         الخامس الخامسه",
    ),
    (6, "six sixth sixieme seis sexto sexta sechs sechste шестой шестая шесть سته ست السادس"),
    (
        7,
        "seven seventh sept septieme siete septimo septima sete setimo setima sieben siebte \
         седьмой седьмая семь سبعه سبع السابع",
    ),
    (
        8,
        "eight eighth huit huitieme ocho octavo octava oito oitavo oitava acht achte восьмой \
         восьмая восемь ثمانيه ثماني الثامن",
    ),
    (
        9,
        "nine ninth neuf neuvieme nueve noveno novena nove nono nona neun neunte девятый девятая \
         девять تسعه تسع التاسع",
    ),
    (
        10,
        "ten tenth dix dixieme diez decimo decima dez zehn zehnte десятый десятая десять عشره \
         عشر العاشر",
    ),
];

/// The number `token` (one normalized token) stands for, if any.
#[inline]
pub fn token_number(token: &str) -> Option<u64> {
    token_number_hashed(token, || xxh3_64(token.as_bytes()))
}

/// [`token_number`] for a caller that has the token's `xxh3_64` at hand (word shingles hash
/// every token anyway).
#[inline]
pub fn token_number_hashed(token: &str, hash: impl FnOnce() -> u64) -> Option<u64> {
    match token.as_bytes().first() {
        Some(b) if b.is_ascii_digit() => digit_number(token),
        Some(_) if token.len() <= LONGEST_WORD => words().get(hash()),
        _ => None,
    }
}

fn digit_number(token: &str) -> Option<u64> {
    let digits = token.trim_end_matches(|c: char| c.is_ascii_lowercase());
    let suffix = &token[digits.len()..];
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(suffix, "" | "st" | "nd" | "rd" | "th" | "e" | "er" | "eme" | "o" | "a")
    {
        let trimmed = digits.trim_start_matches('0');
        let year = trimmed.len() == 4 && (trimmed.starts_with("19") || trimmed.starts_with("20"));
        return match trimmed.parse::<u64>() {
            _ if year => None,
            Ok(n) if n < 1 << 31 => Some(n),
            _ if trimmed.is_empty() => Some(0),
            _ => None,
        };
    }
    None
}

/// The number words, by the xxh3 of their normalized form.
struct NumberWords {
    map: FeatureMap<u64, u64>,
    /// Bit `h >> 52` is set for every word's hash `h`: nearly every token, not a number word,
    /// is turned away by one bit instead of a probe of the map.
    filter: [u64; 64],
}

impl NumberWords {
    /// Where `hash`'s bit is in [`NumberWords::filter`]: the word, and the bit in it.
    #[inline]
    fn filter_bit(hash: u64) -> (usize, u64) {
        let bit = hash >> 52;
        ((bit >> 6) as usize, 1 << (bit & 63))
    }

    #[inline]
    fn get(&self, hash: u64) -> Option<u64> {
        let (word, bit) = Self::filter_bit(hash);
        if self.filter[word] & bit == 0 {
            return None;
        }
        self.map.get(&hash).copied()
    }
}

fn words() -> &'static NumberWords {
    static WORDS_BY_HASH: OnceLock<NumberWords> = OnceLock::new();
    WORDS_BY_HASH.get_or_init(|| {
        let norm = Normalizer::default();
        let mut map = FeatureMap::default();
        let mut filter = [0u64; 64];
        for (n, list) in WORDS {
            for w in list.split_whitespace() {
                for t in norm.normalize(w).tokens() {
                    let hash = xxh3_64(t.as_bytes());
                    map.entry(hash).or_insert(n);
                    let (word, bit) = NumberWords::filter_bit(hash);
                    filter[word] |= bit;
                }
            }
        }
        NumberWords { map, filter }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(s: &str) -> Vec<Option<u64>> {
        Normalizer::default().normalize(s).tokens().map(token_number).collect()
    }

    #[test]
    fn digits_ordinals_and_words() {
        assert_eq!(
            of("007 1st 2nd 3e 12,000"),
            [Some(7), Some(1), Some(2), Some(3), Some(12), Some(0)]
        );
        assert_eq!(of("2021 1899 2100"), [None, Some(1899), Some(2100)]);
        assert_eq!(of("second Dutch athlete"), [Some(2), None, None]);
        assert_eq!(of("الرياضي الثاني"), [None, Some(2)]);
        assert_eq!(of("Zweite dritter"), [Some(2), Some(3)]);
        assert_eq!(of("una un ein"), [None, None, None]);
        assert_eq!(of("٣ ۴"), [Some(3), Some(4)]);
    }

    #[test]
    fn every_word_is_looked_up() {
        let norm = Normalizer::default();
        for (n, list) in WORDS {
            for w in list.split_whitespace() {
                for t in norm.normalize(w).tokens() {
                    assert!(t.len() <= LONGEST_WORD, "{t}");
                    assert!(token_number(t).is_some(), "{t} ({n})");
                }
            }
        }
    }
}
