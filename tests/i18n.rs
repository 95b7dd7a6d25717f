//! The words readers see, in the site's language: fixture sites under
//! `tests/fixtures/i18n/<case>/`, one behaviour each. Ukrainian theme
//! words, plural forms and dates on built pages; a key a language lacks
//! shown in English and listed by `check`; a site's file overriding one
//! key; each kind of bad translation file, at its line and column; and an
//! edit to a translation file reaching `serve`'s engine.

mod common;

use std::path::Path;

use explainer::cmd::CompileOptions;
use explainer::engine::Engine;

/// What `explainer check` printed on standard error.
fn check_stderr(case: &str) -> (Option<i32>, String) {
    let output = common::check(&format!("i18n/{case}"), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

/// Asserts that `stderr` holds `lines` one after another.
#[track_caller]
fn assert_block(stderr: &str, lines: &[&str]) {
    assert!(
        stderr.contains(&lines.join("\n")),
        "expected:\n{}\n\nexplainer printed:\n{stderr}",
        lines.join("\n")
    );
}

#[test]
fn a_ukrainian_site_shows_the_theme_in_ukrainian() {
    let built = common::build_ok("i18n/ukrainian", &[]);
    let page = built.read("actors/rustem-umerov/index.html");
    assert!(page.contains("<html lang=\"uk\">"), "{page}");
    let main = built.main("actors/rustem-umerov/index.html");
    assert!(main.contains(">Ключові факти</h2>"), "{main}");
    assert!(main.contains(">Зв’язки</h2>"), "{main}");
    assert!(main.contains("<h3>Участь у зустрічах <span"), "{main}");
    // The actor's type is not a fact row, in Ukrainian as in English.
    assert!(!main.contains(">Тип</th>"), "{main}");
    assert!(!main.contains("Key facts"), "{main}");
    // A typed row in Ukrainian words.
    let meeting = built.main("meetings/kyiv-talks/index.html");
    assert!(meeting.contains("<th scope=\"row\">Дата</th>"), "{meeting}");
    assert!(meeting.contains("дату ще не оголошено"), "{meeting}");
    let footer = built.read("index.html");
    assert!(footer.contains(">Зміни та виправлення</a>"));
    assert!(footer.contains(">Перейти до змісту</a>"));
}

#[test]
fn counts_on_ukrainian_pages_take_cldr_plural_forms() {
    let built = common::build_ok("i18n/ukrainian", &[]);
    // 3 meetings: "few"; 2 actors: "few"; 1 proposal: "one".
    assert!(
        built
            .main("meetings/index.html")
            .contains("<p class=\"count\">3 записи</p>")
    );
    assert!(
        built
            .main("actors/index.html")
            .contains("<p class=\"count\">2 записи</p>")
    );
    assert!(
        built
            .main("proposals/index.html")
            .contains("<p class=\"count\">1 запис</p>")
    );
}

#[test]
fn ukrainian_dates_take_the_genitive_for_a_day_and_the_nominative_for_a_month() {
    let built = common::build_ok("i18n/ukrainian", &[]);
    let kicker = |rel: &str| {
        let main = built.main(rel);
        let start = main.find("<p class=\"kicker\">").expect("a kicker");
        main[start..start + main[start..].find("</p>").unwrap()].to_owned()
    };
    assert!(kicker("meetings/paris-summit/index.html").contains(">6 січня 2026</time>"));
    assert!(kicker("meetings/spring-talks/index.html").contains(">прибл. квітень 2025</time>"));
    assert!(kicker("proposals/framework/index.html").contains(">2025</time>"));
    assert!(kicker("meetings/kyiv-talks/index.html").contains(">дату ще не оголошено</span>"));
    assert!(kicker("proposals/framework/index.html").contains(">обговорюється</span>"));
    let timeline = built.main("timeline/index.html");
    assert!(timeline.contains(">січень 2026</h2>"), "{timeline}");
    assert!(timeline.contains(">квітень 2025</h2>"), "{timeline}");
}

#[test]
fn a_key_the_language_lacks_is_shown_in_english_and_listed_by_check() {
    let built = common::build_ok("i18n/fallback", &[]);
    let main = built.main("pages/about/index.html");
    assert!(
        main.contains("<p class=\"site-note\">Read this first</p>"),
        "{main}"
    );
    // Everything else the theme says is Ukrainian.
    assert!(built.read("index.html").contains(">Перейти до змісту</a>"));
    let (code, stderr) = check_stderr("fallback");
    assert_eq!(code, Some(0), "{stderr}");
    assert_block(
        &stderr,
        &[
            "warning: `site_note` has no translation into `uk`: pages show it in English [missing-translation]",
            "  --> i18n/en.yaml:2:1",
            "  |",
            "2 | site_note: Read this first",
            "  | ^^^^^^^^^",
            "  = hint: add `site_note:` to i18n/uk.yaml",
        ],
    );
    assert!(stderr.ends_with("0 errors, 1 warning\n"), "{stderr}");
}

#[test]
fn a_site_file_overrides_one_key_and_keeps_the_others() {
    let built = common::build_ok("i18n/override", &[]);
    let main = built.main("actors/steve-witkoff/index.html");
    assert!(
        main.contains("<h2 id=\"key-facts-title\">At a glance</h2>"),
        "{main}"
    );
    assert!(!main.contains(">Key facts<"), "{main}");
    // The caption is another key: still the theme's.
    assert!(
        main.contains("Key facts about Steve Witkoff, with sources"),
        "{main}"
    );
}

#[test]
fn plural_forms_must_be_cldr_categories() {
    let (code, stderr) = check_stderr("bad-plural");
    assert_eq!(code, Some(1), "{stderr}");
    assert_block(
        &stderr,
        &[
            "error: `several` is not a plural category [i18n-plural]",
            "  --> i18n/en.yaml:4:3",
            "  |",
            "4 |   several: \"{count} facts\"",
            "  |   ^^^^^^^",
            "  = hint: plural forms are named zero, one, two, few, many and other, as in CLDR",
        ],
    );
    assert!(stderr.ends_with("1 error, 0 warnings\n"), "{stderr}");
}

#[test]
fn plural_forms_need_an_other_form() {
    let (code, stderr) = check_stderr("no-other");
    assert_eq!(code, Some(1), "{stderr}");
    assert_block(
        &stderr,
        &[
            "error: plural forms without an `other` form [i18n-plural]",
            "  --> i18n/en.yaml:2:1",
            "  |",
            "2 | facts:",
            "  | ^^^^^",
            "  = hint: add `other:`: it is the form CLDR falls back to in every language",
        ],
    );
}

#[test]
fn a_key_without_text_is_an_error_at_the_key() {
    let (code, stderr) = check_stderr("null-value");
    assert_eq!(code, Some(1), "{stderr}");
    assert_block(
        &stderr,
        &[
            "error: a translation must be a text, found nothing [i18n-type]",
            "  --> i18n/en.yaml:1:1",
            "  |",
            "1 | key_facts:",
            "  | ^^^^^^^^^",
        ],
    );
}

/// Copies a fixture site into a temporary folder, to edit it.
fn copy_fixture(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let from = common::fixture(&format!("i18n/{case}"));
    for rel in common::files(&from) {
        let to = dir.path().join(&rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&rel), &to).unwrap();
    }
    dir
}

fn page(engine: &Engine, rel: &str) -> String {
    let bytes = engine
        .output()
        .get(Path::new(rel))
        .cloned()
        .expect("page exists");
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn serve_shows_an_edit_to_a_translation_file() {
    let site = copy_fixture("override");
    let mut engine = Engine::new(site.path(), CompileOptions::default());
    let rel = "actors/steve-witkoff/index.html";
    assert!(page(&engine, rel).contains(">At a glance</h2>"));
    std::fs::write(site.path().join("i18n/en.yaml"), "key_facts: In brief\n").unwrap();
    let change = explainer::serve::change::classify(
        Path::new("i18n/en.yaml"),
        "default",
        Path::new("public"),
        |_| false,
    )
    .expect("a translation file matters");
    engine.apply(&[change]);
    assert!(page(&engine, rel).contains(">In brief</h2>"));
    // And what serve now shows is what a fresh build shows.
    let fresh = Engine::new(site.path(), CompileOptions::default());
    assert_eq!(page(&engine, rel), page(&fresh, rel));
}

#[test]
fn the_search_script_gets_its_words_in_the_site_language() {
    let built = common::build_ok("i18n/ukrainian", &[]);
    let page = built.read("search/index.html");
    let start = page
        .find("<script type=\"application/json\" id=\"search-words\">")
        .expect("the words block");
    let json = &page[start..];
    let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
    let words: serde_json::Value = serde_json::from_str(json).expect("JSON");
    assert_eq!(words["kinds"]["actor"], "Учасник");
    assert_eq!(words["months"][0], "січня");
    assert_eq!(words["day"], "{day} {month} {year}");
    assert_eq!(words["count"]["one"], "{count} результат");
    assert_eq!(words["count"]["few"], "{count} результати");
    assert_eq!(words["count"]["many"], "{count} результатів");
    assert_eq!(words["none"], "Нічого не знайдено за запитом «{query}».");
}

#[test]
fn the_search_index_keeps_a_ukrainian_word_with_an_apostrophe_whole() {
    let built = common::build_ok("i18n/ukrainian", &[]);
    let index = built.read("search-index.js");
    // "Обʼєднання" (with U+02BC) is one term, without its apostrophe, which
    // search.js drops from the reader's query too, whichever was typed.
    assert!(index.contains("обєднання"), "{index}");
    assert!(!index.contains("ʼєднання"), "{index}");
}

#[test]
fn a_right_to_left_language_sets_dir_on_every_page() {
    let built = common::build_ok("i18n/rtl", &[]);
    for page in ["index.html", "pages/about/index.html", "404.html"] {
        let html = built.read(page);
        assert!(
            html.contains("<html lang=\"fa\" dir=\"rtl\">"),
            "{page}: {}",
            &html[..200]
        );
    }
    // A left-to-right site says nothing: `ltr` is every page's default.
    let ukrainian = common::build_ok("i18n/ukrainian", &[]);
    assert!(ukrainian.read("index.html").contains("<html lang=\"uk\">"));
}

#[test]
fn a_language_direction_must_be_ltr_or_rtl() {
    let (code, stderr) = check_stderr("languages-bad-dir");
    assert_eq!(code, Some(1), "{stderr}");
    assert_block(
        &stderr,
        &[
            "error: `dir` must be `ltr` or `rtl` [languages]",
            "  --> site.yaml:3:36",
            "  |",
            "3 |   - {code: ar, name: العربية, dir: right-to-left}",
            "  |                                    ^^^^^^^^^^^^^",
            "  = hint: `rtl` for Arabic, Hebrew or Persian; `ltr`, the default, otherwise",
        ],
    );
}

#[test]
fn a_language_needs_a_name() {
    let (code, stderr) = check_stderr("languages-no-name");
    assert_eq!(code, Some(1), "{stderr}");
    assert_block(
        &stderr,
        &[
            "error: language `uk` has no `name` [languages]",
            "  --> site.yaml:3:5",
            "  |",
            "3 |   - code: uk",
            "  |     ^^^^^^^^",
            "  = hint: add its name as its readers write it: `name: Українська`, `name: English`",
        ],
    );
}

#[test]
fn the_first_language_is_built_at_the_root_and_the_others_under_their_code() {
    let (code, stderr) = check_stderr("languages-two");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("[languages-not-built]"), "{stderr}");
    let built = common::build_ok("i18n/languages-two", &[]);
    assert!(built.read("index.html").contains("<html lang=\"uk\">"));
    assert!(built.read("index.html").contains(">Перейти до змісту</a>"));
    assert!(built.read("en/index.html").contains("<html lang=\"en\">"));
    assert!(built.read("en/index.html").contains(">Skip to content</a>"));
}
