//! Shortcodes: every built-in renders what it promises (accessible, no
//! request to a third party before the reader asks), a site's own
//! templates override or add, code is never a shortcode, serve renders a
//! page again when a shortcode template it uses changes, and every misuse
//! is an error at the call with a hint.

mod common;

use std::path::{Path, PathBuf};

use explainer::cmd::CompileOptions;
use explainer::engine::{Change, Engine};
use scraper::{Html, Selector};

/// A fixture copied to a temporary root, so pictures cache there.
fn copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    common::copy_tree(&common::fixture(name), &root);
    (dir, root)
}

/// Builds a copied fixture; the `<main>` of its embeds page, parsed.
fn built_page(name: &str) -> (tempfile::TempDir, Html, String) {
    let (dir, root) = copy(name);
    let out = dir.path().join("out");
    common::build_into(&root, &out);
    let html = std::fs::read_to_string(out.join("pages/embeds/index.html")).unwrap();
    (dir, Html::parse_document(&html), html)
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

fn attr(html: &Html, css: &str, name: &str) -> String {
    common::attr(html, css, name).unwrap_or_else(|| panic!("no {name} on {css}"))
}

#[test]
fn figure_goes_through_the_image_pipeline_with_its_caption_and_credit() {
    let (dir, html, _) = built_page("shortcodes/builtins");
    let img = "main figure.picture img";
    assert_eq!(
        attr(&html, img, "alt"),
        "Two horizontal bands, blue over yellow"
    );
    assert_eq!(
        (attr(&html, img, "width"), attr(&html, img, "height")),
        ("300".into(), "200".into())
    );
    let src = attr(&html, img, "src");
    assert!(
        src.starts_with("../../images/") && src.ends_with(".svg"),
        "{src}"
    );
    let page = dir.path().join("out/pages/embeds");
    assert!(page.join(&src).is_file(), "{src} is written");
    let caption = select(&html, "main figure.picture figcaption")[0]
        .text()
        .collect::<String>();
    assert_eq!(caption, "A drawn chart. Drawn by the desk (CC0)");
}

#[test]
fn pullquote_and_callout_render_their_bodies_as_markdown() {
    let (_dir, html, _) = built_page("shortcodes/builtins");
    assert_eq!(
        attr(&html, "main figure.pullquote blockquote", "cite"),
        "https://example.org/story"
    );
    let quote = select(&html, "main figure.pullquote blockquote strong");
    assert_eq!(quote[0].text().collect::<String>(), "soon");
    let by = select(&html, "main figure.pullquote figcaption")[0]
        .text()
        .collect::<String>();
    assert_eq!(by, "A. Speaker, The Daily Example");
    let callout = "main .callout.callout-context";
    assert_eq!(attr(&html, callout, "role"), "note");
    let label_id = attr(&html, callout, "aria-labelledby");
    let label = select(&html, &format!("#{label_id}"))[0]
        .text()
        .collect::<String>();
    assert_eq!(label, "Context");
    // A ref inside the body is resolved like any other.
    assert_eq!(
        attr(&html, "main .callout a", "href"),
        "../../pages/embeds/index.html"
    );
}

#[test]
fn videos_ask_nothing_of_the_video_site_until_the_reader_plays_them() {
    let (_dir, html, raw) = built_page("shortcodes/builtins");
    assert!(
        select(&html, "main .video iframe").is_empty(),
        "no player up front"
    );
    for host in ["youtube", "vimeo", "ytimg"] {
        for element in select(&html, "main [src]") {
            let src = element.value().attr("src").unwrap();
            assert!(!src.contains(host), "{src} loads from {host}");
        }
    }
    let links: Vec<String> = select(&html, "main .video figcaption a")
        .iter()
        .map(|a| a.value().attr("href").unwrap().to_owned())
        .collect();
    assert_eq!(
        links,
        [
            "https://www.youtube.com/watch?v=M7lc1UVf-VE",
            "https://vimeo.com/76979871"
        ]
    );
    assert_eq!(
        attr(&html, "main .video .video-frame", "data-embed"),
        "https://www.youtube-nocookie.com/embed/M7lc1UVf-VE?autoplay=1&start=30"
    );
    // The play button appears only when its script runs.
    assert!(
        select(&html, "main .video button.video-play")[0]
            .value()
            .attr("hidden")
            .is_some()
    );
    assert!(raw.contains("frame.replaceChildren(player)"));
}

#[test]
fn charts_are_titled_iframes_with_a_link_for_readers_without_javascript() {
    let (_dir, html, _) = built_page("shortcodes/builtins");
    let dw = "main .embed-datawrapper iframe";
    assert_eq!(attr(&html, dw, "title"), "Troops by region");
    assert_eq!(
        attr(&html, dw, "src"),
        "https://datawrapper.dwcdn.net/dA1b2/"
    );
    assert_eq!(attr(&html, dw, "height"), "420");
    assert_eq!(
        attr(&html, "main .embed-datawrapper figcaption a", "href"),
        "https://datawrapper.dwcdn.net/dA1b2/"
    );
    let fl = "main .embed-flourish iframe";
    assert_eq!(attr(&html, fl, "title"), "Who met whom");
    assert_eq!(
        attr(&html, fl, "src"),
        "https://flo.uri.sh/visualisation/123456/embed"
    );
    assert_eq!(attr(&html, fl, "height"), "500");
}

#[test]
fn a_post_is_quoted_without_any_third_party_script() {
    let (_dir, html, _) = built_page("shortcodes/builtins");
    let post = select(&html, "main figure.post")[0];
    assert!(
        post.select(&Selector::parse("script").unwrap())
            .next()
            .is_none()
    );
    assert_eq!(
        attr(&html, "main figure.post blockquote", "cite"),
        "https://example.org/posts/1"
    );
    assert_eq!(
        attr(&html, "main figure.post time", "datetime"),
        "2025-03-01"
    );
    let caption = select(&html, "main figure.post figcaption")[0]
        .text()
        .collect::<String>();
    assert_eq!(caption, "@envoy on X, 1 March 2025");
}

#[test]
fn text_in_code_spans_and_code_blocks_is_never_a_shortcode() {
    let (_dir, html, _) = built_page("shortcodes/builtins");
    let code: Vec<String> = select(&html, "main code")
        .iter()
        .map(|c| c.text().collect())
        .collect();
    assert_eq!(
        code,
        ["{{ youtube(id=\"x\") }}", "{% callout(kind=\"nope\") %}\n"]
    );
}

#[test]
fn a_sites_own_templates_override_and_add_shortcodes() {
    let (_dir, html, _) = built_page("shortcodes/override");
    let mine = select(&html, "main .my-callout")[0].inner_html();
    assert_eq!(mine, "note: <p>Overridden.</p>");
    assert!(select(&html, "main .callout").is_empty());
    let added = select(&html, "main p.factbox")[0]
        .text()
        .collect::<String>();
    assert_eq!(added, "Founded: 1949");
}

#[test]
fn serve_renders_a_page_again_when_a_shortcode_template_it_calls_changes() {
    let (_dir, root) = copy("shortcodes/override");
    let options = CompileOptions::default();
    let mut engine = Engine::new(&root, options);
    let page = Path::new("pages/embeds/index.html");
    let before = String::from_utf8_lossy(&engine.output()[page]).into_owned();
    assert!(before.contains("Founded: 1949"), "{before}");
    let template = root.join("templates/shortcodes/factbox.html");
    std::fs::write(
        &template,
        "<p class=\"factbox\">{{ label }} in {{ value }}</p>\n",
    )
    .unwrap();
    let outcome = engine.apply(&[Change::Template]);
    let after = String::from_utf8_lossy(&engine.output()[page]).into_owned();
    assert!(after.contains("Founded in 1949"), "{after}");
    assert!(outcome.changed.contains(page));
}

// ----------------------------------------------------------- no panic

/// A host that processes no picture and keeps the problems.
struct Quiet(usize);

impl explainer::render::shortcodes::expand::Host for Quiet {
    fn picture(
        &mut self,
        _: &explainer::render::images::Ask<'_>,
        _: explainer::diag::Span,
    ) -> Option<explainer::render::images::FigureView> {
        None
    }
    fn report(&mut self, _: explainer::render::shortcodes::builtin::Misuse) {
        self.0 += 1;
    }
    fn date_words(&self) -> &explainer::i18n::DateWords {
        static ENGLISH: std::sync::OnceLock<std::sync::Arc<explainer::i18n::Catalog>> =
            std::sync::OnceLock::new();
        &ENGLISH.get_or_init(explainer::i18n::Catalog::english).dates
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

    /// Any mix of the pieces calls are made of is read, checked, rewritten
    /// and put back without a panic, and positions stay inside the text.
    #[test]
    fn no_body_text_makes_shortcodes_panic(pieces in proptest::collection::vec(
        proptest::sample::select(vec![
            "{{", "}}", "{%", "%}", " end ", "youtube(", "callout(", "x(", ")", "=", "\"",
            "'", ",", "id", "kind=\"note\"", "1.5", "-3", "true", "\n", "\n\n", "`",
            "```\n", "é", "\\", " ",
        ]), 0..40)) {
        let source: String = pieces.concat();
        let shortcodes = explainer::render::shortcodes::Shortcodes::default();
        let mut host = Quiet(0);
        if let Some(e) = explainer::render::shortcodes::expand::Expansion::new(&source, &shortcodes, &mut host) {
            for at in 0..=e.text.len() {
                proptest::prop_assert!(e.original(at) <= source.len());
            }
            let html = format!("<p>{}</p>", e.text);
            e.finish(html, &shortcodes, &mut host);
        }
    }
}

// ------------------------------------------- inside lists and quotes

/// The elements under `element` as `name.class[children]`, without text,
/// stopping at a callout or figure (their inside is the template's).
fn outline(element: scraper::ElementRef<'_>) -> String {
    let v = element.value();
    let mut out = v.name().to_owned();
    if let Some(class) = v.classes().next() {
        out = format!("{out}.{class}");
    }
    if out.starts_with("figure") || out.starts_with("div.callout") {
        return out;
    }
    let children: Vec<String> = element
        .children()
        .filter_map(scraper::ElementRef::wrap)
        .map(outline)
        .collect();
    if !children.is_empty() {
        out = format!("{out}[{}]", children.join(" "));
    }
    out
}

/// The outline of the first `css` element of the page holding `text`.
fn outline_of(html: &Html, css: &str, text: &str) -> String {
    let found = select(html, css)
        .into_iter()
        .find(|e| e.text().collect::<String>().contains(text));
    outline(found.unwrap_or_else(|| panic!("no {css} holding {text:?}")))
}

#[test]
fn a_callout_opening_a_list_item_stays_in_it() {
    let (_dir, html, _) = built_page("shortcodes/nested");
    assert_eq!(
        outline_of(&html, "main ul", "First step"),
        "ul[li[p] li[div.callout] li[p]]"
    );
    let body = select(&html, "main ul > li > .callout > p:not(.callout-label)");
    assert_eq!(
        body[0].inner_html(),
        "A note <strong>inside</strong> the second step."
    );
}

#[test]
fn a_figure_under_a_numbered_step_stays_in_it() {
    let (_dir, html, _) = built_page("shortcodes/nested");
    assert_eq!(
        outline_of(&html, "main ol", "A numbered step"),
        "ol[li[p figure.picture] li[p]]"
    );
    assert_eq!(
        attr(&html, "main ol > li > figure img", "alt"),
        "A chart in a numbered step"
    );
}

#[test]
fn a_callout_and_a_figure_in_a_quote_stay_in_it() {
    let (_dir, html, _) = built_page("shortcodes/nested");
    assert_eq!(
        outline_of(&html, "main blockquote", "Quoted words"),
        "blockquote[p div.callout figure.picture]"
    );
    assert_eq!(
        attr(&html, "main blockquote > .callout a", "href"),
        "../../pages/embeds/index.html"
    );
    assert_eq!(
        attr(&html, "main blockquote > figure img", "alt"),
        "A chart in a quote"
    );
    // The quote ends where the writer ended it.
    let after = select(&html, "main blockquote + p")[0]
        .text()
        .collect::<String>();
    assert_eq!(after, "After the quote.");
}

// ------------------------------------------------------------- errors

/// `check` on an error fixture: its stderr, after asserting the exit code
/// and the count line.
fn check(case: &str, count: &str) -> String {
    let output = common::check(&format!("errors/{case}"), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(count), "count {count:?}:\n{stderr}");
    stderr
}

#[track_caller]
fn assert_error(case: &str, expected: &[&str]) {
    let stderr = check(case, "1 error, 0 warnings");
    let wanted = expected.join("\n");
    assert!(
        stderr.contains(&wanted),
        "expected:\n{wanted}\n\nexplainer printed:\n{stderr}"
    );
}

#[test]
fn an_unknown_shortcode_is_an_error_at_the_call_with_a_suggestion() {
    assert_error(
        "shortcode-unknown",
        &[
            "error: unknown shortcode `youtub` [shortcode-unknown]",
            "  --> content/pages/embeds.md:7:1",
            "  |",
            "7 | {{ youtub(id=\"M7lc1UVf-VE\", title=\"Talks\") }}",
            "  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "  = hint: did you mean `youtube`?",
        ],
    );
}

#[test]
fn a_missing_argument_is_an_error_at_the_call() {
    assert_error(
        "shortcode-missing-argument",
        &[
            "error: shortcode `datawrapper` needs the argument `title` [shortcode-argument]",
            "  --> content/pages/embeds.md:7:1",
            "  |",
            "7 | {{ datawrapper(id=\"dA1b2\") }}",
            "  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "  = hint: add title=\"…\"",
        ],
    );
}

#[test]
fn a_mistyped_argument_name_is_an_error_with_a_suggestion() {
    assert_error(
        "shortcode-mistyped-argument",
        &[
            "error: shortcode `youtube` has no argument `idd` [shortcode-argument]",
            "  --> content/pages/embeds.md:7:12",
            "  |",
            "7 | {{ youtube(idd=\"M7lc1UVf-VE\", id=\"M7lc1UVf-VE\", title=\"Talks\") }}",
            "  |            ^^^^^^^^^^^^^^^^^",
            "  = hint: did you mean `id`?",
        ],
    );
}

#[test]
fn an_argument_of_the_wrong_type_is_an_error_at_the_argument() {
    assert_error(
        "shortcode-wrong-type",
        &[
            "error: argument `height` of `flourish` must be a whole number, not text [shortcode-argument]",
            "  --> content/pages/embeds.md:7:49",
            "  |",
            "7 | {{ flourish(id=\"visualisation/1\", title=\"Flow\", height=\"500\") }}",
            "  |                                                 ^^^^^^^^^^^^",
            "  = hint: write it as height=400",
        ],
    );
}

#[test]
fn a_call_that_cannot_be_read_is_an_error_where_it_goes_wrong() {
    assert_error(
        "shortcode-syntax",
        &[
            "error: text in a shortcode call is missing its closing quote [shortcode-syntax]",
            "  --> content/pages/embeds.md:7:31",
            "  |",
            "7 | {{ vimeo(id=\"76979871\", title=\"Talks) }}",
            "  |                               ^",
            "  = hint: close it with \"",
        ],
    );
}

#[test]
fn a_body_never_closed_is_an_error_at_its_opening() {
    assert_error(
        "shortcode-end",
        &[
            "error: shortcode `callout` is never closed [shortcode-end]",
            "  --> content/pages/embeds.md:7:1",
            "  |",
            "7 | {% callout(kind=\"note\") %}",
            "  | ^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "  = hint: end its text with {% end %} on a line of its own",
        ],
    );
}

#[test]
fn a_body_shortcode_called_without_a_body_is_an_error() {
    assert_error(
        "shortcode-form",
        &[
            "error: shortcode `pullquote` needs a body [shortcode-form]",
            "  --> content/pages/embeds.md:7:1",
            "  |",
            "7 | {{ pullquote(by=\"A. Person\") }}",
            "  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "  = hint: `pullquote` wraps text: {% pullquote(…) %} text {% end %}",
        ],
    );
}

#[test]
fn an_embed_inside_a_sentence_is_an_error() {
    assert_error(
        "shortcode-placement",
        &[
            "error: shortcode `youtube` must stand on a line of its own [shortcode-placement]",
            "  --> content/pages/embeds.md:5:11",
            "  |",
            "5 | Text with {{ youtube(id=\"M7lc1UVf-VE\", title=\"Talks\") }} inside.",
            "  |           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "  = hint: put a blank line before and after it",
        ],
    );
}

#[test]
fn a_misused_embed_in_a_list_item_is_an_error_at_the_call() {
    assert_error(
        "shortcode-in-list",
        &[
            "error: shortcode `datawrapper` needs the argument `title` [shortcode-argument]",
            "  --> content/pages/embeds.md:8:3",
            "  |",
            "8 | - {{ datawrapper(id=\"dA1b2\") }}",
            "  |   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "  = hint: add title=\"…\"",
        ],
    );
}

#[test]
fn a_broken_ref_in_a_callout_in_a_quote_is_an_error_where_it_is_written() {
    let stderr = check("shortcode-ref-in-quote", "1 error, 0 warnings");
    let wanted = [
        "  --> content/pages/embeds.md:8:14",
        "  |",
        "8 | > Talks with [[stev-witkoff]].",
        "  |              ^^^^^^^^^^^^^^^^",
    ]
    .join("\n");
    assert!(
        stderr.contains(&wanted),
        "expected:\n{wanted}\n\nexplainer printed:\n{stderr}"
    );
}

#[test]
fn a_body_that_ends_in_another_list_item_is_an_error_at_its_opening() {
    assert_error(
        "shortcode-ends-elsewhere",
        &[
            "error: shortcode `callout` ends outside the list item or quote it starts in [shortcode-end]",
            "  --> content/pages/embeds.md:6:3",
            "  |",
            "6 | - {% callout(kind=\"note\") %}",
            "  |   ^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "  = hint: write its {% end %} in the same list item or quote, with the same `>` or indentation",
        ],
    );
}
