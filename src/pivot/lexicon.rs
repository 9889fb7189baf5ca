//! A bilingual lexicon read at run time (`--lexicon PATH`): words of another language → words
//! of the pivot language (English).
//!
//! Two free formats are read:
//! - a **word-pair list**, one pair a line, separated by a tab or spaces (the MUSE dictionaries:
//!   `source target`); when most lines have Latin letters in the first column and none in the
//!   second, the columns are taken the other way round (an `en-ar` list);
//! - a **dictd** dictionary (`NAME.index` with `NAME.dict` or `NAME.dict.dz`, either file named):
//!   FreeDict's Arabic–English, which Debian installs with `apt-get install
//!   dict-freedict-ara-eng` to `/usr/share/dictd/freedict-ara-eng.index`.
//!
//! Both sides go through the pipeline's normalizer, so a headword is looked up exactly as a
//! text's token will be (letters unified, Arabic light-stemmed); several headwords with one stem
//! pool their translations. Translations keep their content words, English-stemmed (see
//! [`super::english_stem`]), at most [`MAX_TRANSLATIONS`] a source word, in the dictionary's
//! order. Multi-word headwords are left out (texts are looked up word by word). Loading
//! FreeDict's 53,000 headwords takes a few tens of milliseconds, so no cache is kept.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::text::Normalizer;

/// Translations kept per source word (the dictionary's first senses).
pub const MAX_TRANSLATIONS: usize = 8;

/// Source words → pivot-language words.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Source token → indices into `words`.
    map: HashMap<String, Vec<u32>>,
    /// Pivot-language words (normalized, stemmed), each once.
    words: Vec<String>,
    /// `words` → its index.
    index: HashMap<String, u32>,
    /// Pivot-language words as written in translations (normalized, not stemmed).
    surface: std::collections::HashSet<String>,
    /// Where it was read from.
    source: String,
}

impl Lexicon {
    /// Reads a lexicon, choosing the format from the file: a `.index`, `.dict` or `.dict.dz`
    /// file is read as dictd, anything else as a word-pair list.
    pub fn load(path: &Path) -> Result<Lexicon> {
        let name = path.to_string_lossy();
        let mut lex =
            if name.ends_with(".index") || name.ends_with(".dict") || name.ends_with(".dict.dz") {
                Self::load_dictd(path)?
            } else {
                let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
                Self::from_pairs(&text)
            };
        if lex.map.is_empty() {
            return Err(Error::Format {
                path: path.to_owned(),
                reason: "no word pairs found: expected a dictd dictionary (NAME.index beside \
                         NAME.dict.dz) or one `source<TAB>target` pair a line"
                    .into(),
            });
        }
        lex.source = path.display().to_string();
        Ok(lex)
    }

    /// A lexicon from a word-pair list (`source target` a line).
    pub fn from_pairs(text: &str) -> Lexicon {
        let split = |line: &str| -> Option<(String, String)> {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let (a, b) = match line.split_once('\t') {
                Some((a, b)) => (a, b.split('\t').next().unwrap_or("")),
                None => line.split_once(' ')?,
            };
            Some((a.trim().to_owned(), b.trim().to_owned()))
        };
        let pairs: Vec<(String, String)> = text.lines().filter_map(split).collect();
        let latin = |s: &str| s.chars().any(|c| c.is_ascii_alphabetic());
        let flipped = pairs.iter().filter(|(a, b)| latin(a) && !latin(b)).count();
        let straight = pairs.iter().filter(|(a, b)| !latin(a) && latin(b)).count();
        let mut lex = Lexicon::default();
        let norm = Normalizer::default();
        for (a, b) in pairs {
            let (src, tgt) = if flipped > straight { (b, a) } else { (a, b) };
            lex.add(&norm, &src, std::iter::once(tgt.as_str()));
        }
        lex
    }

    /// A lexicon from a dictd dictionary: `path` is its `.index`, `.dict` or `.dict.dz` file.
    pub fn load_dictd(path: &Path) -> Result<Lexicon> {
        let name = path.to_string_lossy();
        let base = name
            .strip_suffix(".index")
            .or_else(|| name.strip_suffix(".dict.dz"))
            .or_else(|| name.strip_suffix(".dict"))
            .unwrap_or(&name)
            .to_owned();
        let index_path = PathBuf::from(format!("{base}.index"));
        let index = std::fs::read_to_string(&index_path).map_err(|e| io(&index_path, e))?;
        let dict = read_dict(&base)?;
        let mut lex = Lexicon::default();
        let norm = Normalizer::default();
        for (n, line) in index.lines().enumerate() {
            let mut f = line.split('\t');
            let (Some(head), Some(off), Some(len)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            if head.starts_with("00database") || head.starts_with("00-database") {
                continue;
            }
            let bad = || Error::Format {
                path: index_path.clone(),
                reason: format!("line {}: entry '{head}' points outside the dictionary", n + 1),
            };
            let (off, len) =
                (base64_number(off).ok_or_else(bad)?, base64_number(len).ok_or_else(bad)?);
            let entry = dict.get(off as usize..(off + len) as usize).ok_or_else(bad)?;
            let entry = String::from_utf8_lossy(entry);
            // First line: the headword (and its pronunciation); then one sense a line,
            // numbered `1. ` when there are several.
            let senses = entry.lines().skip(1).map(|l| {
                let l = l.trim();
                let l = l.split_once(". ").filter(|(n, _)| n.chars().all(|c| c.is_ascii_digit()));
                l.map_or_else(|| "", |(_, s)| s)
            });
            let plain = entry.lines().skip(1).map(str::trim);
            let senses: Vec<&str> =
                senses.zip(plain).map(|(s, p)| if s.is_empty() { p } else { s }).collect();
            lex.add(&norm, head, senses.iter().flat_map(|s| s.split([',', ';'])));
        }
        Ok(lex)
    }

    /// Adds the translations of one source word (its normalized form; multi-word headwords are
    /// skipped).
    fn add<'a>(&mut self, norm: &Normalizer, source: &str, targets: impl Iterator<Item = &'a str>) {
        let src = norm.normalize(source);
        if src.len() != 1 {
            return;
        }
        let key = src.tokens().next().unwrap_or_default().to_owned();
        let mut ids = self.map.remove(&key).unwrap_or_default();
        for t in targets {
            for w in norm.normalize(t).tokens() {
                if ids.len() >= MAX_TRANSLATIONS {
                    break;
                }
                if !self.surface.contains(w) {
                    self.surface.insert(w.to_owned());
                }
                let w = super::english_stem(w);
                if super::is_stopword(w) || w.is_empty() {
                    continue;
                }
                let next = self.words.len() as u32;
                let id = *self.index.entry(w.to_owned()).or_insert_with(|| {
                    self.words.push(w.to_owned());
                    next
                });
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        if !ids.is_empty() {
            self.map.insert(key, ids);
        }
    }

    /// The pivot-language words a normalized source token translates to (none when unknown).
    ///
    /// An Arabic token the lexicon does not hold is looked up again without the clitics the
    /// pipeline's light stemmer leaves on to stay precise (`بكوفيد`, `لفيروس`: a preposition
    /// before a consonant), then without a verb's person prefix (`يعلن` → `علن`).
    pub fn translate(&self, token: &str) -> impl Iterator<Item = &str> {
        self.lookup(token).into_iter().flatten().map(|&i| self.words[i as usize].as_str())
    }

    fn lookup(&self, token: &str) -> Option<&Vec<u32>> {
        if let Some(ids) = self.map.get(token) {
            return Some(ids);
        }
        let arabic = token.chars().next().is_some_and(crate::text::arabic::is_arabic_letter);
        if !arabic || token.chars().count() < 4 {
            return None;
        }
        let strip = |w: &'_ str, set: &[char]| -> Option<String> {
            let c = w.chars().next()?;
            let rest = &w[c.len_utf8()..];
            (set.contains(&c) && rest.chars().count() >= 3)
                .then(|| crate::text::arabic::light_stem(rest).to_owned())
        };
        let proclitic = strip(token, &['ب', 'ل', 'ك', 'و', 'ف']);
        if let Some(ids) = proclitic.as_deref().and_then(|w| self.map.get(w)) {
            return Some(ids);
        }
        let base = proclitic.as_deref().unwrap_or(token);
        strip(base, &['ي', 'ت', 'ن', 'ا']).and_then(|w| self.map.get(&w))
    }

    /// True when `word` (normalized, as written) is a pivot-language word of the lexicon's
    /// translations: an ordinary word, so not taken for a name.
    pub fn is_pivot_word(&self, word: &str) -> bool {
        self.surface.contains(word)
    }

    /// Source words.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when it holds no word.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The file it was read from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// What an index records of the lexicon it was created with: the file's name and the
    /// lexicon's size, so that a later run with another lexicon is caught.
    pub fn describe(&self) -> String {
        let name = Path::new(&self.source).file_name().map(|n| n.to_string_lossy().into_owned());
        format!(
            "{} ({} source words, {} pivot words)",
            name.unwrap_or_default(),
            self.map.len(),
            self.words.len()
        )
    }
}

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io { path: path.to_owned(), source }
}

/// The dictionary text of a dictd base name: `BASE.dict.dz` (gzip, as dictzip writes it) or
/// `BASE.dict`.
fn read_dict(base: &str) -> Result<Vec<u8>> {
    let dz = PathBuf::from(format!("{base}.dict.dz"));
    if dz.exists() {
        let file = std::fs::File::open(&dz).map_err(|e| io(&dz, e))?;
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file))
            .read_to_end(&mut out)
            .map_err(|e| io(&dz, e))?;
        return Ok(out);
    }
    let plain = PathBuf::from(format!("{base}.dict"));
    std::fs::read(&plain).map_err(|e| io(&plain, e))
}

/// A dictd index number: base64 digits, most significant first.
fn base64_number(s: &str) -> Option<u64> {
    s.bytes().try_fold(0u64, |n, b| {
        let d = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        n.checked_mul(64).map(|n| n + d as u64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_lists_read_both_ways() {
        let ar_en = Lexicon::from_pairs("قوات\ttroops\nقوات forces\nاعتذار apology\n");
        let key = Normalizer::default().normalize("قوات").tokens().next().unwrap().to_owned();
        assert_eq!(ar_en.translate(&key).collect::<Vec<_>>(), ["troop", "forc"]);
        let en_ar = Lexicon::from_pairs("apology اعتذار\ntroops قوات\n");
        assert_eq!(en_ar.translate(&key).collect::<Vec<_>>(), ["troop"]);
        assert!(ar_en.is_pivot_word("apology") && !ar_en.is_pivot_word("rutte"));
    }

    #[test]
    fn dictd_numbers() {
        assert_eq!(base64_number("B"), Some(1));
        assert_eq!(base64_number("BA"), Some(64));
        assert_eq!(base64_number("aVy"), Some(26 * 4096 + 21 * 64 + 50));
        assert_eq!(base64_number("a-"), None);
    }

    #[test]
    fn dictd_files_read() {
        let dir = std::env::temp_dir().join(format!("xdedup-lex-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dict = "00-database-info\nA test\nيعتذر /jaʕtaðir/\n1. Apologizes\n2. Excuses\nجندي /d/\nSoldier\n";
        let i1 = dict.find("يعتذر").unwrap();
        let i2 = dict.find("جندي").unwrap();
        let b64 = |mut n: usize| {
            let a = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let mut s = Vec::new();
            loop {
                s.push(a[n % 64]);
                n /= 64;
                if n == 0 {
                    break;
                }
            }
            s.reverse();
            String::from_utf8(s).unwrap()
        };
        let index = format!(
            "00databaseinfo\tA\tQ\nيعتذر\t{}\t{}\nجندي\t{}\t{}\n",
            b64(i1),
            b64(i2 - i1),
            b64(i2),
            b64(dict.len() - i2)
        );
        std::fs::write(dir.join("t.index"), index).unwrap();
        std::fs::write(dir.join("t.dict"), dict).unwrap();
        let lex = Lexicon::load(&dir.join("t.index")).unwrap();
        assert_eq!(lex.len(), 2);
        let key = |w: &str| Normalizer::default().normalize(w).tokens().next().unwrap().to_owned();
        // The verb is looked up as a text's token is read: as its verbal noun, which a text
        // that writes the noun finds too.
        for w in ["يعتذر", "الاعتذار"] {
            assert_eq!(lex.translate(&key(w)).collect::<Vec<_>>(), ["apologiz", "excus"], "{w}");
        }
        assert_eq!(lex.translate(&key("جندي")).collect::<Vec<_>>(), ["soldier"]);
        std::fs::write(dir.join("empty.txt"), "\n").unwrap();
        let err = Lexicon::load(&dir.join("empty.txt")).unwrap_err().to_string();
        assert!(err.contains("empty.txt") && err.contains("no word pairs"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
