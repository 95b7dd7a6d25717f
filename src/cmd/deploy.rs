//! `explainer deploy`: publish the output folder to a target of
//! `site.yaml`. Orchestration only: `crate::deploy` does the work.

use std::path::PathBuf;
use std::time::Instant;

use super::{Failure, Outcome, say, use_color};
use crate::cli::{BuildArgs, DeployArgs, GlobalArgs};
use crate::config::{self, Config, DeployTarget};
use crate::deploy::{self, Options, Prepared, Summary, human_bytes, plan};
use crate::diag::{Diagnostics, closest};

pub fn run(args: &DeployArgs, global: &GlobalArgs) -> Result<Outcome, Failure> {
    let started = Instant::now();
    let root = &args.site.root;
    super::ensure_site(root)?;
    if args.build && build_first(args, global)? == Outcome::ContentErrors {
        return Ok(Outcome::ContentErrors);
    }
    let Some(config) = load_config(root, global) else {
        return Ok(Outcome::ContentErrors);
    };
    let target = choose(&config.deploy.targets, args.target.as_deref())?;
    let out = output_folder(args, &config);
    let options = Options {
        dry_run: args.dry_run,
        max_deletes: args.max_deletes,
        force: args.force,
        progress: !global.quiet,
    };
    let prepared = deploy::prepare(&out, target, &config.deploy.cache_control, &options)?;
    if let Some(why) = &prepared.manifest_note {
        say::err(&format!(
            "warning: the deploy manifest on {} cannot be used ({why}); every file is uploaded once\n",
            prepared.target.describe()
        ));
    }
    if args.dry_run {
        print_plan(&prepared, global);
        return Ok(Outcome::Clean);
    }
    let shown = prepared.target.describe();
    let summary = deploy::execute(prepared, &options)?;
    if !global.quiet {
        say::out(&summary_line(&summary, &shown, started));
    }
    Ok(Outcome::Clean)
}

fn build_first(args: &DeployArgs, global: &GlobalArgs) -> Result<Outcome, Failure> {
    let build = BuildArgs {
        site: args.site.clone(),
        output: args.output.clone(),
        base_url: None,
        force: false,
        no_cache: false,
        cache_dir: None,
    };
    super::build::run(&build, global)
}

/// `site.yaml`, or `None` when it has errors (printed here). Its warnings
/// are left to `build` and `check`, which print them.
fn load_config(root: &std::path::Path, global: &GlobalArgs) -> Option<Config> {
    let mut diags = Diagnostics::default();
    let config = config::load(root, &mut diags);
    if diags.has_errors() {
        diags.retain(|d| d.severity == crate::diag::Severity::Error);
        say::err(&diags.render_human(use_color(global.color)));
        return None;
    }
    Some(config)
}

/// The target named on the command line, or the first in `site.yaml`.
fn choose<'a>(
    targets: &'a [DeployTarget],
    name: Option<&str>,
) -> Result<&'a DeployTarget, Failure> {
    let Some(name) = name else {
        return targets.first().ok_or_else(|| {
            Failure(
                "site.yaml names no deploy target; add one, for example:\n  deploy:\n    targets:\n      - {name: production, url: \"s3://my-bucket/explainer?region=eu-west-1\"}\n(see docs/deploy.md)"
                    .into(),
            )
        });
    };
    if let Some(found) = targets.iter().find(|t| t.name == name) {
        return Ok(found);
    }
    let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
    let hint = match closest(name, names.iter().copied()) {
        Some(n) => format!("; did you mean `{n}`?"),
        None if names.is_empty() => "; site.yaml names none under `deploy: targets:`".into(),
        None => format!("; the targets are {}", names.join(", ")),
    };
    Err(Failure(format!("no deploy target named `{name}`{hint}")))
}

fn output_folder(args: &DeployArgs, config: &Config) -> PathBuf {
    match &args.output {
        Some(o) => o.clone(),
        None => args.site.root.join(&config.output_dir),
    }
}

/// The dry run's report: one line per upload and delete, then a total.
fn print_plan(prepared: &Prepared, global: &GlobalArgs) {
    let plan = &prepared.plan;
    let mut text = String::new();
    if !global.quiet {
        for u in &plan.uploads {
            let why = match u.reason {
                plan::Reason::New => "new",
                plan::Reason::Changed => "changed",
            };
            text.push_str(&format!(
                "upload  {why:<8} {} ({})\n",
                u.file.path,
                human_bytes(u.file.size)
            ));
        }
        for path in &plan.deletes {
            text.push_str(&format!("delete           {path}\n"));
        }
    }
    text.push_str(&format!(
        "Dry run: would upload {} files ({}), delete {}, leave {} unchanged on {}; nothing was changed\n",
        plan.uploads.len(),
        human_bytes(plan.upload_bytes()),
        plan.deletes.len(),
        plan.unchanged.len(),
        prepared.target.describe()
    ));
    say::out(&text);
}

fn summary_line(summary: &Summary, target: &str, started: Instant) -> String {
    format!(
        "Deployed to {target}: {} uploaded ({}), {} deleted, {} unchanged in {:.2} s\n",
        summary.uploaded,
        human_bytes(summary.bytes),
        summary.deleted,
        summary.unchanged,
        started.elapsed().as_secs_f64()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(name: &str) -> DeployTarget {
        DeployTarget {
            name: name.into(),
            url: "file:///tmp/x".into(),
        }
    }

    #[test]
    fn without_a_name_the_first_target_is_chosen() {
        let targets = [target("production"), target("staging")];
        assert_eq!(choose(&targets, None).unwrap().name, "production");
        assert_eq!(choose(&targets, Some("staging")).unwrap().name, "staging");
    }

    #[test]
    fn a_misspelt_target_gets_a_suggestion() {
        let err = choose(&[target("production")], Some("prodution")).unwrap_err();
        assert!(err.0.contains("did you mean `production`"), "{}", err.0);
    }

    #[test]
    fn a_site_without_targets_is_told_how_to_add_one() {
        let err = choose(&[], None).unwrap_err();
        assert!(
            err.0.contains("deploy:") && err.0.contains("targets:"),
            "{}",
            err.0
        );
    }
}
