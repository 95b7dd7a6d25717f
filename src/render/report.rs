//! RENDER: the "Report an error" link of every page, from `report_error`
//! in `site.yaml` — a `mailto:` address or a web form's URL — with the
//! page's title and address filled in, so a reader's report names the page.

/// The link for a page titled `title` at `permalink`: for `mailto:` a
/// subject and body; for a URL the query parameters `title` and `url`
/// (appended to any query it already has).
pub fn href(report_error: &str, title: &str, permalink: &str) -> String {
    let join = if report_error.contains('?') { '&' } else { '?' };
    if report_error.starts_with("mailto:") {
        format!(
            "{report_error}{join}subject={}&body={}",
            encode(&format!("Error on “{title}”")),
            encode(&format!("Page: {permalink}\n\nWhat is wrong:\n"))
        )
    } else {
        format!(
            "{report_error}{join}title={}&url={}",
            encode(title),
            encode(permalink)
        )
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so the
/// value is safe in a query string and in a `mailto:` header field.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailto_links_carry_the_page_title_and_address() {
        assert_eq!(
            href("mailto:desk@example.org", "A & B", "https://x.org/a/"),
            "mailto:desk@example.org?subject=Error%20on%20%E2%80%9CA%20%26%20B%E2%80%9D&body=Page%3A%20https%3A%2F%2Fx.org%2Fa%2F%0A%0AWhat%20is%20wrong%3A%0A"
        );
    }

    #[test]
    fn form_urls_get_title_and_url_parameters() {
        assert_eq!(
            href("https://x.org/report?site=1", "Paris", "https://x.org/p/"),
            "https://x.org/report?site=1&title=Paris&url=https%3A%2F%2Fx.org%2Fp%2F"
        );
    }
}
