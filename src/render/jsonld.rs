//! RENDER: schema.org JSON-LD for each page, mapped from the content model:
//! actors as Person / Organization / Country, meetings as Event, proposals
//! and sources as CreativeWork, answered reader questions as FAQPage.

use serde_json::{Map, Value, json};

use super::context::Frame;
use super::site_pages::Job;
use super::views::SiteData;
use crate::content::model::*;

/// The JSON-LD text for one page, safe to place inside `<script>`.
pub fn for_job(data: &SiteData<'_>, job: &Job, frame: &Frame) -> String {
    let value = match job {
        Job::Entity(i) => entity(data, *i),
        Job::Home => {
            json!({"@type": "WebSite", "name": frame.site.title, "description": frame.site.description, "url": frame.permalink})
        }
        Job::Search => {
            json!({"@type": "SearchResultsPage", "name": frame.page_title, "url": frame.permalink})
        }
        _ => json!({"@type": "CollectionPage", "name": frame.page_title, "url": frame.permalink}),
    };
    let mut value = value;
    if let Value::Object(map) = &mut value {
        map.insert("@context".into(), json!("https://schema.org"));
        map.insert("inLanguage".into(), json!(frame.site.language));
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

fn url(data: &SiteData<'_>, i: EntityIdx) -> String {
    data.paths[i].absolute(&data.base)
}

fn thing(data: &SiteData<'_>, r: &Ref) -> Option<Value> {
    let i = r.target?;
    let e = &data.entities[i];
    Some(json!({"@type": type_name(e), "name": e.title, "url": url(data, i)}))
}

fn things(data: &SiteData<'_>, refs: &[Ref]) -> Vec<Value> {
    refs.iter().filter_map(|r| thing(data, r)).collect()
}

fn type_name(e: &Entity) -> &'static str {
    match &e.data {
        KindData::Actor(a) => match a.actor_type {
            Some(ActorType::Person) => "Person",
            Some(ActorType::Country) => "Country",
            _ => "Organization",
        },
        KindData::Meeting(_) => "Event",
        KindData::Proposal(_) | KindData::Source(_) => "CreativeWork",
        KindData::Page => "WebPage",
    }
}

fn entity(data: &SiteData<'_>, i: EntityIdx) -> Value {
    let e = &data.entities[i];
    let mut m = Map::new();
    m.insert("@type".into(), json!(type_name(e)));
    m.insert("name".into(), json!(e.title));
    m.insert("url".into(), json!(url(data, i)));
    if let Some(s) = &e.summary {
        m.insert("description".into(), json!(s));
    }
    if !e.aliases.is_empty() {
        m.insert("alternateName".into(), json!(e.aliases));
    }
    let citations: Vec<Value> = e
        .key_facts
        .iter()
        .flat_map(|f| &f.sources)
        .chain(&e.sources)
        .filter_map(|r| thing(data, r))
        .collect();
    let mut unique: Vec<Value> = Vec::new();
    for c in citations {
        if !unique.contains(&c) {
            unique.push(c);
        }
    }
    match &e.data {
        KindData::Actor(a) => {
            if let Some(role) = &a.role {
                m.insert(
                    if a.actor_type == Some(ActorType::Person) {
                        "jobTitle"
                    } else {
                        "disambiguatingDescription"
                    }
                    .into(),
                    json!(role),
                );
            }
            if let Some(aff) = a.affiliation.as_ref().and_then(|r| thing(data, r)) {
                m.insert(
                    if a.actor_type == Some(ActorType::Person) {
                        "affiliation"
                    } else {
                        "parentOrganization"
                    }
                    .into(),
                    aff,
                );
            }
            if !a.members.is_empty() {
                m.insert("member".into(), json!(things(data, &a.members)));
            }
        }
        KindData::Meeting(meeting) => event(data, meeting, &mut m),
        KindData::Proposal(p) => {
            m.insert(
                "creativeWorkStatus".into(),
                json!(p.status.map(|s| super::views::enum_name(&s))),
            );
            if !p.proposed_by.is_empty() {
                m.insert("author".into(), json!(things(data, &p.proposed_by)));
            }
            if let Some(d) = p.date {
                m.insert("dateCreated".into(), json!(d.to_string()));
            }
            if !unique.is_empty() {
                m.insert("citation".into(), json!(unique));
            }
        }
        KindData::Source(s) => {
            if let Some(p) = &s.publisher {
                m.insert(
                    "publisher".into(),
                    json!({"@type": "Organization", "name": p}),
                );
            }
            if let Some(u) = &s.url {
                m.insert("sameAs".into(), json!(u));
            }
            if let Some(d) = s.date {
                m.insert("datePublished".into(), json!(d.to_string()));
            }
            if let Some(a) = &s.author {
                m.insert("author".into(), json!({"@type": "Person", "name": a}));
            }
        }
        KindData::Page => {}
    }
    let page = Value::Object(m);
    let faq = faq(e);
    let mut graph = vec![page];
    graph.extend(faq);
    json!({"@graph": graph})
}

fn event(data: &SiteData<'_>, meeting: &Meeting, m: &mut Map<String, Value>) {
    m.insert("startDate".into(), json!(meeting.date.to_string()));
    if let Some(end) = meeting.end_date {
        m.insert("endDate".into(), json!(end.to_string()));
    }
    if let Some(loc) = &meeting.location {
        m.insert("location".into(), json!({"@type": "Place", "name": loc}));
    }
    if let Some(host) = meeting.host.as_ref().and_then(|r| thing(data, r)) {
        m.insert("organizer".into(), host);
    }
    let attendees: Vec<Value> = meeting
        .participants
        .iter()
        .filter_map(|p| thing(data, &p.actor))
        .collect();
    if !attendees.is_empty() {
        m.insert("attendee".into(), json!(attendees));
    }
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

/// Answered reader questions as an FAQPage; open ones are left out, since
/// FAQPage asks for an accepted answer.
fn faq(e: &Entity) -> Option<Value> {
    let answered: Vec<Value> = e
        .questions
        .iter()
        .filter_map(|q| {
            let answer = q.answer.as_ref()?;
            Some(json!({"@type": "Question", "name": q.question, "acceptedAnswer": {"@type": "Answer", "text": answer.source}}))
        })
        .collect();
    (!answered.is_empty()).then(|| json!({"@type": "FAQPage", "mainEntity": answered}))
}
