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
    let mut chars = token.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        // Latin digraphs first.
        let digraph = match (c, next) {
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
        match class_of(c) {
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

/// Appends `k` unless it repeats the last class.
fn push(out: &mut String, k: char) {
    if !out.ends_with(k) {
        out.push(k);
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
    fn short_or_unmapped_words_have_no_key() {
        assert_eq!(skeleton("the"), None);
        assert_eq!(skeleton("a"), None);
        assert_eq!(skeleton("東京"), None);
        assert_eq!(skeleton("2020"), None);
    }
}
