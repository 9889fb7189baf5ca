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
const MAX_TEXT: usize = 700;
const BINS: usize = 50;

/// What the report needs besides the batch.
pub struct ReportSettings<'a> {
    /// Story name per story (as `cluster` writes them).
    pub names: &'a [String],
    /// The clustering threshold (drawn on the histogram).
    pub threshold: f64,
    /// One line describing the settings.
    pub settings: String,
    /// The normalizer of the run (to find shared words).
    pub normalizer: Normalizer,
}

/// `n` and the noun that counts it: `1 story`, `2 stories` (summary lines and reports).
pub fn counted<N: std::fmt::Display + PartialEq + From<u8>>(n: N, one: &str, many: &str) -> String {
    let noun = if n == N::from(1) { one } else { many };
    format!("{n} {noun}")
}

/// A record's language: its language field when the input has one, else the main script of
/// its text.
fn language(r: &crate::io::Record) -> &str {
    r.lang.as_deref().unwrap_or_else(|| dominant_script(&r.text))
}

/// The main script of a text: the script most of its letters are written in.
pub fn dominant_script(text: &str) -> &'static str {
    let mut counts = [0usize; 8];
    const NAMES: [&str; 8] =
        ["Latin", "Arabic", "Cyrillic", "Greek", "Han", "Hebrew", "Devanagari", "other"];
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        let i = match c as u32 {
            0x41..=0x24F => 0,
            0x600..=0x6FF | 0x750..=0x77F | 0x8A0..=0x8FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => 1,
            0x400..=0x52F => 2,
            0x370..=0x3FF => 3,
            0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF => 4,
            0x590..=0x5FF => 5,
            0x900..=0x97F => 6,
            _ => 7,
        };
        counts[i] += 1;
    }
    let best = (0..8).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(7);
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

/// The report of `batch`, as one HTML document.
pub fn render_report(batch: &Batch, s: &ReportSettings) -> String {
    let c = &batch.clustering;
    let n_stories = c.stats.stories;
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_stories];
    for (d, &st) in c.story.iter().enumerate() {
        members[st as usize].push(d);
    }
    let mut order: Vec<usize> = (0..n_stories).filter(|&st| members[st].len() > 1).collect();
    order.sort_by_key(|&st| (std::cmp::Reverse(members[st].len()), st));
    let multi = order.len();
    let in_multi: usize = order.iter().map(|&st| members[st].len()).sum();

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
        counted(batch.read(), "record", "records"),
        counted(batch.records.len(), "document", "documents"),
        counted(n_stories, "story", "stories"),
        counted(multi, "story", "stories"),
        if multi == 1 { "holds" } else { "hold" },
        counted(in_multi, "document", "documents"),
        counted(n_stories - multi, "story", "stories"),
        batch.rejected.len()
    );
    esc(&s.settings, &mut h);
    h.push_str("</p>\n");
    histogram(&c.edges.iter().map(|e| e.score).collect::<Vec<_>>(), s.threshold, &mut h);

    for (k, &st) in order.iter().enumerate().take(MAX_STORIES) {
        let rep = c.representative[st] as usize;
        let rep_script = language(&batch.records[rep]);
        let scripts: std::collections::BTreeSet<&str> =
            members[st].iter().map(|&d| language(&batch.records[d])).collect();
        let cross = scripts.len() > 1;
        let rep_tokens: HashSet<String> =
            s.normalizer.normalize(&batch.records[rep].text).tokens().map(str::to_owned).collect();
        let _ = write!(h, "<section class=\"story\" id=\"story-{k}\"><h2>");
        esc(&s.names[st], &mut h);
        let _ = write!(
            h,
            " <span class=\"size\">{} documents · {}</span>{}</h2>\n<table>\
             <tr><th>id</th><th>language</th><th>score</th><th>text</th></tr>\n",
            members[st].len(),
            scripts.iter().copied().collect::<Vec<_>>().join(", "),
            if cross { " <span class=\"badge\">cross-language</span>" } else { "" }
        );
        let mut rows = members[st].clone();
        rows.sort_by(|&a, &b| {
            (b == rep)
                .cmp(&(a == rep))
                .then(c.score_to_rep[b].total_cmp(&c.score_to_rep[a]))
                .then(a.cmp(&b))
        });
        for d in rows {
            let r = &batch.records[d];
            let script = language(r);
            let is_rep = d == rep;
            let _ = write!(
                h,
                "<tr class=\"{}\"><td class=\"id\">",
                if is_rep { "rep" } else { "member" }
            );
            esc(&crate::io::id_text(&r.id), &mut h);
            if is_rep {
                h.push_str(" <span class=\"star\" title=\"representative\">★</span>");
            }
            let _ = write!(
                h,
                "</td><td>{script}{}</td><td class=\"score\">{}</td><td class=\"text\" dir=\"auto\">",
                if script != rep_script {
                    " <span class=\"badge\">other language</span>"
                } else {
                    ""
                },
                if is_rep { "rep.".to_owned() } else { format!("{:.3}", c.score_to_rep[d]) }
            );
            highlighted(&r.text, (!is_rep).then_some(&rep_tokens), &s.normalizer, &mut h);
            h.push_str("</td></tr>\n");
        }
        h.push_str("</table></section>\n");
    }
    if multi > MAX_STORIES {
        let _ =
            writeln!(h, "<p class=\"more\">{} smaller stories not shown.</p>", multi - MAX_STORIES);
    }
    h.push_str("<footer>Written by xdedup. Highlighted: words a member shares with its story's representative (after normalization). Scores: the verified similarity to the representative.</footer>\n</body></html>");
    h
}

/// An inline SVG histogram of verified pair scores with the threshold drawn.
fn histogram(scores: &[f32], threshold: f64, h: &mut String) {
    let mut bins = [0usize; BINS];
    for &x in scores {
        let b = ((x.clamp(0.0, 1.0) as f64) * BINS as f64) as usize;
        bins[b.min(BINS - 1)] += 1;
    }
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
        scores.len()
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
        let mut s = String::new();
        esc("<a href=\"x\">&'", &mut s);
        assert_eq!(s, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
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
