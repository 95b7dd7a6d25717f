//! RENDER: the built-in shortcodes' arguments — which each takes, of what
//! type, which are required and which values a choice allows — and the
//! check of a call against them. A site's own shortcodes (templates the
//! theme does not have) take any arguments; a site's template overriding a
//! built-in one keeps the built-in's arguments.

use super::parse::{Call, Value};
use crate::diag::{Span, closest};

/// The type an argument must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Text,
    Int,
    Bool,
    /// Text, one of these words.
    Choice(&'static [&'static str]),
    /// Text, a date written `YYYY-MM-DD`.
    Date,
}

/// One argument of a built-in shortcode.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub ty: Type,
    pub required: bool,
}

/// A built-in shortcode: its arguments, and whether it wraps a body.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    pub params: &'static [Param],
    /// `{% name(…) %}` … `{% end %}`.
    pub body: bool,
}

const fn req(name: &'static str, ty: Type) -> Param {
    Param {
        name,
        ty,
        required: true,
    }
}

const fn opt(name: &'static str, ty: Type) -> Param {
    Param {
        name,
        ty,
        required: false,
    }
}

/// The kinds of callout the default theme styles.
pub const CALLOUT_KINDS: &[&str] = &["note", "analysis", "context"];

/// Every built-in shortcode, by name.
pub const BUILT_IN: &[Spec] = &[
    Spec {
        name: "figure",
        body: false,
        params: &[
            req("src", Type::Text),
            opt("alt", Type::Text),
            opt("credit", Type::Text),
            opt("licence", Type::Text),
            opt("caption", Type::Text),
            opt("decorative", Type::Bool),
        ],
    },
    Spec {
        name: "pullquote",
        body: true,
        params: &[
            opt("by", Type::Text),
            opt("source", Type::Text),
            opt("url", Type::Text),
        ],
    },
    Spec {
        name: "callout",
        body: true,
        params: &[
            req("kind", Type::Choice(CALLOUT_KINDS)),
            opt("title", Type::Text),
        ],
    },
    Spec {
        name: "youtube",
        body: false,
        params: &[
            req("id", Type::Text),
            req("title", Type::Text),
            opt("start", Type::Int),
            opt("poster", Type::Text),
            opt("credit", Type::Text),
        ],
    },
    Spec {
        name: "vimeo",
        body: false,
        params: &[
            req("id", Type::Text),
            req("title", Type::Text),
            opt("poster", Type::Text),
            opt("credit", Type::Text),
        ],
    },
    Spec {
        name: "datawrapper",
        body: false,
        params: &[
            req("id", Type::Text),
            req("title", Type::Text),
            opt("height", Type::Int),
        ],
    },
    Spec {
        name: "flourish",
        body: false,
        params: &[
            req("id", Type::Text),
            req("title", Type::Text),
            opt("height", Type::Int),
        ],
    },
    Spec {
        name: "post",
        body: false,
        params: &[
            req("author", Type::Text),
            req("date", Type::Date),
            req("text", Type::Text),
            req("url", Type::Text),
            opt("platform", Type::Text),
        ],
    },
];

pub fn spec(name: &str) -> Option<&'static Spec> {
    BUILT_IN.iter().find(|s| s.name == name)
}

/// What is wrong with one call, for a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misuse {
    pub code: &'static str,
    pub message: String,
    pub hint: String,
    pub span: Span,
}

/// Checks a call against its built-in's arguments: every problem, so a
/// writer fixes them in one go.
pub fn check(spec: &Spec, call: &Call) -> Vec<Misuse> {
    let mut problems = Vec::new();
    let name = spec.name;
    let known: Vec<&str> = spec.params.iter().map(|p| p.name).collect();
    for (n, arg) in call.args.iter().enumerate() {
        if call.args[..n].iter().any(|a| a.name == arg.name) {
            problems.push(Misuse {
                code: "shortcode-argument",
                message: format!("argument `{}` is given twice", arg.name),
                hint: "keep one of them".into(),
                span: arg.span,
            });
            continue;
        }
        match spec.params.iter().find(|p| p.name == arg.name) {
            None => problems.push(unknown_arg(name, &arg.name, &known, arg.span)),
            Some(p) => problems.extend(type_problem(name, p, &arg.value, arg.span)),
        }
    }
    for p in spec.params.iter().filter(|p| p.required) {
        if !call.args.iter().any(|a| a.name == p.name) {
            problems.push(Misuse {
                code: "shortcode-argument",
                message: format!("shortcode `{name}` needs the argument `{}`", p.name),
                hint: format!("add {}", example(p)),
                span: call.span,
            });
        }
    }
    problems
}

fn unknown_arg(shortcode: &str, arg: &str, known: &[&str], span: Span) -> Misuse {
    let hint = match closest(arg, known.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("`{shortcode}` takes {}", list(known)),
    };
    Misuse {
        code: "shortcode-argument",
        message: format!("shortcode `{shortcode}` has no argument `{arg}`"),
        hint,
        span,
    }
}

fn type_problem(shortcode: &str, p: &Param, value: &Value, span: Span) -> Option<Misuse> {
    let wrong = |wanted: &str| Misuse {
        code: "shortcode-argument",
        message: format!(
            "argument `{}` of `{shortcode}` must be {wanted}, not {}",
            p.name,
            value.type_name()
        ),
        hint: format!("write it as {}", example(p)),
        span,
    };
    match (p.ty, value) {
        (Type::Text, Value::Text(_))
        | (Type::Int, Value::Int(_))
        | (Type::Bool, Value::Bool(_)) => None,
        (Type::Choice(words), Value::Text(t)) if words.contains(&t.as_str()) => None,
        (Type::Choice(words), Value::Text(t)) => Some(Misuse {
            code: "shortcode-argument",
            message: format!("`{t}` is not a {shortcode} {}: use {}", p.name, list(words)),
            hint: closest(t, words.iter().copied()).map_or_else(
                || format!("write it as {}", example(p)),
                |near| format!("did you mean `{near}`?"),
            ),
            span,
        }),
        (Type::Date, Value::Text(t)) if crate::content::model::Date::parse(t).is_some() => None,
        (Type::Date, Value::Text(t)) => Some(Misuse {
            code: "shortcode-argument",
            message: format!("`{t}` is not a date"),
            hint: format!("write it as {}", example(p)),
            span,
        }),
        (Type::Text | Type::Choice(_) | Type::Date, _) => Some(wrong("text in quotes")),
        (Type::Int, _) => Some(wrong("a whole number")),
        (Type::Bool, _) => Some(wrong("true or false")),
    }
}

/// How to write an argument, for hints.
fn example(p: &Param) -> String {
    match p.ty {
        Type::Text => format!("{}=\"…\"", p.name),
        Type::Int => format!("{}=400", p.name),
        Type::Bool => format!("{}=true", p.name),
        Type::Choice(words) => format!("{}=\"{}\"", p.name, words[0]),
        Type::Date => format!("{}=\"2025-03-01\"", p.name),
    }
}

fn list(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse::calls;
    use super::*;

    fn problems(src: &str) -> Vec<String> {
        let (calls, _) = calls(src);
        let spec = spec(&calls[0].name).unwrap();
        check(spec, &calls[0])
            .into_iter()
            .map(|m| format!("{} / {}", m.message, m.hint))
            .collect()
    }

    #[test]
    fn a_mistyped_argument_name_gets_a_suggestion() {
        assert_eq!(
            problems("{{ youtube(idd=\"a\", title=\"t\") }}"),
            [
                "shortcode `youtube` has no argument `idd` / did you mean `id`?",
                "shortcode `youtube` needs the argument `id` / add id=\"…\""
            ]
        );
    }

    #[test]
    fn arguments_must_have_their_type() {
        assert_eq!(
            problems("{{ datawrapper(id=\"a\", title=\"t\", height=\"400\") }}"),
            [
                "argument `height` of `datawrapper` must be a whole number, not text / write it as height=400"
            ]
        );
    }

    #[test]
    fn a_choice_outside_its_words_is_named() {
        assert_eq!(
            problems("{% callout(kind=\"notes\") %}"),
            [
                "`notes` is not a callout kind: use `note`, `analysis` or `context` / did you mean `note`?"
            ]
        );
    }
}
