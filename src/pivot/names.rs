//! A cross-script key for names: the consonant skeleton that Latin, Arabic and Cyrillic
//! spellings of one name share.
//!
//! Each consonant maps to a coarse sound class, vowels and the letters scripts disagree on (`h`,
//! `w`, `y`, `ع`, `ه`, `ء`) are dropped, and repeats collapse: `Rutte` and `روته` are both `RT`,
//! `Medvedev`, `مدفيديف` and `Медведев` are all `MDFDF`, `Ukraine` and `أوكرانيا` are `KRN`.
//! Classes are coarse on purpose (`s z ش ص` are one class, `g j ج غ` another), because
//! transliterations choose freely among them. Short skeletons collide with ordinary words, so
//! the pivot stage weighs keys by their rarity in the collection like every other feature.

/// The consonant skeleton of one normalized token (lower-case, no marks), or `None` when it has
/// fewer than two consonants or holds letters of a script without a mapping.
pub fn skeleton(token: &str) -> Option<String> {
    let mut out = String::new();
    skeleton_into(token, &mut out).then_some(out)
}

/// [`skeleton`] into a reused buffer: true when `out` holds a key.
pub fn skeleton_into(token: &str, out: &mut String) -> bool {
    out.clear();
    // The class last written: repeats collapse.
    let mut last = '\0';
    let mut push = |out: &mut String, k: char| {
        if k != last {
            out.push(k);
            last = k;
        }
    };
    let mut chars = token.chars().peekable();
    while let Some(c) = chars.next() {
        // Latin digraphs first.
        let digraph = match (c, chars.peek()) {
            ('s' | 'c', Some('h')) => Some('S'),
            ('k', Some('h')) => Some('K'),
            ('t', Some('h')) => Some('T'),
            ('p', Some('h')) => Some('F'),
            ('g', Some('h')) => Some('G'),
            ('c', Some('k')) => Some('K'),
            ('z', Some('h')) => Some('G'),
            _ => None,
        };
        if let Some(k) = digraph {
            push(out, k);
            chars.next();
            continue;
        }
        if c == 'x' {
            push(out, 'K');
            push(out, 'S');
            continue;
        }
        match class_of_fast(c) {
            None => {
                out.clear();
                return false;
            }
            Some(Some(k)) => push(out, k),
            Some(None) => {}
        }
    }
    out.len() >= 2
}

/// [`class_of`] from a table for the code points below U+0700 (Latin, Cyrillic, Arabic: every
/// letter of a token the pivot stage reads, in most collections), built from it on first use.
#[inline]
fn class_of_fast(c: char) -> Option<Option<char>> {
    /// Table entries: the class letter, or these two.
    const DROPPED: u8 = 1;
    const UNMAPPED: u8 = 0;
    static TABLE: std::sync::OnceLock<[u8; 0x700]> = std::sync::OnceLock::new();
    let Some(&k) = TABLE
        .get_or_init(|| {
            let mut t = [UNMAPPED; 0x700];
            for (cp, k) in t.iter_mut().enumerate() {
                *k = match char::from_u32(cp as u32).and_then(class_of) {
                    None => UNMAPPED,
                    Some(None) => DROPPED,
                    // Class letters are ASCII capitals.
                    Some(Some(class)) => class as u8,
                };
            }
            t
        })
        .get(c as usize)
    else {
        return class_of(c);
    };
    match k {
        UNMAPPED => None,
        DROPPED => Some(None),
        k => Some(Some(char::from(k))),
    }
}

/// The class of one letter: `Some(Some(k))` a consonant class, `Some(None)` a letter that is
/// dropped, `None` a character of a script with no mapping (no key is made).
fn class_of(c: char) -> Option<Option<char>> {
    let k = match c {
        // Dropped: vowels and the letters transliterations disagree on.
        'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'w' | 'h' => return Some(None),
        'ا' | 'و' | 'ي' | 'ى' | 'ه' | 'ة' | 'ع' | 'ء' | 'ح' | 'ی' | 'ۀ' | 'ە' | 'ۆ' | 'ێ' =>
        {
            return Some(None);
        }
        'а' | 'е' | 'ё' | 'и' | 'й' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'я' | 'ь' | 'ъ' | 'і' | 'ї'
        | 'є' => return Some(None),
        'b' | 'p' | 'ب' | 'پ' | 'б' | 'п' => 'B',
        'f' | 'v' | 'ف' | 'ڤ' | 'в' | 'ф' => 'F',
        't' | 'ت' | 'ط' | 'ث' | 'т' => 'T',
        'd' | 'د' | 'ض' | 'ذ' | 'ظ' | 'д' => 'D',
        'k' | 'c' | 'q' | 'ك' | 'ک' | 'ق' | 'خ' | 'к' | 'х' => 'K',
        'g' | 'j' | 'ج' | 'غ' | 'گ' | 'ژ' | 'г' | 'ж' | 'ґ' => 'G',
        's' | 'z' | 'س' | 'ص' | 'ز' | 'ش' | 'چ' | 'с' | 'з' | 'ц' | 'ч' | 'ш' | 'щ' => {
            'S'
        }
        'l' | 'ل' | 'л' => 'L',
        'm' | 'م' | 'м' => 'M',
        'n' | 'ن' | 'н' => 'N',
        'r' | 'ر' | 'р' => 'R',
        _ => return None,
    };
    Some(Some(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_meet_across_scripts() {
        for (latin, arabic) in [
            ("rutte", "روته"),
            ("medvedev", "مدفيديف"),
            ("ukraine", "اوكرانيا"),
            ("putin", "بوتين"),
            ("zelensky", "زيلينسكي"),
            ("guterres", "غوتيريش"),
            ("biden", "بايدن"),
            ("nato", "ناتو"),
        ] {
            assert_eq!(skeleton(latin), skeleton(arabic), "{latin} / {arabic}");
            assert!(skeleton(latin).is_some(), "{latin}");
        }
        assert_eq!(skeleton("медведев"), skeleton("medvedev"));
        assert_eq!(skeleton("medvedev").as_deref(), Some("MDFDF"));
    }

    #[test]
    fn the_table_agrees_with_the_classes() {
        for c in (0..0x800).filter_map(char::from_u32) {
            assert_eq!(class_of_fast(c), class_of(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn short_or_unmapped_words_have_no_key() {
        assert_eq!(skeleton("the"), None);
        assert_eq!(skeleton("a"), None);
        assert_eq!(skeleton("東京"), None);
        assert_eq!(skeleton("2020"), None);
    }
}
