//! RENDER: plain text from rendered HTML, for places that must not carry
//! markup — FAQPage answers in JSON-LD and the search index. Input: HTML as
//! pulldown-cmark (or an author's raw HTML) wrote it; output: the text a
//! reader sees, entities decoded, whitespace collapsed.
//!
//! Working from the rendered HTML rather than the Markdown source means
//! `[[steve-witkoff]]` has already become "Steve Witkoff" and
//! `[[x|Witkoff]]` "Witkoff", exactly as on the page.

/// Elements whose content is never text a reader sees.
const HIDDEN_ELEMENTS: &[&str] = &["script", "style", "template"];

/// Inline elements: their tags join text without a space ("<em>x</em>y").
/// Any other tag (paragraphs, list items, cells, `<br>`) separates words.
const INLINE_ELEMENTS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd", "mark",
    "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
];

/// The visible text of an HTML fragment, on one line.
pub fn text(html: &str) -> String {
    text_up_to(html, usize::MAX)
}

/// The first `words` words of [`text`] (at least; a few more may follow),
/// without reading the rest of the HTML: the search index keeps only the
/// start of each body, and converting whole bodies was a tenth of the
/// Markdown pass.
pub fn text_up_to(html: &str, words: usize) -> String {
    let mut out = String::with_capacity(html.len().min(words.saturating_mul(16)));
    let mut rest = html;
    let (mut seen, mut counted) = (0, 0);
    while let Some(lt) = rest.find('<') {
        push_decoded(&mut out, &rest[..lt]);
        rest = skip_tag(&rest[lt..], &mut out);
        // A word cut by an inline tag counts twice, so the count only runs
        // ahead of the real one, and twice the need is always enough.
        if words != usize::MAX {
            seen += out[counted..].split_whitespace().count();
            counted = out.len();
            if seen >= words.saturating_mul(2) {
                return collapse_whitespace(&out);
            }
        }
    }
    push_decoded(&mut out, rest);
    collapse_whitespace(&out)
}

/// Skips the tag at the start of `s` (and the content of hidden elements),
/// adding a space to `out` where the tag separates words. Returns what
/// follows.
fn skip_tag<'a>(s: &'a str, out: &mut String) -> &'a str {
    if let Some(comment) = s.strip_prefix("<!--") {
        return comment.find("-->").map_or("", |end| &comment[end + 3..]);
    }
    let Some(end) = s.find('>') else {
        // A lone `<` in text (authors' raw HTML may have one): keep it.
        out.push('<');
        return &s[1..];
    };
    let name: String = s[1..end]
        .trim_start_matches('/')
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let after = &s[end + 1..];
    if name.is_empty() {
        out.push_str(&s[..=end]);
        return after;
    }
    if !INLINE_ELEMENTS.contains(&name.as_str()) {
        out.push(' ');
    }
    let opening = !s[1..].starts_with('/');
    if opening && HIDDEN_ELEMENTS.contains(&name.as_str()) {
        let close = format!("</{name}");
        let lower = after.to_ascii_lowercase();
        return match lower.find(&close) {
            Some(i) => after[i..].find('>').map_or("", |j| &after[i + j + 1..]),
            None => "",
        };
    }
    after
}

/// Appends `text` with HTML character references decoded.
fn push_decoded(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest
            .find(';')
            .filter(|&semi| semi <= 10)
            .and_then(|semi| decode_entity(&rest[1..semi]).map(|c| (c, semi)));
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// The character a reference names: the ones HTML writers and
/// pulldown-cmark produce, and every numeric one.
fn decode_entity(name: &str) -> Option<char> {
    let numeric = |digits: &str, radix| u32::from_str_radix(digits, radix).ok();
    let code = match name {
        "amp" => return Some('&'),
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        "quot" => return Some('"'),
        "apos" => return Some('\''),
        "nbsp" => return Some(' '),
        _ => match name.strip_prefix('#') {
            Some(hex) if hex.starts_with(['x', 'X']) => numeric(&hex[1..], 16),
            Some(dec) => numeric(dec, 10),
            None => None,
        },
    };
    code.and_then(char::from_u32)
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The search terms of the first `max` words of `text`: each word split at
/// punctuation, lowercased, kept once, in reading order. The search index
/// matches terms, not phrases, so repeats and case would only add bytes.
/// Lone ASCII letters and digits ("s" of "Zelensky's") are dropped.
pub fn distinct_terms(text: &str, max: usize) -> String {
    // FxHash: these keys are short words, hashed 150 times per page.
    let mut seen = rustc_hash::FxHashSet::default();
    let mut out: Vec<String> = Vec::new();
    for word in text.split_whitespace().take(max) {
        let word = without_cyrillic_apostrophes(word);
        for term in word.split(|c: char| !c.is_alphanumeric()) {
            let term = term.to_lowercase();
            let lone_ascii = term.len() == 1 && term.is_ascii();
            if !term.is_empty() && !lone_ascii && seen.insert(term.clone()) {
                out.push(term);
            }
        }
    }
    out.join(" ")
}

/// Apostrophes Ukrainian writes inside a word (`'`, `’`, `ʼ`, `‘`), dropped
/// between two Cyrillic letters: "обʼєднання", "об'єднання" and
/// "об’єднання" are one term, as `search.js` folds the reader's query. An
/// English "Ukraine's" keeps its apostrophe (and splits there) as before.
pub fn without_cyrillic_apostrophes(word: &str) -> std::borrow::Cow<'_, str> {
    const APOSTROPHES: [char; 4] = ['\'', '\u{2019}', '\u{02BC}', '\u{2018}'];
    if !word.contains(APOSTROPHES) {
        return word.into();
    }
    let cyrillic = |c: Option<char>| c.is_some_and(|c| matches!(c, '\u{0400}'..='\u{04FF}'));
    let chars: Vec<char> = word.chars().collect();
    let kept = chars.iter().enumerate().filter(|&(n, c)| {
        !(APOSTROPHES.contains(c)
            && n > 0
            && cyrillic(chars.get(n - 1).copied())
            && cyrillic(chars.get(n + 1).copied()))
    });
    kept.map(|(_, c)| *c).collect::<String>().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ukrainian_apostrophes_in_a_word_make_one_term() {
        assert_eq!(
            distinct_terms("Обʼєднання об'єднання об’єднання об‘єднання", 10),
            "обєднання"
        );
        assert_eq!(distinct_terms("Ukraine's talks", 10), "ukraine talks");
    }

    #[test]
    fn links_become_their_text_and_entities_are_decoded() {
        let html = "<p>No, according to <a href=\"../x/index.html\">Politico</a> &amp; \
                    <em>others</em>&#39;s &#x2014; &quot;q&quot;.</p>";
        assert_eq!(
            text(html),
            "No, according to Politico & others's \u{2014} \"q\"."
        );
    }

    #[test]
    fn block_tags_separate_words_and_inline_tags_do_not() {
        assert_eq!(text("<p>one</p><p>two</p>"), "one two");
        assert_eq!(text("<ul><li>a</li><li>b<br>c</li></ul>"), "a b c");
        assert_eq!(text("un<em>break</em>able"), "unbreakable");
    }

    #[test]
    fn scripts_styles_and_comments_are_not_text() {
        let html = "a<script>var x = '<p>';</script>b<!-- hidden --><STYLE>p{}</STYLE>c";
        assert_eq!(text(html), "a b c");
    }

    #[test]
    fn stray_angle_brackets_and_ampersands_survive() {
        assert_eq!(text("1 < 2 & 3 &bogus; x"), "1 < 2 & 3 &bogus; x");
        assert_eq!(text("a <"), "a <");
    }

    #[test]
    fn text_up_to_is_a_prefix_with_at_least_the_words_asked_for() {
        let html: String = (0..500)
            .map(|n| format!("<p>w{n} un<em>split</em>able</p>"))
            .collect();
        let whole = text(&html);
        let start = text_up_to(&html, 100);
        assert!(whole.starts_with(&start));
        assert!(start.split_whitespace().count() >= 100);
        assert!(start.len() < whole.len() / 2);
    }

    #[test]
    fn distinct_terms_are_lowercase_and_kept_once_in_reading_order() {
        assert_eq!(
            distinct_terms("The talks, the Talks and RBC-Ukraine's talks. More", 10),
            "the talks and rbc ukraine more"
        );
        assert_eq!(
            distinct_terms("Зеленський і Zelensky", 10),
            "зеленський і zelensky"
        );
        assert_eq!(distinct_terms("a bb cc dd", 2), "bb");
    }
}
