//! RENDER: an Atom feed per actor and per proposal
//! (`actors/<slug>/atom.xml`), so a reader can follow one entity: its own
//! updates, the meetings it took part in, hosted or was discussed at, the
//! proposals it made, supports or opposes, and the pages that mention it.
//! The theme's `atom.xml` template renders it, with `feed_title` and
//! `feed_home` naming the entity instead of the site.

use tera::Context;

use super::OutFile;
use super::site_pages::{FeedEntry, Pages, feed_date};
use super::views::SiteData;
use crate::content::model::{EntityIdx, Kind};
use crate::diag::Diagnostic;

/// The feed's file name, next to the entity's `index.html`.
pub const FILE: &str = "atom.xml";

/// Renders entity `i`'s feed through `atom.xml`.
pub fn render(pages: &Pages<'_>, i: EntityIdx) -> Result<OutFile, Diagnostic> {
    let data = pages.data;
    let e = &data.entities[i];
    let home = data.paths[i].absolute(&data.base);
    let mut entries: Vec<FeedEntry> = involving(data, i)
        .into_iter()
        .map(|x| {
            let entity = &data.entities[x];
            FeedEntry {
                title: entity.title.clone(),
                url: data.paths[x].absolute(&data.base),
                kind: entity.kind.name(),
                updated: feed_date(entity)
                    .map(|d| format!("{d}T00:00:00Z"))
                    .unwrap_or_default(),
                summary: entity.summary.clone().unwrap_or_default(),
            }
        })
        .collect();
    // The entity's own changes log, newest first among the pages.
    let own: Vec<(EntityIdx, usize)> = (0..e.changes.len()).map(|n| (i, n)).collect();
    entries.extend(super::changes::feed_entries(data, &own));
    entries.sort_by(|a, b| b.updated.cmp(&a.updated));
    entries.truncate(data.config.feed_limit);
    let mut ctx: Context = pages.absolute_context();
    let updated = entries
        .first()
        .map(|x| x.updated.clone())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    ctx.insert("feed_url", &format!("{home}{FILE}"));
    ctx.insert(
        "feed_title",
        &format!("{} · {}", e.title, data.config.title),
    );
    ctx.insert("feed_home", &home);
    ctx.insert("updated", &updated);
    ctx.insert("entries", &entries);
    let text = pages.render_template("atom.xml", &ctx)?;
    Ok(OutFile {
        backing: None,
        path: data.paths[i].output_file().with_file_name(FILE),
        bytes: text.into_bytes(),
    })
}

/// The dated pages involving entity `i`, itself included, newest first,
/// at most `feed_limit`.
fn involving(data: &SiteData<'_>, i: EntityIdx) -> Vec<EntityIdx> {
    let b = &data.relations[i];
    let mut list: Vec<EntityIdx> = vec![i];
    match data.entities[i].kind {
        Kind::Actor => {
            list.extend(b.attended.iter().map(|(m, _)| *m));
            list.extend(&b.hosted);
            list.extend(&b.proposed);
            list.extend(&b.supports);
            list.extend(&b.opposes);
        }
        Kind::Proposal => list.extend(&b.discussed_in),
        _ => {}
    }
    list.extend(&b.mentioned_by);
    let e = data.entities;
    list.retain(|&x| feed_date(&e[x]).is_some());
    list.sort_by(|&a, &b| {
        feed_date(&e[b])
            .cmp(&feed_date(&e[a]))
            .then(e[a].id.cmp(&e[b].id))
    });
    list.dedup();
    list.truncate(data.config.feed_limit);
    list
}
