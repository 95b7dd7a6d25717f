//! DEPLOY: a target of `site.yaml` (`s3://bucket/prefix?region=…`,
//! `gs://…`, `az://…`, `file:///path`) → an open `object_store` store
//! rooted at its prefix.
//!
//! Credentials come from where each cloud's own tools look — the `AWS_*`,
//! `GOOGLE_*` and `AZURE_*` environment variables, and for S3 the profiles
//! of `~/.aws/credentials` — and are never printed: error messages name the
//! target by its URL without the query.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::azure::MicrosoftAzureBuilder;
use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::prefix::PrefixStore;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};

use crate::cmd::Failure;
use crate::config::DeployTarget;

/// Retries of one request after a network error or a 5xx: a few, quickly,
/// so a host that went away fails the deploy in seconds, not the
/// library's default three minutes (a re-run finishes the job).
const MAX_RETRIES: usize = 3;
const RETRY_TIMEOUT: Duration = Duration::from_secs(20);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// One request, upload included: generous for a large file on a slow link.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// The query keys a target URL may carry, by scheme.
const S3_KEYS: &[&str] = &["region", "endpoint", "profile"];
const AZ_KEYS: &[&str] = &["endpoint"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    S3,
    Gcs,
    Azure,
    Folder,
}

/// A target URL taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub scheme: Scheme,
    /// The bucket or container; for a folder, its absolute path.
    pub bucket: String,
    /// The folder inside the bucket, without slashes at either end.
    pub prefix: String,
    pub query: BTreeMap<String, String>,
}

/// A target, open.
pub struct Target {
    pub name: String,
    /// The URL without its query, for messages.
    pub shown: String,
    pub scheme: Scheme,
    pub store: Arc<dyn ObjectStore>,
}

impl Target {
    /// `production (s3://bucket/site)`.
    pub fn describe(&self) -> String {
        format!("`{}` ({})", self.name, self.shown)
    }
}

/// Parses a target URL; the error says what is wrong and how to write it.
pub fn parse(url: &str) -> Result<Address, String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("`{url}` is not a URL; write it as s3://bucket/folder"))?;
    let scheme = match scheme {
        "s3" => Scheme::S3,
        "gs" => Scheme::Gcs,
        "az" | "azure" => Scheme::Azure,
        "file" => Scheme::Folder,
        other => {
            return Err(format!(
                "unknown scheme `{other}://`; use s3://, gs://, az:// or file:///"
            ));
        }
    };
    let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
    let query = parse_query(scheme, query)?;
    if scheme == Scheme::Folder {
        if !location.starts_with('/') {
            return Err("a folder target needs an absolute path: file:///srv/site".into());
        }
        return Ok(Address {
            scheme,
            bucket: location.trim_end_matches('/').to_owned(),
            prefix: String::new(),
            query,
        });
    }
    let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
    if bucket.is_empty() {
        return Err(format!("`{url}` names no bucket"));
    }
    Ok(Address {
        scheme,
        bucket: bucket.to_owned(),
        prefix: prefix.trim_matches('/').to_owned(),
        query,
    })
}

fn parse_query(scheme: Scheme, query: &str) -> Result<BTreeMap<String, String>, String> {
    let allowed = match scheme {
        Scheme::S3 => S3_KEYS,
        Scheme::Azure => AZ_KEYS,
        Scheme::Gcs | Scheme::Folder => &[],
    };
    let mut out = BTreeMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if !allowed.contains(&key) {
            // Only the key is named: a value could be a secret.
            return Err(format!(
                "unknown option `{key}` in the target URL; {}",
                if allowed.is_empty() {
                    "this kind of target takes none".to_owned()
                } else {
                    format!("it takes {}", allowed.join(", "))
                }
            ));
        }
        out.insert(key.to_owned(), value.to_owned());
    }
    Ok(out)
}

/// The URL as messages show it: without its query.
fn shown(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_owned()
}

/// Opens a target. With `create` false (a dry run), a folder that does not
/// exist yet is an empty target rather than a folder made.
pub fn open(target: &DeployTarget, create: bool) -> Result<Target, Failure> {
    let shown = shown(&target.url);
    let address = parse(&target.url)
        .map_err(|e| Failure(format!("deploy target `{}` in site.yaml: {e}", target.name)))?;
    let fail = |e: object_store::Error| {
        Failure(format!(
            "cannot open deploy target `{}` ({shown}): {e}",
            target.name
        ))
    };
    let store: Arc<dyn ObjectStore> = match address.scheme {
        Scheme::S3 => Arc::new(s3(&address).build().map_err(fail)?),
        Scheme::Gcs => Arc::new(
            GoogleCloudStorageBuilder::from_env()
                .with_bucket_name(&address.bucket)
                .with_retry(retry())
                .with_client_options(client(false))
                .build()
                .map_err(fail)?,
        ),
        Scheme::Azure => Arc::new(azure(&address).build().map_err(fail)?),
        Scheme::Folder => folder(Path::new(&address.bucket), create, &shown)?,
    };
    let store: Arc<dyn ObjectStore> = if address.prefix.is_empty() {
        store
    } else {
        Arc::new(PrefixStore::new(store, address.prefix.as_str()))
    };
    Ok(Target {
        name: target.name.clone(),
        shown,
        scheme: address.scheme,
        store,
    })
}

fn retry() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig::default(),
        max_retries: MAX_RETRIES,
        retry_timeout: RETRY_TIMEOUT,
    }
}

fn client(allow_http: bool) -> ClientOptions {
    ClientOptions::new()
        .with_allow_http(allow_http)
        .with_connect_timeout(CONNECT_TIMEOUT)
        .with_timeout(REQUEST_TIMEOUT)
}

/// S3 and S3-compatible stores: the environment first, then the URL's
/// `region` and `endpoint`, then a profile's keys if the environment has
/// none.
fn s3(address: &Address) -> AmazonS3Builder {
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(&address.bucket);
    let profile_name = address
        .query
        .get("profile")
        .cloned()
        .or_else(|| std::env::var("AWS_PROFILE").ok())
        .unwrap_or_else(|| "default".into());
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_none()
        && let Some(keys) = profile::credentials(&profile_name)
    {
        builder = builder
            .with_access_key_id(keys.access_key_id)
            .with_secret_access_key(keys.secret_access_key);
        if let Some(token) = keys.session_token {
            builder = builder.with_token(token);
        }
    }
    let region = address
        .query
        .get("region")
        .cloned()
        .or_else(|| std::env::var("AWS_REGION").ok())
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
        .or_else(|| profile::region(&profile_name));
    if let Some(region) = region {
        builder = builder.with_region(region);
    }
    let endpoint = address
        .query
        .get("endpoint")
        .cloned()
        .or_else(|| std::env::var("AWS_ENDPOINT").ok());
    let allow_http = endpoint
        .as_deref()
        .is_some_and(|e| e.starts_with("http://"));
    if let Some(endpoint) = endpoint {
        builder = builder.with_endpoint(endpoint);
    }
    builder
        .with_allow_http(allow_http)
        .with_retry(retry())
        .with_client_options(client(allow_http))
}

fn azure(address: &Address) -> MicrosoftAzureBuilder {
    let mut builder = MicrosoftAzureBuilder::from_env().with_container_name(&address.bucket);
    let mut allow_http = false;
    if let Some(endpoint) = address.query.get("endpoint") {
        allow_http = endpoint.starts_with("http://");
        builder = builder.with_endpoint(endpoint.clone());
    }
    builder
        .with_allow_http(allow_http)
        .with_retry(retry())
        .with_client_options(client(allow_http))
}

fn folder(path: &Path, create: bool, shown: &str) -> Result<Arc<dyn ObjectStore>, Failure> {
    if !path.is_dir() {
        if !create {
            return Ok(Arc::new(InMemory::new()));
        }
        std::fs::create_dir_all(path)
            .map_err(|e| Failure(format!("cannot create {}: {e}", path.display())))?;
    }
    let store = LocalFileSystem::new_with_prefix(PathBuf::from(path))
        .map_err(|e| Failure(format!("cannot open {shown}: {e}")))?;
    Ok(Arc::new(store))
}

/// AWS profiles, as the AWS CLI reads them: `~/.aws/credentials` (or
/// `AWS_SHARED_CREDENTIALS_FILE`) for keys, `~/.aws/config` (or
/// `AWS_CONFIG_FILE`) for the region.
mod profile {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    pub struct Keys {
        pub access_key_id: String,
        pub secret_access_key: String,
        pub session_token: Option<String>,
    }

    pub fn credentials(profile: &str) -> Option<Keys> {
        let text =
            std::fs::read_to_string(file("AWS_SHARED_CREDENTIALS_FILE", "credentials")?).ok()?;
        let section = super::ini_section(&text, profile)?;
        Some(Keys {
            access_key_id: section.get("aws_access_key_id")?.clone(),
            secret_access_key: section.get("aws_secret_access_key")?.clone(),
            session_token: section.get("aws_session_token").cloned(),
        })
    }

    pub fn region(profile: &str) -> Option<String> {
        let text = std::fs::read_to_string(file("AWS_CONFIG_FILE", "config")?).ok()?;
        let name = if profile == "default" {
            "default".to_owned()
        } else {
            format!("profile {profile}")
        };
        let section: BTreeMap<String, String> = super::ini_section(&text, &name)?;
        section.get("region").cloned()
    }

    fn file(variable: &str, name: &str) -> Option<PathBuf> {
        if let Some(path) = std::env::var_os(variable) {
            return Some(PathBuf::from(path));
        }
        let home = std::env::var_os("HOME")?;
        Some(PathBuf::from(home).join(".aws").join(name))
    }
}

/// The `key = value` lines of `[name]` in an INI file.
fn ini_section(text: &str, name: &str) -> Option<BTreeMap<String, String>> {
    let mut found = None;
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if found.is_some() {
                break;
            }
            if header.trim() == name {
                found = Some(BTreeMap::new());
            }
            continue;
        }
        if let (Some(section), Some((k, v))) = (found.as_mut(), line.split_once('=')) {
            section.insert(k.trim().to_owned(), v.trim().to_owned());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_s3_url_gives_bucket_prefix_and_options() {
        let a =
            parse("s3://news/explainer/?region=eu-west-1&endpoint=http://127.0.0.1:9000").unwrap();
        assert_eq!(a.scheme, Scheme::S3);
        assert_eq!(a.bucket, "news");
        assert_eq!(a.prefix, "explainer");
        assert_eq!(a.query["endpoint"], "http://127.0.0.1:9000");
        assert_eq!(parse("gs://b").unwrap().prefix, "");
    }

    #[test]
    fn a_folder_url_needs_an_absolute_path() {
        assert_eq!(parse("file:///srv/site/").unwrap().bucket, "/srv/site");
        assert!(parse("file://site").is_err());
    }

    #[test]
    fn unknown_schemes_and_options_are_refused_without_echoing_values() {
        assert!(parse("ftp://x/y").unwrap_err().contains("s3://"));
        let err = parse("s3://b?secret_access_key=hunter2").unwrap_err();
        assert!(
            err.contains("secret_access_key") && !err.contains("hunter2"),
            "{err}"
        );
    }

    #[test]
    fn the_shown_url_has_no_query() {
        assert_eq!(shown("s3://b/p?endpoint=http://x"), "s3://b/p");
    }

    #[test]
    fn an_ini_section_is_read_up_to_the_next() {
        let text = "[default]\naws_access_key_id = A\n[other]\naws_access_key_id=B\n# c\n";
        assert_eq!(
            ini_section(text, "other").unwrap()["aws_access_key_id"],
            "B"
        );
        assert_eq!(
            ini_section(text, "default").unwrap()["aws_access_key_id"],
            "A"
        );
        assert!(ini_section(text, "missing").is_none());
    }
}
