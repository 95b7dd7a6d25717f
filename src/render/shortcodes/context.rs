//! RENDER: what a shortcode template gets — its arguments (a built-in's
//! optional ones as `none` when not given), `nth` (the call's number in
//! the body, for ids), `body` (the HTML of a call's body), and values
//! worked out here so templates need no URL encoding or date formatting:
//! the video and chart addresses, the post's date for readers, and the
//! processed picture of `figure` (`image`) or of a video's `poster`.

use tera::Context;

use super::builtin;
use super::expand::Host;
use super::parse::{Call, Value};
use crate::render::images::Ask;

/// The context of one call; `None` when a picture it needs failed (the
/// problem is reported).
pub fn of(call: &Call, nth: usize, body: Option<&str>, host: &mut dyn Host) -> Option<Context> {
    let mut ctx = Context::new();
    if let Some(spec) = builtin::spec(&call.name) {
        for p in spec.params {
            ctx.insert(p.name, &serde_json::Value::Null);
        }
    }
    for arg in &call.args {
        ctx.insert(arg.name.clone(), &arg.value.to_json());
    }
    ctx.insert("nth", &nth);
    if let Some(body) = body {
        ctx.insert("body", body);
    }
    let text = |name: &str| {
        call.args.iter().find_map(|a| match &a.value {
            Value::Text(t) if a.name == name => Some(t.as_str()),
            _ => None,
        })
    };
    let id = text("id").map(encode).unwrap_or_default();
    match call.name.as_str() {
        "figure" => {
            let ask = Ask {
                src: text("src").unwrap_or_default(),
                alt: text("alt"),
                credit: text("credit"),
                licence: text("licence"),
                caption: text("caption"),
                decorative: call
                    .args
                    .iter()
                    .any(|a| a.name == "decorative" && a.value == Value::Bool(true)),
                above_fold: false,
                markdown: false,
            };
            let image = host.picture(&ask, call.span)?;
            ctx.insert("image", &image);
        }
        "youtube" | "vimeo" => {
            let (embed, watch) = if call.name == "youtube" {
                let start = call.args.iter().find_map(|a| match a.value {
                    Value::Int(s) if a.name == "start" => Some(s),
                    _ => None,
                });
                let at = start.map_or(String::new(), |s| format!("&start={s}"));
                (
                    format!("https://www.youtube-nocookie.com/embed/{id}?autoplay=1{at}"),
                    format!("https://www.youtube.com/watch?v={id}"),
                )
            } else {
                (
                    format!("https://player.vimeo.com/video/{id}?autoplay=1&dnt=1"),
                    format!("https://vimeo.com/{id}"),
                )
            };
            ctx.insert("embed_url", &embed);
            ctx.insert("watch_url", &watch);
            if let Some(src) = text("poster") {
                let ask = Ask {
                    src,
                    alt: Some(""),
                    decorative: true,
                    credit: text("credit"),
                    ..Ask::default()
                };
                let poster = host.picture(&ask, call.span)?;
                ctx.insert("poster", &poster);
            }
        }
        "datawrapper" => {
            let url = format!("https://datawrapper.dwcdn.net/{id}/");
            ctx.insert("embed_url", &url);
            ctx.insert("link_url", &url);
        }
        "flourish" => {
            ctx.insert("embed_url", &format!("https://flo.uri.sh/{id}/embed"));
            ctx.insert("link_url", &format!("https://public.flourish.studio/{id}/"));
        }
        "post" => {
            let date = text("date").and_then(crate::content::model::Date::parse);
            let words = host.date_words();
            ctx.insert(
                "date_text",
                &date.map(|d| crate::render::dates::day(words, &d)),
            );
        }
        _ => {}
    }
    Some(ctx)
}

/// An id for a URL path: letters, digits and `-_./` as they are, anything
/// else percent-encoded, so an id can never leave its URL.
fn encode(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.replace("..", "%2E%2E")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cannot_leave_their_url() {
        assert_eq!(encode("dQw4w9WgXcQ"), "dQw4w9WgXcQ");
        assert_eq!(encode("a\" onload=x"), "a%22%20onload%3Dx");
        assert_eq!(encode("../x"), "%2E%2E/x");
        assert_eq!(encode("visualisation/123"), "visualisation/123");
    }
}
