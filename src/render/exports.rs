//! RENDER: data exports for reuse outside the site — `data/entities.json`
//! (every entity with its facts, sources, relations and URLs; the schema
//! is in docs/data.md) and `data/timeline.json` (meetings and dated
//! proposals in the TimelineJS3 JSON format, so a newsroom can embed the
//! story in Knight Lab's TimelineJS without retyping it).
//!
//! Both are pure functions of the resolved site: entities in id order,
//! events in date order, no clock, so the same content gives the same bytes.

use std::collections::HashSet;

use rayon::prelude::*;
use serde_json::{Map, Value, json};

use super::OutFile;
use super::views::{SiteData, enum_name, escape, status_of};
use crate::content::model::*;
use crate::resolve::facts;

pub const ENTITIES_FILE: &str = "data/entities.json";
pub const TIMELINE_FILE: &str = "data/timeline.json";
/// The `format` and `version` fields of `entities.json`; the version goes
/// up when a field changes meaning or goes away (new fields do not count).
const ENTITIES_FORMAT: &str = "explainer-entities";
const ENTITIES_VERSION: u32 = 1;
/// Entities serialised in parallel before their lines are appended.
const EXPORT_BLOCK: usize = 1024;

fn file(path: &str, value: &Value) -> OutFile {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    OutFile {
        backing: None,
        path: path.into(),
        bytes: text.into_bytes(),
    }
}

/// Entities in id order, the order of `data/entities.json`.
fn id_order(data: &SiteData<'_>) -> Vec<EntityIdx> {
    let e = data.entities;
    let mut order: Vec<EntityIdx> = (0..e.len()).collect();
    order.sort_by(|&a, &b| e[a].id.cmp(&e[b].id));
    order
}

/// `data/entities.json` up to the first entity: format, version, site.
fn entities_header(data: &SiteData<'_>) -> String {
    let config = data.config;
    let site = json!({
        "title": config.title,
        "description": config.description,
        "base_url": config.base_url,
        "language": config.language,
    });
    format!(
        "{{\"format\":{},\"version\":{ENTITIES_VERSION},\"site\":{site},\"entities\":[\n",
        json!(ENTITIES_FORMAT)
    )
}

/// `data/entities.json`.
///
/// One entity per line, so the file stays compact on large sites and a
/// diff between two builds shows which entities changed.
pub fn entities(data: &SiteData<'_>) -> OutFile {
    let order = id_order(data);
    let mut text = entities_header(data);
    // Serialised a block at a time, in parallel, straight into the file's
    // text: never a second copy of the whole file (it is about 4 KB per
    // entity, 430 MB at 100,000 entities).
    for (b, block) in order.chunks(EXPORT_BLOCK).enumerate() {
        let lines: Vec<String> = block
            .par_iter()
            .map(|&i| serde_json::to_string(&entity(data, i)).unwrap_or_else(|_| "{}".into()))
            .collect();
        if b == 0 {
            // Sized from the first block, so the text rarely grows (each
            // growth of a string this large briefly holds two copies).
            let first: usize = lines.iter().map(|l| l.len() + 2).sum();
            text.reserve(first / block.len().max(1) * order.len() * 11 / 10);
        }
        for (n, line) in lines.iter().enumerate() {
            if b > 0 || n > 0 {
                text.push_str(",\n");
            }
            text.push_str(line);
        }
    }
    text.push_str("\n]}\n");
    OutFile {
        backing: None,
        path: ENTITIES_FILE.into(),
        bytes: text.into_bytes(),
    }
}

/// Entity `i`'s line of `data/entities.json`, for `serve`, which keeps
/// the lines and serialises again only those an edit can change.
pub fn entity_line(data: &SiteData<'_>, i: EntityIdx) -> String {
    serde_json::to_string(&entity(data, i)).unwrap_or_else(|_| "{}".into())
}

/// `data/entities.json` from each entity's [`entity_line`] (by entity
/// index): the same bytes as [`entities`].
pub fn entities_from_lines(data: &SiteData<'_>, lines: &[String]) -> OutFile {
    let order = id_order(data);
    let header = entities_header(data);
    let size = header.len() + order.iter().map(|&i| lines[i].len() + 2).sum::<usize>() + 4;
    let mut text = String::with_capacity(size);
    text.push_str(&header);
    for (n, &i) in order.iter().enumerate() {
        if n > 0 {
            text.push_str(",\n");
        }
        text.push_str(&lines[i]);
    }
    text.push_str("\n]}\n");
    OutFile {
        backing: None,
        path: ENTITIES_FILE.into(),
        bytes: text.into_bytes(),
    }
}

fn id_of(data: &SiteData<'_>, i: EntityIdx) -> Value {
    json!(data.entities[i].id)
}

fn ref_id(data: &SiteData<'_>, r: &Ref) -> Value {
    r.target.map_or(Value::Null, |t| id_of(data, t))
}

fn ref_ids(data: &SiteData<'_>, refs: &[Ref]) -> Value {
    Value::Array(
        refs.iter()
            .filter_map(|r| r.target)
            .map(|t| id_of(data, t))
            .collect(),
    )
}

fn ids(data: &SiteData<'_>, list: &[EntityIdx]) -> Value {
    Value::Array(list.iter().map(|&t| id_of(data, t)).collect())
}

/// A date as precise as written: `2025-04`, `~2025` (approximate).
fn date(d: Option<When>) -> Value {
    d.map_or(Value::Null, |d| json!(d.to_string()))
}

fn entity(data: &SiteData<'_>, i: EntityIdx) -> Value {
    let e = &data.entities[i];
    let disputed: HashSet<&str> = facts::group(&e.key_facts)
        .iter()
        .filter(|r| r.is_disputed())
        .map(|r| r.label)
        .collect();
    let fact_list: Vec<Value> = e
        .key_facts
        .iter()
        .map(|f| {
            json!({
                "label": f.label,
                "value": f.value.source,
                "sources": ref_ids(data, &f.sources),
                "note": f.note.as_ref().map(|n| &n.source),
                "disputed": disputed.contains(f.label.as_str()),
            })
        })
        .collect();
    let questions: Vec<Value> = e
        .questions
        .iter()
        .map(|q| json!({"question": q.question, "answer": q.answer.as_ref().map(|a| &a.source)}))
        .collect();
    let mut mentions: Vec<EntityIdx> = data.prepared.links(i).to_vec();
    mentions.sort_unstable();
    mentions.dedup();
    mentions.retain(|&t| t != i);
    json!({
        "id": e.id,
        "kind": e.kind.name(),
        "slug": e.slug,
        "title": e.title,
        "summary": e.summary,
        "aliases": e.aliases,
        "tags": e.tags,
        "url": data.paths[i].absolute(&data.base),
        "path": data.paths[i].site_relative(data.config.pretty_links),
        "date": date(e.when()),
        "updated": date(e.updated),
        "status": status_of(e),
        "data": kind_data(data, e),
        "facts": fact_list,
        "questions": questions,
        "sources": ref_ids(data, &e.sources),
        "mentions": ids(data, &mentions),
        "relations": relations(data, i),
    })
}

/// The typed keys of each kind, refs as ids.
fn kind_data(data: &SiteData<'_>, e: &Entity) -> Value {
    match &e.data {
        KindData::Actor(a) => json!({
            "type": a.actor_type.map(|t| enum_name(&t)),
            "role": a.role,
            "country": a.country,
            "affiliation": a.affiliation.as_ref().map_or(Value::Null, |r| ref_id(data, r)),
            "members": ref_ids(data, &a.members),
            "born": date(a.born),
            "founded": date(a.founded),
        }),
        KindData::Meeting(m) => json!({
            "date": date(m.date),
            "end_date": date(m.end_date),
            "location": m.location,
            "format": m.format.map(|f| enum_name(&f)),
            "host": m.host.as_ref().map_or(Value::Null, |r| ref_id(data, r)),
            "participants": m.participants.iter().filter(|p| p.actor.target.is_some()).map(|p| json!({
                "actor": ref_id(data, &p.actor),
                "role": p.role,
            })).collect::<Vec<_>>(),
            "proposals": ref_ids(data, &m.proposals),
            "outcome": m.outcome.as_ref().map(|o| &o.source),
            "status": m.status.map(|s| enum_name(&s)),
        }),
        KindData::Proposal(p) => json!({
            "status": p.status.map(|s| enum_name(&s)),
            "proposed_by": ref_ids(data, &p.proposed_by),
            "supporters": ref_ids(data, &p.supporters),
            "opponents": ref_ids(data, &p.opponents),
            "date": date(p.date),
            "components": p.components.iter().map(|c| &c.source).collect::<Vec<_>>(),
        }),
        KindData::Source(s) => json!({
            "publisher": s.publisher,
            "url": s.url,
            "date": date(s.date),
            "author": s.author,
            "type": s.source_type.map(|t| enum_name(&t)),
        }),
        KindData::Page => json!({}),
    }
}

/// What points at the entity: the other end of every relation in `data`,
/// `sources`, fact sources and `mentions` of other entities.
fn relations(data: &SiteData<'_>, i: EntityIdx) -> Value {
    let b = &data.relations[i];
    let mut map = Map::new();
    map.insert(
        "attended".into(),
        Value::Array(
            b.attended
                .iter()
                .map(|(m, role)| json!({"id": data.entities[*m].id, "role": role}))
                .collect(),
        ),
    );
    for (key, list) in [
        ("hosted", &b.hosted),
        ("proposed", &b.proposed),
        ("supports", &b.supports),
        ("opposes", &b.opposes),
        ("member_of", &b.member_of),
        ("affiliates", &b.affiliates),
        ("discussed_in", &b.discussed_in),
    ] {
        map.insert(key.into(), ids(data, list));
    }
    map.insert(
        "cited_by_facts".into(),
        Value::Array(
            b.cited_by_facts
                .iter()
                .map(|(p, label)| json!({"id": data.entities[*p].id, "label": label}))
                .collect(),
        ),
    );
    map.insert("cited_by_pages".into(), ids(data, &b.cited_by_pages));
    map.insert("mentioned_by".into(), ids(data, &b.mentioned_by));
    map.insert(
        "previous_meeting".into(),
        b.previous_meeting.map_or(Value::Null, |m| id_of(data, m)),
    );
    map.insert(
        "next_meeting".into(),
        b.next_meeting.map_or(Value::Null, |m| id_of(data, m)),
    );
    Value::Object(map)
}

/// `data/timeline.json`: TimelineJS3's format — a `title` slide and one
/// event slide per meeting and dated proposal, grouped by kind.
pub fn timeline(data: &SiteData<'_>) -> OutFile {
    let e = data.entities;
    let mut dated: Vec<EntityIdx> = (0..e.len())
        .filter(|&i| matches!(e.kind(i), Kind::Meeting | Kind::Proposal) && e[i].date().is_some())
        .collect();
    dated.sort_by(|&a, &b| {
        (e[a].date(), &e[a].title, &e[a].id).cmp(&(e[b].date(), &e[b].title, &e[b].id))
    });
    let events: Vec<Value> = dated.into_iter().filter_map(|i| slide(data, i)).collect();
    let config = data.config;
    file(
        TIMELINE_FILE,
        &json!({
            "title": {
                "text": {
                    "headline": escape(&config.title),
                    "text": format!("<p>{}</p>", escape(&config.description)),
                },
            },
            "events": events,
        }),
    )
}

/// TimelineJS's date: only the parts known (it supports a year alone, or
/// a year and month), and the words for an approximate one.
fn tl_date(t: &super::dates::DateWords, w: When) -> Value {
    let d = w.first;
    let mut out = Map::new();
    out.insert("year".into(), json!(d.year));
    if w.precision >= Precision::Month {
        out.insert("month".into(), json!(d.month));
    }
    if w.precision == Precision::Day {
        out.insert("day".into(), json!(d.day));
    }
    if w.approximate {
        out.insert("display_date".into(), json!(super::dates::when(t, &w)));
    }
    Value::Object(out)
}

fn slide(data: &SiteData<'_>, i: EntityIdx) -> Option<Value> {
    let e = &data.entities[i];
    let start = e.when()?;
    let url = data.paths[i].absolute(&data.base);
    let mut text = String::new();
    if let Some(summary) = &e.summary {
        text.push_str(&format!("<p>{}</p>", escape(summary)));
    }
    let t = &data.config.strings;
    let status = status_of(e)
        .map(|s| {
            format!(
                "{}: {}. ",
                t.kind_name(e.kind),
                super::svg::status_words(t, &s)
            )
        })
        .map(|s| {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    text.push_str(&format!(
        "<p>{}<a href=\"{}\">{}</a></p>",
        escape(&status),
        escape(&url),
        escape(t.text("read_more"))
    ));
    let mut slide = Map::new();
    slide.insert("start_date".into(), tl_date(&t.dates, start));
    if let KindData::Meeting(m) = &e.data
        && let Some(end) = m.end_date.filter(|end| Some(*end) != m.date)
    {
        slide.insert("end_date".into(), tl_date(&t.dates, end));
    }
    slide.insert(
        "text".into(),
        json!({"headline": escape(&e.title), "text": text}),
    );
    slide.insert("group".into(), json!(t.kind_title(e.kind)));
    slide.insert("unique_id".into(), json!(e.id.replace('/', "-")));
    Some(Value::Object(slide))
}
