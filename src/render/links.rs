//! RENDER: where each page lives in the output and how one page links to
//! another. The only place that turns a page into a URL.
//!
//! Links between pages are relative and name the file
//! (`../../actors/steve-witkoff/index.html`), so the output works from any
//! sub-path, from object stores that do not map a folder to `index.html`, and
//! from disk. Absolute URLs (canonical, feeds, sitemap) use the pretty form.

use std::path::PathBuf;

/// A page's location under the output root, in folder form: `actors/x/`,
/// `tags/`, or `` for the home page. Files that are not pages (`atom.xml`)
/// are plain strings, not `SitePath`s.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SitePath(String);

impl SitePath {
    pub fn home() -> Self {
        SitePath(String::new())
    }

    /// Builds a folder path from validated segments (slugs, kind folders).
    pub fn of(segments: &[&str]) -> Self {
        let mut path = String::new();
        for s in segments {
            path.push_str(s);
            path.push('/');
        }
        SitePath(path)
    }

    /// How many folders deep the page is; the home page is 0.
    pub fn depth(&self) -> usize {
        self.0.matches('/').count()
    }

    /// The `index.html` file to write, relative to the output root.
    pub fn output_file(&self) -> PathBuf {
        PathBuf::from(format!("{}index.html", self.0))
    }

    /// Link target relative to the site root: `actors/x/index.html`, or with
    /// `pretty` the folder `actors/x/` (the home page then is `./`).
    pub fn site_relative(&self, pretty: bool) -> String {
        match (pretty, self.0.is_empty()) {
            (true, true) => "./".to_owned(),
            (true, false) => self.0.clone(),
            (false, _) => format!("{}index.html", self.0),
        }
    }

    /// The canonical URL under `base` (which ends with `/`).
    pub fn absolute(&self, base: &str) -> String {
        format!("{base}{}", self.0)
    }
}

/// The prefix that leads from a page at `depth` back to the site root.
pub fn root_prefix(depth: usize) -> String {
    "../".repeat(depth)
}

/// Links from pages at one depth, with one link style. Cheap to copy into
/// every render.
#[derive(Debug, Clone)]
pub struct Linker {
    pub root: String,
    pub pretty: bool,
}

impl Linker {
    pub fn for_page(page: &SitePath, pretty: bool) -> Self {
        Linker {
            root: root_prefix(page.depth()),
            pretty,
        }
    }

    /// The relative href from the current page to `target`.
    pub fn href(&self, target: &SitePath) -> String {
        // Built in one allocation: pages make tens of these each.
        let path = &target.0;
        if path.is_empty() && self.pretty {
            return if self.root.is_empty() {
                "./".to_owned()
            } else {
                self.root.clone()
            };
        }
        let index = if self.pretty { "" } else { "index.html" };
        let mut href = String::with_capacity(self.root.len() + path.len() + index.len());
        href.push_str(&self.root);
        href.push_str(path);
        href.push_str(index);
        href
    }

    /// The relative href to a file that is not a page (`atom.xml`, `style.css`).
    pub fn file(&self, path: &str) -> String {
        format!("{}{path}", self.root)
    }

    /// A menu URL from `site.yaml`: site paths (`/actors/`) become relative
    /// links, full URLs stay as they are.
    pub fn menu_url(&self, url: &str) -> String {
        if url.contains("://") || url.starts_with("mailto:") {
            return url.to_owned();
        }
        let path = url.trim_start_matches('/');
        if path.is_empty() {
            return self.href(&SitePath::home());
        }
        if path.ends_with('/') {
            let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
            return self.href(&SitePath::of(&segments));
        }
        self.file(path)
    }
}

/// A tag's URL segment: see [`crate::slug::tag`].
pub fn tag_slug(tag: &str) -> String {
    crate::slug::tag(tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_relative_and_name_the_file() {
        let here = SitePath::of(&["actors", "steve-witkoff"]);
        let linker = Linker::for_page(&here, false);
        assert_eq!(
            linker.href(&SitePath::of(&["meetings", "paris"])),
            "../../meetings/paris/index.html"
        );
        assert_eq!(linker.href(&SitePath::home()), "../../index.html");
        assert_eq!(linker.file("atom.xml"), "../../atom.xml");
    }

    #[test]
    fn pretty_links_drop_index_html() {
        let home = Linker::for_page(&SitePath::home(), true);
        assert_eq!(home.href(&SitePath::of(&["actors"])), "actors/");
        assert_eq!(home.href(&SitePath::home()), "./");
        let deep = Linker::for_page(&SitePath::of(&["tags", "x"]), true);
        assert_eq!(deep.href(&SitePath::home()), "../../");
    }

    #[test]
    fn menu_urls_become_relative() {
        let linker = Linker::for_page(&SitePath::of(&["actors"]), false);
        assert_eq!(linker.menu_url("/meetings/"), "../meetings/index.html");
        assert_eq!(
            linker.menu_url("https://example.org/"),
            "https://example.org/"
        );
    }

    #[test]
    fn tag_slugs_are_url_safe() {
        assert_eq!(tag_slug("Security guarantees"), "security-guarantees");
        assert_eq!(tag_slug("../x"), "x");
    }
}
