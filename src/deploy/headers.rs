//! DEPLOY: the HTTP headers each uploaded file carries — Content-Type from
//! its extension (the same table `serve` answers with), Cache-Control from
//! the `deploy.cache_control` rules of `site.yaml`, then the defaults.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::config::CacheRule;

/// For files whose name carries a hash of their bytes (`style.3f2a9c1b.css`):
/// a new version gets a new name, so a copy may be kept for a year.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For everything else, pages first: caches keep a copy but ask the host
/// whether it is still current before using it, so a correction shows at
/// once (the ETag makes the question cheap).
pub const REVALIDATE: &str = "public, max-age=0, must-revalidate";

/// Fewest hex digits a name's hash part has to count as a fingerprint:
/// `build.2024.css` is not one.
const MIN_HASH_DIGITS: usize = 8;

/// The Content-Type of a file in the output.
pub fn content_type(path: &str) -> &'static str {
    crate::serve::http::mime(path)
}

/// Whether the file's name is `stem.<hex hash>.ext`, as
/// [`crate::render::assets::publish`] writes stylesheets and scripts
/// (16 lowercase hex digits).
pub fn is_fingerprinted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut parts = name.rsplit('.');
    let (Some(_ext), Some(hash), Some(stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !stem.is_empty()
        && hash.len() >= MIN_HASH_DIGITS
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The Cache-Control rules of a site, compiled once.
#[derive(Debug)]
pub struct CacheRules {
    globs: GlobSet,
    values: Vec<String>,
}

impl CacheRules {
    /// Compiles the rules; `*` stays within a folder, `**` crosses them.
    /// (`config::load` already reported a glob that does not compile.)
    pub fn new(rules: &[CacheRule]) -> Result<Self, String> {
        let mut set = GlobSetBuilder::new();
        for rule in rules {
            let glob = GlobBuilder::new(&rule.glob)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("`{}` in deploy.cache_control: {e}", rule.glob))?;
            set.add(glob);
        }
        let globs = set
            .build()
            .map_err(|e| format!("deploy.cache_control: {e}"))?;
        let values = rules.iter().map(|r| r.value.clone()).collect();
        Ok(CacheRules { globs, values })
    }

    /// The first rule that matches `path`, else the default.
    pub fn cache_control(&self, path: &str) -> &str {
        match self.globs.matches(path).first() {
            Some(&i) => &self.values[i],
            None if is_fingerprinted(path) => IMMUTABLE,
            None => REVALIDATE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(glob: &str, value: &str) -> CacheRule {
        CacheRule {
            glob: glob.into(),
            value: value.into(),
        }
    }

    #[test]
    fn hashed_names_are_fingerprinted_and_others_are_not() {
        assert!(is_fingerprinted("style.3f2a9c1b.css"));
        assert!(is_fingerprinted("assets/search.0123456789abcdef.js"));
        assert!(!is_fingerprinted("style.css"));
        assert!(!is_fingerprinted("build.2024.css"));
        assert!(!is_fingerprinted(".3f2a9c1b.css"));
        assert!(!is_fingerprinted("style.3F2A9C1B.css"));
    }

    #[test]
    fn published_stylesheets_and_scripts_are_immutable_and_other_static_files_are_not() {
        let rules = CacheRules::new(&[]).unwrap();
        for (rel, bytes) in [("style.css", &b"body{}"[..]), ("js/search.js", b"x")] {
            let published = crate::render::assets::publish(rel, bytes).asset.file;
            assert_eq!(rules.cache_control(&published), IMMUTABLE, "{published}");
        }
        let icon = crate::render::assets::publish("favicon.svg", b"<svg/>")
            .asset
            .file;
        assert_eq!(rules.cache_control(&icon), REVALIDATE);
    }

    #[test]
    fn fingerprinted_assets_are_immutable_and_pages_revalidate() {
        let rules = CacheRules::new(&[]).unwrap();
        assert_eq!(rules.cache_control("style.3f2a9c1b.css"), IMMUTABLE);
        assert_eq!(rules.cache_control("actors/x/index.html"), REVALIDATE);
        assert_eq!(rules.cache_control("sitemap.xml"), REVALIDATE);
    }

    #[test]
    fn the_first_matching_rule_wins_and_star_stays_in_its_folder() {
        let rules = CacheRules::new(&[
            rule("images/**", "public, max-age=86400"),
            rule("*.html", "no-store"),
            rule("**/*.html", "no-cache"),
        ])
        .unwrap();
        assert_eq!(
            rules.cache_control("images/a/b.png"),
            "public, max-age=86400"
        );
        assert_eq!(rules.cache_control("index.html"), "no-store");
        assert_eq!(rules.cache_control("actors/x/index.html"), "no-cache");
        assert_eq!(rules.cache_control("favicon.svg"), REVALIDATE);
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("style.3f2a9c1b.css"),
            "text/css; charset=utf-8"
        );
        assert_eq!(content_type("data/entities.json"), "application/json");
    }
}
