//! Bad input, one fixture site per kind of problem under
//! `tests/fixtures/errors/<case>/`: what `explainer check` says (message,
//! `file:line:col`, source line, caret, hint), how many problems it counts
//! and the exit code. As in just's `tests/error_messages.rs`, the expected
//! text here is the spec: a change to a message changes a test.

mod common;

use std::path::Path;
use std::process::Output;

/// What one `explainer check` run printed, split into diagnostics.
struct Report {
    output: Output,
    stderr: String,
}

impl Report {
    fn exit_code(&self) -> Option<i32> {
        self.output.status.code()
    }

    /// Each diagnostic as its lines (`error: …`, `  --> …`, source, caret,
    /// hints), in the order printed; the count line is not one of them.
    fn blocks(&self) -> Vec<Vec<&str>> {
        let mut blocks = Vec::new();
        let mut current = Vec::new();
        for line in self.stderr.lines() {
            if line.is_empty() {
                if !current.is_empty() {
                    blocks.push(std::mem::take(&mut current));
                }
            } else {
                current.push(line);
            }
        }
        // What is left after the last blank line is the count line.
        blocks
    }

    /// The last line: `1 error, 2 warnings`.
    fn count_line(&self) -> &str {
        self.stderr.lines().last().unwrap_or("")
    }

    /// `(file, line, column, code)` of every diagnostic, in printed order.
    fn locations(&self) -> Vec<(String, Option<u64>, Option<u64>, String)> {
        self.blocks()
            .iter()
            .map(|block| {
                let code = block[0]
                    .rsplit_once(" [")
                    .map(|(_, c)| c.trim_end_matches(']').to_owned())
                    .unwrap_or_default();
                let location = block[1].trim_start_matches("  --> ");
                let mut parts = location.rsplitn(3, ':');
                let (col, line, file) = (parts.next(), parts.next(), parts.next());
                match (
                    file,
                    line.and_then(|l| l.parse().ok()),
                    col.and_then(|c| c.parse().ok()),
                ) {
                    (Some(file), Some(line), Some(col)) => {
                        (file.to_owned(), Some(line), Some(col), code)
                    }
                    _ => (location.to_owned(), None, None, code),
                }
            })
            .collect()
    }
}

fn check(case: &str, args: &[&str]) -> Report {
    report(common::check(&format!("errors/{case}"), args))
}

fn check_root(root: &Path, args: &[&str]) -> Report {
    let mut all = vec!["check", "--root", root.to_str().unwrap()];
    all.extend_from_slice(args);
    report(common::explainer(root, &all))
}

fn report(output: Output) -> Report {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    Report { output, stderr }
}

/// Asserts that one printed diagnostic is exactly `expected`, line by line.
#[track_caller]
fn assert_diagnostic(report: &Report, expected: &[&str]) {
    let blocks = report.blocks();
    assert!(
        blocks.iter().any(|b| b == expected),
        "expected this diagnostic:\n{}\n\nexplainer printed:\n{}",
        expected.join("\n"),
        report.stderr
    );
}

#[track_caller]
fn assert_exit(report: &Report, code: i32) {
    assert_eq!(
        report.exit_code(),
        Some(code),
        "exit code; explainer printed:\n{}",
        report.stderr
    );
}

#[track_caller]
fn assert_count(report: &Report, count: &str) {
    assert_eq!(
        report.count_line(),
        count,
        "count line; explainer printed:\n{}",
        report.stderr
    );
}

// ---------------------------------------------------------------- errors

#[test]
fn malformed_yaml_is_reported_at_its_line_in_the_file() {
    let report = check("yaml-syntax", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: malformed YAML: mapping values are not allowed in this context [yaml]",
            "  --> content/actors/steve-witkoff.md:4:12",
            "  |",
            "4 | role: envoy: special",
            "  |            ^",
            "  = hint: check indentation, and quote values that contain `: ` or start with `[`, `{`, `*`, `&`, `!`, `|`, `>`, `%` or `@`",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn unclosed_front_matter_points_at_its_opening_line() {
    let report = check("unclosed-front-matter", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: front matter is not closed [front-matter]",
            "  --> content/actors/steve-witkoff.md:1:1",
            "  |",
            "1 | ---",
            "  | ^^^",
            "  = hint: add a line with only `---` after the front matter",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn missing_title_is_an_error() {
    let report = check("missing-title", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: missing `title` [missing-title]",
            "  --> content/actors/steve-witkoff.md:1:1",
            "  |",
            "1 | ---",
            "  | ^^^",
            "  = hint: every actor needs a title, e.g. `title: \"…\"` in the front matter",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn meeting_without_date_is_an_error() {
    let report = check("meeting-without-date", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: a meeting needs a `date` [missing-date]",
            "  --> content/meetings/paris-talks.md:1:1",
            "  |",
            "1 | ---",
            "  | ^^^",
            "  = hint: add `date: 2026-01-06`, as precise as the sources are (`2025-04`, `~2025`), or `date: tbd`",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn impossible_date_is_an_error_at_the_value() {
    let report = check("invalid-date", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: `date` is not a valid date: `2026-02-30` [invalid-date]",
            "  --> content/meetings/paris-talks.md:4:7",
            "  |",
            "4 | date: 2026-02-30",
            "  |       ^^^^^^^^^^",
            "  = hint: write `2025`, `2025-04` or `2025-04-06`, with `~` in front when approximate (`~2025-04`), e.g. `date: 2026-01-06`",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn ref_to_nothing_suggests_the_closest_id() {
    let report = check("ref-not-found", &[]);
    assert_exit(&report, 1);
    // In a typed key.
    assert_diagnostic(
        &report,
        &[
            "error: `stev-witkoff` does not match any page [ref-not-found]",
            "  --> content/meetings/paris-talks.md:5:7",
            "  |",
            "5 | host: stev-witkoff",
            "  |       ^^^^^^^^^^^^",
            "  = hint: did you mean 'steve-witkoff'?",
        ],
    );
    // Inside a quoted key fact value: the position counts the quote.
    assert_diagnostic(
        &report,
        &[
            "error: `stev-witkoff` does not match any page [ref-not-found]",
            "  --> content/meetings/paris-talks.md:9:20",
            "  |",
            "9 |     value: \"Led by [[stev-witkoff]]\"",
            "  |                    ^^^^^^^^^^^^^^^^",
            "  = hint: did you mean 'steve-witkoff'?",
        ],
    );
    // In the Markdown body.
    assert_diagnostic(
        &report,
        &[
            "error: `stev-witkoff` does not match any page [ref-not-found]",
            "  --> content/meetings/paris-talks.md:12:12",
            "   |",
            "12 | Talks with [[stev-witkoff]].",
            "   |            ^^^^^^^^^^^^^^^^",
            "  = hint: did you mean 'steve-witkoff'?",
        ],
    );
    assert_count(&report, "3 errors, 0 warnings");
}

#[test]
fn ref_to_nothing_on_the_home_page_is_an_error() {
    let report = check("ref-not-found-home", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: `stev-witkoff` does not match any page [ref-not-found]",
            "  --> content/_index.md:4:5",
            "  |",
            "4 | See [[stev-witkoff]] and [[steve-witkoff]].",
            "  |     ^^^^^^^^^^^^^^^^",
            "  = hint: did you mean 'steve-witkoff'?",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn ambiguous_bare_slug_lists_every_candidate() {
    let report = check("ambiguous-slug", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: `paris` is ambiguous: it could be `actors/paris` or `proposals/paris` [ambiguous-ref]",
            "  --> content/actors/steve-witkoff.md:6:12",
            "  |",
            "6 | He went to [[paris]].",
            "  |            ^^^^^^^^^",
            "  = hint: write the full id, e.g. `[[actors/paris]]`",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn ref_of_the_wrong_kind_names_the_expected_kind() {
    let report = check("wrong-kind", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: `host` must name an actor, but `peace-plan` is a proposal [wrong-kind]",
            "  --> content/meetings/paris-talks.md:5:7",
            "  |",
            "5 | host: peace-plan",
            "  |       ^^^^^^^^^^",
            "  = hint: `proposals/peace-plan` is a proposal; point `host` at a page under content/actors/",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn bad_slug_file_name_suggests_a_valid_slug() {
    let report = check("bad-slug", &[]);
    assert_exit(&report, 1);
    // The problem is the file's name: reported at the file's start.
    assert_diagnostic(
        &report,
        &[
            "error: `Steve_Witkoff` is not a valid slug [bad-slug]",
            "  --> content/actors/Steve_Witkoff.md:1:1",
            "  |",
            "1 | ---",
            "  | ^",
            "  = hint: file names are lowercase letters, digits and `-`; rename it to `steve-witkoff`",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn two_files_with_the_same_id_are_an_error_at_the_second() {
    let report = check("duplicate-id", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: `actors/x` is defined twice [duplicate-id]",
            "  --> content/actors/x.yaml:1:1",
            "  |",
            "1 | title: \"X again\"",
            "  | ^",
            "  = hint: `content/actors/x.md` already defines it; remove or rename one of the two files",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn non_utf8_file_is_an_error_at_the_first_bad_byte() {
    let file = common::fixture("errors/non-utf8/content/actors/jose-garcia.md");
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        bytes.contains(&0xE9) && std::str::from_utf8(&bytes).is_err(),
        "the fixture must hold a Latin-1 `é`"
    );
    let report = check("non-utf8", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: file is not valid UTF-8 [not-utf8]",
            "  --> content/actors/jose-garcia.md:2:12",
            "  |",
            "2 | title: \"Jos",
            "  |            ^",
            "  = hint: save the file as UTF-8 in your editor (it may be Latin-1 or UTF-16)",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn value_of_the_wrong_type_is_an_error_at_the_value() {
    let report = check("wrong-type", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: `participants` must be a list, found a number [wrong-type]",
            "  --> content/meetings/paris-talks.md:5:15",
            "  |",
            "5 | participants: 5",
            "  |               ^",
            "  = hint: for example `participants: [volodymyr-zelensky, {actor: steve-witkoff, role: \"US envoy\"}]`",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn unknown_status_lists_the_allowed_values() {
    let report = check("unknown-status", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: unknown status `finished` [unknown-value]",
            "  --> content/meetings/paris-talks.md:5:9",
            "  |",
            "5 | status: finished",
            "  |         ^^^^^^^^",
            "  = hint: `status` is one of: scheduled, held, cancelled, postponed",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn template_syntax_error_names_the_template_file_and_line() {
    let report = check("template-syntax", &[]);
    assert_exit(&report, 1);
    // The `{% if %}` on line 4 is not closed; Tera notices at the
    // `{% endblock %}` of line 6. `endblock` is a known tag, so the message
    // must not call it unknown: it is unexpected there.
    assert_diagnostic(
        &report,
        &[
            "error: template error: unexpected tag `endblock` [template]",
            "  --> templates/actor.html:6:4",
            "  |",
            "6 | {% endblock %}",
            "  |    ^^^^^^^^",
            "  = hint: an `{% if %}`, `{% for %}` or `{% block %}` above this line may be missing its closing tag",
            "  = hint: fix `actor.html`; the variables each template sees are listed in docs/templates.md",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn unknown_template_variable_names_the_template_file_and_line() {
    let report = check("template-unknown-variable", &[]);
    assert_exit(&report, 1);
    let blocks = report.blocks();
    let block = blocks
        .iter()
        .find(|b| b[0].contains("`titel`"))
        .unwrap_or_else(|| panic!("no diagnostic about `titel`:\n{}", report.stderr));
    // The message goes on to list the fields the page has, which grows with
    // the template context: only its start is pinned here.
    assert!(
        block[0]
            .starts_with("error: template error: Field `titel` is not defined. Available fields: ")
            && block[0].contains(" title, ")
            && block[0].ends_with(" [template]"),
        "{}",
        block[0]
    );
    assert_eq!(
        block[1..],
        [
            "  --> templates/actor.html:4:12",
            "  |",
            "4 | <p>{{ page.titel }}</p>",
            "  |            ^^^^^",
            "  = hint: fix `actor.html`; the variables each template sees are listed in docs/templates.md",
        ],
        "{}",
        report.stderr
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn missing_template_names_the_theme_folder() {
    let report = check("missing-template", &[]);
    assert_exit(&report, 1);
    // The site uses `theme: mytheme` and has no `templates/` of its own:
    // the missing file belongs in the theme, and no default stands in for it.
    let blocks = report.blocks();
    let block = blocks
        .iter()
        .find(|b| b[0] == "error: template `actor.html` is missing from theme `mytheme` [missing-template]")
        .unwrap_or_else(|| panic!("no missing actor.html:\n{}", report.stderr));
    assert_eq!(
        block[1], "  --> themes/mytheme/templates/actor.html",
        "{}",
        report.stderr
    );
    assert!(
        block
            .iter()
            .any(|l| l.starts_with("  = hint: ")
                && l.contains("themes/mytheme/templates/actor.html")),
        "the hint says where to add it:\n{}",
        block.join("\n")
    );
    // base.html is there; every other page template (embed.html among
    // them) is reported, in one run.
    assert_count(&report, "19 errors, 0 warnings");
}

#[test]
fn duplicate_yaml_key_is_an_error_at_the_second_one() {
    let report = check("duplicate-key", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: duplicate key `title` [yaml]",
            "  --> content/actors/steve-witkoff.md:4:1",
            "  |",
            "4 | title: \"Steven Witkoff\"",
            "  | ^^^^^",
            "  = hint: `title` is already set on line 2; keep one of them",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn toml_front_matter_says_explainer_reads_yaml() {
    let report = check("toml-front-matter", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: TOML front matter (`+++`) is not supported [front-matter]",
            "  --> content/actors/steve-witkoff.md:1:1",
            "  |",
            "1 | +++",
            "  | ^^^",
            "  = hint: explainer reads YAML front matter between `---` lines; convert `key = \"value\"` to `key: \"value\"`",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn crlf_bom_and_no_final_newline_do_not_move_positions() {
    // Written here, not committed, so git cannot normalise the line endings.
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    common::copy_tree(&common::fixture("errors/crlf-bom"), &site);
    for file in common::files(&site) {
        let path = site.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let windows = text.trim_end_matches('\n').replace('\n', "\r\n");
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        bytes.extend_from_slice(windows.as_bytes());
        std::fs::write(&path, bytes).unwrap();
    }
    let unix = check("crlf-bom", &[]);
    let windows = check_root(&site, &[]);
    assert_exit(&unix, 1);
    assert_exit(&windows, 1);
    let expected = [
        (
            "content/meetings/paris-talks.md".to_owned(),
            Some(5),
            Some(9),
            "unknown-value".to_owned(),
        ),
        (
            "content/meetings/paris-talks.md".to_owned(),
            Some(9),
            Some(20),
            "ref-not-found".to_owned(),
        ),
        (
            "content/meetings/paris-talks.md".to_owned(),
            Some(12),
            Some(12),
            "ref-not-found".to_owned(),
        ),
    ];
    assert_eq!(unix.locations(), expected, "{}", unix.stderr);
    assert_eq!(windows.locations(), expected, "{}", windows.stderr);
    // Same source lines and carets too: no `\r`, no BOM in what is shown.
    assert_eq!(windows.stderr, unix.stderr);
}

// -------------------------------------------------------------- warnings

#[test]
fn unknown_key_warns_with_did_you_mean() {
    let report = check("unknown-key", &[]);
    assert_exit(&report, 0);
    assert_diagnostic(
        &report,
        &[
            "warning: unknown key `sumary` for an actor [unknown-key]",
            "  --> content/actors/steve-witkoff.md:3:1",
            "  |",
            "3 | sumary: \"An envoy.\"",
            "  | ^^^^^^",
            "  = hint: did you mean `summary`?",
        ],
    );
    // The misspelt key leaves the page without a summary, which is said too.
    assert_diagnostic(
        &report,
        &[
            "warning: `actors/steve-witkoff` has no `summary` [missing-summary]",
            "  --> content/actors/steve-witkoff.md:2:8",
            "  |",
            "2 | title: \"Steve Witkoff\"",
            "  |        ^^^^^^^^^^^^^^^",
            "  = hint: add `summary:` with one or two sentences; lists, search results and link previews show it",
        ],
    );
    assert_count(&report, "0 errors, 2 warnings");
}

#[test]
fn fact_without_sources_warns() {
    let report = check("unsourced-fact", &[]);
    assert_exit(&report, 0);
    assert_diagnostic(
        &report,
        &[
            "warning: fact `Appointed` has no sources [unsourced-fact]",
            "  --> content/actors/steve-witkoff.md:5:12",
            "  |",
            "5 |   - label: \"Appointed\"",
            "  |            ^^^^^^^^^^^",
            "  = hint: add `sources: [source-slug]` naming the article or statement it comes from",
        ],
    );
    assert_count(&report, "0 errors, 1 warning");
}

#[test]
fn deny_warnings_turns_warnings_into_errors() {
    let report = check("unsourced-fact", &["--deny-warnings"]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: fact `Appointed` has no sources [unsourced-fact]",
            "  --> content/actors/steve-witkoff.md:5:12",
            "  |",
            "5 |   - label: \"Appointed\"",
            "  |            ^^^^^^^^^^^",
            "  = hint: add `sources: [source-slug]` naming the article or statement it comes from",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn disputed_fact_lists_every_value() {
    let report = check("disputed-fact", &[]);
    assert_exit(&report, 0);
    assert_diagnostic(
        &report,
        &[
            "warning: fact `Title` is disputed: `Special envoy` vs `Deputy minister` [disputed-fact]",
            "  --> content/actors/steve-witkoff.md:8:12",
            "  |",
            "8 |   - label: \"Title\"",
            "  |            ^^^^^^^",
            "  = hint: shown as a disputed row with every value and its sources; remove a value once the dispute is settled",
        ],
    );
    assert_count(&report, "0 errors, 1 warning");
}

#[test]
fn page_nothing_links_to_warns() {
    let report = check("orphan-page", &[]);
    assert_exit(&report, 0);
    assert_diagnostic(
        &report,
        &[
            "warning: nothing links to `pages/about` [orphan-page]",
            "  --> content/pages/about.md:2:8",
            "  |",
            "2 | title: \"About\"",
            "  |        ^^^^^^^",
            "  = hint: link it from a related page with `[[about]]`, or cite it in a fact",
        ],
    );
    assert_count(&report, "0 errors, 1 warning");
}

#[test]
fn empty_reader_question_warns() {
    let report = check("empty-question", &[]);
    assert_exit(&report, 0);
    assert_diagnostic(
        &report,
        &[
            "warning: reader question is empty [empty-question]",
            "  --> content/actors/steve-witkoff.md:5:5",
            "  |",
            "5 |   - question: \"\"",
            "  |     ^^^^^^^^^^^^",
            "  = hint: write the question, or remove the entry",
        ],
    );
    assert_count(&report, "0 errors, 1 warning");
}

#[test]
fn missing_summary_warns() {
    let report = check("missing-summary", &[]);
    assert_exit(&report, 0);
    assert_diagnostic(
        &report,
        &[
            "warning: `actors/steve-witkoff` has no `summary` [missing-summary]",
            "  --> content/actors/steve-witkoff.md:2:8",
            "  |",
            "2 | title: \"Steve Witkoff\"",
            "  |        ^^^^^^^^^^^^^^^",
            "  = hint: add `summary:` with one or two sentences; lists, search results and link previews show it",
        ],
    );
    assert_count(&report, "0 errors, 1 warning");
}

// ------------------------------------------------------ editorial lint

#[test]
fn a_fact_whose_newest_source_is_old_in_an_active_story_warns() {
    let report = check("stale-fact", &[]);
    assert_exit(&report, 0);
    assert_diagnostic(
        &report,
        &[
            "warning: fact `Position` may be out of date: its newest source is from 1 November 2025, 66 days before the newest date in the story (6 January 2026) [stale-fact]",
            "  --> content/actors/steve-witkoff.md:7:12",
            "  |",
            "7 |   - label: \"Position\"",
            "  |            ^^^^^^^^^^",
            "  = hint: the story is marked active (`extra.story_status: active`) and `stale_after_days` is 30: check that the fact still holds and cite a newer source",
        ],
    );
    // `Latest` also cites the new report, so it is not stale.
    assert_count(&report, "0 errors, 1 warning");
}

#[test]
fn staleness_is_not_checked_once_the_story_is_no_longer_active() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    common::copy_tree(&common::fixture("errors/stale-fact"), &root);
    let config = std::fs::read_to_string(root.join("site.yaml"))
        .unwrap()
        .replace("story_status: active", "story_status: concluded");
    std::fs::write(root.join("site.yaml"), config).unwrap();
    let report = check_root(&root, &[]);
    assert_exit(&report, 0);
    assert_count(&report, "0 errors, 0 warnings");
}

#[test]
fn an_actor_named_but_never_linked_on_a_page_warns_at_the_first_mention() {
    let report = check("unlinked-mention", &[]);
    assert_exit(&report, 0);
    assert_diagnostic(
        &report,
        &[
            "warning: `Steve Witkoff` is mentioned but this page never links it [unlinked-mention]",
            "  --> content/pages/about.md:5:9",
            "  |",
            "5 | ## What Witkoff said",
            "  |         ^^^^^^^",
            "  = hint: write `[[steve-witkoff]]` at the first mention, so readers can follow it (autolinking only links names in the body, outside headings and links)",
        ],
    );
    // The second mention, inside another link, is not reported again.
    assert_count(&report, "0 errors, 1 warning");
}

#[test]
fn a_proposal_status_without_any_source_warns() {
    let report = check("unsourced-status", &[]);
    assert_exit(&report, 0);
    assert_diagnostic(
        &report,
        &[
            "warning: `proposals/peace-plan` has `status: agreed` but no source says so [unsourced-status]",
            "  --> content/proposals/peace-plan.md:2:8",
            "  |",
            "2 | title: \"Peace plan\"",
            "  |        ^^^^^^^^^^^^",
            "  = hint: add `sources:` to the proposal, or a key fact labelled `Status` citing the source that reports it",
        ],
    );
    assert_count(&report, "0 errors, 1 warning");
}

#[test]
fn an_actor_without_a_role_warns() {
    let report = check("missing-role", &[]);
    assert_exit(&report, 0);
    assert_diagnostic(
        &report,
        &[
            "warning: `actors/steve-witkoff` has no `role` [missing-role]",
            "  --> content/actors/steve-witkoff.md:2:8",
            "  |",
            "2 | title: \"Steve Witkoff\"",
            "  |        ^^^^^^^^^^^^^^^",
            "  = hint: add `role:` (\"US special envoy\", \"Party to the talks\"): the key facts table shows it beside the type",
        ],
    );
    assert_count(&report, "0 errors, 1 warning");
}

// ------------------------------------------------------ whole-run behaviour

fn many_files_expected() -> Vec<(String, Option<u64>, Option<u64>, String)> {
    [
        ("content/actors/steve-witkoff.md", 4, 7, "invalid-date"),
        ("content/actors/steve-witkoff.md", 7, 18, "ref-not-found"),
        ("content/meetings/paris-talks.md", 1, 1, "missing-date"),
        ("content/meetings/paris-talks.md", 4, 9, "unknown-value"),
        ("content/pages/about.md", 5, 19, "ref-not-found"),
        ("content/proposals/peace-plan.md", 4, 9, "unknown-value"),
    ]
    .into_iter()
    .map(|(f, l, c, code)| (f.to_owned(), Some(l), Some(c), code.to_owned()))
    .collect()
}

#[test]
fn errors_in_several_files_are_all_reported_sorted_and_stable() {
    let first = check("many-files", &[]);
    assert_exit(&first, 1);
    assert_eq!(first.locations(), many_files_expected(), "{}", first.stderr);
    assert_count(&first, "6 errors, 0 warnings");
    let second = check("many-files", &[]);
    assert_eq!(second.stderr, first.stderr, "two runs differ");
}

#[test]
fn json_report_carries_the_same_diagnostics() {
    let human = check("many-files", &[]);
    let json = check("many-files", &["--format", "json"]);
    assert_exit(&json, 1);
    let list: Vec<serde_json::Value> =
        serde_json::from_slice(&json.output.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is a JSON array: {e}\n{}",
                String::from_utf8_lossy(&json.output.stdout)
            )
        });
    assert_eq!(list.len(), human.blocks().len());
    let from_json: Vec<_> = list
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or_default().to_owned(),
                d["line"].as_u64(),
                d["column"].as_u64(),
                d["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(from_json, human.locations());
    assert_eq!(from_json, many_files_expected());
    for (d, block) in list.iter().zip(human.blocks()) {
        assert_eq!(d["severity"], "error");
        let header = format!(
            "error: {} [{}]",
            d["message"].as_str().unwrap(),
            d["code"].as_str().unwrap()
        );
        assert_eq!(header, block[0]);
    }
}

#[test]
fn root_that_does_not_exist_exits_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-site");
    let report = check_root_from(dir.path(), &missing);
    assert_exit(&report, 2);
    assert!(
        report.stderr.contains(missing.to_str().unwrap()),
        "the error names the root:\n{}",
        report.stderr
    );
}

/// `explainer check --root root`, run from `cwd` (for a root that does not exist).
fn check_root_from(cwd: &Path, root: &Path) -> Report {
    report(common::explainer(
        cwd,
        &["check", "--root", root.to_str().unwrap()],
    ))
}

#[test]
fn build_output_under_a_regular_file_exits_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain-file");
    std::fs::write(&plain, "not a folder\n").unwrap();
    let out = plain.join("public");
    let root = common::fixture("build/basic");
    let output = common::explainer(
        dir.path(),
        &[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
    );
    let report = report(output);
    assert_exit(&report, 2);
    assert!(
        report.stderr.contains(plain.to_str().unwrap()),
        "the error names the path:\n{}",
        report.stderr
    );
    assert_eq!(std::fs::read_to_string(&plain).unwrap(), "not a folder\n");
}

// ------------------------------------------------- hardening (issue 21)

/// Asserts a diagnostic's first two lines (message and location), for
/// diagnostics whose source line is too long to spell out.
#[track_caller]
fn assert_head(report: &Report, message: &str, location: &str) {
    let blocks = report.blocks();
    assert!(
        blocks
            .iter()
            .any(|b| b.first() == Some(&message) && b.get(1) == Some(&location)),
        "expected a diagnostic starting:\n{message}\n{location}\n\nexplainer printed:\n{}",
        report.stderr
    );
}

#[test]
fn yaml_nested_deeper_than_128_levels_is_an_error_at_the_level_past_the_limit() {
    let report = check("deep-nesting", &[]);
    assert_exit(&report, 1);
    assert_head(
        &report,
        "error: YAML nested more than 128 levels deep [yaml]",
        "  --> content/actors/steve-witkoff.md:6:255",
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn aliases_expanding_to_more_than_a_mebibyte_are_an_error_at_the_alias() {
    let report = check("alias-bytes", &[]);
    assert_exit(&report, 1);
    assert_head(
        &report,
        "error: aliases expand to more than 1 MiB of text [yaml]",
        "  --> content/actors/steve-witkoff.md:6:427",
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn a_nul_byte_in_front_matter_is_an_error_at_its_position() {
    let report = check("nul-byte", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: NUL byte in YAML [yaml]",
            "  --> content/actors/steve-witkoff.md:3:20",
            "  |",
            "3 | summary: \"An envoy.␀ Everything after is lost\"",
            "  |                    ^",
            "  = hint: everything after it would be lost; delete the character (the file may have been saved as UTF-16 or mangled by a tool)",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn control_characters_are_removed_with_a_warning_and_never_reach_the_terminal() {
    let report = check("control-chars", &[]);
    assert_exit(&report, 0);
    assert!(!report.stderr.contains('\u{1b}'), "{}", report.stderr);
    assert_diagnostic(
        &report,
        &[
            "warning: control character U+000B in a value (and 1 more); removed [control-char]",
            "  --> content/actors/steve-witkoff.md:2:14",
            "  |",
            "2 | title: \"Steve␋ Witkoff␛[31m\"",
            "  |              ^",
            "  = hint: control characters are invisible and not allowed in feeds; delete them (an editor may show them as `^K` or a box)",
        ],
    );
    assert_diagnostic(
        &report,
        &[
            "warning: 2 control characters in the text; replaced with spaces [control-char]",
            "  --> content/actors/steve-witkoff.md:6:4",
            "  |",
            "6 | An ␈envoy.␌",
            "  |    ^",
            "  = hint: the first is U+0008; control characters are invisible and not allowed in feeds, delete them",
        ],
    );
    assert_count(&report, "0 errors, 3 warnings");
}

#[test]
fn an_empty_tag_and_a_tag_too_long_for_a_file_name_are_errors_in_check() {
    let report = check("bad-tags", &[]);
    assert_exit(&report, 1);
    assert_head(
        &report,
        "error: empty tag [empty-tag]",
        "  --> content/actors/steve-witkoff.md:5:21",
    );
    assert_head(
        &report,
        "error: tag is too long to name its page: 269 bytes, at most 200 [long-tag]",
        "  --> content/actors/steve-witkoff.md:5:25",
    );
    assert_count(&report, "2 errors, 1 warning");
}

#[test]
fn a_meeting_that_ends_before_it_starts_warns_at_the_end_date() {
    let report = check("end-before-date", &[]);
    assert_exit(&report, 0);
    assert_diagnostic(
        &report,
        &[
            "warning: `end_date` 4 January 2026 is before `date` 6 January 2026 [end-before-date]",
            "  --> content/meetings/paris-talks.md:5:11",
            "  |",
            "5 | end_date: 2026-01-04",
            "  |           ^^^^^^^^^^",
            "  = hint: swap the two dates, or fix the one that is mistyped",
        ],
    );
}

#[test]
fn content_that_is_a_file_is_an_error_not_an_empty_site() {
    let report = check("content-file", &[]);
    assert_exit(&report, 2);
    assert_diagnostic(
        &report,
        &[
            "error: `content` is a file, not a folder [content-not-folder]",
            "  --> content",
            "  = hint: content lives in folders under content/ (content/actors/, content/meetings/ …); rename the file and create the folder",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn an_unclosed_quote_is_reported_as_one_at_the_line_it_opens() {
    let report = check("unclosed-quote", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: unclosed quote: the string opened on line 2 does not end on that line [yaml]",
            "  --> content/actors/steve-witkoff.md:2:8",
            "  |",
            "2 | title: \"Steve Witkoff",
            "  |        ^",
            "  = hint: end the string with the quote mark it starts with; inside `\"…\"` write a quote as `\\\"`, inside `'…'` as `''`; a string that goes on for several lines must indent them",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn a_broken_symlink_under_content_is_an_error_naming_it() {
    let report = check("broken-symlink", &[]);
    assert_exit(&report, 2);
    assert_diagnostic(
        &report,
        &[
            "error: broken symlink: what it points to does not exist [unreadable]",
            "  --> content/actors/marco-rubio.md",
            "  = hint: restore the file it points to, or remove the link",
        ],
    );
}

#[cfg(unix)]
#[test]
fn a_pipe_under_content_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let actors = dir.path().join("content/actors");
    std::fs::create_dir_all(&actors).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(actors.join("marco-rubio.md"))
        .status()
        .unwrap();
    assert!(made.success());
    let report = check_root(dir.path(), &[]);
    assert_exit(&report, 2);
    assert_diagnostic(
        &report,
        &[
            "error: not a regular file (a pipe, socket or device); not read [unreadable]",
            "  --> content/actors/marco-rubio.md",
            "  = hint: content files are ordinary files; replace it with one",
        ],
    );
}

// ---------------------------------------------------------------- a living story

const DATE_HINT: &str =
    "write `2025`, `2025-04` or `2025-04-06`, with `~` in front when approximate (`~2025-04`)";

#[test]
fn a_change_of_an_unknown_kind_is_an_error() {
    let report = check("change-kind", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: unknown kind `erratum` [unknown-value]",
            "  --> content/meetings/talks.md:6:30",
            "  |",
            "6 |   - {date: 2026-01-07, kind: erratum, text: \"Fixed the date.\"}",
            "  |                              ^^^^^^^",
            "  = hint: `kind` is one of: correction, clarification, update",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn a_change_naming_no_key_fact_is_an_error_with_the_closest_label() {
    let report = check("change-fact", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: `fact` names no key fact of this page: `Attendence` [unknown-fact]",
            "  --> content/meetings/talks.md:8:64",
            "  |",
            "8 |   - {date: 2026-01-07, kind: correction, text: \"Fixed.\", fact: \"Attendence\"}",
            "  |                                                                ^^^^^^^^^^^^",
            "  = hint: did you mean `Attendance`?",
        ],
    );
    assert_count(&report, "1 error, 1 warning");
}

#[test]
fn a_month_that_does_not_exist_is_an_error() {
    let report = check("month-13", &[]);
    assert_exit(&report, 1);
    let hint = format!("  = hint: {DATE_HINT}, e.g. `date: 2026-01-06`");
    assert_diagnostic(
        &report,
        &[
            "error: `date` is not a valid date: `2025-13` [invalid-date]",
            "  --> content/meetings/talks.md:4:7",
            "  |",
            "4 | date: 2025-13",
            "  |       ^^^^^^^",
            &hint,
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn approximate_is_for_dates_only() {
    let report = check("approximate-non-date", &[]);
    assert_exit(&report, 1);
    let hint = format!("  = hint: {DATE_HINT}; a date to be announced is `tbd`, never approximate");
    assert_diagnostic(
        &report,
        &[
            "error: `date`: `~` marks an approximate date, but `tbd` is not a date [approximate-non-date]",
            "  --> content/meetings/talks.md:4:7",
            "  |",
            "4 | date: ~tbd",
            "  |       ^^^^",
            &hint,
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn the_other_spelling_of_approximate_is_rejected_with_the_one_to_use() {
    let report = check("approximate-spelling", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: `date` must be a date written on one line, found a mapping [approximate-spelling]",
            "  --> content/meetings/talks.md:4:7",
            "  |",
            "4 | date: {date: 2025-04, approximate: true}",
            "  |       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "  = hint: an approximate date is written with `~` in front: `date: ~2025-04`",
        ],
    );
    assert_count(&report, "1 error, 0 warnings");
}

#[test]
fn every_bad_living_story_key_is_reported_in_one_run() {
    let report = check("living-all-in-one-run", &[]);
    assert_exit(&report, 1);
    let codes: Vec<(Option<u64>, Option<u64>, String)> = report
        .locations()
        .into_iter()
        .map(|(_, line, col, code)| (line, col, code))
        .collect();
    let expected = [
        (4, 7, "invalid-date"),
        (5, 11, "approximate-spelling"),
        (7, 13, "unsourced-fact"),
        (7, 67, "approximate-non-date"),
        (9, 30, "unknown-value"),
        (10, 64, "unknown-fact"),
    ];
    let expected: Vec<(Option<u64>, Option<u64>, String)> = expected
        .iter()
        .map(|(l, c, code)| (Some(*l), Some(*c), (*code).to_owned()))
        .collect();
    assert_eq!(codes, expected, "{}", report.stderr);
    assert_count(&report, "5 errors, 1 warning");
}

/// `(line, col, code)` of the date warnings a run printed, in order.
fn date_warnings(report: &Report) -> Vec<(u64, u64, String)> {
    report
        .locations()
        .into_iter()
        .filter(|(_, _, _, code)| code == "review-due" || code == "scheduled-in-past")
        .map(|(_, l, c, code)| (l.unwrap(), c.unwrap(), code))
        .collect()
}

#[test]
fn review_by_and_past_scheduled_meetings_are_measured_from_the_newest_content_date() {
    let report = check("review-due", &[]);
    assert_exit(&report, 0);
    assert_diagnostic(
        &report,
        &[
            "warning: fact `Countries backing her plan` was due for review by 9 January 2026; today is 10 January 2026 [review-due]",
            "  --> content/actors/ada.md:10:16",
            "   |",
            "10 |     review_by: 2026-01-09",
            "   |                ^^^^^^^^^^",
            "  = hint: check the value against newer sources, then move `review_by` on or remove it (today is the newest date in the content, or `--today`)",
        ],
    );
    assert_diagnostic(
        &report,
        &[
            "warning: meeting is still `scheduled` but its date, 8 January 2026, is before today, 10 January 2026 [scheduled-in-past]",
            "  --> content/meetings/talks.md:2:8",
            "  |",
            "2 | title: \"Follow-up talks\"",
            "  |        ^^^^^^^^^^^^^^^^^",
            "  = hint: set `status:` to `held`, `cancelled` or `postponed` once a source says which (today is the newest date in the content, or `--today`)",
        ],
    );
    // A month's review date has not passed while the month lasts.
    assert_eq!(date_warnings(&report).len(), 2, "{}", report.stderr);
}

#[test]
fn today_can_be_given_so_a_check_is_reproducible() {
    let before = check("review-due", &["--today", "2026-01-05"]);
    assert!(date_warnings(&before).is_empty(), "{}", before.stderr);
    let after = check("review-due", &["--today", "2026-02-01"]);
    assert_eq!(
        date_warnings(&after),
        [
            (10, 16, "review-due".to_owned()),
            (15, 16, "review-due".to_owned()),
            (2, 8, "scheduled-in-past".to_owned()),
        ]
    );
    let bad = check("review-due", &["--today", "soon"]);
    assert_exit(&bad, 2);
    assert!(
        bad.stderr
            .contains("`soon` is not a date: write YYYY-MM-DD"),
        "{}",
        bad.stderr
    );
}

#[test]
fn an_old_path_that_is_a_live_page_or_another_pages_old_path_is_an_error() {
    let report = check("moved-from-collision", &[]);
    assert_exit(&report, 1);
    assert_diagnostic(
        &report,
        &[
            "error: `/actors/bob/` is a page of this site; a redirect there would hide it [moved-from-collision]",
            "  --> content/actors/ada.md:6:14",
            "  |",
            "6 | moved_from: [/actors/bob/, /timeline/, /people/ada/]",
            "  |              ^^^^^^^^^^^^",
            "  = hint: `moved_from` lists addresses nothing lives at any more; remove this one",
        ],
    );
    let codes: Vec<(String, Option<u64>, Option<u64>)> = report
        .locations()
        .into_iter()
        .map(|(file, line, col, _)| (file, line, col))
        .collect();
    assert_eq!(
        codes,
        [
            ("content/actors/ada.md".to_owned(), Some(6), Some(14)),
            ("content/actors/ada.md".to_owned(), Some(6), Some(28)),
            ("content/actors/bob.md".to_owned(), Some(6), Some(14)),
        ]
    );
    assert_count(&report, "3 errors, 0 warnings");
}

#[test]
fn an_alias_that_looks_like_a_url_path_points_to_moved_from() {
    let report = report(common::check("living/moved", &[]));
    assert_exit(&report, 0);
    assert_diagnostic(
        &report,
        &[
            "warning: alias `/ada/` looks like a URL path [alias-looks-like-url]",
            "  --> content/actors/ada.md:6:21",
            "  |",
            "6 | aliases: [\"Ada L.\", \"/ada/\"]",
            "  |                     ^^^^^^^",
            "  = hint: `aliases` are other names of this page; to redirect an old URL here, list it under `moved_from`",
        ],
    );
    assert_count(&report, "0 errors, 1 warning");
}

// ---------------------------------------------------------------- images

/// The fixture's one image diagnostic, as printed; the page's own
/// warnings (no role, nothing links to it) are counted in `count`.
#[track_caller]
fn assert_image_case(case: &str, expected: &[&str], exit: i32, count: &str) {
    let report = check(case, &[]);
    assert_exit(&report, exit);
    assert_diagnostic(&report, expected);
    assert_count(&report, count);
}

#[test]
fn an_image_without_alt_text_is_an_error_at_its_mapping() {
    assert_image_case(
        "image-alt-missing",
        &[
            "error: image `flag.svg` has no alt text [image-alt-missing]",
            "  --> content/actors/ukraine.md:6:3",
            "  |",
            "6 |   src: flag.svg",
            "  |   ^",
            "  = hint: describe what it shows for readers who cannot see it: `alt: \"…\"`",
        ],
        1,
        "1 error, 2 warnings",
    );
}

#[test]
fn an_empty_alt_text_needs_decorative_true() {
    assert_image_case(
        "image-alt-empty",
        &[
            "error: image `flag.svg` has an empty alt text but is not marked decorative [image-alt-empty]",
            "  --> content/actors/ukraine.md:5:8",
            "  |",
            "5 | image: {src: flag.svg, alt: \"\", credit: \"Drawn by the desk\"}",
            "  |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "  = hint: describe what it shows, or add `decorative: true` if it only decorates",
        ],
        1,
        "1 error, 2 warnings",
    );
}

#[test]
fn an_image_without_credit_is_a_warning() {
    assert_image_case(
        "image-credit-missing",
        &[
            "warning: image `flag.svg` has no credit [image-credit-missing]",
            "  --> content/actors/ukraine.md:5:8",
            "  |",
            "5 | image: {src: flag.svg, alt: \"Flag of Ukraine\"}",
            "  |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "  = hint: say who made it: `credit: \"Photo: Name / Agency\"`",
        ],
        0,
        "0 errors, 3 warnings",
    );
}

#[test]
fn a_markdown_image_that_is_not_there_names_both_places_looked() {
    assert_image_case(
        "image-not-found",
        &[
            "error: image `maps/front.png` not found [image-not-found]",
            "  --> content/actors/ukraine.md:8:1",
            "  |",
            "8 | ![Map of the front](maps/front.png)",
            "  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "  = hint: looked for content/actors/maps/front.png and static/maps/front.png",
        ],
        1,
        "1 error, 3 warnings",
    );
}

#[test]
fn a_gif_is_an_unsupported_image_format() {
    assert_image_case(
        "image-unsupported",
        &[
            "error: image `anim.gif` is in an unsupported format (GIF) [image-unsupported]",
            "  --> content/actors/ukraine.md:5:8",
            "  |",
            "5 | image: {src: anim.gif, alt: \"An animation\", credit: \"Desk\"}",
            "  |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "  = hint: use JPEG, PNG, WebP or SVG",
        ],
        1,
        "1 error, 2 warnings",
    );
}

#[test]
fn a_corrupt_image_is_an_error_at_the_reference() {
    assert_image_case(
        "image-corrupt",
        &[
            "error: image `photo.jpg` cannot be decoded: the file is not a valid JPG image [image-corrupt]",
            "  --> content/actors/ukraine.md:5:8",
            "  |",
            "5 | image: {src: photo.jpg, alt: \"A photo\", credit: \"Desk\"}",
            "  |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "  = hint: open it in an image editor and save it again",
        ],
        1,
        "1 error, 2 warnings",
    );
}

#[test]
fn an_image_over_the_pixel_limit_is_refused_before_decoding() {
    assert_image_case(
        "image-too-large",
        &[
            "error: image `big.png` is 40×30 pixels, over the limit of 1000 [image-too-large]",
            "  --> content/actors/ukraine.md:5:8",
            "  |",
            "5 | image: {src: big.png, alt: \"A big picture\", credit: \"Desk\"}",
            "  |        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "  = hint: scale it down, or raise `images.max_pixels` in site.yaml",
        ],
        1,
        "1 error, 2 warnings",
    );
}
