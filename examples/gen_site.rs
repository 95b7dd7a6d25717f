//! Generates a synthetic explainer site for build benchmarks.
//!
//! ```text
//! cargo run --release --example gen_site -- N DIR [--hugo] [--autolink] [--seed S] [--force]
//!     [--translate-half LANG]
//! ```
//!
//! Writes `DIR/site.yaml` and `DIR/content/` in the format of the content
//! contract (about N entity pages: 40% actors, 30% meetings, 20% proposals,
//! 10% sources) and, with `--hugo`, the same corpus as a Hugo site in
//! `DIR-hugo/` (layouts from `benches/hugo-layouts/`), so both tools can be
//! timed on identical content (see `scripts/bench.sh`, `docs/performance.md`).
//!
//! Why a generator rather than a checked-in corpus: a 100,000-page site is
//! half a gigabyte. Why here rather than a script: the repository stays
//! self-contained and the only toolchain it needs is Cargo.
//!
//! The shape aims at a real explainer: 300–900-word bodies with headings, a
//! list and a table; 5–15 `[[refs]]` per page in all three forms; meetings
//! with hosts, 3–12 participants and proposals; proposals with backers and
//! opponents; 3–6 key facts, each citing existing sources; 2–4 reader
//! questions; about 50 tags. Every ref resolves: slugs are unique across
//! kinds, so bare slugs are never ambiguous.
//!
//! With `--translate-half uk`, `site.yaml` lists `languages: [en, uk]` and
//! every second entity gets a translation file (`x.uk.md`: title, summary
//! and a body as long as the original's), for the two-language benchmark
//! (`scripts/lang_bench.sh`).
//!
//! Output depends only on N, `--seed`, `--autolink` and `--translate-half`: one splitmix64
//! generator, no clock, and no hash-map iteration (maps are only looked up).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::{env, fs, process};

const DEFAULT_SEED: u64 = 20_250_121;
const USAGE: &str = "usage: gen_site N DIR [--hugo] [--autolink] [--seed S] [--force] [--translate-half LANG]\n\
     \n  N           number of entity pages (at least 20)\
     \n  DIR         output folder; DIR-hugo too with --hugo\
     \n  --hugo      also write the same corpus as a Hugo site to DIR-hugo\
     \n  --autolink  set `autolink: true` in site.yaml (Hugo has no equivalent)\
     \n  --seed S    another corpus of the same shape\
     \n  --force     replace DIR (and DIR-hugo) if they exist\
     \n  --translate-half LANG\
     \n              a second language: a translation of every second entity";

fn main() {
    let args = match Args::parse(env::args().skip(1)) {
        Ok(args) => args,
        Err(msg) if msg == "help" => {
            println!("{USAGE}");
            return;
        }
        Err(msg) => {
            eprintln!("gen_site: {msg}\n\n{USAGE}");
            process::exit(2);
        }
    };
    if let Err(e) = run(&args) {
        eprintln!("gen_site: {e}");
        process::exit(1);
    }
}

fn run(args: &Args) -> Result<(), String> {
    let hugo_dir = PathBuf::from(format!("{}-hugo", args.dir.display()));
    prepare_dir(&args.dir, args.force)?;
    if args.hugo {
        prepare_dir(&hugo_dir, args.force)?;
    }
    let mut corpus = Corpus::generate(args.n, args.seed);
    let spec = SpecWriter {
        root: args.dir.clone(),
        autolink: args.autolink,
        translate: args.translate.clone(),
    };
    let hugo = args.hugo.then_some(HugoWriter { root: hugo_dir });
    spec.write_site(&corpus).map_err(io_err)?;
    if let Some(h) = &hugo {
        h.write_site(&corpus).map_err(io_err)?;
    }
    let mut stats = Stats::default();
    for i in 0..corpus.ents.len() {
        // Bodies are made one at a time and dropped once written, so memory
        // stays flat at 100,000 pages.
        let body = corpus.body(i);
        stats.add(&body);
        spec.write_page(&corpus, i, &body).map_err(io_err)?;
        if let Some(h) = &hugo {
            h.write_page(&corpus, i, &body).map_err(io_err)?;
        }
    }
    println!("{}", stats.summary(&corpus));
    Ok(())
}

fn io_err(e: std::io::Error) -> String {
    format!("cannot write: {e}")
}

/// Refuses to mix a new corpus into an old one: DIR must be absent or empty,
/// unless `--force` says it may be replaced.
fn prepare_dir(dir: &Path, force: bool) -> Result<(), String> {
    let occupied = fs::read_dir(dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if occupied {
        if !force {
            return Err(format!(
                "{} exists and is not empty (pass --force to replace it)",
                dir.display()
            ));
        }
        fs::remove_dir_all(dir).map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Command line

struct Args {
    n: usize,
    dir: PathBuf,
    hugo: bool,
    autolink: bool,
    force: bool,
    seed: u64,
    /// `--translate-half LANG`.
    translate: Option<String>,
}

impl Args {
    fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut positional = Vec::new();
        let (mut hugo, mut autolink, mut force, mut seed) = (false, false, false, DEFAULT_SEED);
        let mut translate = None;
        while let Some(a) = it.next() {
            match a.as_str() {
                "--hugo" => hugo = true,
                "--autolink" => autolink = true,
                "--force" => force = true,
                "--seed" => {
                    let s = it.next().ok_or("--seed needs a number")?;
                    seed = s.parse().map_err(|_| format!("bad seed {s:?}"))?;
                }
                "--translate-half" => {
                    let lang = it.next().ok_or("--translate-half needs a language code")?;
                    if lang.is_empty()
                        || lang == "en"
                        || !lang.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    {
                        return Err(format!("bad language code {lang:?}"));
                    }
                    translate = Some(lang);
                }
                "-h" | "--help" => return Err("help".into()),
                _ if a.starts_with('-') => return Err(format!("unknown option {a}")),
                _ => positional.push(a),
            }
        }
        let [n, dir] = <[String; 2]>::try_from(positional).map_err(|_| "expected N and DIR")?;
        let n: usize = n
            .parse()
            .map_err(|_| format!("N must be a number, not {n:?}"))?;
        if n < 20 {
            return Err("N must be at least 20".into());
        }
        let dir = PathBuf::from(dir.trim_end_matches('/'));
        Ok(Args {
            n,
            dir,
            hugo,
            autolink,
            force,
            seed,
            translate,
        })
    }
}

// ---------------------------------------------------------------------------
// Randomness: splitmix64, integers only, so output is the same everywhere.

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is below 2^-40 here).
    fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, usize)]) -> T {
        let total: usize = items.iter().map(|&(_, w)| w).sum();
        let mut r = self.below(total);
        for &(item, w) in items {
            if r < w {
                return item;
            }
            r -= w;
        }
        unreachable!("r < total")
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }

    /// `k` distinct indices of `0..n`, in random order.
    fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..n).collect();
        for i in 0..k.min(n) {
            let j = i + self.below(n - i);
            idx.swap(i, j);
        }
        idx.truncate(k.min(n));
        idx
    }
}

// ---------------------------------------------------------------------------
// Calendar dates

/// The library's calendar date: days since 1970 convert both ways there.
use explainer::content::model::Date;

/// Days from 1970-01-01 of the first and last day content is dated in.
const FIRST_DAY: i64 = 17_897; // 2019-01-01
const LAST_DAY: i64 = 20_453; // 2025-12-31

fn plus_days(date: Date, n: i64) -> Date {
    Date::from_days_since_epoch(date.days_since_epoch() + n)
}

// ---------------------------------------------------------------------------
// Word pools. Every name is made up.

fn words(s: &'static str) -> Vec<&'static str> {
    s.split_whitespace().collect()
}

fn lines(s: &'static str) -> Vec<&'static str> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

static FIRST: LazyLock<Vec<&str>> = LazyLock::new(|| {
    words(
        "Adela Adrian Aino Alexei Amara Anders Anja Arvid Aurelio Ayla Bastien Bela Bogdan \
         Brigid Casimir Celeste Cyrus Dalia Damir Danae Darius Delphine Dmitar Edda Elio Elin \
         Emre Esme Ewa Fabian Farida Felix Fenna Florin Galen Gideon Greta Hakon Halina Hana \
         Idris Ilse Ines Ingrid Irena Isko Ivo Jalen Janek Joost Jovana Kaito Kalina Karim \
         Kasia Kerem Kira Lajos Lars Leila Lenka Lior Livia Lucan Luka Maelle Malik Marit \
         Matteo Milena Mira Mirko Nadia Nadir Nils Noor Oksan Olek Olivera Orla Oskar Paloma \
         Pavel Petra Quinn Radek Rasa Renata Rhea Rosalind Ruslan Sabine Samir Selin Senta \
         Silas Sofija Stellan Svea Tamsin Tarik Teodor Thea Tomas Ugo Una Valter Vesna Viggo \
         Vira Wanda Yara Yusuf Zaira Zdenek Zora",
    )
});

static LAST: LazyLock<Vec<&str>> = LazyLock::new(|| {
    words(
        "Abelard Adamek Aldane Alvhem Amsel Antonescu Arkwright Aslund Baranek Barrow \
         Belcourt Berisha Birkeland Blom Bodnar Borowik Brandt Brightwater Calder Castellan \
         Cerny Chalmers Corvin Dalca Danek Dargan Delacroix Demir Dobrev Dorsey Draganov \
         Dunmore Eberhardt Ekwall Elsner Eriksen Esposto Falk Faraday Fedorin Ferrand \
         Fischbach Florea Galanis Garrow Gelbart Gorsky Grabowski Haldane Halloran Havel \
         Hellstrom Holub Horvath Ilic Iversen Jankovic Jarl Jessop Kaczmar Kallas Karlsen \
         Kessler Kirov Kovalenko Kralj Lambros Landry Larkspur Lavrov-Heath Lindqvist Lorenz \
         Malinar Marchetti Mazur Meriwether Mikkelsen Moravec Nagy Navarre Nemeth Novak \
         Okafor Olsen Orban Ostrander Palmer Pavlenko Pellegrini Petrov-Lind Pohl Quarles \
         Radu Rasmussen Redwine Renwick Rocha Rusu Salvesen Sandor Savic Selby Sepp Sirko \
         Skov Sorel Stanek Stoica Strand Sutter Szabo Talbot Tamm Tesar Thorne Toivonen \
         Torvik Uhlan Urquhart Vadas Valen Varga Vasko Verhoef Vidal Voss Wakefield Wendt \
         Whitlock Wojcik Yilmaz Zaric Zeller Zubek",
    )
});

static SYL_A: LazyLock<Vec<&str>> = LazyLock::new(|| {
    words(
        "Val Kes Mar Or Ist Bel Dra Sol Tor Ar Vel Nor Cal Lys Ost Mir Pra Ser Zan Var Ul Quen Bal Tes Hal Kor Ren Sav Eld Vor",
    )
});
static SYL_B: LazyLock<Vec<&str>> =
    LazyLock::new(|| words("do re ve li ra sta no ma ka ti be lo mi va se"));
static SYL_C: LazyLock<Vec<&str>> =
    LazyLock::new(|| words("ria nia land stan via ovia ar esh onia ary"));

static CITIES: LazyLock<Vec<&str>> = LazyLock::new(|| {
    lines(
        "Lisvaard\nPort Mirena\nOstrava Nord\nKelmar\nVantaa Bay\nSelby Cross\nAldren\n\
         Dunmarsh\nTirelle\nHaldor\nNovigrad\nCastelmare\nBrightwater\nKestrel Point\n\
         Varenholm\nSolberg\nMarrowgate\nIlvenne\nRedcliff\nTamsburg\nQuenford\nOrvella\n\
         Ulmhaven\nEastmere\nFjordvik\nPalomar\nZelenberg\nArdmore\nCorvina\nSarnow\nBeltany\n\
         Highcombe\nLindau Sud\nGraymoor\nOstmark\nSaltbridge\nVinterhus\nMorrow Falls\n\
         Caldera Bay\nAshgrove",
    )
});

static ORG_ADJ: LazyLock<Vec<&str>> = LazyLock::new(|| {
    words(
        "Northern Southern Eastern Western Coastal Central Continental Meridian Atlantic \
         Baltic Highland Riverine Joint United Allied Independent Regional Permanent \
         Provisional Civic",
    )
});
static ORG_NOUN: LazyLock<Vec<&str>> = LazyLock::new(|| {
    words(
        "Grain Energy Maritime Border Reconstruction Security Humanitarian Water Transit \
         Refugee Monitoring Trade Railway Nuclear Fisheries Mining Pipeline Customs Health Archive",
    )
});
static ORG_TYPE: LazyLock<Vec<&str>> = LazyLock::new(|| {
    words(
        "Council Agency Commission Authority Office Secretariat Foundation Institute \
         Directorate Bureau Federation Union Trust Board Mission",
    )
});

#[rustfmt::skip]
const GROUP_FMT: &[&str] = &[
    "{country} Contact Group", "Friends of {country}", "{adj} Coalition", "{adj} Caucus",
    "{country} Guarantor Bloc", "{adj} Working Group",
];
#[rustfmt::skip]
const ROLES_PERSON: &[&str] = &[
    "Foreign minister", "Special envoy", "Deputy foreign minister", "Chief negotiator",
    "National security adviser", "Prime minister", "President", "Defence minister", "Ambassador",
    "Spokesperson", "Senior adviser", "Mediator", "Energy minister", "Parliamentary speaker",
    "Head of delegation", "Military attache", "Opposition leader", "Central bank governor",
    "Legal adviser", "Humanitarian coordinator",
];
#[rustfmt::skip]
const ROLES_ORG: &[&str] = &[
    "Mediator", "Monitoring body", "Donor", "Guarantor", "Observer", "Implementing agency",
    "Regional bloc", "Standards body",
];
#[rustfmt::skip]
const PARTICIPANT_ROLES: &[&str] = &[
    "chair", "observer", "head of delegation", "note-taker", "mediator", "guest",
];

#[rustfmt::skip]
const TOPICS: &[&str] = &[
    "ceasefire monitoring", "prisoner exchange", "grain corridor", "energy infrastructure",
    "security guarantees", "sanctions relief", "reconstruction funding", "maritime access",
    "border demarcation", "humanitarian corridors", "nuclear plant safety", "refugee returns",
    "election timetable", "troop withdrawal", "frozen assets", "arms control", "water rights",
    "port access", "debt restructuring", "minority language rights", "power grid repairs",
    "demining", "missing persons", "rail links", "customs checkpoints", "airspace reopening",
    "detainee access", "war crimes inquiry", "pipeline transit fees", "fishing quotas",
];

/// Fifty topic tags; earlier ones are used more often (`Corpus::tags`).
#[rustfmt::skip]
const TAGS: &[&str] = &[
    "ceasefire", "sanctions", "energy", "grain", "prisoners", "security-guarantees",
    "reconstruction", "maritime", "borders", "humanitarian-aid", "nuclear-safety", "refugees",
    "elections", "troop-withdrawal", "frozen-assets", "arms-control", "water", "ports", "debt",
    "language-rights", "mediation", "monitoring", "diplomacy", "summits", "treaties", "trade",
    "infrastructure", "demining", "missing-persons", "rail", "customs", "airspace", "justice",
    "pipelines", "fisheries", "public-opinion", "parliament", "military", "intelligence", "media",
    "civil-society", "donors", "finance", "legal", "timeline", "regional-security", "guarantors",
    "observers", "negotiations", "implementation",
];

#[rustfmt::skip]
const PUBLISHERS: &[&str] = &[
    "The Northern Ledger", "Meridian Wire", "Baltic Courier", "Castelmare Daily",
    "The Harbour Review", "Continental Monitor", "Eastmere Gazette", "Lisvaard Press Agency",
    "The Dispatch Desk", "Quenford Times", "Ilvenne Radio", "Redcliff Post", "Solberg Observer",
    "The Policy Brief", "Atlantic Bulletin",
];

// Enumerations of the content contract, with how often each value occurs.
#[rustfmt::skip]
const ACTOR_TYPES: &[(&str, usize)] = &[
    ("person", 70), ("country", 5), ("organisation", 15), ("group", 10),
];
#[rustfmt::skip]
const MEETING_FORMATS: &[(&str, usize)] = &[
    ("in-person", 60), ("hybrid", 15), ("video", 15), ("call", 10),
];
#[rustfmt::skip]
const MEETING_STATUS: &[(&str, usize)] = &[
    ("held", 70), ("scheduled", 15), ("cancelled", 8), ("postponed", 7),
];
#[rustfmt::skip]
const PROPOSAL_STATUS: &[(&str, usize)] = &[
    ("draft", 10), ("proposed", 25), ("under-negotiation", 25), ("agreed", 12), ("signed", 8),
    ("rejected", 10), ("stalled", 10),
];
#[rustfmt::skip]
const SOURCE_TYPES: &[(&str, usize)] = &[
    ("article", 50), ("statement", 20), ("document", 15), ("interview", 10), ("social", 5),
];

// Text templates. `{A}` `{M}` `{P}` `{S}` name an actor, meeting, proposal or
// source, `{X}` a page of any kind; the others are filled from the pools.
#[rustfmt::skip]
const PROPOSAL_FMT: &[&str] = &[
    "{adj} framework on {topic}", "{n}-point plan for {topic}", "{city} protocol on {topic}",
    "Interim arrangement on {topic}", "{adj} roadmap for {topic}", "Draft accord on {topic}",
    "Phased plan for {topic}", "Memorandum on {topic}",
];
#[rustfmt::skip]
const MEETING_FMT: &[&str] = &[
    "{city} talks on {topic}", "{ord} round of {city} talks", "{city} summit on {topic}",
    "Working group on {topic} in {city}", "Envoys' call on {topic}",
    "{city} ministerial on {topic}", "Technical session on {topic}", "{city} donors' conference",
];
#[rustfmt::skip]
const HEADLINE_FMT: &[&str] = &[
    "Envoys meet in {city} as {topic} deadline nears", "{name} signals flexibility on {topic}",
    "Talks on {topic} stall over sequencing", "Leaked draft shows new terms on {topic}",
    "{name} rejects {topic} plan as 'premature'", "Statement on the {city} meeting",
    "Interview: {name} on {topic}", "Progress report on {topic}",
    "Analysis: what the {city} talks changed",
    "Officials describe {topic} as the main sticking point",
];
#[rustfmt::skip]
const ORDINALS: &[&str] = &[
    "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh",
];
#[rustfmt::skip]
const MONTHS: &[&str] = &[
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
];

#[rustfmt::skip]
const SENTENCES: &[&str] = &[
    "{A} has said repeatedly that {topic} must come before any wider settlement.",
    "Officials close to {A} describe {P} as a starting point rather than a final text.",
    "The question of {topic} dominated the first session, according to two people briefed on it.",
    "{A} arrived at {M} with a shorter list of demands than in {year}, a change several delegations noticed.",
    "Negotiators from {A} and {A} spent most of the afternoon on sequencing.",
    "The text circulated in {city} runs to {n} pages and includes an annex on {topic}.",
    "Critics argue that the arrangement leaves too much to a monitoring body that does not yet exist.",
    "In private, aides to {A} concede that the timeline is ambitious.",
    "A spokesperson for {A} called the talks \"useful but incomplete\".",
    "The issue is not new: it surfaced during {M} and again in the {month} statements.",
    "Several details remain unclear, including who would pay for {topic} and over how many years.",
    "{A} is expected to table a revised version of {P} before the next round.",
    "The delegation from {A} left early, citing scheduling reasons.",
    "Diplomats say the atmosphere was more constructive than at {M}.",
    "Public opinion polls published in {month} show support for a deal at around {n} percent.",
    "Much depends on whether {A} is willing to move on {topic}.",
    "The record of earlier rounds is patchy, and several commitments from {year} were never implemented.",
    "Observers from {A} were present but did not sign the joint statement.",
    "According to {S}, the figures cited by both sides are difficult to verify.",
    "The draft borrows language from {P}, which was never formally adopted.",
    "Lawyers on both sides disagree about whether the text would be binding.",
    "An earlier version of the plan, reported in {S}, contained a clause on {topic} that has since been dropped.",
    "{A} and {A} are understood to have met separately on the margins of {M}.",
    "The sticking point remains {topic}, on which neither side has moved since {month}.",
    "Aid agencies warn that delays on {topic} carry a humanitarian cost.",
    "The talks were described as \"frank\" -- diplomatic shorthand for sharp disagreement.",
    "Few expect a breakthrough before the {month} deadline.",
    "Supporters of {P} point to the precedent set at {M}.",
    "For background on the earlier rounds, see {X}.",
];
#[rustfmt::skip]
const LIST_ITEMS: &[&str] = &[
    "**{topic}**: {A} wants a firm date; others prefer a review clause.",
    "A monitoring mission led by {A}, with {n} observers.",
    "Phased steps on {topic}, starting within {n} days of signature.",
    "A joint commission chaired by {A}.", "Guarantees from {A}, still to be defined in writing.",
    "Release of detainees held since {year}.",
    "A review of {topic} after {n} months, as first floated in {P}.",
    "Funding pledges from {A} and {A}.", "~~A referendum clause~~ dropped from the latest draft.",
    "Technical talks on {topic}, continuing the work of {M}.",
];
#[rustfmt::skip]
const POSITIONS: &[&str] = &[
    "supports", "opposes", "undecided", "conditional support", "drafted it", "observer",
    "mediating", "abstained",
];
#[rustfmt::skip]
const OUTCOMES: &[&str] = &[
    "Joint statement issued; technical talks to continue.",
    "No agreement; parties to reconvene within a month.", "Agreement in principle on **{topic}**.",
    "Talks suspended after a walk-out.", "Working groups set up on {topic} and {topic2}.",
    "Communique adopted; follow-up meeting scheduled in {city}.",
];
#[rustfmt::skip]
const QUESTIONS: &[&str] = &[
    "What did {name} actually agree to?", "Why does {topic} matter for people on the ground?",
    "Who pays for {topic}?", "Is the plan still on the table after {city}?",
    "What happens if the talks on {topic} fail?", "How would {topic} be verified?",
    "Why was {city} chosen as the venue?", "What is the role of {name}?",
    "When is the next deadline?", "Has anyone signed anything yet?",
    "How is this different from earlier attempts?", "Who opposes the deal, and why?",
];
#[rustfmt::skip]
const ANSWERS: &[&str] = &[
    "Not yet. The current text only commits the parties to further talks on {topic}.",
    "Mostly {A}, according to the latest draft, with smaller pledges from donors.",
    "The draft names a monitoring body, but its mandate and funding are still open.",
    "Earlier attempts in {year} failed over sequencing; this plan puts {topic} first.",
    "Because it affects {n} thousand people directly, and prices far beyond the region.",
    "{A} says yes, but the other side disputes that reading of the text.",
    "Only a framework has been signed. The binding parts are still being negotiated.",
    "It was neutral ground with a history of hosting talks, including {M}.",
];
const FACT_REF_VALUES: &[&str] = &["See {S}", "Led by {A}", "Agreed at {M}", "Set out in {P}"];
const FACT_UNITS: &[&str] = &["days", "members", "pages", "phases", "delegations"];
const FACT_WORDS: &[&str] = &["Yes", "No", "Partly", "Unclear"];
const FACT_NOTE: &str = "Figure disputed by the other side.";
const HOME_INTRO: &str = "A synthetic explainer generated for build benchmarks: actors, \
     meetings, proposals and sources of an invented negotiation.\n";

// ---------------------------------------------------------------------------
// The corpus model

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Actor,
    Meeting,
    Proposal,
    Source,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Actor, Kind::Meeting, Kind::Proposal, Kind::Source];
    /// Share of the N pages, in percent, and how often `{X}` names the kind.
    const WEIGHTS: [(Kind, usize); 4] = [
        (Kind::Actor, 40),
        (Kind::Meeting, 30),
        (Kind::Proposal, 20),
        (Kind::Source, 10),
    ];

    fn folder(self) -> &'static str {
        ["actors", "meetings", "proposals", "sources"][self as usize]
    }

    fn singular(self) -> &'static str {
        ["actor", "meeting", "proposal", "source"][self as usize]
    }

    fn title(self) -> &'static str {
        ["Actors", "Meetings", "Proposals", "Sources"][self as usize]
    }

    #[rustfmt::skip]
    fn fact_labels(self) -> &'static [&'static str] {
        match self {
            Kind::Actor => &["In post since", "Previous role", "Negotiating stance", "Based in",
                             "Languages", "Known for", "Delegation size", "Reports to"],
            Kind::Meeting => &["Duration", "Delegations", "Agenda items", "Joint statement",
                               "Next round", "Observers", "Venue", "Press access"],
            Kind::Proposal => &["Phases", "Monitoring body", "Estimated cost", "Deadline",
                                "Legal form", "Drafted by", "Verification", "Sunset clause"],
            Kind::Source => &["Access", "Language", "Length", "Verification", "Embargo",
                              "Cited by", "Corrections", "Format"],
        }
    }

    #[rustfmt::skip]
    fn headings(self) -> &'static [&'static str] {
        match self {
            Kind::Actor => &["Background", "Role in the talks", "Positions", "Record",
                             "Allies and rivals", "What to watch"],
            Kind::Meeting => &["Background", "Who was in the room", "What was discussed",
                               "Outcome", "Reactions", "What happens next"],
            Kind::Proposal => &["What the plan says", "Origins", "Who backs it", "Objections",
                                "Sticking points", "Outlook"],
            Kind::Source => &["What it says", "Context", "Reliability", "Key passages",
                              "How it is used here", "Caveats"],
        }
    }
}

/// Index of an entity in `Corpus::ents`.
type Id = usize;

struct Entity {
    kind: Kind,
    slug: String,
    title: String,
    aliases: Vec<String>,
    summary: String,
    tags: Vec<&'static str>,
    sources: Vec<Id>,
    facts: Vec<Fact>,
    questions: Vec<Question>,
    updated: Date,
    /// Pages the body mostly mentions: participants, backers, ...
    related: Vec<Id>,
    typed: Typed,
}

/// Markdown strings (`value`, `answer`, `outcome`, `components`) hold refs as
/// `[[...]]` tokens; each writer turns them into its own link syntax.
struct Fact {
    label: &'static str,
    value: String,
    sources: Vec<Id>,
    note: Option<&'static str>,
}

struct Question {
    question: String,
    answer: Option<String>,
}

enum Typed {
    Actor(Actor),
    Meeting(Meeting),
    Proposal(Proposal),
    Source(Source),
}

#[derive(Default)]
struct Actor {
    kind: &'static str,
    role: &'static str,
    country: Option<String>,
    affiliation: Option<Id>,
    members: Vec<Id>,
    born: Option<Date>,
    founded: Option<Date>,
}

struct Meeting {
    date: Date,
    end_date: Option<Date>,
    location: String,
    format: &'static str,
    host: Id,
    participants: Vec<(Id, Option<&'static str>)>,
    proposals: Vec<Id>,
    outcome: Option<String>,
    status: &'static str,
}

struct Proposal {
    status: &'static str,
    proposed_by: Vec<Id>,
    supporters: Vec<Id>,
    opponents: Vec<Id>,
    date: Option<Date>,
    components: Vec<String>,
}

struct Source {
    publisher: &'static str,
    url: String,
    date: Date,
    author: Option<String>,
    kind: &'static str,
}

impl Entity {
    fn id(&self) -> String {
        format!("{}/{}", self.kind.folder(), self.slug)
    }

    /// The date Hugo sorts and shows by (meetings, sources, dated proposals).
    fn date(&self) -> Option<Date> {
        match &self.typed {
            Typed::Meeting(m) => Some(m.date),
            Typed::Proposal(p) => p.date,
            Typed::Source(s) => Some(s.date),
            Typed::Actor(_) => None,
        }
    }

    fn actor(&self) -> &Actor {
        match &self.typed {
            Typed::Actor(a) => a,
            _ => unreachable!("not an actor"),
        }
    }
}

// ---------------------------------------------------------------------------
// Generation

struct Corpus {
    rng: Rng,
    ents: Vec<Entity>,
    /// Where each kind's entities lie in `ents`, in `Kind::ALL` order.
    ranges: [Range<Id>; 4],
    /// Slug → id, for looking refs up (never iterated).
    by_slug: HashMap<String, Id>,
    /// Slug base → last numeric suffix used, to keep slugs unique across kinds.
    used_slugs: HashMap<String, usize>,
    countries: Vec<String>,
    /// Actors that are not people, in id order.
    bodies: Vec<Id>,
}

/// How a text template fills its page slots (`{A}`, `{M}`, ...).
#[derive(Clone, Copy)]
enum Slots<'a> {
    /// The plain title of a random page.
    Title,
    /// A `[[ref]]` to a page chosen by `Corpus::mention`.
    Ref(&'a Mentions),
    /// A `\0id\0` marker, later made a ref or a title (`Corpus::body`).
    Marker(&'a Mentions),
}

/// What a page's text mentions: mostly pages related to it, never itself.
struct Mentions {
    own: Id,
    related: [Vec<Id>; 4],
}

impl Corpus {
    fn generate(n: usize, seed: u64) -> Corpus {
        let mut c = Corpus {
            rng: Rng(seed),
            ents: Vec::with_capacity(n),
            ranges: Default::default(),
            by_slug: HashMap::with_capacity(n),
            used_slugs: HashMap::with_capacity(n),
            countries: Vec::new(),
            bodies: Vec::new(),
        };
        c.make_names(n);
        c.make_typed();
        for i in 0..c.ents.len() {
            c.make_common(i);
        }
        c
    }

    fn of(&self, kind: Kind) -> Range<Id> {
        self.ranges[kind as usize].clone()
    }

    fn random_of(&mut self, kind: Kind) -> Id {
        let r = self.of(kind);
        r.start + self.rng.below(r.len())
    }

    /// Up to `k` distinct entities of `kind`, none in `exclude`.
    fn pick(&mut self, kind: Kind, k: usize, exclude: &[Id]) -> Vec<Id> {
        let mut out = Vec::with_capacity(k);
        for _ in 0..k * 20 {
            if out.len() == k {
                break;
            }
            let e = self.random_of(kind);
            if !exclude.contains(&e) && !out.contains(&e) {
                out.push(e);
            }
        }
        out
    }

    /// A country, organisation or group: what hosts meetings and what
    /// people are affiliated with.
    fn random_body(&mut self) -> Id {
        self.bodies[self.rng.below(self.bodies.len())]
    }

    fn country(&mut self) -> String {
        self.countries[self.rng.below(self.countries.len())].clone()
    }

    fn date(&mut self, first_day: i64) -> Date {
        Date::from_days_since_epoch(
            first_day + self.rng.below((LAST_DAY - first_day + 1) as usize) as i64,
        )
    }

    fn birthday(&mut self, years: Range<usize>) -> Date {
        let y = self.rng.range(years.start, years.end - 1) as i32;
        Date {
            year: y,
            month: self.rng.range(1, 12) as u8,
            day: self.rng.range(1, 28) as u8,
        }
    }

    // ---- names and slugs

    fn unique_slug(&mut self, base: &str) -> String {
        let slug = slugify(base, 60);
        let Some(last) = self.used_slugs.get(&slug).copied() else {
            self.used_slugs.insert(slug.clone(), 1);
            return slug;
        };
        let mut k = last + 1;
        while self.used_slugs.contains_key(&format!("{slug}-{k}")) {
            k += 1;
        }
        self.used_slugs.insert(slug.clone(), k);
        let numbered = format!("{slug}-{k}");
        self.used_slugs.insert(numbered.clone(), 1);
        numbered
    }

    fn add(&mut self, kind: Kind, title: String, slug_base: &str, typed: Typed) {
        let slug = self.unique_slug(slug_base);
        self.by_slug.insert(slug.clone(), self.ents.len());
        self.ents.push(Entity {
            kind,
            slug,
            title,
            aliases: Vec::new(),
            summary: String::new(),
            tags: Vec::new(),
            sources: Vec::new(),
            facts: Vec::new(),
            questions: Vec::new(),
            updated: Date::from_days_since_epoch(LAST_DAY),
            related: Vec::new(),
            typed,
        });
    }

    /// Titles and slugs of every page, kind by kind, so that later steps can
    /// refer to any page.
    fn make_names(&mut self, n: usize) {
        let share = |pct: usize| (n * pct + 50) / 100;
        let counts = [
            share(40),
            share(30),
            share(20),
            n - share(40) - share(30) - share(20),
        ];
        for (k, &count) in Kind::ALL.iter().zip(&counts) {
            let start = self.ents.len();
            for i in 0..count {
                match k {
                    Kind::Actor => self.add_actor(i),
                    Kind::Meeting => self.add_meeting(),
                    Kind::Proposal => self.add_proposal(),
                    Kind::Source => self.add_source(),
                }
            }
            self.ranges[*k as usize] = start..self.ents.len();
        }
        if self.countries.is_empty() {
            self.countries.push("Valdoria".into());
        }
        self.bodies = self
            .of(Kind::Actor)
            .filter(|&a| self.ents[a].actor().kind != "person")
            .collect();
    }

    fn add_actor(&mut self, i: usize) {
        // The first four actors have one type each, so every type occurs.
        let kind = match i {
            0..4 => ACTOR_TYPES[i].0,
            _ => self.rng.weighted(ACTOR_TYPES),
        };
        let title = match kind {
            "person" => self.person_name(),
            "country" => self.country_name(),
            "organisation" => format!(
                "{} {} {}",
                self.rng.pick(&ORG_ADJ),
                self.rng.pick(&ORG_NOUN),
                self.rng.pick(&ORG_TYPE)
            ),
            _ => self.fill_one(GROUP_FMT, Slots::Title),
        };
        let typed = Typed::Actor(Actor {
            kind,
            ..Actor::default()
        });
        self.add(Kind::Actor, title.clone(), &title, typed);
    }

    fn person_name(&mut self) -> String {
        let first = self.rng.pick(&FIRST);
        let last = self.rng.pick(&LAST);
        let name = format!("{first} {last}");
        if !self.used_slugs.contains_key(&slugify(&name, 60)) {
            return name;
        }
        let initial = self
            .rng
            .pick(&words("A B C D E F G H J K L M N P R S T V W"));
        format!("{first} {initial}. {last}")
    }

    fn country_name(&mut self) -> String {
        let name = format!(
            "{}{}{}",
            self.rng.pick(&SYL_A),
            self.rng.pick(&SYL_B),
            self.rng.pick(&SYL_C)
        );
        let mut chars = name.chars();
        let first = chars.next().map(|c| c.to_ascii_uppercase()).unwrap_or('V');
        let name = format!("{first}{}", chars.as_str().to_lowercase());
        let title = if self.rng.percent(70) {
            name
        } else {
            format!("Republic of {name}")
        };
        self.countries.push(title.clone());
        title
    }

    fn add_meeting(&mut self) {
        let title = self.fill_one(MEETING_FMT, Slots::Title);
        let date = self.date(FIRST_DAY);
        let typed = Typed::Meeting(Meeting {
            date,
            end_date: None,
            location: String::new(),
            format: "in-person",
            host: 0,
            participants: Vec::new(),
            proposals: Vec::new(),
            outcome: None,
            status: "held",
        });
        self.add(
            Kind::Meeting,
            title.clone(),
            &format!("{title} {date}"),
            typed,
        );
    }

    fn add_proposal(&mut self) {
        let title = capitalize(&self.fill_one(PROPOSAL_FMT, Slots::Title));
        let typed = Typed::Proposal(Proposal {
            status: "proposed",
            proposed_by: Vec::new(),
            supporters: Vec::new(),
            opponents: Vec::new(),
            date: None,
            components: Vec::new(),
        });
        self.add(Kind::Proposal, title.clone(), &title, typed);
    }

    fn add_source(&mut self) {
        let publisher = self.rng.pick(PUBLISHERS);
        let title = capitalize(&self.fill_one(HEADLINE_FMT, Slots::Title));
        let date = self.date(FIRST_DAY);
        let head: String = title.chars().take(30).collect();
        let typed = Typed::Source(Source {
            publisher,
            url: String::new(),
            date,
            author: None,
            kind: "article",
        });
        self.add(
            Kind::Source,
            title,
            &format!("{publisher} {date} {head}"),
            typed,
        );
    }

    // ---- typed front matter

    fn make_typed(&mut self) {
        for i in self.of(Kind::Actor) {
            self.make_actor(i);
        }
        for i in self.of(Kind::Proposal) {
            self.make_proposal(i);
        }
        let mut discussed_at: Vec<Vec<Id>> = vec![Vec::new(); self.ents.len()];
        for i in self.of(Kind::Meeting) {
            self.make_meeting(i);
            if let Typed::Meeting(m) = &self.ents[i].typed {
                for &p in &m.proposals {
                    discussed_at[p].push(i);
                }
            }
        }
        for i in self.of(Kind::Proposal) {
            let meetings = discussed_at[i].iter().take(5);
            self.ents[i].related.extend(meetings);
        }
        for i in self.of(Kind::Source) {
            self.make_source(i);
        }
    }

    fn make_actor(&mut self, i: Id) {
        let kind = self.ents[i].actor().kind;
        let mut a = Actor {
            kind,
            ..Actor::default()
        };
        if kind == "person" {
            a.role = self.rng.pick(ROLES_PERSON);
            a.country = Some(self.country());
            if self.rng.percent(80) {
                a.affiliation = Some(self.random_body());
            }
            if self.rng.percent(60) {
                a.born = Some(self.birthday(1945..1991));
            }
        } else {
            a.role = self.rng.pick(ROLES_ORG);
            if kind != "country" {
                a.country = Some(self.country());
                a.founded = Some(self.birthday(1950..2023));
            }
            if kind == "group" {
                let k = self.rng.range(3, 8);
                a.members = self.pick(Kind::Actor, k, &[i]);
            }
        }
        self.ents[i].aliases = self.aliases(&self.ents[i].title.clone(), kind);
        let mut related: Vec<Id> = a
            .affiliation
            .into_iter()
            .chain(a.members.iter().copied())
            .collect();
        related.extend(self.pick(Kind::Meeting, 3, &[]));
        related.extend(self.pick(Kind::Proposal, 2, &[]));
        self.ents[i].related = related;
        self.ents[i].typed = Typed::Actor(a);
    }

    /// "M. Novak" for some people, an acronym for some organisations.
    fn aliases(&mut self, title: &str, kind: &str) -> Vec<String> {
        let words: Vec<&str> = title.split(' ').collect();
        match kind {
            "person" if self.rng.percent(30) => {
                let first = words[0].chars().next().unwrap_or('X');
                vec![format!("{first}. {}", words[words.len() - 1])]
            }
            "organisation" if self.rng.percent(40) => {
                vec![words.iter().filter_map(|w| w.chars().next()).collect()]
            }
            _ => Vec::new(),
        }
    }

    fn make_proposal(&mut self, i: Id) {
        let status = self.rng.weighted(PROPOSAL_STATUS);
        let k = self.rng.range(1, 2);
        let proposed_by = self.pick(Kind::Actor, k, &[]);
        let k = self.rng.range(1, 5);
        let supporters = self.pick(Kind::Actor, k, &proposed_by);
        let k = self.rng.range(0, 4);
        let taken: Vec<Id> = proposed_by.iter().chain(&supporters).copied().collect();
        let opponents = self.pick(Kind::Actor, k, &taken);
        let date = self.rng.percent(85).then(|| self.date(FIRST_DAY));
        self.ents[i].related = taken.iter().chain(&opponents).copied().collect();
        let mentions = self.mentions(i);
        let k = self.rng.range(2, 4);
        let components = (0..k)
            .map(|_| self.fill_one(LIST_ITEMS, Slots::Ref(&mentions)))
            .collect();
        self.ents[i].typed = Typed::Proposal(Proposal {
            status,
            proposed_by,
            supporters,
            opponents,
            date,
            components,
        });
    }

    fn make_meeting(&mut self, i: Id) {
        let Typed::Meeting(m) = &self.ents[i].typed else {
            unreachable!()
        };
        let date = m.date;
        let end_date = self
            .rng
            .percent(20)
            .then(|| plus_days(date, self.rng.range(1, 2) as i64));
        let location = format!("{}, {}", self.rng.pick(&CITIES), self.country());
        let format = self.rng.weighted(MEETING_FORMATS);
        let host = self.random_body();
        let participants = self.participants(host);
        let k = self.rng.range(0, 3);
        let proposals = self.pick(Kind::Proposal, k, &[]);
        let status = self.rng.weighted(MEETING_STATUS);
        let outcome = (status == "held").then(|| self.fill_one(OUTCOMES, Slots::Title));
        let mut related = vec![host];
        related.extend(participants.iter().map(|&(a, _)| a));
        related.extend(&proposals);
        self.ents[i].related = related;
        self.ents[i].typed = Typed::Meeting(Meeting {
            date,
            end_date,
            location,
            format,
            host,
            participants,
            proposals,
            outcome,
            status,
        });
    }

    /// 3–12 actors other than the host, mostly people; a fifth with a role.
    fn participants(&mut self, host: Id) -> Vec<(Id, Option<&'static str>)> {
        let k = self.rng.range(3, 12);
        let mut out = Vec::with_capacity(k);
        for _ in 0..k * 20 {
            if out.len() == k {
                break;
            }
            let a = self.random_of(Kind::Actor);
            let welcome = self.ents[a].actor().kind == "person" || self.rng.percent(30);
            if a != host && welcome && !out.iter().any(|&(b, _)| b == a) {
                let role = self
                    .rng
                    .percent(20)
                    .then(|| self.rng.pick(PARTICIPANT_ROLES));
                out.push((a, role));
            }
        }
        out
    }

    fn make_source(&mut self, i: Id) {
        let Typed::Source(s) = &self.ents[i].typed else {
            unreachable!()
        };
        let (publisher, date) = (s.publisher, s.date);
        let kind = self.rng.weighted(SOURCE_TYPES);
        let path: String = self.ents[i].slug.chars().take(40).collect();
        let path = path.trim_end_matches('-');
        let url = format!(
            "https://{}.example/{}/{:02}/{path}",
            slugify(publisher, 60),
            date.year,
            date.month
        );
        let author = matches!(kind, "article" | "interview")
            .then(|| format!("{} {}", self.rng.pick(&FIRST), self.rng.pick(&LAST)));
        let mut related = self.pick(Kind::Actor, 3, &[]);
        related.extend(self.pick(Kind::Meeting, 2, &[]));
        self.ents[i].related = related;
        self.ents[i].typed = Typed::Source(Source {
            publisher,
            url,
            date,
            author,
            kind,
        });
    }

    // ---- keys every kind has

    fn make_common(&mut self, i: Id) {
        let kind = self.ents[i].kind;
        self.ents[i].summary = self.summary(i);
        self.ents[i].tags = self.tags();
        if kind != Kind::Source {
            let k = self.rng.range(1, 3);
            self.ents[i].sources = self.pick(Kind::Source, k, &[]);
        }
        let mentions = self.mentions(i);
        self.ents[i].facts = self.facts(kind, i, &mentions);
        self.ents[i].questions = self.questions(&mentions);
        self.ents[i].updated = self.date(LAST_DAY - 400);
    }

    fn summary(&mut self, i: Id) -> String {
        let topic = self.rng.pick(TOPICS);
        let e = &self.ents[i];
        match &e.typed {
            Typed::Actor(a) => format!(
                "{} is a {} involved in the talks, mainly on {topic}.",
                e.title, a.kind
            ),
            Typed::Meeting(m) => format!(
                "{} meeting on {} about {topic}; status: {}.",
                capitalize(m.format),
                m.date,
                m.status
            ),
            Typed::Proposal(p) => format!(
                "A proposal on {topic}, currently {}.",
                p.status.replace('-', " ")
            ),
            Typed::Source(s) => format!(
                "{} published by {} about {topic}.",
                capitalize(s.kind),
                s.publisher
            ),
        }
    }

    /// 2–5 distinct tags; the first tags of `TAGS` are the most common.
    fn tags(&mut self) -> Vec<&'static str> {
        let weighted: Vec<(&str, usize)> = TAGS
            .iter()
            .enumerate()
            .map(|(i, &t)| (t, 600 / (i + 1) + 20))
            .collect();
        let k = self.rng.range(2, 5);
        let mut out = Vec::with_capacity(k);
        while out.len() < k {
            let t = self.rng.weighted(&weighted);
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    /// 3–6 facts, each citing one or two sources; one page in twenty has a
    /// disputed fact (a second value for the same label).
    fn facts(&mut self, kind: Kind, i: Id, mentions: &Mentions) -> Vec<Fact> {
        let mut labels = kind.fact_labels().to_vec();
        self.rng.shuffle(&mut labels);
        let k = self.rng.range(3, 6);
        let mut facts = Vec::with_capacity(k + 1);
        for &label in &labels[..k] {
            let value = self.fact_value(mentions);
            let n = self.rng.range(1, 2);
            let sources = self.pick(Kind::Source, n, &[i]);
            let note = self.rng.percent(15).then_some(FACT_NOTE);
            facts.push(Fact {
                label,
                value,
                sources,
                note,
            });
        }
        if self.rng.percent(5) {
            let label = facts[0].label;
            let value = loop {
                let v = self.plain_fact_value();
                if v != facts[0].value {
                    break v;
                }
            };
            let sources = self.pick(Kind::Source, 1, &[i]);
            facts.push(Fact {
                label,
                value,
                sources,
                note: None,
            });
        }
        facts
    }

    fn fact_value(&mut self, mentions: &Mentions) -> String {
        if self.rng.percent(20) {
            return self.fill_one(FACT_REF_VALUES, Slots::Ref(mentions));
        }
        self.plain_fact_value()
    }

    fn plain_fact_value(&mut self) -> String {
        if self.rng.percent(30) {
            return format!(
                "**{}** {}",
                self.rng.range(2, 40),
                self.rng.pick(FACT_UNITS)
            );
        }
        match self.rng.below(5) {
            0 => format!("{} {}", self.rng.pick(MONTHS), self.rng.range(2015, 2025)),
            1 => capitalize(self.rng.pick(TOPICS)),
            2 => self.rng.pick(&CITIES).to_string(),
            3 => format!("{} percent", self.rng.range(1, 90)),
            _ => self.rng.pick(FACT_WORDS).to_string(),
        }
    }

    /// 2–4 questions; three in five are answered, the rest open.
    fn questions(&mut self, mentions: &Mentions) -> Vec<Question> {
        let k = self.rng.range(2, 4);
        (0..k)
            .map(|_| {
                let question = self.fill_one(QUESTIONS, Slots::Title);
                let answer = self
                    .rng
                    .percent(60)
                    .then(|| self.fill_one(ANSWERS, Slots::Ref(mentions)));
                Question { question, answer }
            })
            .collect()
    }

    // ---- text

    fn mentions(&self, i: Id) -> Mentions {
        let mut related: [Vec<Id>; 4] = Default::default();
        for &r in &self.ents[i].related {
            related[self.ents[r].kind as usize].push(r);
        }
        Mentions { own: i, related }
    }

    /// A page of `kind` for a text to name: 60% a related page, never the
    /// page itself.
    fn mention(&mut self, kind: Kind, m: &Mentions) -> Id {
        let related = &m.related[kind as usize];
        for _ in 0..20 {
            let t = if !related.is_empty() && self.rng.percent(60) {
                self.rng.pick(related)
            } else {
                self.random_of(kind)
            };
            if t != m.own {
                return t;
            }
        }
        self.of(kind)
            .chain(self.of(Kind::Actor))
            .find(|&t| t != m.own)
            .expect("N >= 20")
    }

    /// Fills a template chosen at random from `templates`.
    fn fill_one(&mut self, templates: &[&str], slots: Slots<'_>) -> String {
        let template = self.rng.pick(templates);
        self.fill(template, slots)
    }

    /// Fills `{slot}`s of a template; see `Slots` for page slots.
    fn fill(&mut self, template: &str, slots: Slots<'_>) -> String {
        let mut out = String::with_capacity(template.len() + 40);
        let mut rest = template;
        let mut topic = "";
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = open + rest[open..].find('}').expect("closed slot");
            self.fill_slot(&rest[open + 1..close], slots, &mut topic, &mut out);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }

    fn fill_slot(
        &mut self,
        name: &str,
        slots: Slots<'_>,
        topic: &mut &'static str,
        out: &mut String,
    ) {
        let kind = match name {
            "A" => Some(Kind::Actor),
            "M" => Some(Kind::Meeting),
            "P" => Some(Kind::Proposal),
            "S" => Some(Kind::Source),
            "X" => Some(self.rng.weighted(&Kind::WEIGHTS)),
            _ => None,
        };
        if let Some(kind) = kind {
            return self.fill_page_slot(kind, slots, out);
        }
        match name {
            "topic" => {
                *topic = self.rng.pick(TOPICS);
                out.push_str(topic);
            }
            "topic2" => loop {
                let t = self.rng.pick(TOPICS);
                if t != *topic {
                    break out.push_str(t);
                }
            },
            "city" => out.push_str(self.rng.pick(&CITIES)),
            "adj" => out.push_str(self.rng.pick(&ORG_ADJ)),
            "ord" => out.push_str(self.rng.pick(ORDINALS)),
            "month" => out.push_str(self.rng.pick(MONTHS)),
            "n" => write!(out, "{}", self.rng.range(3, 90)).unwrap(),
            "year" => write!(out, "{}", self.rng.range(2014, 2024)).unwrap(),
            "name" => write!(out, "{} {}", self.rng.pick(&FIRST), self.rng.pick(&LAST)).unwrap(),
            "country" => out.push_str(self.countries.last().map_or("Valdoria", |c| c.as_str())),
            _ => panic!("unknown slot {{{name}}}"),
        }
    }

    fn fill_page_slot(&mut self, kind: Kind, slots: Slots<'_>, out: &mut String) {
        match slots {
            Slots::Title => {
                let t = self.random_of(kind);
                out.push_str(&self.ents[t].title);
            }
            Slots::Ref(m) => {
                let t = self.mention(kind, m);
                out.push_str(&self.ref_token(t, true));
            }
            Slots::Marker(m) => {
                let t = self.mention(kind, m);
                write!(out, "\0{t}\0").unwrap();
            }
        }
    }

    /// A `[[ref]]` in one of the three forms: mostly a bare slug, some with
    /// other link text, some with the kind. `[[slug|text]]` is left out of
    /// table cells, where its `|` would split the cell.
    fn ref_token(&mut self, t: Id, pipe_ok: bool) -> String {
        let e = &self.ents[t];
        match self.rng.below(10) {
            0..7 => format!("[[{}]]", e.slug),
            7..9 if pipe_ok => {
                let words: Vec<&str> = e.title.split(' ').collect();
                let text = if e.kind == Kind::Actor {
                    words[words.len() - 1].to_string()
                } else {
                    words[..words.len().min(3)].join(" ")
                };
                format!("[[{}|{text}]]", e.slug)
            }
            _ => format!("[[{}]]", e.id()),
        }
    }

    /// The Markdown body of page `i`: 300–900 words in an intro, a section
    /// with a list, a section with a table, then paragraphs under further
    /// headings; 5–15 of the page names in it are `[[refs]]`.
    fn body(&mut self, i: Id) -> String {
        let m = self.mentions(i);
        let target = self.rng.range(300, 900);
        let n_refs = self.rng.range(5, 15);
        let headings = self.ents[i].kind.headings();
        let mut b = Blocks::default();
        let p = self.paragraph(2, 3, &m);
        b.push(p, self);
        b.push(format!("## {}", headings[0]), self);
        let p = self.paragraph(1, 2, &m);
        b.push(p, self);
        let list = self.list(&m);
        b.push(list, self);
        b.push(format!("## {}", headings[1]), self);
        let p = self.paragraph(1, 1, &m);
        b.push(p, self);
        let table = self.table(&m);
        b.push(table, self);
        let mut next_heading = 2;
        while b.words < target {
            if next_heading < headings.len() && self.rng.percent(40) {
                let level = if self.rng.percent(25) { "###" } else { "##" };
                b.push(format!("{level} {}", headings[next_heading]), self);
                next_heading += 1;
            }
            let p = self.paragraph(3, 6, &m);
            b.push(p, self);
        }
        self.resolve_markers(&b.blocks.join("\n\n"), n_refs, &m)
    }

    /// `min..=max` sentences.
    fn paragraph(&mut self, min: usize, max: usize, m: &Mentions) -> String {
        let sentences = self.rng.range(min, max);
        let parts: Vec<String> = (0..sentences)
            .map(|_| self.fill_one(SENTENCES, Slots::Marker(m)))
            .collect();
        parts.join(" ")
    }

    fn list(&mut self, m: &Mentions) -> String {
        let bullet = if self.rng.percent(70) { "-" } else { "1." };
        let k = self.rng.range(3, 6);
        let items: Vec<String> = (0..k)
            .map(|_| format!("{bullet} {}", self.fill_one(LIST_ITEMS, Slots::Marker(m))))
            .collect();
        items.join("\n")
    }

    /// Who stands where; the first column names actors, marked `\u{1}` so
    /// that a ref there never uses the `|` form.
    fn table(&mut self, m: &Mentions) -> String {
        let mut rows = vec![
            "| Party | Position | Since |".to_string(),
            "|---|---|---|".to_string(),
        ];
        for _ in 0..self.rng.range(3, 5) {
            let a = self.mention(Kind::Actor, m);
            let position = self.rng.pick(POSITIONS);
            let since = format!("{} {}", self.rng.pick(MONTHS), self.rng.range(2019, 2025));
            rows.push(format!("| \0\u{1}{a}\0 | {position} | {since} |"));
        }
        rows.join("\n")
    }

    /// Turns `n_refs` of the `\0id\0` markers into `[[refs]]` and the rest
    /// into plain titles; too few markers, and a "See also" line adds refs.
    fn resolve_markers(&mut self, text: &str, n_refs: usize, m: &Mentions) -> String {
        let parts: Vec<&str> = text.split('\0').collect();
        let slots = parts.len() / 2;
        let chosen = self.rng.sample(slots, n_refs);
        let mut is_ref = vec![false; slots];
        for &s in &chosen {
            is_ref[s] = true;
        }
        let mut out = String::with_capacity(text.len() + n_refs * 20);
        for (k, part) in parts.iter().enumerate() {
            if k % 2 == 0 {
                out.push_str(part);
                continue;
            }
            let (in_table, id) = match part.strip_prefix('\u{1}') {
                Some(rest) => (true, rest),
                None => (false, *part),
            };
            let t: Id = id.parse().expect("marker holds an id");
            if is_ref[k / 2] {
                out.push_str(&self.ref_token(t, !in_table));
            } else {
                out.push_str(&self.ents[t].title);
            }
        }
        if chosen.len() < n_refs {
            let extra: Vec<String> = (chosen.len()..n_refs)
                .map(|_| {
                    let kind = self.rng.weighted(&Kind::WEIGHTS);
                    let t = self.mention(kind, m);
                    self.ref_token(t, true)
                })
                .collect();
            write!(out, "\n\nSee also: {}.", extra.join(", ")).unwrap();
        }
        out.push('\n');
        out
    }

    /// Finds the page a `[[ref]]` target names (`slug` or `kind/slug`).
    fn resolve(&self, target: &str) -> Id {
        let slug = target.rsplit('/').next().unwrap_or(target);
        *self
            .by_slug
            .get(slug)
            .unwrap_or_else(|| panic!("gen_site bug: unresolved ref {target}"))
    }
}

/// Blocks of a body, and how many words they make once markers are titles.
#[derive(Default)]
struct Blocks {
    blocks: Vec<String>,
    words: usize,
}

impl Blocks {
    fn push(&mut self, block: String, corpus: &Corpus) {
        for (k, part) in block.split('\0').enumerate() {
            self.words += if k % 2 == 0 {
                part.split_whitespace().count()
            } else {
                let id: Id = part.trim_start_matches('\u{1}').parse().expect("marker");
                corpus.ents[id].title.split_whitespace().count()
            };
        }
        self.blocks.push(block);
    }
}

fn slugify(s: &str, max: usize) -> String {
    let mut slug = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| c != '\'') {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.truncate(max);
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "x".to_string()
    } else {
        slug.to_string()
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A double-quoted scalar, valid YAML (and JSON).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Replaces each `[[target]]` / `[[target|text]]` in `text` with `link(id, text)`.
fn map_refs(corpus: &Corpus, text: &str, link: impl Fn(&Entity, &str) -> String) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(open) = rest.find("[[") {
        let Some(len) = rest[open..].find("]]") else {
            break;
        };
        out.push_str(&rest[..open]);
        let inner = &rest[open + 2..open + len];
        let (target, label) = inner.split_once('|').unwrap_or((inner, ""));
        let e = &corpus.ents[corpus.resolve(target)];
        out.push_str(&link(e, if label.is_empty() { &e.title } else { label }));
        rest = &rest[open + len + 2..];
    }
    out.push_str(rest);
    out
}

fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, text)
}

// ---------------------------------------------------------------------------
// The content-contract format: YAML front matter, `[[refs]]`

struct SpecWriter {
    root: PathBuf,
    autolink: bool,
    /// A second language, with a translation of every second entity.
    translate: Option<String>,
}

impl SpecWriter {
    fn write_site(&self, c: &Corpus) -> std::io::Result<()> {
        let n = c.ents.len();
        let site = format!(
            "title: {}\n\
             description: \"Synthetic news explainer used for build benchmarks.\"\n\
             base_url: \"https://bench.example.org\"\n\
             {}\
             theme: default\n\
             autolink: {}\n\
             output_dir: public\n\
             feed_limit: 20\n\
             menu:\n{}\
             extra:\n  generator: examples/gen_site.rs\n",
            quote(&format!("Bench explainer ({n} pages)")),
            match &self.translate {
                Some(lang) => format!(
                    "languages:\n  - {{code: en, name: English}}\n  - {{code: {lang}, name: {lang}}}\n"
                ),
                None => "language: en\n".to_owned(),
            },
            self.autolink,
            Kind::ALL
                .iter()
                .map(|k| format!(
                    "  - {{title: \"{}\", url: \"/{}/\"}}\n",
                    k.title(),
                    k.folder()
                ))
                .collect::<String>(),
        );
        write_file(&self.root.join("site.yaml"), &site)?;
        write_file(
            &self.root.join("content/_index.md"),
            &format!("---\ntitle: \"Home\"\n---\n\n{HOME_INTRO}"),
        )
    }

    fn write_page(&self, c: &Corpus, i: Id, body: &str) -> std::io::Result<()> {
        let e = &c.ents[i];
        let mut fm = String::with_capacity(2048);
        fm.push_str("---\n");
        line(&mut fm, "title", &quote(&e.title));
        line(&mut fm, "summary", &quote(&e.summary));
        if !e.aliases.is_empty() {
            line(
                &mut fm,
                "aliases",
                &flow(e.aliases.iter().map(|a| quote(a))),
            );
        }
        match &e.typed {
            Typed::Actor(a) => actor_keys(&mut fm, c, a),
            Typed::Meeting(m) => meeting_keys(&mut fm, c, m),
            Typed::Proposal(p) => proposal_keys(&mut fm, c, p),
            Typed::Source(s) => source_keys(&mut fm, s),
        }
        line(&mut fm, "tags", &flow(e.tags.iter().map(|t| t.to_string())));
        if !e.sources.is_empty() {
            line(&mut fm, "sources", &refs(c, &e.sources));
        }
        facts_key(&mut fm, c, &e.facts);
        questions_key(&mut fm, &e.questions);
        line(&mut fm, "updated", &e.updated.to_string());
        fm.push_str("---\n\n");
        fm.push_str(body);
        let path = self
            .root
            .join("content")
            .join(e.kind.folder())
            .join(format!("{}.md", e.slug));
        write_file(&path, &fm)?;
        match &self.translate {
            Some(lang) if i % 2 == 1 => self.write_translation(c, i, body, lang),
            _ => Ok(()),
        }
    }

    /// `<slug>.<lang>.md`: the texts of entity `i` "in" `lang` (marked,
    /// not translated), the body as long as the original's.
    fn write_translation(&self, c: &Corpus, i: Id, body: &str, lang: &str) -> std::io::Result<()> {
        let e = &c.ents[i];
        let mut fm = String::with_capacity(body.len() + 256);
        fm.push_str("---\n");
        line(&mut fm, "title", &quote(&format!("{} ({lang})", e.title)));
        line(
            &mut fm,
            "summary",
            &quote(&format!("{} ({lang})", e.summary)),
        );
        fm.push_str("---\n\n");
        fm.push_str(body);
        let path = self
            .root
            .join("content")
            .join(e.kind.folder())
            .join(format!("{}.{lang}.md", e.slug));
        write_file(&path, &fm)
    }
}

fn line(out: &mut String, key: &str, value: &str) {
    writeln!(out, "{key}: {value}").unwrap();
}

fn flow(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(", "))
}

/// A front-matter ref: mostly a bare slug, one page in ten by its full id.
fn spec_ref(c: &Corpus, t: Id) -> String {
    let e = &c.ents[t];
    if (t - c.of(e.kind).start) % 10 == 3 {
        e.id()
    } else {
        e.slug.clone()
    }
}

fn refs(c: &Corpus, ids: &[Id]) -> String {
    flow(ids.iter().map(|&t| spec_ref(c, t)))
}

fn list_key(out: &mut String, c: &Corpus, key: &str, ids: &[Id]) {
    if !ids.is_empty() {
        line(out, key, &refs(c, ids));
    }
}

fn actor_keys(out: &mut String, c: &Corpus, a: &Actor) {
    line(out, "type", a.kind);
    line(out, "role", &quote(a.role));
    if let Some(country) = &a.country {
        line(out, "country", &quote(country));
    }
    if let Some(t) = a.affiliation {
        line(out, "affiliation", &spec_ref(c, t));
    }
    list_key(out, c, "members", &a.members);
    if let Some(d) = a.born {
        line(out, "born", &d.to_string());
    }
    if let Some(d) = a.founded {
        line(out, "founded", &d.to_string());
    }
}

fn meeting_keys(out: &mut String, c: &Corpus, m: &Meeting) {
    line(out, "date", &m.date.to_string());
    if let Some(d) = m.end_date {
        line(out, "end_date", &d.to_string());
    }
    line(out, "location", &quote(&m.location));
    line(out, "format", m.format);
    line(out, "host", &spec_ref(c, m.host));
    out.push_str("participants:\n");
    for &(a, role) in &m.participants {
        match role {
            Some(role) => writeln!(
                out,
                "  - {{actor: {}, role: {}}}",
                spec_ref(c, a),
                quote(role)
            ),
            None => writeln!(out, "  - {}", spec_ref(c, a)),
        }
        .unwrap();
    }
    list_key(out, c, "proposals", &m.proposals);
    if let Some(o) = &m.outcome {
        line(out, "outcome", &quote(o));
    }
    line(out, "status", m.status);
}

fn proposal_keys(out: &mut String, c: &Corpus, p: &Proposal) {
    line(out, "status", p.status);
    list_key(out, c, "proposed_by", &p.proposed_by);
    list_key(out, c, "supporters", &p.supporters);
    list_key(out, c, "opponents", &p.opponents);
    if let Some(d) = p.date {
        line(out, "date", &d.to_string());
    }
    out.push_str("components:\n");
    for comp in &p.components {
        writeln!(out, "  - {}", quote(comp)).unwrap();
    }
}

fn source_keys(out: &mut String, s: &Source) {
    line(out, "publisher", &quote(s.publisher));
    line(out, "url", &quote(&s.url));
    line(out, "date", &s.date.to_string());
    if let Some(a) = &s.author {
        line(out, "author", &quote(a));
    }
    line(out, "type", s.kind);
}

fn facts_key(out: &mut String, c: &Corpus, facts: &[Fact]) {
    out.push_str("key_facts:\n");
    for f in facts {
        writeln!(out, "  - label: {}", quote(f.label)).unwrap();
        writeln!(out, "    value: {}", quote(&f.value)).unwrap();
        writeln!(out, "    sources: {}", refs(c, &f.sources)).unwrap();
        if let Some(note) = f.note {
            writeln!(out, "    note: {}", quote(note)).unwrap();
        }
    }
}

fn questions_key(out: &mut String, questions: &[Question]) {
    out.push_str("reader_questions:\n");
    for q in questions {
        writeln!(out, "  - question: {}", quote(&q.question)).unwrap();
        if let Some(a) = &q.answer {
            writeln!(out, "    answer: {}", quote(a)).unwrap();
        }
    }
}

// ---------------------------------------------------------------------------
// Hugo: the same pages; typed keys under `extra` (refs as full ids), body
// links as `relref` shortcodes, layouts from benches/hugo-layouts/.

macro_rules! layout {
    ($path:literal) => {
        (
            $path,
            include_str!(concat!("../benches/hugo-layouts/", $path)),
        )
    };
}

/// The layouts of `benches/hugo-layouts/`, copied into each Hugo site.
const HUGO_LAYOUTS: &[(&str, &str)] = &[
    layout!("404.html"),
    layout!("index.html"),
    layout!("_default/baseof.html"),
    layout!("_default/list.html"),
    layout!("_default/single.html"),
    layout!("_default/terms.html"),
    layout!("partials/ref.html"),
];

struct HugoWriter {
    root: PathBuf,
}

impl HugoWriter {
    fn write_site(&self, c: &Corpus) -> std::io::Result<()> {
        for (path, text) in HUGO_LAYOUTS {
            write_file(&self.root.join("layouts").join(path), text)?;
        }
        let config = format!(
            "baseURL = \"https://bench.example.org/\"\n\
             title = \"Bench explainer ({} pages)\"\n\
             languageCode = \"en\"\n\
             buildFuture = true\n\
             enableRobotsTXT = true\n\
             rssLimit = 20\n\
             disableHugoGeneratorInject = true\n\n\
             [params]\n\
             description = \"Synthetic news explainer used for build benchmarks.\"\n\n\
             [taxonomies]\n\
             tag = \"tags\"\n\n\
             [outputs]\n\
             home = [\"HTML\", \"RSS\"]\n\
             section = [\"HTML\"]\n\
             taxonomy = [\"HTML\"]\n\
             term = [\"HTML\"]\n",
            c.ents.len()
        );
        write_file(&self.root.join("hugo.toml"), &config)?;
        let content = self.root.join("content");
        write_file(
            &content.join("_index.md"),
            &format!("---\ntitle: \"Home\"\n---\n\n{HOME_INTRO}"),
        )?;
        for k in Kind::ALL {
            let index = format!("---\ntitle: {}\n---\n", quote(k.title()));
            write_file(&content.join(k.folder()).join("_index.md"), &index)?;
        }
        Ok(())
    }

    fn write_page(&self, c: &Corpus, i: Id, body: &str) -> std::io::Result<()> {
        let e = &c.ents[i];
        let mut out = String::with_capacity(4096 + body.len());
        out.push_str("---\n");
        line(&mut out, "title", &quote(&e.title));
        line(&mut out, "description", &quote(&e.summary));
        if let Some(d) = e.date() {
            line(&mut out, "date", &d.to_string());
        }
        line(&mut out, "lastmod", &e.updated.to_string());
        line(&mut out, "tags", &flow(e.tags.iter().map(|t| quote(t))));
        out.push_str("extra:\n");
        hugo_extra(&mut out, c, e);
        out.push_str("---\n\n");
        out.push_str(&map_refs(c, body, |t, text| {
            format!("[{text}]({{{{< relref \"/{}\" >}}}})", t.id())
        }));
        let path = self
            .root
            .join("content")
            .join(e.kind.folder())
            .join(format!("{}.md", e.slug));
        write_file(&path, &out)
    }
}

/// Markdown for front matter: `markdownify` cannot run shortcodes, so refs
/// become plain root-relative links.
fn hugo_md(c: &Corpus, text: &str) -> String {
    quote(&map_refs(c, text, |t, label| {
        format!("[{label}](/{}/)", t.id())
    }))
}

fn hugo_ids(c: &Corpus, ids: &[Id]) -> String {
    flow(ids.iter().map(|&t| quote(&c.ents[t].id())))
}

/// One `key: value` line of the `extra` map.
fn kv(out: &mut String, key: &str, value: &str) {
    writeln!(out, "  {key}: {value}").unwrap();
}

fn kv_opt(out: &mut String, key: &str, value: Option<String>) {
    if let Some(v) = value {
        kv(out, key, &v);
    }
}

/// The `extra` map the layouts read: the typed keys (refs as full ids, dates
/// as strings, Markdown with plain links), then facts and questions.
fn hugo_extra(out: &mut String, c: &Corpus, e: &Entity) {
    kv(out, "kind", &quote(e.kind.singular()));
    if !e.aliases.is_empty() {
        // Hugo's own `aliases` key means URL redirects.
        kv(out, "names", &flow(e.aliases.iter().map(|a| quote(a))));
    }
    match &e.typed {
        Typed::Actor(a) => hugo_actor(out, c, a),
        Typed::Meeting(m) => hugo_meeting(out, c, m),
        Typed::Proposal(p) => hugo_proposal(out, c, p),
        Typed::Source(s) => hugo_source(out, s),
    }
    kv(out, "sources", &hugo_ids(c, &e.sources));
    hugo_facts(out, c, &e.facts);
    hugo_questions(out, c, &e.questions);
}

fn hugo_actor(out: &mut String, c: &Corpus, a: &Actor) {
    kv(out, "type", &quote(a.kind));
    kv(out, "role", &quote(a.role));
    kv_opt(out, "country", a.country.as_deref().map(quote));
    kv_opt(out, "born", a.born.map(|d| quote(&d.to_string())));
    kv_opt(out, "founded", a.founded.map(|d| quote(&d.to_string())));
    kv_opt(
        out,
        "affiliation",
        a.affiliation.map(|t| quote(&c.ents[t].id())),
    );
    if !a.members.is_empty() {
        kv(out, "members", &hugo_ids(c, &a.members));
    }
}

fn hugo_meeting(out: &mut String, c: &Corpus, m: &Meeting) {
    kv(out, "location", &quote(&m.location));
    kv(out, "format", &quote(m.format));
    kv(out, "status", &quote(m.status));
    kv_opt(out, "end_date", m.end_date.map(|d| quote(&d.to_string())));
    kv(out, "host", &quote(&c.ents[m.host].id()));
    kv(out, "proposals", &hugo_ids(c, &m.proposals));
    out.push_str("  participants:\n");
    for &(a, role) in &m.participants {
        let (id, role) = (quote(&c.ents[a].id()), quote(role.unwrap_or("")));
        writeln!(out, "    - id: {id}\n      role: {role}").unwrap();
    }
    kv_opt(out, "outcome", m.outcome.as_deref().map(|o| hugo_md(c, o)));
}

fn hugo_proposal(out: &mut String, c: &Corpus, p: &Proposal) {
    kv(out, "status", &quote(p.status));
    kv(out, "proposed_by", &hugo_ids(c, &p.proposed_by));
    kv(out, "supporters", &hugo_ids(c, &p.supporters));
    kv(out, "opponents", &hugo_ids(c, &p.opponents));
    let components = flow(p.components.iter().map(|s| hugo_md(c, s)));
    kv(out, "components", &components);
}

fn hugo_source(out: &mut String, s: &Source) {
    kv(out, "type", &quote(s.kind));
    kv(out, "publisher", &quote(s.publisher));
    kv_opt(out, "author", s.author.as_deref().map(quote));
    kv(out, "source_url", &quote(&s.url));
}

fn hugo_facts(out: &mut String, c: &Corpus, facts: &[Fact]) {
    out.push_str("  key_facts:\n");
    for f in facts {
        let (label, value) = (quote(f.label), hugo_md(c, &f.value));
        writeln!(out, "    - label: {label}\n      value: {value}").unwrap();
        writeln!(out, "      sources: {}", hugo_ids(c, &f.sources)).unwrap();
        if let Some(note) = f.note {
            writeln!(out, "      note: {}", quote(note)).unwrap();
        }
    }
}

/// Every question has an `answer` key; an empty one is an open question.
fn hugo_questions(out: &mut String, c: &Corpus, questions: &[Question]) {
    out.push_str("  reader_questions:\n");
    for q in questions {
        let answer = q
            .answer
            .as_deref()
            .map_or_else(|| quote(""), |a| hugo_md(c, a));
        let question = quote(&q.question);
        writeln!(out, "    - question: {question}\n      answer: {answer}").unwrap();
    }
}

// ---------------------------------------------------------------------------
// Summary line

#[derive(Default)]
struct Stats {
    words: usize,
    refs: usize,
}

impl Stats {
    fn add(&mut self, body: &str) {
        self.words += body.split_whitespace().count();
        self.refs += body.matches("[[").count();
    }

    fn summary(&self, c: &Corpus) -> String {
        let counts: Vec<String> = Kind::ALL
            .iter()
            .map(|&k| format!("\"{}\": {}", k.folder(), c.of(k).len()))
            .collect();
        let tags: std::collections::BTreeSet<&str> =
            c.ents.iter().flat_map(|e| e.tags.iter().copied()).collect();
        format!(
            "{{\"n\": {}, \"counts\": {{{}}}, \"tags_used\": {}, \"body_words_total\": {}, \"body_refs_total\": {}}}",
            c.ents.len(),
            counts.join(", "),
            tags.len(),
            self.words,
            self.refs
        )
    }
}
