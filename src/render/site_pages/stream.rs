//! RENDER: every job of the site in waves, each file handed to the writer
//! as soon as it is rendered, so that a large site never holds its pages in
//! memory at once.

use std::collections::HashSet;
use std::sync::Mutex;

use rayon::prelude::*;

use super::{Job, Pages};
use crate::diag::Diagnostic;
use crate::render::OutFile;

/// Whether a job's file grows with the whole site (a line or more for
/// every entity), as opposed to one page's neighbourhood.
fn lists_everything(job: &Job) -> bool {
    matches!(
        job,
        Job::Timeline | Job::Sitemap | Job::SearchIndex | Job::DataEntities | Job::DataTimeline
    )
}

impl Pages<'_> {
    /// Renders every job, handing each file to `emit` as soon as it is
    /// rendered, so a large site never holds its pages in memory (`emit`
    /// may block: that holds rendering back to the writer's pace). Returns
    /// the template errors, each reported once, in job order.
    ///
    /// Pages come in waves, for memory: entity pages and small pages
    /// (paginated lists among them) in parallel; then `data/entities.json`
    /// alone (its own serialisation is parallel; it is the largest file,
    /// about 4 KB per entity); then the other files that list every
    /// entity, in parallel. Run together, the site-wide files added their sizes on top
    /// of everything else at the end of a large build.
    pub fn render_streaming(&self, emit: &mut (dyn FnMut(Vec<OutFile>) + Send)) -> Vec<Diagnostic> {
        let sink = Mutex::new(emit);
        let jobs: Vec<(usize, Job)> = self.jobs().into_iter().enumerate().collect();
        let (site_wide, small): (Vec<_>, Vec<_>) =
            jobs.into_iter().partition(|(_, job)| lists_everything(job));
        let (exports, last): (Vec<_>, Vec<_>) = site_wide
            .into_iter()
            .partition(|(_, job)| *job == Job::DataEntities);
        let mut errors = Vec::new();
        let kinds = KindTimes::start();
        for wave in [small, exports, last] {
            // A checkpoint: the writer catches up before the next wave, so
            // a wave's large files are out of memory before the next one's
            // are made.
            if let Ok(mut emit) = sink.lock() {
                emit(Vec::new());
            }
            errors.extend(
                wave.par_iter()
                    .filter_map(|(n, job)| match kinds.time(job, || self.render_job(job)) {
                        Ok(file) => {
                            if let Ok(mut emit) = sink.lock() {
                                emit(vec![file]);
                            }
                            None
                        }
                        Err(d) => Some((*n, d)),
                    })
                    .collect::<Vec<_>>(),
            );
        }
        kinds.print();
        errors.sort_by_key(|(n, _)| *n);
        let mut seen = HashSet::new();
        errors
            .into_iter()
            .map(|(_, d)| d)
            .filter(|d| seen.insert(d.message.clone()))
            .collect()
    }
}

/// With `EXPLAINER_TRACE` set, the CPU time of each kind of job, summed
/// over the threads that rendered them: where a build's time goes.
struct KindTimes(Option<Mutex<std::collections::BTreeMap<String, (usize, f64)>>>);

impl KindTimes {
    fn start() -> Self {
        KindTimes(std::env::var_os("EXPLAINER_TRACE").map(|_| Mutex::default()))
    }

    fn time<T>(&self, job: &Job, render: impl FnOnce() -> T) -> T {
        let Some(kinds) = &self.0 else {
            return render();
        };
        let started = std::time::Instant::now();
        let out = render();
        let took = started.elapsed().as_secs_f64();
        let name = format!("{job:?}");
        let kind = name.split('(').next().unwrap_or_default().to_owned();
        if let Ok(mut kinds) = kinds.lock() {
            let entry = kinds.entry(kind).or_default();
            *entry = (entry.0 + 1, entry.1 + took);
        }
        out
    }

    fn print(&self) {
        let Some(Ok(kinds)) = self.0.as_ref().map(Mutex::lock) else {
            return;
        };
        let mut by_time: Vec<_> = kinds.iter().collect();
        by_time.sort_by(|a, b| b.1.1.total_cmp(&a.1.1));
        for (kind, (count, secs)) in by_time {
            eprintln!("    {kind:<12} {count:>6} {:>8.1} ms", secs * 1000.0);
        }
    }
}
