//! docs/templates.md against the renderer: every variable the doc names
//! exists in the context a template gets, and every variable in that
//! context is named in the doc. The doc is the theme authors' contract, so
//! it must not drift from the code in either direction.
//!
//! How: the renderer does not expose its context, and should not (no env
//! variable or hidden flag). Instead the test builds the fixture site
//! `tests/fixtures/build/basic` with every template overridden by a probe
//! (a site's `templates/<name>` wins over the theme, as for any site). A
//! probe walks the whole context from Tera's `__tera_context` — maps with
//! the `pairs` filter, arrays item by item — and prints one `PATH a.b[].c`
//! line per map key it reaches. So the test sees exactly what a theme sees,
//! through the real build, and needs no knowledge of the Rust structs.
//!
//! The doc side: under each heading naming templates in backticks
//! (`` `list.html` ``, or `` `*.html` `` for every HTML page), the rows of
//! a table whose first header cell is `variable` list dotted paths in
//! backticks, `[]` marking "each item of this list". A row whose type
//! column says `free` (the `extra` maps) stands for everything below it.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{copy_tree, explainer, files, fixture};
use explainer::render::templates::REQUIRED;

const DOC: &str = include_str!("../docs/templates.md");

/// How deep the probe walks; deeper values are reported, not dropped.
const PROBE_DEPTH: usize = 10;

/// One level of the walk: `v{i}` holds the value at path `p{i}`.
fn probe_level(i: usize) -> String {
    if i == PROBE_DEPTH {
        return format!(
            "{{% if v{i} is map or v{i} is array %}}DEEP {{{{ p{i} }}}}\n{{% endif %}}"
        );
    }
    let n = i + 1;
    format!(
        "{{% set items{i} = (v{i} | pairs) if v{i} is map else ([[\"[]\", x] for x in v{i}] if v{i} is array else []) %}}\
         {{% for e{n} in items{i} %}}{{% set v{n} = e{n}[1] %}}\
         {{% if e{n}[0] == \"[]\" %}}{{% set p{n} = p{i} ~ \"[]\" %}}\
         {{% else %}}{{% set p{n} = (p{i} ~ \".\" ~ e{n}[0]) if p{i} else e{n}[0] %}}PATH {{{{ p{n} }}}}\n{{% endif %}}\
         {inner}{{% endfor %}}",
        inner = probe_level(n)
    )
}

/// A template printing its own name, then every path of its context.
fn probe(name: &str) -> String {
    format!(
        "TEMPLATE {name}\n{{% set v0 = __tera_context %}}{{% set p0 = \"\" %}}{}",
        probe_level(0)
    )
}

/// Builds the fixture with probes and returns the paths each template saw.
fn observed() -> BTreeMap<String, BTreeSet<String>> {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_tree(&fixture("build/basic"), &site);
    for name in REQUIRED {
        let path = site.join("templates").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, probe(name)).unwrap();
    }
    let out = dir.path().join("out");
    let run = explainer(
        dir.path(),
        &[
            "build",
            "--root",
            site.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files(&out) {
        let Ok(text) = std::fs::read_to_string(out.join(&file)) else {
            continue;
        };
        let Some(name) = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("TEMPLATE "))
        else {
            continue;
        };
        let paths = seen.entry(name.to_owned()).or_default();
        for line in text.lines() {
            if let Some(deep) = line.strip_prefix("DEEP ") {
                panic!("{name}: the probe stopped at `{deep}`; raise PROBE_DEPTH");
            }
            if let Some(path) = line.strip_prefix("PATH ") {
                paths.insert(path.to_owned());
            }
        }
    }
    seen
}

/// A documented variable: its path, whether it is a free map, the
/// templates of the section it is documented in, and its line in the doc.
#[derive(Debug)]
struct Documented {
    path: String,
    free: bool,
    templates: Vec<String>,
    line: usize,
}

/// The text between the first pair of backticks in `cell`.
fn code(cell: &str) -> Option<&str> {
    let start = cell.find('`')? + 1;
    let len = cell[start..].find('`')?;
    Some(&cell[start..start + len])
}

/// Template names in backticks on a heading line; `*.html` means every
/// HTML template.
fn heading_templates(line: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (i, part) in line.split('`').enumerate() {
        if i % 2 == 0 {
            continue;
        }
        if part == "*.html" {
            names.extend(
                REQUIRED
                    .iter()
                    .filter(|n| n.ends_with(".html"))
                    .map(|n| n.to_string()),
            );
        } else if REQUIRED.contains(&part) {
            names.push(part.to_owned());
        }
    }
    names
}

fn documented() -> Vec<Documented> {
    let mut out = Vec::new();
    let mut templates: Vec<String> = Vec::new();
    let mut in_table = false;
    for (n, line) in DOC.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('#') {
            templates = heading_templates(line);
            in_table = false;
        } else if line.starts_with("| variable |") {
            in_table = true;
        } else if !line.starts_with('|') {
            in_table = false;
        } else if in_table && !line.starts_with("|--") && !line.starts_with("|---") {
            let cells: Vec<&str> = line.trim_matches('|').split('|').collect();
            let Some(path) = cells.first().and_then(|c| code(c)) else {
                continue;
            };
            assert!(
                !templates.is_empty(),
                "docs/templates.md:{}: `{path}` is in a table whose heading names no template",
                n + 1
            );
            out.push(Documented {
                path: path.to_owned(),
                free: cells.get(1).is_some_and(|c| c.contains("free")),
                templates: templates.clone(),
                line: n + 1,
            });
        }
    }
    out
}

#[test]
fn every_template_variable_in_the_docs_exists_and_every_one_is_documented() {
    let doc = documented();
    assert!(
        doc.len() > 100,
        "found only {} documented variables",
        doc.len()
    );
    let seen = observed();
    let mut problems = Vec::new();
    // Documented → in the context of at least one template of its section.
    // (`page.facts[].label` is documented for all entity pages; the
    // fixture's free pages have no facts, its actors do.)
    for d in &doc {
        let found = d
            .templates
            .iter()
            .any(|t| seen.get(t).is_some_and(|paths| paths.contains(&d.path)));
        if !found {
            problems.push(format!(
                "docs/templates.md:{}: `{}` is not in the context of {}",
                d.line,
                d.path,
                d.templates.join(", ")
            ));
        }
    }
    // In the context of a template → documented in a section naming it.
    for name in REQUIRED {
        let Some(paths) = seen.get(*name) else {
            problems.push(format!(
                "{name}: no page of the fixture was rendered with it"
            ));
            continue;
        };
        let mine: Vec<&Documented> = doc
            .iter()
            .filter(|d| d.templates.iter().any(|t| t == name))
            .collect();
        for path in paths {
            let covered = mine
                .iter()
                .any(|d| d.path == *path || (d.free && path.starts_with(&format!("{}.", d.path))));
            if !covered {
                problems.push(format!(
                    "{name}: `{path}` is in the context but not in docs/templates.md"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_probe_reports_nested_paths_through_lists() {
    // A self-check of the walk, on the one page whose shape is known.
    let seen = observed();
    let actor = &seen["actor.html"];
    for path in [
        "page.facts[].values[].citations[].href",
        "page.relations[].items[].title",
        "menu[].current",
        "nav.timeline",
        "site.title",
    ] {
        assert!(actor.contains(path), "{path} not seen; saw {actor:#?}");
    }
    assert!(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs/templates.md")
            .is_file()
    );
}
