//! `explainer new <kind> "Title"`: one new content file, named after the
//! title, with the kind's keys written out as comments.
//!
//! The file starts from the site's `archetypes/<kind>.md` when there is one,
//! else from the built-in archetype under `src/cmd/new/`. Placeholders in
//! either are replaced:
//!
//! | placeholder | becomes |
//! |---|---|
//! | `{{title}}` | the title, escaped to sit inside a double-quoted YAML string |
//! | `{{slug}}` | the file name without `.md` |
//! | `{{date}}` | today's date (UTC), `YYYY-MM-DD` |
//! | `{{kind}}` | `actor`, `meeting`, `proposal`, `source` or `page` |
//!
//! `new` never overwrites: an existing file of that name is refused (exit 2).

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::init::create_new;
use super::{Failure, Outcome, say, use_color};
use crate::cli::{GlobalArgs, NewArgs, NewKind};
use crate::config;
use crate::content::model::{Date, Kind};
use crate::diag::Diagnostics;
use crate::slug::{self, Cyrillic};

/// The folder, relative to the site root, where per-site archetypes live.
pub const ARCHETYPES_DIR: &str = "archetypes";

/// The placeholders an archetype may use, for the error naming the known ones.
const PLACEHOLDERS: &[&str] = &["title", "slug", "date", "kind"];

/// The built-in archetype of a kind.
pub fn builtin_archetype(kind: Kind) -> &'static str {
    match kind {
        Kind::Actor => include_str!("new/actor.md"),
        Kind::Meeting => include_str!("new/meeting.md"),
        Kind::Proposal => include_str!("new/proposal.md"),
        Kind::Source => include_str!("new/source.md"),
        Kind::Page => include_str!("new/page.md"),
    }
}

pub fn run(args: &NewArgs, global: &GlobalArgs) -> Result<Outcome, Failure> {
    let root = &args.root;
    if !root.join("content").is_dir() && !root.join(config::CONFIG_FILE).is_file() {
        return Err(Failure(format!(
            "{} is not an explainer site: it has no site.yaml and no content/ folder; create one with `explainer init`, or pass --root",
            root.display()
        )));
    }
    if let Some([lang, id]) = args.translate.as_deref() {
        return super::translate::create(root, lang, id);
    }
    let (Some(kind), Some(title)) = (args.kind, args.title.as_deref()) else {
        return Err(Failure(
            "say what to create: `explainer new actor \"Title\"`".into(),
        ));
    };
    let kind = kind_of(kind);
    let slug = choose_slug(args, title, root)?;
    let rel = PathBuf::from("content")
        .join(kind.dir())
        .join(format!("{slug}.md"));
    let path = root.join(&rel);
    refuse_existing(root, kind, &slug)?;
    let values = Values {
        title,
        slug: &slug,
        date: &today().to_string(),
        kind: kind.name(),
    };
    let (template, origin) = archetype(root, kind)?;
    let text = expand(&template, &values).map_err(|e| Failure(format!("{origin}: {e}")))?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure(format!("cannot create {}: {e}", parent.display())))?;
    }
    create_new(&path, &text)
        .map_err(|e| Failure(format!("cannot write {}: {e}", path.display())))?;
    if !global.quiet {
        warn_if_slug_is_shared(root, kind, &slug, use_color(global.color));
    }
    // The path is the result, printed even with --quiet: `$EDITOR $(explainer new …)`.
    say::out(&format!("{}\n", shown(root, rel).display()));
    Ok(Outcome::Clean)
}

fn kind_of(kind: NewKind) -> Kind {
    match kind {
        NewKind::Actor => Kind::Actor,
        NewKind::Meeting => Kind::Meeting,
        NewKind::Proposal => Kind::Proposal,
        NewKind::Source => Kind::Source,
        NewKind::Page => Kind::Page,
    }
}

/// `--slug` as given (checked), or one made from the title. Cyrillic
/// without a distinctive letter is read as the site's `language` says.
fn choose_slug(args: &NewArgs, title: &str, root: &Path) -> Result<String, Failure> {
    if let Some(given) = &args.slug {
        if !slug::is_valid(given) {
            return Err(Failure(format!(
                "`{given}` is not a valid slug: use lowercase letters a-z, digits and hyphens, starting with a letter or digit"
            )));
        }
        return Ok(given.clone());
    }
    let language = config::load(root, &mut Diagnostics::default()).language;
    let made = slug::slugify(title, Cyrillic::for_language(&language));
    if made.is_empty() {
        return Err(Failure(format!(
            "cannot make a file name from the title “{title}”; pass one with --slug, e.g. --slug xi-jinping"
        )));
    }
    Ok(made)
}

/// An entity has one file: `slug.md` or `slug.yaml`.
fn refuse_existing(root: &Path, kind: Kind, slug: &str) -> Result<(), Failure> {
    for ext in ["md", "yaml"] {
        let existing = PathBuf::from("content")
            .join(kind.dir())
            .join(format!("{slug}.{ext}"));
        if root.join(&existing).exists() {
            return Err(Failure(format!(
                "{} already exists; nothing was written. Edit that file, or choose another title or --slug",
                shown(root, existing).display(),
            )));
        }
    }
    Ok(())
}

/// A path under the site as the user will type it: relative when the site
/// is the current folder.
pub fn shown(root: &Path, rel: PathBuf) -> PathBuf {
    if root == Path::new(".") {
        rel
    } else {
        root.join(rel)
    }
}

/// A bare `[[slug]]` must be unique across kinds; say so when it no longer is.
fn warn_if_slug_is_shared(root: &Path, kind: Kind, slug: &str, color: bool) {
    for other in Kind::ALL.iter().filter(|k| **k != kind) {
        let taken = ["md", "yaml"].iter().any(|ext| {
            root.join("content")
                .join(other.dir())
                .join(format!("{slug}.{ext}"))
                .exists()
        });
        if taken {
            let (on, off) = if color {
                ("\x1b[1;33m", "\x1b[0m")
            } else {
                ("", "")
            };
            say::err(&format!(
                "{on}warning{off}: {}/{slug} exists too, so a bare [[{slug}]] is now ambiguous; write [[{}/{slug}]] or [[{}/{slug}]]\n",
                other.dir(),
                other.dir(),
                kind.dir()
            ));
        }
    }
}

/// The site's archetype for `kind`, else the built-in one, with a name
/// for error messages.
fn archetype(root: &Path, kind: Kind) -> Result<(String, String), Failure> {
    let rel = Path::new(ARCHETYPES_DIR).join(format!("{}.md", kind.name()));
    let path = root.join(&rel);
    if path.is_file() {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))?;
        return Ok((text, rel.display().to_string()));
    }
    Ok((
        builtin_archetype(kind).to_owned(),
        format!("built-in {} archetype", kind.name()),
    ))
}

/// What the placeholders stand for.
pub struct Values<'a> {
    pub title: &'a str,
    pub slug: &'a str,
    pub date: &'a str,
    pub kind: &'a str,
}

/// Replaces `{{name}}` (spaces inside the braces allowed) with its value.
/// An unknown name is an error rather than left in the file, where it would
/// surprise later as broken YAML.
pub fn expand(template: &str, values: &Values<'_>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return Err("a `{{` is never closed with `}}`".into());
        };
        let name = after[..close].trim();
        out.push_str(&match name {
            "title" => yaml_quoted_inner(values.title),
            "slug" => values.slug.to_owned(),
            "date" => values.date.to_owned(),
            "kind" => values.kind.to_owned(),
            other => {
                return Err(format!(
                    "unknown placeholder `{{{{{other}}}}}`; archetypes know {}",
                    PLACEHOLDERS
                        .iter()
                        .map(|p| format!("{{{{{p}}}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        });
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Escapes text for the inside of a double-quoted YAML string.
fn yaml_quoted_inner(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Today's date in UTC, from the system clock.
fn today() -> Date {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_days_since_epoch(i64::try_from(secs / 86_400).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<'a>(title: &'a str) -> Values<'a> {
        Values {
            title,
            slug: "the-slug",
            date: "2026-01-06",
            kind: "actor",
        }
    }

    #[test]
    fn placeholders_are_replaced_with_or_without_spaces() {
        let out = expand(
            "title: \"{{title}}\"\n# {{ slug }} {{date}} {{kind}}\n",
            &values("Ada"),
        );
        assert_eq!(
            out.unwrap(),
            "title: \"Ada\"\n# the-slug 2026-01-06 actor\n"
        );
    }

    #[test]
    fn titles_are_escaped_for_a_quoted_yaml_string() {
        let out = expand("title: \"{{title}}\"", &values(r#"The "Paris" \ plan"#));
        assert_eq!(out.unwrap(), r#"title: "The \"Paris\" \\ plan""#);
    }

    #[test]
    fn unknown_and_unclosed_placeholders_are_errors() {
        let unknown = expand("{{author}}", &values("x")).unwrap_err();
        assert!(unknown.contains("`{{author}}`"), "{unknown}");
        assert!(unknown.contains("{{title}}, {{slug}}, {{date}}, {{kind}}"));
        assert!(expand("{{title", &values("x")).is_err());
    }

    #[test]
    fn every_builtin_archetype_expands_to_front_matter_and_a_body() {
        for kind in Kind::ALL {
            let text = expand(builtin_archetype(kind), &values("Title")).unwrap();
            assert!(text.starts_with("---\ntitle: \"Title\"\n"), "{kind:?}");
            assert_eq!(text.matches("\n---\n").count(), 1, "{kind:?}");
        }
    }
}
