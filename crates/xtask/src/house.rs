//! House rules that `cargo xtask test` enforces before anything is built:
//! only our own code and released crates in the tree, and the arrows
//! between our crates pointing the way ARCHITECTURE.md draws them.
//!
//! Both read `cargo metadata`, so a new dependency that breaks a rule fails
//! the test run, whatever file it was added in.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// What one of our crates may not reach, directly or through others.
struct Arrow {
    krate: &'static str,
    /// Crates it must not depend on, at any depth (normal dependencies).
    forbidden: &'static [&'static str],
    why: &'static str,
}

/// Crates that do I/O: sockets, files through a runtime, databases, HTTP.
const IO: &[&str] = &[
    "tokio",
    "mio",
    "socket2",
    "reqwest",
    "hyper",
    "sqlx",
    "sqlx-core",
    "sea-orm",
    "actix-web",
    "actix-http",
    "lettre",
    "object_store",
];

const ARROWS: &[Arrow] = &[
    Arrow {
        krate: "domain",
        forbidden: IO,
        why: "domain holds pure rules; I/O belongs in store, providers or app",
    },
    Arrow {
        krate: "domain",
        forbidden: &[
            "store",
            "providers",
            "contract",
            "app",
            "api",
            "sandbox",
            "server",
        ],
        why: "domain is at the bottom of the house",
    },
    Arrow {
        krate: "contract",
        forbidden: &[
            "store",
            "sea-orm",
            "tokio",
            "actix-web",
            "app",
            "api",
            "server",
        ],
        why: "contract is shared with the SPA (wasm) and holds only wire types",
    },
    Arrow {
        krate: "store",
        forbidden: &[
            "providers",
            "contract",
            "app",
            "api",
            "actix-web",
            "reqwest",
            "server",
        ],
        why: "store is persistence only",
    },
    Arrow {
        krate: "providers",
        forbidden: &["store", "contract", "app", "api", "actix-web", "server"],
        why: "providers adapts Meta and Twilio and knows nothing of our storage or API",
    },
    Arrow {
        krate: "app",
        forbidden: &["actix-web", "actix-http", "contract", "api", "server"],
        why: "the application layer knows neither actix nor contract types",
    },
    Arrow {
        krate: "api",
        forbidden: &["server"],
        why: "the binary assembles the API, not the other way round",
    },
];

/// Source-level rule: the binary reaches the API through what `api`
/// exports for assembling it (`build_app`, `AppState`, settings), never
/// through its handler modules.
const SERVER_MAY_NOT_NAME: &[&str] = &[
    "api::routes",
    "api::conversations::",
    "api::access::",
    "api::channel_provider::",
];

pub fn check(root: &Path) -> Result<()> {
    let metadata = cargo_metadata(root)?;
    let mut problems = only_released_crates(root, &metadata)?;
    problems.extend(arrows(&metadata)?);
    problems.extend(server_imports(root)?);
    if problems.is_empty() {
        println!("house rules hold: released crates only, crate arrows as drawn");
        return Ok(());
    }
    for p in &problems {
        eprintln!("house rule broken: {p}");
    }
    bail!("{} house rule(s) broken", problems.len())
}

fn cargo_metadata(root: &Path) -> Result<Value> {
    let out = Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(root)
        .output()
        .context("running cargo metadata")?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    serde_json::from_slice(&out.stdout).context("reading cargo metadata")
}

/// Every package that is not one of our Cargo workspace members comes from the
/// registry; no manifest patches or replaces a crate; no file that only a
/// copied crates.io package carries is tracked.
fn only_released_crates(root: &Path, metadata: &Value) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let members: BTreeSet<&str> = metadata["workspace_members"]
        .as_array()
        .context("workspace_members")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for package in metadata["packages"].as_array().context("packages")? {
        let id = package["id"].as_str().unwrap_or_default();
        let name = package["name"].as_str().unwrap_or_default();
        let source = package["source"].as_str();
        let registry = source.is_some_and(|s| s.starts_with("registry+"));
        if !members.contains(id) && !registry {
            problems.push(format!(
                "{name} comes from {} instead of the registry; depend on a released version",
                source.unwrap_or("a path in the tree")
            ));
        }
    }
    for file in tracked_files(root)? {
        let base = file.rsplit('/').next().unwrap_or(&file);
        if matches!(base, "Cargo.toml.orig" | ".cargo_vcs_info.json") {
            problems.push(format!(
                "{file} is a copied crates.io package's file; third-party source stays out of the tree"
            ));
        }
        let manifest = base == "Cargo.toml" || file.ends_with(".cargo/config.toml");
        if manifest {
            let text = std::fs::read_to_string(root.join(&file)).unwrap_or_default();
            problems.extend(patch_sections(&file, &text));
        }
    }
    Ok(problems)
}

/// `[patch.*]` and `[replace]` sections of one manifest.
fn patch_sections(file: &str, text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("[patch") || l.starts_with("[replace"))
        .map(|l| format!("{file} has {l}; use released crates and work around bugs in our code"))
        .collect()
}

fn tracked_files(root: &Path) -> Result<Vec<String>> {
    let out = Command::new("git")
        .args(["ls-files", "--cached", "--others", "--exclude-standard"])
        .current_dir(root)
        .output()
        .context("running git ls-files")?;
    if !out.status.success() {
        bail!("git ls-files failed");
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}

/// Checks every arrow against the resolved graph of normal dependencies.
fn arrows(metadata: &Value) -> Result<Vec<String>> {
    let graph = Graph::from_metadata(metadata)?;
    let mut problems = Vec::new();
    for arrow in ARROWS {
        let Some(reached) = graph.reach(arrow.krate) else {
            continue; // a crate not (yet) in the Cargo workspace
        };
        for forbidden in arrow.forbidden {
            if let Some(path) = reached.get(*forbidden) {
                problems.push(format!(
                    "{} depends on {forbidden} (through {}): {}",
                    arrow.krate,
                    path.join(" -> "),
                    arrow.why
                ));
            }
        }
    }
    Ok(problems)
}

/// Package names and their normal (not dev, not build) dependencies.
struct Graph {
    names: HashMap<String, String>,
    deps: HashMap<String, Vec<String>>,
    members: HashMap<String, String>,
}

impl Graph {
    fn from_metadata(metadata: &Value) -> Result<Self> {
        let mut names = HashMap::new();
        for p in metadata["packages"].as_array().context("packages")? {
            if let (Some(id), Some(name)) = (p["id"].as_str(), p["name"].as_str()) {
                names.insert(id.to_owned(), name.to_owned());
            }
        }
        let members = metadata["workspace_members"]
            .as_array()
            .context("workspace_members")?
            .iter()
            .filter_map(Value::as_str)
            .filter_map(|id| Some((names.get(id)?.clone(), id.to_owned())))
            .collect();
        let mut deps = HashMap::new();
        for node in metadata["resolve"]["nodes"].as_array().context("resolve")? {
            let id = node["id"].as_str().unwrap_or_default().to_owned();
            let normal = node["deps"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| {
                    d["dep_kinds"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|k| k["kind"].is_null())
                })
                .filter_map(|d| d["pkg"].as_str().map(str::to_owned))
                .collect();
            deps.insert(id, normal);
        }
        Ok(Self {
            names,
            deps,
            members,
        })
    }

    /// Every package `krate` reaches, each with the path that first reached it.
    fn reach(&self, krate: &str) -> Option<HashMap<String, Vec<String>>> {
        let start = self.members.get(krate)?;
        let mut reached: HashMap<String, Vec<String>> = HashMap::new();
        let mut queue = vec![(start.clone(), vec![krate.to_owned()])];
        let mut seen = BTreeSet::new();
        while let Some((id, path)) = queue.pop() {
            for dep in self.deps.get(&id).into_iter().flatten() {
                if !seen.insert(dep.clone()) {
                    continue;
                }
                let name = self.names.get(dep).cloned().unwrap_or_default();
                let mut next = path.clone();
                next.push(name.clone());
                reached.entry(name).or_insert_with(|| next.clone());
                queue.push((dep.clone(), next));
            }
        }
        Some(reached)
    }
}

fn server_imports(root: &Path) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for file in tracked_files(root)? {
        if !(file.starts_with("crates/server/src/") && file.ends_with(".rs")) {
            continue;
        }
        let text = std::fs::read_to_string(root.join(&file)).unwrap_or_default();
        problems.extend(named_handlers(&file, &text));
    }
    Ok(problems)
}

fn named_handlers(file: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for name in SERVER_MAY_NOT_NAME {
            if line.contains(name) && !line.trim_start().starts_with("//") {
                problems.push(format!(
                    "{file}:{} names {name}: the binary's workers call the application layer, not HTTP handlers",
                    n + 1
                ));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn metadata(edges: &[(&str, &str)], members: &[&str]) -> Value {
        let mut names: BTreeSet<&str> = members.iter().copied().collect();
        for (a, b) in edges {
            names.insert(a);
            names.insert(b);
        }
        let packages: Vec<Value> = names
            .iter()
            .map(|n| {
                let source = if members.contains(n) {
                    Value::Null
                } else {
                    json!("registry+https://github.com/rust-lang/crates.io-index")
                };
                json!({"id": format!("{n}-id"), "name": n, "source": source})
            })
            .collect();
        let nodes: Vec<Value> = names
            .iter()
            .map(|n| {
                let deps: Vec<Value> = edges
                    .iter()
                    .filter(|(a, _)| a == n)
                    .map(|(_, b)| json!({"pkg": format!("{b}-id"), "dep_kinds": [{"kind": null}]}))
                    .collect();
                json!({"id": format!("{n}-id"), "deps": deps})
            })
            .collect();
        json!({
            "packages": packages,
            "workspace_members": members.iter().map(|m| format!("{m}-id")).collect::<Vec<_>>(),
            "resolve": {"nodes": nodes},
        })
    }

    #[test]
    fn an_arrow_through_another_crate_is_caught() {
        // app -> sandbox -> actix-web: app reaches actix through the sandbox.
        let m = metadata(
            &[
                ("app", "sandbox"),
                ("sandbox", "actix-web"),
                ("app", "store"),
            ],
            &["app", "sandbox", "store"],
        );
        let problems = arrows(&m).unwrap_or_default();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("app -> sandbox -> actix-web"));
    }

    #[test]
    fn domain_with_io_is_caught_and_pure_domain_passes() {
        let pure = metadata(
            &[("domain", "serde"), ("store", "domain")],
            &["domain", "store"],
        );
        assert!(arrows(&pure).unwrap_or_default().is_empty());
        let io = metadata(&[("domain", "chrono"), ("chrono", "tokio")], &["domain"]);
        let problems = arrows(&io).unwrap_or_default();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].starts_with("domain depends on tokio"));
    }

    #[test]
    fn patch_sections_and_handler_imports_are_caught() {
        let manifest = "[workspace]\n\n[patch.crates-io]\nsqlx-core = { path = \"x\" }\n";
        assert_eq!(patch_sections("Cargo.toml", manifest).len(), 1);
        assert!(patch_sections("Cargo.toml", "[dependencies]\npatch = \"1\"\n").is_empty());
        let workers = "use api::AppState;\nfn f() { api::conversations::apply_status(); }\n";
        assert_eq!(named_handlers("workers.rs", workers).len(), 1);
    }

    #[test]
    fn this_tree_keeps_the_rules() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let metadata = cargo_metadata(&root);
        assert!(metadata.is_ok(), "{metadata:?}");
        let metadata = metadata.unwrap_or_default();
        let problems = only_released_crates(&root, &metadata);
        assert!(matches!(&problems, Ok(p) if p.is_empty()), "{problems:?}");
        let problems = arrows(&metadata);
        assert!(matches!(&problems, Ok(p) if p.is_empty()), "{problems:?}");
    }
}
