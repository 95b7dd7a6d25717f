//! Slugs from titles, for `explainer new`: "Володимир Зеленський" →
//! `volodymyr-zelenskyi`, "Émile Zola" → `emile-zola`.
//!
//! A slug must match `[a-z0-9][a-z0-9-]*` (SPEC §1), so every other character
//! is transliterated, folded or turned into a separator. The tables are small
//! and written out here rather than pulled from a crate: they cover the
//! scripts explainer's newsrooms write names in, and a reader can check them.
//!
//! - **Ukrainian Cyrillic** follows the official Ukrainian transliteration
//!   (Cabinet of Ministers resolution 55, 2010): `є ї й ю я` are `ye yi y yu
//!   ya` at the start of a word and `ie i i iu ia` elsewhere, `г` is `h`,
//!   `зг` is `zgh`, the soft sign and apostrophe are dropped.
//! - **Russian Cyrillic** follows the BGN/PCGN romanisation as English-
//!   language newsrooms use it, simplified: `ё` is `e`, `й` is `y`, `ы` is
//!   `y`, `э` is `e`, `ю ya` are `yu ya`, hard and soft signs are dropped.
//! - Which of the two applies: a title with `і ї є ґ` is Ukrainian, one with
//!   `ё ы э ъ` is Russian; otherwise [`Cyrillic`] decides (the site's
//!   `language: ru` picks Russian, anything else Ukrainian).
//! - **Latin letters with diacritics** lose them (`é`→`e`, `ł`→`l`, `ø`→`o`,
//!   `ü`→`u`); ligatures and a few letters become two (`ß`→`ss`, `æ`→`ae`,
//!   `œ`→`oe`, `þ`→`th`). German umlauts become the bare vowel, as in Hugo
//!   and Zola, because `ü` is also Turkish and Hungarian.
//! - `&` becomes `and`; apostrophes are dropped (`O'Brien` → `obrien`);
//!   anything else that is not a letter or digit separates words. Letters of
//!   other scripts are dropped: pass `--slug` for those.

/// How to read Cyrillic that has no letter unique to Ukrainian or Russian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cyrillic {
    #[default]
    Ukrainian,
    Russian,
}

impl Cyrillic {
    /// The reading for a site in `language` (an IETF tag such as `ru`).
    pub fn for_language(language: &str) -> Cyrillic {
        let primary = language.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("ru") {
            Cyrillic::Russian
        } else {
            Cyrillic::Ukrainian
        }
    }

    /// Letters that only one of the two alphabets has decide; else `self`.
    fn detect(self, title: &str) -> Cyrillic {
        let lower = title.to_lowercase();
        if lower.contains(['і', 'ї', 'є', 'ґ']) {
            Cyrillic::Ukrainian
        } else if lower.contains(['ё', 'ы', 'э', 'ъ']) {
            Cyrillic::Russian
        } else {
            self
        }
    }
}

/// Whether `slug` is a valid content file name (`[a-z0-9][a-z0-9-]*`).
pub fn is_valid(slug: &str) -> bool {
    let mut bytes = slug.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Longest tag slug, in bytes: a tag's page is the folder `tags/<slug>/`,
/// and file systems refuse names over 255 bytes; the rest is headroom.
pub const MAX_TAG_SLUG: usize = 200;

/// Prefix of the slug of a tag with no letter or digit. Folded slugs never
/// hold `--`, so such a slug cannot equal any other tag's.
const SYMBOL_TAG_PREFIX: &str = "tag--";

/// A tag's URL segment: lowercase, letters and digits kept (non-Latin ones
/// too), anything else folded into single hyphens, so `Security guarantees`
/// and `security-guarantees` share a page. A tag with no letter or digit
/// (`!!!`, `—`) gets [`SYMBOL_TAG_PREFIX`] and a hash of its text: distinct
/// from other tags (`???`, `tag`), and the same on every build.
pub fn tag(tag: &str) -> String {
    let mut out = String::new();
    for c in tag.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        format!("{SYMBOL_TAG_PREFIX}{:016x}", fnv1a(tag.trim().as_bytes()))
    } else {
        out.to_owned()
    }
}

/// FNV-1a, 64 bits: a hash that is the same on every machine and release
/// (std's hasher promises neither).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The slug of `title`, reading ambiguous Cyrillic as `cyrillic` says.
/// Empty when the title has no letter or digit we can write in ASCII.
pub fn slugify(title: &str, cyrillic: Cyrillic) -> String {
    let cyrillic = cyrillic.detect(title);
    let mut words = String::new();
    let mut previous: Option<char> = None;
    for c in title.chars().flat_map(char::to_lowercase) {
        if is_combining_mark(c) {
            continue; // `e` + U+0301 is `é`; `İ` lowercases to `i` + U+0307
        }
        let word_start = previous.is_none_or(|p| !p.is_alphanumeric() && !is_apostrophe(p));
        match c {
            'a'..='z' | '0'..='9' => words.push(c),
            '&' => words.push_str(" and "),
            c if is_apostrophe(c) => {}
            c => match transliterate(c, previous, word_start, cyrillic) {
                Some(ascii) => words.push_str(ascii),
                None => words.push(' '),
            },
        }
        previous = Some(c);
    }
    words
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036f}').contains(&c)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`')
}

/// The ASCII for one lowercase non-ASCII letter; `None` separates words.
fn transliterate(
    c: char,
    previous: Option<char>,
    word_start: bool,
    cyrillic: Cyrillic,
) -> Option<&'static str> {
    if ('\u{0400}'..='\u{04ff}').contains(&c) {
        return match cyrillic {
            Cyrillic::Ukrainian => ukrainian(c, previous, word_start),
            Cyrillic::Russian => russian(c),
        };
    }
    latin(c)
}

/// Ukrainian letters, KMU 2010. `word_start` picks the initial forms.
fn ukrainian(c: char, previous: Option<char>, word_start: bool) -> Option<&'static str> {
    let initial =
        |start: &'static str, inside: &'static str| Some(if word_start { start } else { inside });
    match c {
        'є' => initial("ye", "ie"),
        'ї' => initial("yi", "i"),
        'й' => initial("y", "i"),
        'ю' => initial("yu", "iu"),
        'я' => initial("ya", "ia"),
        'г' if previous == Some('з') => Some("gh"),
        'г' => Some("h"),
        'ґ' => Some("g"),
        'и' => Some("y"),
        'і' => Some("i"),
        'ь' => Some(""),
        // Letters Ukrainian does not have, met in a Ukrainian-read title.
        'ё' => Some("e"),
        'ы' => Some("y"),
        'э' => Some("e"),
        'ъ' => Some(""),
        c => common_cyrillic(c),
    }
}

/// Russian letters, BGN/PCGN as newsrooms use it.
fn russian(c: char) -> Option<&'static str> {
    match c {
        'г' => Some("g"),
        'и' => Some("i"),
        'й' => Some("y"),
        'ё' => Some("e"),
        'ы' => Some("y"),
        'э' => Some("e"),
        'ю' => Some("yu"),
        'я' => Some("ya"),
        'ъ' | 'ь' => Some(""),
        // Ukrainian letters in a Russian-read title.
        'і' => Some("i"),
        'ї' => Some("yi"),
        'є' => Some("ye"),
        'ґ' => Some("g"),
        c => common_cyrillic(c),
    }
}

/// Letters both alphabets write the same way.
fn common_cyrillic(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'д' => "d",
        'е' => "e",
        'ж' => "zh",
        'з' => "z",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ў' => "u",
        _ => return None,
    })
}

/// Latin letters with diacritics (Latin-1 and Latin Extended-A), lowercase.
fn latin(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĳ' => "ij",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' | 'ŉ' | 'ŋ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::{Cyrillic, is_valid, slugify, tag};

    #[test]
    fn tags_without_letters_get_distinct_stable_slugs() {
        let slugs = [tag("!!!"), tag("???"), tag("tag"), tag("—")];
        assert_eq!(slugs[2], "tag");
        assert_eq!(slugs[0], "tag--bbe43c17ca866be2");
        for (i, a) in slugs.iter().enumerate() {
            assert!(slugs[i + 1..].iter().all(|b| a != b), "{slugs:?}");
        }
        assert_eq!(tag(" !!! "), slugs[0]);
        assert_eq!(tag("Security guarantees"), tag("security-guarantees"));
        assert_eq!(tag("Мирний план"), "мирний-план");
    }

    fn slug(title: &str) -> String {
        slugify(title, Cyrillic::Ukrainian)
    }

    #[test]
    fn ascii_titles_become_lowercase_words_joined_by_hyphens() {
        assert_eq!(slug("Steve Witkoff"), "steve-witkoff");
        assert_eq!(
            slug("  Paris summit, 6 January 2026!  "),
            "paris-summit-6-january-2026"
        );
        assert_eq!(slug("NATO"), "nato");
        assert_eq!(
            slug("Coalition of the Willing — leaders' call"),
            "coalition-of-the-willing-leaders-call"
        );
        assert_eq!(slug("US & Ukraine"), "us-and-ukraine");
        assert_eq!(slug("O'Brien"), "obrien");
    }

    #[test]
    fn ukrainian_follows_the_official_transliteration() {
        assert_eq!(slug("Володимир Зеленський"), "volodymyr-zelenskyi");
        assert_eq!(slug("Андрій Сибіга"), "andrii-sybiha");
        assert_eq!(slug("Андрій Єрмак"), "andrii-yermak");
        assert_eq!(slug("Юлія Свириденко"), "yuliia-svyrydenko");
        assert_eq!(slug("Київ"), "kyiv");
        assert_eq!(slug("Запоріжжя"), "zaporizhzhia");
        assert_eq!(slug("Згурівка"), "zghurivka");
        assert_eq!(slug("Ґорґани"), "gorgany");
        assert_eq!(slug("Мар'яна"), "mariana");
        assert_eq!(slug("Їжакевич"), "yizhakevych");
        assert_eq!(slug("ХАРКІВ"), "kharkiv");
    }

    #[test]
    fn russian_is_detected_by_its_own_letters() {
        assert_eq!(slug("Рамзан Кадыров"), "ramzan-kadyrov");
        assert_eq!(slug("Пётр Толстой"), "petr-tolstoy");
        assert_eq!(slug("Эрмитаж"), "ermitazh");
    }

    #[test]
    fn russian_site_reads_ambiguous_cyrillic_as_russian() {
        let ru = |t| slugify(t, Cyrillic::for_language("ru"));
        assert_eq!(ru("Сергей Лавров"), "sergey-lavrov");
        assert_eq!(ru("Владимир Путин"), "vladimir-putin");
        assert_eq!(ru("Кирилл Дмитриев"), "kirill-dmitriev");
        assert_eq!(ru("Юрий Ушаков"), "yuriy-ushakov");
        // Ukrainian letters still win on a Russian site.
        assert_eq!(ru("Андрій Сибіга"), "andrii-sybiha");
        assert_eq!(slug("Сергей Лавров"), "serhei-lavrov");
    }

    #[test]
    fn french_accents_are_dropped() {
        assert_eq!(
            slug("Emmanuel Macron à l'Élysée"),
            "emmanuel-macron-a-lelysee"
        );
        assert_eq!(slug("Jean-Noël Barrot"), "jean-noel-barrot");
        assert_eq!(slug("Sœurs françaises"), "soeurs-francaises");
    }

    #[test]
    fn polish_letters_are_folded() {
        assert_eq!(slug("Radosław Sikorski"), "radoslaw-sikorski");
        assert_eq!(slug("Łódź"), "lodz");
        assert_eq!(
            slug("Władysław Kosiniak-Kamysz"),
            "wladyslaw-kosiniak-kamysz"
        );
        assert_eq!(slug("Gdańsk, Kraków, Wrocław"), "gdansk-krakow-wroclaw");
    }

    #[test]
    fn german_umlauts_and_eszett_are_folded() {
        assert_eq!(slug("Außenministerium"), "aussenministerium");
        assert_eq!(slug("Jürgen Hardt"), "jurgen-hardt");
        assert_eq!(slug("Görlitz Straße"), "gorlitz-strasse");
    }

    #[test]
    fn other_latin_letters_are_folded() {
        assert_eq!(slug("Lars Løkke Rasmussen"), "lars-lokke-rasmussen");
        assert_eq!(slug("Recep Tayyip Erdoğan"), "recep-tayyip-erdogan");
        assert_eq!(slug("Andrej Plenković"), "andrej-plenkovic");
        assert_eq!(slug("Þórdís Kolbrún"), "thordis-kolbrun");
        assert_eq!(slug("İstanbul"), "istanbul");
        assert_eq!(slug("Cafe\u{301}"), "cafe");
    }

    #[test]
    fn other_scripts_leave_nothing_to_slug() {
        assert_eq!(slug("習近平"), "");
        assert_eq!(slug("—"), "");
        assert_eq!(slug("習近平 2026"), "2026");
    }

    #[test]
    fn every_slug_made_is_valid() {
        for title in ["Володимир Зеленський", "Émile", "a  b", "9 May", "x-", "-x"]
        {
            let s = slug(title);
            assert!(is_valid(&s), "{title} → {s}");
        }
        assert!(!is_valid(""));
        assert!(!is_valid("-a"));
        assert!(!is_valid("A"));
        assert!(is_valid("2026-talks"));
    }
}
