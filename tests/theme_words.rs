//! The theme's words that used to be English whatever the site's language:
//! the relation map, the connections figure, the timeline's quiet spells,
//! the embed card and the shortcodes. The fixture
//! `tests/fixtures/theme_words/ukrainian/` is a Ukrainian site with a
//! meeting dated to the year only, one dated to the month, a gap of months
//! between meetings and every shortcode that has words of its own.

mod common;

/// English words that a Ukrainian page must not show.
const ENGLISH: &[&str] = &[
    "Connections of",
    "Relation map of",
    "at the top;",
    "on the left",
    "without a meeting or proposal",
    "International",
    ">Meetings<",
    ">Proposals<",
    "(participant)",
    "(host)",
    "attended ·",
    "discussed ·",
    "attended by",
    "hosted by",
    "Key facts:",
    "From <a",
    "Play “",
    "loads the",
    "Watch “",
    "Open the chart",
    "on Flourish\"",
    ">Analysis<",
    " on X",
    " March ",
];

#[track_caller]
fn assert_no_english(page: &str, html: &str) {
    for word in ENGLISH {
        assert!(!html.contains(word), "{page} shows {word:?}:\n{html}");
    }
}

#[test]
fn figures_speak_the_site_language() {
    let built = common::build_ok("theme_words/ukrainian", &[]);
    let meeting = built.main("meetings/spring-talks/index.html");
    assert!(meeting.contains("Зв’язки: Весняні переговори"), "{meeting}");
    assert!(meeting.contains(">організатор<"), "{meeting}");
    assert!(meeting.contains(">учасник<"), "{meeting}");
    let envoy = built.main("actors/envoy/index.html");
    // The year-only meeting is "прибл. 2025", never padded to 1 January.
    assert!(envoy.contains("брав участь · прибл. 2025"), "{envoy}");
    assert!(envoy.contains("брав участь · 6 січ. 2026"), "{envoy}");
    assert!(!envoy.contains("1 січ. 2025"), "{envoy}");
    let map = built.main("map/index.html");
    assert!(map.contains("Мапа зв’язків: Перемовини"), "{map}");
    assert!(map.contains(">Міжнародні<"), "{map}");
    for page in [
        "meetings/spring-talks/index.html",
        "actors/envoy/index.html",
        "proposals/framework/index.html",
        "map/index.html",
    ] {
        assert_no_english(page, &built.main(page));
    }
}

#[test]
fn a_long_gap_on_the_timeline_takes_the_plural_form_of_the_language() {
    let built = common::build_ok("theme_words/ukrainian", &[]);
    let timeline = built.main("timeline/index.html");
    // March 2024 ends on the 31st; ~2025 begins on 1 January 2025: nine
    // months, "many".
    assert!(
        timeline.contains("9 місяців без зустрічей і пропозицій"),
        "{timeline}"
    );
    // ~2025 may have been December: no quiet spell is counted from its
    // first day to 6 January 2026.
    assert_eq!(
        timeline.matches("без зустрічей і пропозицій").count(),
        1,
        "{timeline}"
    );
    assert_no_english("timeline/index.html", &timeline);
}

#[test]
fn the_embed_card_and_the_shortcodes_speak_the_site_language() {
    let built = common::build_ok("theme_words/ukrainian", &[]);
    let card = built.read("embed/meetings/paris-summit/index.html");
    assert!(
        card.contains("<title>Ключові факти: Саміт у Парижі · Перемовини</title>"),
        "{card}"
    );
    assert!(card.contains("Джерело: <a"), "{card}");
    assert_no_english("embed/meetings/paris-summit/index.html", &card);
    let page = built.main("pages/embeds/index.html");
    for words in [
        ">Аналіз<",
        "Відтворити «Пресконференція»",
        "(завантажує програвач YouTube)",
        "Дивитися «Документальний фільм» на Vimeo",
        "Відкрити діаграму «Війська за регіонами» на Datawrapper",
        "Відкрити «Хто з ким зустрічався» на Flourish",
        "@envoy у X",
        "1 березня 2025",
    ] {
        assert!(page.contains(words), "{words:?} missing:\n{page}");
    }
    assert_no_english("pages/embeds/index.html", &page);
}
