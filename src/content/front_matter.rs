//! PARSE: split a content file into YAML front matter and a Markdown body.
//!
//! All YAML reading of content goes through here and `yaml.rs`, so the YAML
//! library can be swapped in one place. Offsets stay file-relative: a BOM,
//! CRLF line ends or a missing final newline never shift a reported position.

use crate::diag::Span;

/// Where the front matter and the body of a `.md` file lie, in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub yaml: Span,
    pub body: Span,
}

/// Why a file could not be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    pub message: String,
    pub span: Span,
    pub hint: String,
}

const BOM: &str = "\u{feff}";

/// Splits `---\n yaml \n---\n body`. A file with no opening fence is all body
/// (front matter then is empty), as in Zola and Hugo.
pub fn split(text: &str) -> Result<Split, SplitError> {
    let start = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let first_line_end = line_end(text, start);
    let first_line = text[start..first_line_end].trim_end();
    if first_line == "+++" {
        return Err(SplitError {
            message: "TOML front matter (`+++`) is not supported".into(),
            span: Span::new(start, start + 3),
            hint: "explainer reads YAML front matter between `---` lines; convert `key = \"value\"` to `key: \"value\"`".into(),
        });
    }
    if first_line != "---" {
        return Ok(Split {
            yaml: Span::new(start, start),
            body: Span::new(start, text.len()),
        });
    }
    let yaml_start = next_line(text, first_line_end);
    let mut at = yaml_start;
    while at < text.len() {
        let end = line_end(text, at);
        if text[at..end].trim_end() == "---" {
            let body_start = next_line(text, end);
            return Ok(Split {
                yaml: Span::new(yaml_start, at),
                body: Span::new(body_start, text.len()),
            });
        }
        at = next_line(text, end);
    }
    Err(SplitError {
        message: "front matter is not closed".into(),
        span: Span::new(start, start + 3),
        hint: "add a line with only `---` after the front matter".into(),
    })
}

/// Offset of the `\n` (or end of text) ending the line that starts at `from`.
fn line_end(text: &str, from: usize) -> usize {
    text[from..].find('\n').map_or(text.len(), |i| from + i)
}

fn next_line(text: &str, line_end: usize) -> usize {
    (line_end + 1).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (&str, &str) {
        let s = split(text).unwrap();
        (
            &text[s.yaml.start..s.yaml.end],
            &text[s.body.start..s.body.end],
        )
    }

    #[test]
    fn splits_front_matter_from_body() {
        assert_eq!(
            parts("---\ntitle: a\n---\nbody\n"),
            ("title: a\n", "body\n")
        );
    }

    #[test]
    fn crlf_bom_and_no_final_newline_are_accepted() {
        assert_eq!(
            parts("\u{feff}---\r\ntitle: a\r\n---\r\nbody"),
            ("title: a\r\n", "body")
        );
        assert_eq!(parts("---\ntitle: a\n---"), ("title: a\n", ""));
    }

    #[test]
    fn no_fence_means_all_body() {
        assert_eq!(parts("just text\n"), ("", "just text\n"));
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let err = split("---\ntitle: a\nbody\n").unwrap_err();
        assert_eq!(err.message, "front matter is not closed");
    }

    #[test]
    fn toml_front_matter_gets_a_hint() {
        let err = split("+++\ntitle = \"a\"\n+++\n").unwrap_err();
        assert!(err.hint.contains("YAML"));
    }
}
