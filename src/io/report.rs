//! The review report (`cluster --report FILE.html`): one self-contained HTML page for an editor
//! deciding whether to trust a run.
//!
//! Stories largest first, each member with its text, language (the input's language field, else
//! the main script of the text) and score to the story's representative, the words it shares
//! with the representative highlighted, members in another language than the representative
//! marked; above them, the distribution of verified pair scores
//! with the clustering threshold drawn, to see whether the threshold sits in the valley between
//! unrelated and related pairs. No script, no external resource: the file opens anywhere, offline.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::batch::Batch;
use crate::text::Normalizer;

/// Stories shown in full (the largest); the rest are counted.
pub const MAX_STORIES: usize = 500;
/// Characters of a text shown before it is cut.
pub const MAX_TEXT: usize = 700;
/// Bins of the score histogram, each `1 / BINS` wide.
pub const BINS: usize = 50;

/// What the report needs besides what it shows.
pub struct ReportSettings {
    /// The clustering threshold (drawn on the histogram).
    pub threshold: f64,
    /// One line describing the settings.
    pub settings: String,
    /// The normalizer of the run (to find shared words).
    pub normalizer: Normalizer,
}

/// What a report shows, gathered from a run by either engine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contents {
    /// Records read.
    pub read: u64,
    /// Documents clustered.
    pub documents: u64,
    /// Stories.
    pub stories: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Stories of two or more documents.
    pub multi: u64,
    /// Documents in those stories.
    pub in_multi: u64,
    /// Verified pair scores counted in [`BINS`] bins (see [`bin`]).
    pub scores: Vec<u64>,
    /// The largest stories of two or more documents (at most [`MAX_STORIES`]), largest first,
    /// then in order of their first documents.
    pub shown: Vec<Story>,
}

/// A story shown in full.
#[derive(Debug, Clone, PartialEq)]
pub struct Story {
    /// Its name (as `cluster` writes it).
    pub name: String,
    /// Its representative first, then the others by score (highest first), then in input order.
    pub members: Vec<Member>,
}

/// A story's member, as the report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// Its id as text.
    pub id: String,
    /// Its language (see [`language`]).
    pub language: String,
    /// Its score to the representative.
    pub score: f32,
    /// Its text: the representative's in full (its words are looked for in the others), the
    /// others' cut after [`MAX_TEXT`] + 1 characters (see [`shown_text`]).
    pub text: String,
}

/// The histogram bin of a score.
pub fn bin(score: f32) -> usize {
    (((score.clamp(0.0, 1.0) as f64) * BINS as f64) as usize).min(BINS - 1)
}

/// The part of a member's text a report needs: the first [`MAX_TEXT`] characters and, when
/// there are more, one more (which tells that the text was cut).
pub fn shown_text(text: &str) -> &str {
    match text.char_indices().nth(MAX_TEXT + 1) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

impl Contents {
    /// The contents of a batch's report; `names`: each story's name.
    pub fn of_batch(batch: &Batch, names: &[String]) -> Contents {
        let c = &batch.clustering;
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); c.stats.stories];
        for (d, &st) in c.story.iter().enumerate() {
            members[st as usize].push(d);
        }
        let mut order: Vec<usize> =
            (0..members.len()).filter(|&st| members[st].len() > 1).collect();
        order.sort_by_key(|&st| (std::cmp::Reverse(members[st].len()), st));
        let mut scores = vec![0u64; BINS];
        for e in &c.edges {
            scores[bin(e.score)] += 1;
        }
        let shown = order
            .iter()
            .take(MAX_STORIES)
            .map(|&st| {
                let rep = c.representative[st] as usize;
                let mut rows = members[st].clone();
                rows.sort_by(|&a, &b| {
                    (b == rep)
                        .cmp(&(a == rep))
                        .then(c.score_to_rep[b].total_cmp(&c.score_to_rep[a]))
                        .then(a.cmp(&b))
                });
                let members = rows
                    .into_iter()
                    .map(|d| {
                        let r = &batch.records[d];
                        let text = if d == rep { &r.text[..] } else { shown_text(&r.text) };
                        Member {
                            id: crate::io::id_text(&r.id),
                            language: language(r.lang.as_deref(), &r.text).to_owned(),
                            score: c.score_to_rep[d],
                            text: text.to_owned(),
                        }
                    })
                    .collect();
                Story { name: names[st].clone(), members }
            })
            .collect();
        Contents {
            read: batch.read() as u64,
            documents: batch.records.len() as u64,
            stories: c.stats.stories as u64,
            rejected: batch.rejected.len() as u64,
            multi: order.len() as u64,
            in_multi: order.iter().map(|&st| members[st].len() as u64).sum(),
            scores,
            shown,
        }
    }
}

/// `n` and the noun that counts it: `1 story`, `2 stories` (summary lines and reports).
pub fn counted<N: std::fmt::Display + PartialEq + From<u8>>(n: N, one: &str, many: &str) -> String {
    let noun = if n == N::from(1) { one } else { many };
    format!("{n} {noun}")
}

/// A record's language: its language field when the input has one, else the main script of
/// its text.
pub fn language<'a>(lang: Option<&'a str>, text: &str) -> &'a str {
    lang.unwrap_or_else(|| dominant_script(text))
}

/// The main script of a text: the script most of its letters are written in.
pub fn dominant_script(text: &str) -> &'static str {
    let mut counts = [0usize; 9];
    const NAMES: [&str; 9] =
        ["Latin", "Arabic", "Cyrillic", "Greek", "Han", "Hebrew", "Devanagari", "other", "Hangul"];
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        let i = match c as u32 {
            0x41..=0x24F => 0,
            0x600..=0x6FF | 0x750..=0x77F | 0x8A0..=0x8FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => 1,
            0x400..=0x52F => 2,
            0x370..=0x3FF => 3,
            0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF => 4,
            0xAC00..=0xD7AF => 8,
            0x590..=0x5FF => 5,
            0x900..=0x97F => 6,
            _ => 7,
        };
        counts[i] += 1;
    }
    let best = (0..9).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(7);
    if counts[best] == 0 { "none" } else { NAMES[best] }
}

fn esc(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// `text` (cut to [`MAX_TEXT`] characters) as HTML, with each word whose normalized tokens
/// include one of `shared` wrapped in `<mark>`.
fn highlighted(text: &str, shared: Option<&HashSet<String>>, norm: &Normalizer, out: &mut String) {
    let cut: String = text.chars().take(MAX_TEXT).collect();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let hit = shared.is_some_and(|s| norm.normalize(word).tokens().any(|t| s.contains(t)));
        if hit {
            out.push_str("<mark>");
        }
        esc(word, out);
        if hit {
            out.push_str("</mark>");
        }
        word.clear();
    };
    for c in cut.chars() {
        if c.is_whitespace() {
            flush(&mut word, out);
            esc(&c.to_string(), out);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, out);
    if cut.len() < text.len() {
        out.push('…');
    }
}

/// The report of a run, as one HTML document.
pub fn render_report(c: &Contents, s: &ReportSettings) -> String {
    let mut h = String::with_capacity(1 << 16);
    h.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>xdedup review report</title><style>\n",
    );
    h.push_str(STYLE);
    h.push_str("</style></head><body>\n<h1>xdedup review report</h1>\n");
    let _ = write!(
        h,
        "<p class=\"summary\">{} read: {} in {}; {} of two or more {} {}; {} of one document; \
         {} rejected.</p>\n<p class=\"settings\">",
        counted(c.read, "record", "records"),
        counted(c.documents, "document", "documents"),
        counted(c.stories, "story", "stories"),
        counted(c.multi, "story", "stories"),
        if c.multi == 1 { "holds" } else { "hold" },
        counted(c.in_multi, "document", "documents"),
        counted(c.stories - c.multi, "story", "stories"),
        c.rejected
    );
    esc(&s.settings, &mut h);
    h.push_str("</p>\n");
    histogram(&c.scores, s.threshold, &mut h);

    for (k, story) in c.shown.iter().enumerate() {
        let Some(rep) = story.members.first() else { continue };
        let scripts: std::collections::BTreeSet<&str> =
            story.members.iter().map(|m| &m.language[..]).collect();
        let cross = scripts.len() > 1;
        let rep_tokens: HashSet<String> =
            s.normalizer.normalize(&rep.text).tokens().map(str::to_owned).collect();
        let _ = write!(h, "<section class=\"story\" id=\"story-{k}\"><h2>");
        esc(&story.name, &mut h);
        let _ = write!(
            h,
            " <span class=\"size\">{} documents · {}</span>{}</h2>\n<table>\
             <tr><th>id</th><th>language</th><th>score</th><th>text</th></tr>\n",
            story.members.len(),
            scripts.iter().copied().collect::<Vec<_>>().join(", "),
            if cross { " <span class=\"badge\">cross-language</span>" } else { "" }
        );
        for (i, m) in story.members.iter().enumerate() {
            let is_rep = i == 0;
            let _ = write!(
                h,
                "<tr class=\"{}\"><td class=\"id\">",
                if is_rep { "rep" } else { "member" }
            );
            esc(&m.id, &mut h);
            if is_rep {
                h.push_str(" <span class=\"star\" title=\"representative\">★</span>");
            }
            let _ = write!(
                h,
                "</td><td>{}{}</td><td class=\"score\">{}</td><td class=\"text\" dir=\"auto\">",
                m.language,
                if m.language != rep.language {
                    " <span class=\"badge\">other language</span>"
                } else {
                    ""
                },
                if is_rep { "rep.".to_owned() } else { format!("{:.3}", m.score) }
            );
            highlighted(&m.text, (!is_rep).then_some(&rep_tokens), &s.normalizer, &mut h);
            h.push_str("</td></tr>\n");
        }
        h.push_str("</table></section>\n");
    }
    if c.multi > MAX_STORIES as u64 {
        let _ = writeln!(
            h,
            "<p class=\"more\">{} smaller stories not shown.</p>",
            c.multi - MAX_STORIES as u64
        );
    }
    h.push_str("<footer>Written by xdedup. Highlighted: words a member shares with its story's representative (after normalization). Scores: the verified similarity to the representative.</footer>\n</body></html>");
    h
}

/// An inline SVG histogram of verified pair scores with the threshold drawn.
fn histogram(bins: &[u64], threshold: f64, h: &mut String) {
    let max = bins.iter().copied().max().unwrap_or(0).max(1);
    let (w, ht, left, right, bottom) = (800.0, 220.0, 50.0, 30.0, 30.0);
    let bw = (w - left - right) / BINS as f64;
    let _ = writeln!(
        h,
        "<figure><svg viewBox=\"0 0 {w} {ht}\" width=\"{w}\" height=\"{ht}\" role=\"img\" \
         aria-label=\"Distribution of verified pair scores\">"
    );
    for (i, &n) in bins.iter().enumerate() {
        // Square-root scale: the long tail of related pairs stays visible beside the crowd of
        // weak ones.
        let y = ((n as f64) / max as f64).sqrt() * (ht - bottom - 10.0);
        let x = left + i as f64 * bw;
        let _ = writeln!(
            h,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{y:.1}\" class=\"bar\"><title>{:.2}–{:.2}: {n} pairs</title></rect>",
            ht - bottom - y,
            bw - 1.0,
            i as f64 / BINS as f64,
            (i + 1) as f64 / BINS as f64
        );
    }
    let tx = left + threshold.clamp(0.0, 1.0) * (w - left - right);
    let _ = writeln!(
        h,
        "<line x1=\"{tx:.1}\" y1=\"5\" x2=\"{tx:.1}\" y2=\"{:.1}\" class=\"threshold\"/>\
         <text x=\"{:.1}\" y=\"16\" class=\"label\">threshold {threshold}</text>",
        ht - bottom,
        tx + 4.0
    );
    for t in 0..=10 {
        let x = left + t as f64 / 10.0 * (w - left - right) - 8.0;
        let _ = writeln!(
            h,
            "<text x=\"{x:.1}\" y=\"{:.1}\" class=\"axis\">{:.1}</text>",
            ht - 10.0,
            t as f64 / 10.0
        );
    }
    let _ = write!(
        h,
        "<text x=\"4\" y=\"16\" class=\"axis\">{max}</text></svg>\n<figcaption>{} verified pairs by score \
         (square-root scale). Stories merge while their average score is at least the threshold: \
         it should sit in the valley between unrelated and related pairs.</figcaption></figure>\n",
        bins.iter().sum::<u64>()
    );
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222;background:#fff}
h1{font-size:1.5em}h2{font-size:1.1em;margin:1.5em 0 .4em}
.summary,.settings{color:#444}.settings{font-family:monospace;font-size:.85em}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3em .5em;vertical-align:top;text-align:left}
th{font-weight:600;background:#f4f4f4}.id{white-space:nowrap;font-family:monospace}.score{font-family:monospace}
.text{unicode-bidi:plaintext}tr.rep{background:#fffbe6}mark{background:#ffe58a;padding:0 .1em}
.badge{background:#e6f0ff;color:#1a4b9c;border-radius:.6em;padding:0 .5em;font-size:.8em;font-weight:normal}
.size{color:#666;font-weight:normal;font-size:.9em}.star{color:#c08b00}
svg .bar{fill:#5b8def}svg .threshold{stroke:#d33;stroke-width:2}svg .label{fill:#d33;font-size:12px}
svg .axis{fill:#555;font-size:11px}figcaption{color:#555;font-size:.9em}footer{margin-top:2em;color:#777;font-size:.85em}
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_singular_for_one() {
        assert_eq!(counted(1usize, "story", "stories"), "1 story");
        assert_eq!(counted(0u64, "story", "stories"), "0 stories");
        assert_eq!(counted(2u32, "document", "documents"), "2 documents");
    }

    #[test]
    fn scripts_and_escaping() {
        assert_eq!(dominant_script("Rutte said"), "Latin");
        assert_eq!(dominant_script("قال روته NATO"), "Arabic");
        assert_eq!(dominant_script("123 !!"), "none");
        assert_eq!(dominant_script("대통령이 사과"), "Hangul");
        assert_eq!(dominant_script("韩国总统"), "Han");
        let mut s = String::new();
        esc("<a href=\"x\">&'", &mut s);
        assert_eq!(s, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn a_shown_text_keeps_one_character_past_the_cut() {
        let long = "ب".repeat(MAX_TEXT + 50);
        assert_eq!(shown_text(&long).chars().count(), MAX_TEXT + 1);
        assert_eq!(shown_text("short"), "short");
        // Cut or not, the page shows the same: the first characters and the mark of a cut.
        let (mut whole, mut shown) = (String::new(), String::new());
        highlighted(&long, None, &Normalizer::new(true), &mut whole);
        highlighted(shown_text(&long), None, &Normalizer::new(true), &mut shown);
        assert!(whole == shown && whole.ends_with('…'));
    }

    #[test]
    fn shared_words_are_marked_after_normalization() {
        let norm = Normalizer::new(true);
        let shared: HashSet<String> =
            norm.normalize("Rutte NATO").tokens().map(str::to_owned).collect();
        let mut out = String::new();
        highlighted("NATO chief <Rutte> speaks", Some(&shared), &norm, &mut out);
        assert_eq!(out, "<mark>NATO</mark> chief <mark>&lt;Rutte&gt;</mark> speaks");
    }
}
