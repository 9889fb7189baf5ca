//! Text → normalized tokens, for every script.
//!
//! This is the stage the whole house leans on: two spellings of one word must become one token,
//! or no later stage can see that two texts share it. It is pure and deterministic (no locale, no
//! randomness), so a signature computed tonight equals the one stored in an index last year
//! (where the reading has changed since, an index goes on reading as it stored: [`Reading`]).
//!
//! What happens to a text, in order:
//! 1. Unicode compatibility decomposition (NFKD): presentation forms, ligatures, full-width and
//!    circled characters become plain letters and digits, and letters with accents or hamza
//!    become base letter + combining mark.
//! 2. Per character: the generic Latin/Greek/Cyrillic accents, all Arabic marks (tashkeel,
//!    hamza above/below, Quranic signs) and Hebrew and Syriac points are dropped, so `é → e`,
//!    `أ/إ/آ → ا`, `ؤ → و`, `ئ → ي`, `שָׁלוֹם → שלום`;
//!    tatweel, bidi and zero-width format characters are dropped *without* splitting the word
//!    (but a ZWNJ in Arabic script separates, as Persian writers type a space for it as often);
//!    letters are lower-cased; every decimal
//!    digit of any script becomes ASCII; Arabic letter variants are unified (see [`arabic`]);
//!    punctuation, symbols, emoji and white space separate tokens.
//! 3. Words split where the script changes between Arabic and another script, and each Han or
//!    Kana character is a token of its own (those scripts do not write spaces); a kana keeps its
//!    voicing mark, and a text with traditional Chinese is read again as simplified
//!    ([`Reading`]).
//! 4. Arabic tokens are light-stemmed ([`arabic::light_stem`]).
//! 5. Marks that other scripts need (Indic vowel signs, Hangul jamo) are recomposed (NFC).

pub mod arabic;
mod normalize;
mod numbers;

pub use normalize::{Normalized, Normalizer, Reading, ascii_digits, is_ideograph, numbers};
pub use numbers::{token_number, token_number_hashed};
