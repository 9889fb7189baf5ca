//! Normalized tokens → pivot tokens: a language-neutral feature set, so that an Arabic article
//! and the English report it came from share features although they share no shingle.
//!
//! Each token becomes, in order of preference:
//! - a **number** (any digit system, already ASCII after normalization), except four-digit years
//!   1900–2099, which every story of a year shares (`BASELINES.md`: bare years ruin precision);
//! - nothing, when it is a function word of English or Arabic ([`is_stopword`]);
//! - its **translations** into the pivot language (English), when a [`Lexicon`] knows it;
//! - otherwise a Latin-script token stands for itself, English-stemmed ([`english_stem`]), so
//!   English text meets the translations of Arabic text;
//! - and a **name key**, its consonant skeleton ([`names::skeleton`]), which Latin, Arabic and
//!   Cyrillic spellings of a name share: for every non-Latin token (Arabic names are often words
//!   of the lexicon too, `روته`), and for Latin tokens that are not a word of the lexicon's
//!   translations.
//!
//! Pivot features are weighed like shingles, by their rarity in the collection (all documents
//! count, whatever their script), so a name key that collides with common words weighs little
//! and a rare name or figure weighs much.

pub mod lexicon;
pub mod names;

use std::sync::{Arc, OnceLock};

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

pub use lexicon::Lexicon;

use crate::text::{Normalized, Normalizer};
use crate::weights::FeatureMap;

const WORD_SEED: u64 = 0x0B1D_0000_0000_0001;
const NAME_SEED: u64 = 0x0B1D_0000_0000_0002;
const NUMBER_SEED: u64 = 0x0B1D_0000_0000_0003;

/// Pivot features come in three kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A pivot-language word (an English word, or the translation of another language's word).
    Word,
    /// A name key (consonant skeleton).
    Name,
    /// A number.
    Number,
}

/// Turns normalized text into pivot features.
#[derive(Debug, Clone, Default)]
pub struct Pivoter {
    lexicon: Option<Arc<Lexicon>>,
}

impl Pivoter {
    /// Pivot tokens from names, numbers and English words only, or through `lexicon` too.
    pub fn new(lexicon: Option<Arc<Lexicon>>) -> Self {
        Pivoter { lexicon }
    }

    /// The lexicon, when one is used.
    pub fn lexicon(&self) -> Option<&Lexicon> {
        self.lexicon.as_deref()
    }

    /// Fills `out` with the sorted, distinct pivot features of `text`.
    pub fn pivot_into(&self, text: &Normalized, out: &mut Vec<u64>) {
        out.clear();
        self.each(text, &mut |h, _, _| out.push(h));
        out.sort_unstable();
        out.dedup();
    }

    /// The pivot features of `text` with what they stand for (`kind`, the pivot text, the token
    /// it came from), in text order, for explanations.
    pub fn pivot_strings(&self, text: &Normalized) -> Vec<(u64, Kind, String, String)> {
        let mut v = Vec::new();
        self.each(text, &mut |h, kind, (pivot, token)| {
            v.push((h, kind, pivot.to_owned(), token.to_owned()))
        });
        v
    }

    /// Calls `emit(feature, kind, (pivot text, token))` for each pivot feature of `text`.
    fn each<'t>(&self, text: &'t Normalized, emit: &mut Emit<'t, '_>) {
        let lex = self.lexicon.as_deref();
        // Pivot features belong to no script: their rarity counts among all documents.
        let emit =
            &mut |h: u64, kind: Kind, what: (&str, &'t str)| emit(h & (u64::MAX >> 3), kind, what);
        let mut sk = String::new();
        for t in text.tokens() {
            if t.bytes().all(|b| b.is_ascii_digit()) {
                let digits = t.trim_start_matches('0');
                let year =
                    digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20"));
                if !year {
                    let h = xxh3_64_with_seed(digits.as_bytes(), NUMBER_SEED);
                    emit(h, Kind::Number, (digits, t));
                }
                continue;
            }
            if is_stopword(t) {
                continue;
            }
            let latin = t
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase() || ('\u{C0}'..='\u{24F}').contains(&c));
            let mut known = false;
            if let Some(lex) = lex {
                for w in lex.translate(t) {
                    // A Latin word the lexicon translates is an ordinary word; in Arabic, names
                    // are often words too (`روته`), so they keep their name key.
                    known |= latin;
                    emit(word_hash(w), Kind::Word, (w, t));
                }
            }
            if latin && !known {
                let w = english_stem(t);
                if is_stopword(w) {
                    continue;
                }
                known = lex.is_some_and(|l| l.is_pivot_word(t));
                emit(word_hash(w), Kind::Word, (w, t));
            }
            if !known && names::skeleton_into(t, &mut sk) {
                emit(xxh3_64_with_seed(sk.as_bytes(), NAME_SEED), Kind::Name, (&sk, t));
            }
        }
    }
}

/// Receives `(feature, kind, (pivot text, token))` (see [`Pivoter::each`]).
type Emit<'t, 'a> = dyn FnMut(u64, Kind, (&str, &'t str)) + 'a;

fn word_hash(w: &str) -> u64 {
    xxh3_64_with_seed(w.as_bytes(), WORD_SEED)
}

/// A light English stemmer, the same for texts and for a lexicon's translations: plural and
/// verb endings (`-ies -es -s -ing -ed`) and a final `e` go, so `apologizes`, `apologized` and
/// `apologize` meet. Words of three letters or fewer are left alone.
pub fn english_stem(w: &str) -> &str {
    if w.len() <= 3 || !w.is_ascii() {
        return w;
    }
    let mut s = w;
    if let Some(r) = s.strip_suffix("ies").filter(|r| r.len() >= 2) {
        // `countries` → `countr` (as `country` → `countr` below).
        s = r;
    } else if let Some(r) = s.strip_suffix("ing").filter(|r| r.len() >= 3) {
        s = r;
    } else if let Some(r) = s.strip_suffix("ed").filter(|r| r.len() >= 3) {
        s = r;
    } else if s.ends_with('s') && !s.ends_with("ss") && !s.ends_with("us") && !s.ends_with("is") {
        s = &s[..s.len() - 1];
    }
    if s.len() > 3 && (s.ends_with('e') || s.ends_with('y')) {
        s = &s[..s.len() - 1];
    }
    s
}

/// Function words of English and Arabic (normalized as texts are), which carry no evidence
/// of a shared story in any language.
pub fn is_stopword(token: &str) -> bool {
    static SET: OnceLock<FeatureMap<u64, ()>> = OnceLock::new();
    // Stop words are short: a longer token needs no lookup.
    token.len() <= 24
        && SET
            .get_or_init(|| {
                let norm = Normalizer::default();
                STOPWORDS
                    .split_whitespace()
                    .flat_map(|w| {
                        let n = norm.normalize(w);
                        let toks: Vec<String> = n.tokens().map(str::to_owned).collect();
                        let stemmed: Vec<String> =
                            toks.iter().map(|t| english_stem(t).to_owned()).collect();
                        toks.into_iter().chain(stemmed)
                    })
                    .map(|w| (xxh3_64(w.as_bytes()), ()))
                    .collect()
            })
            .contains_key(&xxh3_64(token.as_bytes()))
}

const STOPWORDS: &str = "a an the and or but if of at by for with about against between into \
    through during before after above below to from up down in out on off over under again \
    further then once here there when where why how all any both each few more most other some \
    such no nor not only own same so than too very can will just should now is are was were be \
    been being have has had having do does did doing i me my we our you your he him his she her \
    it its they them their what which who whom this that these those am would could also said \
    says say as new one two three after amid s t
    في من على الى إلى عن ان أن إن او أو ما لا لم لن قد هذا هذه ذلك تلك التي الذي الذين كان كانت \
    يكون بين بعد قبل عند مع كل حتى ثم اي أي هو هي هم نحن انا أنا انت أنت ايضا أيضا حيث منذ خلال \
    ضد غير لدى وقد كما فيما اما أما لكن قال وقال قالت اليوم امس أمس";

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(p: &Pivoter, s: &str) -> Vec<(Kind, String)> {
        p.pivot_strings(&Normalizer::default().normalize(s))
            .into_iter()
            .map(|(_, k, pivot, _)| (k, pivot))
            .collect()
    }

    #[test]
    fn names_and_numbers_cross_scripts_without_a_lexicon() {
        let p = Pivoter::default();
        let mut a = Vec::new();
        let mut b = Vec::new();
        p.pivot_into(
            &Normalizer::default().normalize("Rutte met Medvedev, 42 killed in 2022"),
            &mut a,
        );
        p.pivot_into(
            &Normalizer::default().normalize("روته يلتقي مدفيديف، مقتل ٤٢ عام ٢٠٢٢"),
            &mut b,
        );
        let shared = a.iter().filter(|x| b.contains(x)).count();
        assert_eq!(shared, 3, "Rutte, Medvedev and 42, not the year");
        let s = strings(&p, "the 2022 Olympics 007");
        assert!(s.contains(&(Kind::Number, "7".into())), "{s:?}");
        assert!(!s.iter().any(|(_, x)| x == "2022" || x == "the"), "{s:?}");
    }

    #[test]
    fn lexicon_translates_and_known_words_are_not_names() {
        let lex = Lexicon::from_pairs("جنود\tsoldiers\nاعتذر\tapologized\nروته\trouting\n");
        let p = Pivoter::new(Some(Arc::new(lex)));
        let words = |s: &str| -> Vec<String> {
            strings(&p, s).into_iter().filter(|x| x.0 == Kind::Word).map(|x| x.1).collect()
        };
        assert_eq!(words("الجنود اعتذر"), ["soldier", "apologiz"]);
        assert_eq!(words("The soldiers apologized"), ["soldier", "apologiz"]);
        // A known English word is no name; an Arabic name that is also a word keeps its key.
        let en = strings(&p, "soldiers Rutte");
        assert!(!en.contains(&(Kind::Name, "SLDRS".into())), "{en:?}");
        assert!(en.contains(&(Kind::Name, "RT".into())), "{en:?}");
        assert!(strings(&p, "روته").contains(&(Kind::Name, "RT".into())));
    }

    #[test]
    fn stems_meet() {
        for (a, b) in [("apologizes", "apologized"), ("troops", "troop"), ("countries", "country")]
        {
            assert_eq!(english_stem(a), english_stem(b), "{a} {b}");
        }
        assert_eq!(english_stem("news"), "new");
        assert_eq!(english_stem("bus"), "bus");
    }
}
