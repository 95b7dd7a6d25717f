//! SERVE: the open live-reload streams — one per tab, each knowing the page
//! it was opened from, so a rebuild can reload every tab and the engine can
//! render the pages people look at first.

use std::sync::Mutex;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// One tab's stream: the output path of its page, and where reloads go.
struct Tab {
    page: Option<String>,
    reload: UnboundedSender<()>,
}

/// Every stream opened and not yet closed, oldest first.
#[derive(Default)]
pub struct Tabs {
    open: Mutex<Vec<Tab>>,
}

impl Tabs {
    /// Registers a tab on `page`; the receiver gets one message per reload,
    /// and dropping it (the connection closed) unregisters the tab.
    pub fn open(&self, page: Option<String>) -> UnboundedReceiver<()> {
        let (reload, rx) = unbounded_channel();
        if let Ok(mut open) = self.open.lock() {
            open.retain(|t| !t.reload.is_closed());
            open.push(Tab { page, reload });
        }
        rx
    }

    /// Tells every open tab to reload; returns how many were told.
    pub fn reload_all(&self) -> usize {
        let Ok(mut open) = self.open.lock() else {
            return 0;
        };
        open.retain(|t| t.reload.send(()).is_ok());
        open.len()
    }

    /// The pages with an open tab, most recently opened first, each once.
    pub fn pages(&self) -> Vec<String> {
        let Ok(mut open) = self.open.lock() else {
            return Vec::new();
        };
        open.retain(|t| !t.reload.is_closed());
        let mut pages: Vec<String> = Vec::new();
        for page in open.iter().rev().filter_map(|t| t.page.as_ref()) {
            if !pages.contains(page) {
                pages.push(page.clone());
            }
        }
        pages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_listed_newest_first_once_and_closed_tabs_drop_out() {
        let tabs = Tabs::default();
        let a = tabs.open(Some("index.html".into()));
        let b = tabs.open(Some("actors/x/index.html".into()));
        let _c = tabs.open(Some("index.html".into()));
        let _d = tabs.open(None);
        assert_eq!(tabs.pages(), ["index.html", "actors/x/index.html"]);
        drop(b);
        assert_eq!(tabs.pages(), ["index.html"]);
        drop(a);
        assert_eq!(tabs.reload_all(), 2);
    }
}
