//! RENDER: schema.org JSON-LD for each page, mapped from the content model.
//! Input: the resolved site and the page's frame; output: the text of the
//! page's `<script type="application/ld+json">`.
//!
//! An entity page is an `@graph` of two nodes: the page (`WebPage`, or
//! `FAQPage` when it has answered reader questions), which carries the
//! `citation`s of its key facts and sources, and the thing it is `about`:
//! actors as `Person` / `Organization` / `Country`, meetings as `Event`,
//! proposals as `CreativeWork` (`Legislation` for a bill), sources as
//! `Article` / `SocialMediaPosting` / `CreativeWork` with `publisher` and
//! `url`. Only properties whose schema.org domain includes the node's type
//! are used; where the content model has no valid property it is left out:
//! a meeting's previous and next meeting (an `Event` has no such property;
//! `superEvent`/`subEvent` mean something else), a proposal's supporters
//! and opponents, a meeting's outcome.

use serde_json::{Map, Value, json};

use super::context::Frame;
use super::site_pages::Job;
use super::views::SiteData;
use crate::content::model::*;

/// Appended to an entity page's URL to name the thing the page is about,
/// as distinct from the page itself.
const SUBJECT_FRAGMENT: &str = "#subject";

/// Words in a proposal's title that make it a bill, typed `Legislation`.
const LEGISLATION_WORDS: &[&str] = &["bill", "act", "law", "statute"];

/// The JSON-LD text for one page, safe to place inside `<script>`.
pub fn for_job(data: &SiteData<'_>, job: &Job, frame: &Frame) -> String {
    let language = &frame.site.language;
    let mut value = match job {
        Job::Entity(i) => return script_safe(&entity_graph(data, *i, language)),
        Job::Home => website(data, frame),
        Job::Search => page_node("SearchResultsPage", data, frame),
        Job::NotFound => page_node("WebPage", data, frame),
        _ => page_node("CollectionPage", data, frame),
    };
    if let Value::Object(map) = &mut value {
        map.insert("@context".into(), json!("https://schema.org"));
        map.insert("inLanguage".into(), json!(language));
    }
    script_safe(&value)
}

/// Serialises JSON so that no `<`, `>` or `&` appears literally: `</script>`
/// in a title cannot end the script element.
pub fn script_safe(value: &Value) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn website(data: &SiteData<'_>, frame: &Frame) -> Value {
    let mut site = Map::new();
    site.insert("@type".into(), json!("WebSite"));
    site.insert("@id".into(), json!(data.base));
    site.insert("name".into(), json!(frame.site.title));
    if !frame.site.description.is_empty() {
        site.insert("description".into(), json!(frame.site.description));
    }
    site.insert("url".into(), json!(frame.permalink));
    site.insert(
        "potentialAction".into(),
        json!({
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": format!("{}search/?q={{search_term_string}}", data.base)},
            "query-input": "required name=search_term_string",
        }),
    );
    Value::Object(site)
}

/// A page that is not an entity: lists, timeline, tags, search, 404.
fn page_node(kind: &str, data: &SiteData<'_>, frame: &Frame) -> Value {
    let mut m = Map::new();
    m.insert("@type".into(), json!(kind));
    m.insert("name".into(), json!(frame.page_title));
    m.insert("url".into(), json!(frame.permalink));
    if !frame.description.is_empty() {
        m.insert("description".into(), json!(frame.description));
    }
    m.insert("isPartOf".into(), site_ref(data));
    Value::Object(m)
}

fn site_ref(data: &SiteData<'_>) -> Value {
    json!({"@type": "WebSite", "@id": data.base, "name": data.config.title, "url": data.base})
}

fn url(data: &SiteData<'_>, i: EntityIdx) -> String {
    data.paths[i].absolute(&data.base)
}

fn subject_id(data: &SiteData<'_>, i: EntityIdx) -> String {
    format!("{}{SUBJECT_FRAGMENT}", url(data, i))
}

/// The schema.org type of an entity on its own page.
fn type_name(e: &Entity) -> &'static str {
    match &e.data {
        KindData::Actor(a) => match a.actor_type {
            Some(ActorType::Person) => "Person",
            Some(ActorType::Country) => "Country",
            _ => "Organization",
        },
        KindData::Meeting(_) => "Event",
        KindData::Proposal(_) if is_legislation(e) => "Legislation",
        KindData::Proposal(_) => "CreativeWork",
        KindData::Source(s) => match s.source_type {
            Some(SourceType::Article) => "Article",
            Some(SourceType::Social) => "SocialMediaPosting",
            _ => "CreativeWork",
        },
        KindData::Page => "WebPage",
    }
}

/// A proposal whose title names it a bill or act.
fn is_legislation(e: &Entity) -> bool {
    e.title
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| LEGISLATION_WORDS.contains(&w.to_lowercase().as_str()))
}

/// A short reference to another entity: type, name, url and `@id`.
fn thing(data: &SiteData<'_>, r: &Ref) -> Option<Value> {
    let i = r.target?;
    let e = &data.entities[i];
    Some(
        json!({"@type": type_name(e), "@id": subject_id(data, i), "name": e.title, "url": url(data, i)}),
    )
}

fn things(data: &SiteData<'_>, refs: &[Ref]) -> Vec<Value> {
    refs.iter().filter_map(|r| thing(data, r)).collect()
}

/// An actor where schema.org expects a Person or an Organization
/// (`attendee`, `organizer`, `author`, `member`, `affiliation`): a country
/// acts through its government, a `GovernmentOrganization`.
fn agent(data: &SiteData<'_>, r: &Ref) -> Option<Value> {
    let i = r.target?;
    let e = &data.entities[i];
    let KindData::Actor(a) = &e.data else {
        return None;
    };
    let value = match a.actor_type {
        Some(ActorType::Person) => {
            json!({"@type": "Person", "@id": subject_id(data, i), "name": e.title, "url": url(data, i)})
        }
        Some(ActorType::Country) => {
            json!({"@type": "GovernmentOrganization", "name": e.title, "url": url(data, i)})
        }
        _ => {
            json!({"@type": "Organization", "@id": subject_id(data, i), "name": e.title, "url": url(data, i)})
        }
    };
    Some(value)
}

fn agents(data: &SiteData<'_>, refs: &[Ref]) -> Vec<Value> {
    refs.iter().filter_map(|r| agent(data, r)).collect()
}

/// A source as something cited: the original's address when known.
fn citation(data: &SiteData<'_>, i: EntityIdx) -> Value {
    let e = &data.entities[i];
    let mut m = Map::new();
    m.insert("@type".into(), json!(type_name(e)));
    m.insert("@id".into(), json!(subject_id(data, i)));
    m.insert("name".into(), json!(e.title));
    if let KindData::Source(s) = &e.data {
        m.insert(
            "url".into(),
            json!(s.url.clone().unwrap_or_else(|| url(data, i))),
        );
        if let Some(p) = &s.publisher {
            m.insert(
                "publisher".into(),
                json!({"@type": "Organization", "name": p}),
            );
        }
    } else {
        m.insert("url".into(), json!(url(data, i)));
    }
    Value::Object(m)
}

/// Every source the page's key facts and `sources` cite, first cited
/// first; a source page citing itself is left out.
fn citations(data: &SiteData<'_>, this: EntityIdx) -> Vec<Value> {
    let e = &data.entities[this];
    let mut seen: Vec<EntityIdx> = Vec::new();
    for i in e
        .key_facts
        .iter()
        .flat_map(|f| &f.sources)
        .chain(&e.sources)
        .filter_map(|r| r.target)
    {
        if i != this && !seen.contains(&i) {
            seen.push(i);
        }
    }
    seen.into_iter().map(|i| citation(data, i)).collect()
}

/// The page node and the node of the thing it is about.
/// The page's `image:` as an ImageObject, with its credit and licence.
fn lead_image(data: &SiteData<'_>, i: EntityIdx) -> Option<Value> {
    let lead = data.prepared.get(i)?.lead.as_ref()?;
    let mut image = Map::new();
    image.insert("@type".into(), json!("ImageObject"));
    image.insert(
        "contentUrl".into(),
        json!(format!("{}{}", data.base, lead.file)),
    );
    image.insert("width".into(), json!(lead.width));
    image.insert("height".into(), json!(lead.height));
    if !lead.alt.is_empty() {
        image.insert("description".into(), json!(lead.alt));
    }
    if let Some(credit) = &lead.credit {
        image.insert("creditText".into(), json!(credit));
        image.insert("copyrightNotice".into(), json!(credit));
    }
    if let Some(licence) = &lead.licence {
        image.insert("license".into(), json!(licence));
    }
    Some(Value::Object(image))
}

fn entity_graph(data: &SiteData<'_>, i: EntityIdx, language: &str) -> Value {
    let e = &data.entities[i];
    let questions = faq_questions(data, i);
    let mut page = Map::new();
    let page_type = if !questions.is_empty() {
        "FAQPage"
    } else {
        "WebPage"
    };
    page.insert("@type".into(), json!(page_type));
    page.insert("@id".into(), json!(url(data, i)));
    page.insert("url".into(), json!(url(data, i)));
    page.insert("name".into(), json!(e.title));
    if let Some(s) = &e.summary {
        page.insert("description".into(), json!(s));
    }
    page.insert("inLanguage".into(), json!(language));
    page.insert("isPartOf".into(), site_ref(data));
    if let Some(d) = e.updated {
        page.insert("dateModified".into(), json!(d.iso()));
    }
    if !e.tags.is_empty() {
        page.insert("keywords".into(), json!(e.tags.join(", ")));
    }
    let cited = citations(data, i);
    if !cited.is_empty() {
        page.insert("citation".into(), json!(cited));
    }
    let corrections = corrections(data, i);
    if !corrections.is_empty() {
        page.insert("correction".into(), json!(corrections));
    }
    if let Some(image) = lead_image(data, i) {
        page.insert("image".into(), image);
    }
    let mut graph = Vec::new();
    if e.kind != Kind::Page {
        page.insert("about".into(), json!({"@id": subject_id(data, i)}));
        graph.push(subject(data, i));
    }
    if !questions.is_empty() {
        page.insert("mainEntity".into(), json!(questions));
    } else if e.kind != Kind::Page {
        page.insert("mainEntity".into(), json!({"@id": subject_id(data, i)}));
    }
    graph.insert(0, Value::Object(page));
    json!({"@context": "https://schema.org", "@graph": graph})
}

/// The page's corrections and clarifications, newest first, as schema.org
/// `CorrectionComment`s (an update is news, not a correction).
fn corrections(data: &SiteData<'_>, i: EntityIdx) -> Vec<Value> {
    let e = &data.entities[i];
    super::changes::newest_first(&e.changes)
        .into_iter()
        .filter(|&n| e.changes[n].kind != ChangeKind::Update)
        .map(|n| {
            let c = &e.changes[n];
            json!({
                "@type": "CorrectionComment",
                "url": format!("{}#change-{}", url(data, i), n + 1),
                "datePublished": c.date.iso(),
                "text": c.text,
            })
        })
        .collect()
}

/// The node of the actor, meeting, proposal or source a page is about.
fn subject(data: &SiteData<'_>, i: EntityIdx) -> Value {
    let e = &data.entities[i];
    let mut m = Map::new();
    m.insert("@type".into(), json!(type_name(e)));
    m.insert("@id".into(), json!(subject_id(data, i)));
    m.insert("name".into(), json!(e.title));
    m.insert("url".into(), json!(url(data, i)));
    m.insert("mainEntityOfPage".into(), json!(url(data, i)));
    if let Some(s) = &e.summary {
        m.insert("description".into(), json!(s));
    }
    if !e.aliases.is_empty() {
        m.insert("alternateName".into(), json!(e.aliases));
    }
    match &e.data {
        KindData::Actor(a) => actor(data, a, &mut m),
        KindData::Meeting(meeting) => event(data, meeting, &mut m),
        KindData::Proposal(p) => proposal(data, p, &mut m),
        KindData::Source(s) => source(s, &mut m),
        KindData::Page => {}
    }
    Value::Object(m)
}

fn actor(data: &SiteData<'_>, a: &Actor, m: &mut Map<String, Value>) {
    let country = a
        .country
        .as_ref()
        .map(|c| json!({"@type": "Country", "name": c}));
    let affiliation = a.affiliation.as_ref().and_then(|r| agent(data, r));
    match a.actor_type {
        Some(ActorType::Person) => {
            insert_some(m, "jobTitle", a.role.as_ref().map(|r| json!(r)));
            insert_some(m, "nationality", country);
            insert_some(m, "affiliation", affiliation);
            insert_some(m, "birthDate", a.born.map(|d| json!(d.iso())));
        }
        Some(ActorType::Country) => {
            insert_some(
                m,
                "disambiguatingDescription",
                a.role.as_ref().map(|r| json!(r)),
            );
        }
        _ => {
            insert_some(
                m,
                "disambiguatingDescription",
                a.role.as_ref().map(|r| json!(r)),
            );
            insert_some(m, "location", country);
            insert_some(m, "memberOf", affiliation);
            let members = agents(data, &a.members);
            if !members.is_empty() {
                m.insert("member".into(), json!(members));
            }
            insert_some(m, "foundingDate", a.founded.map(|d| json!(d.iso())));
        }
    }
}

fn event(data: &SiteData<'_>, meeting: &Meeting, m: &mut Map<String, Value>) {
    // A date to be announced has no startDate; ISO 8601 has `2025-04`.
    if let Some(date) = meeting.date {
        m.insert("startDate".into(), json!(date.iso()));
        let end = meeting.end_date.unwrap_or(date);
        m.insert("endDate".into(), json!(end.iso()));
    }
    if let Some(loc) = &meeting.location {
        m.insert("location".into(), json!({"@type": "Place", "name": loc}));
    }
    insert_some(
        m,
        "organizer",
        meeting.host.as_ref().and_then(|r| agent(data, r)),
    );
    let attendees: Vec<Value> = meeting
        .participants
        .iter()
        .filter_map(|p| agent(data, &p.actor))
        .collect();
    if !attendees.is_empty() {
        m.insert("attendee".into(), json!(attendees));
    }
    let discussed = things(data, &meeting.proposals);
    if !discussed.is_empty() {
        m.insert("about".into(), json!(discussed));
    }
    // A held meeting took place as scheduled: schema.org's EventScheduled
    // covers events that "have taken place on the startDate as scheduled".
    let status = match meeting.status {
        Some(MeetingStatus::Cancelled) => "https://schema.org/EventCancelled",
        Some(MeetingStatus::Postponed) => "https://schema.org/EventPostponed",
        _ => "https://schema.org/EventScheduled",
    };
    m.insert("eventStatus".into(), json!(status));
    let mode = match meeting.format {
        Some(MeetingFormat::Video | MeetingFormat::Call) => {
            "https://schema.org/OnlineEventAttendanceMode"
        }
        Some(MeetingFormat::Hybrid) => "https://schema.org/MixedEventAttendanceMode",
        _ => "https://schema.org/OfflineEventAttendanceMode",
    };
    m.insert("eventAttendanceMode".into(), json!(mode));
}

fn proposal(data: &SiteData<'_>, p: &Proposal, m: &mut Map<String, Value>) {
    insert_some(
        m,
        "creativeWorkStatus",
        p.status.map(|s| json!(super::views::enum_name(&s))),
    );
    let authors = agents(data, &p.proposed_by);
    if !authors.is_empty() {
        m.insert("author".into(), json!(authors));
    }
    insert_some(m, "dateCreated", p.date.map(|d| json!(d.iso())));
}

fn source(s: &Source, m: &mut Map<String, Value>) {
    if let Some(u) = &s.url {
        m.insert("url".into(), json!(u));
    }
    insert_some(
        m,
        "publisher",
        s.publisher
            .as_ref()
            .map(|p| json!({"@type": "Organization", "name": p})),
    );
    insert_some(m, "datePublished", s.date.map(|d| json!(d.iso())));
    insert_some(
        m,
        "author",
        s.author
            .as_ref()
            .map(|a| json!({"@type": "Person", "name": a})),
    );
}

fn insert_some(m: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        m.insert(key.into(), v);
    }
}

/// Answered reader questions, answers as plain text; open ones are left
/// out, since a `Question` in an FAQPage needs an `acceptedAnswer`.
fn faq_questions(data: &SiteData<'_>, i: EntityIdx) -> Vec<Value> {
    let e = &data.entities[i];
    let answers = data.prepared.get(i).map(|p| p.answers.as_slice());
    e.questions
        .iter()
        .enumerate()
        .filter_map(|(n, q)| {
            let source = q.answer.as_ref()?;
            let text = answers
                .and_then(|a| a.get(n).cloned().flatten())
                .map(|html| super::plain::text(&html))
                .unwrap_or_else(|| source.source.clone());
            Some(json!({
                "@type": "Question",
                "name": q.question,
                "acceptedAnswer": {"@type": "Answer", "text": text},
            }))
        })
        .collect()
}
