//! Project tasks, run as `cargo xtask <task>`:
//!
//! - `run [-- ARGS]`: install missing build tools, build the SPA, serve
//!   everything on http://127.0.0.1:8080 over embedded SQLite (ARGS go to
//!   `switchboard serve`, e.g. `--demo`);
//! - `test`: everything CI checks (format, lints, tests on SQLite and
//!   PostgreSQL, OpenAPI drift and validation, SPA build, browser tests);
//! - `e2e`: only the browser tests;
//! - `openapi`: regenerate `openapi/openapi.json`;
//! - `spa`: only build the SPA;
//! - `house`: only the house rules (`house.rs`).
#![allow(clippy::print_stdout)]

mod house;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

const TRUNK_VERSION: &str = "0.21.14";
const WASM_BINDGEN_VERSION: &str = "0.2.130";
const LOCAL_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root()?;
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("run") => run(&root, &args[1..]),
        Some("test") => test(&root),
        Some("e2e") => {
            ensure_wasm_tools()?;
            build_spa()?;
            e2e(&root)
        }
        Some("openapi") => write_openapi(&root),
        Some("house") => house::check(&root),
        Some("bench") => bench(args.get(1).map(String::as_str)),
        Some("spa") => {
            ensure_wasm_tools()?;
            build_spa()
        }
        _ => {
            println!(
                "usage: cargo xtask <run [-- --demo] | test | e2e | openapi | spa | house | bench import|contacts|conversations>"
            );
            Ok(())
        }
    }
}

fn project_root() -> Result<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .context("xtask must live in crates/xtask")
}

fn step(name: &str) {
    println!("\n==> {name}");
}

/// Runs a command, failing with its name when it fails.
fn sh(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd.status().with_context(|| format!("starting {shown}"))?;
    if !status.success() {
        bail!("{shown} failed with {status}");
    }
    Ok(())
}

fn output(cmd: &mut Command) -> Option<String> {
    cmd.output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u"))
        .map(|s| s.trim() == "0")
        .unwrap_or(false)
}

fn apt_install(packages: &[&str], why: &str) -> Result<()> {
    if !is_root() {
        bail!("{why}: install the Debian/Ubuntu packages {} (e.g. `sudo apt-get install {}`) and run again", packages.join(" "), packages.join(" "));
    }
    step(&format!(
        "installing {} with apt-get ({why})",
        packages.join(" ")
    ));
    sh(Command::new("apt-get").arg("update").arg("-q"))?;
    sh(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The wasm32 target, trunk and wasm-bindgen, each only when missing.
fn ensure_wasm_tools() -> Result<()> {
    let targets =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !targets
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        step("adding the wasm32-unknown-unknown target");
        sh(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let trunk = output(Command::new("trunk").arg("--version")).unwrap_or_default();
    if !trunk.contains(TRUNK_VERSION) {
        step(&format!(
            "installing trunk {TRUNK_VERSION} (a few minutes, once)"
        ));
        sh(Command::new("cargo").args([
            "install",
            "trunk",
            "--version",
            TRUNK_VERSION,
            "--locked",
        ]))?;
    }
    let bindgen = output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    if !bindgen.contains(WASM_BINDGEN_VERSION) {
        step(&format!(
            "installing wasm-bindgen-cli {WASM_BINDGEN_VERSION} (a few minutes, once)"
        ));
        sh(Command::new("cargo").args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            WASM_BINDGEN_VERSION,
        ]))?;
    }
    // wasm-opt stays off (frontend/index.html): Debian's binaryen 108 emits
    // a module Chromium rejects at start-up.
    Ok(())
}

fn build_spa() -> Result<()> {
    step("building the SPA (trunk build --release --offline)");
    sh(Command::new("trunk").args(["build", "--release", "--offline"]))
}

fn run(root: &Path, args: &[String]) -> Result<()> {
    ensure_wasm_tools()?;
    build_spa()?;
    step("starting Switchboard on http://127.0.0.1:8080 (Ctrl-C stops it)");
    let serve_args: Vec<&String> = args.iter().filter(|a| a.as_str() != "--").collect();
    sh(Command::new("cargo")
        .args([
            "run",
            "--release",
            "--package",
            "server",
            "--bin",
            "switchboard",
            "--",
            "serve",
        ])
        .args(serve_args)
        .env("SWITCHBOARD_SPA_DIR", root.join("frontend/dist")))
}

/// Benchmarks, in release mode, printing their figures: each runs once on
/// SQLite and once on PostgreSQL when one answers.
fn bench(which: Option<&str>) -> Result<()> {
    let (test, name, title) = match which {
        Some("import") | None => (
            "bench_contacts",
            "import_and_list_at_100k",
            "import 100,000 contacts from CSV, then the contact list",
        ),
        Some("contacts") => (
            "bench_contacts",
            "search_at_100k",
            "contact search at 100,000 contacts: names, phone digits, emails",
        ),
        Some("conversations") => (
            "bench_conversations",
            "",
            "100,000 conversations and 1,000,000 messages: the list, a chat, webhook ingest",
        ),
        Some("pipeline") => (
            "bench_pipeline",
            "",
            "webhooks at 1,000 events/s for 60 s, then a burst of 20,000: ingest, processing, latency to the live stream",
        ),
        Some(other) => bail!("unknown benchmark {other}; try `cargo xtask bench import`, `contacts`, `conversations` or `pipeline`"),
    };
    step("building the release binary");
    sh(Command::new("cargo").args([
        "build",
        "--release",
        "--package",
        "server",
        "--bin",
        "switchboard",
    ]))?;
    let run = |postgres: Option<&str>| {
        let mut cargo = Command::new("cargo");
        cargo.args([
            "test",
            "--release",
            "--package",
            "server",
            "--test",
            test,
            "--",
            "--ignored",
            "--nocapture",
            "--exact",
        ]);
        if !name.is_empty() {
            cargo.arg(name);
        }
        match postgres {
            Some(url) => cargo
                .env("TEST_DB", "postgres")
                .env("TEST_POSTGRES_URL", url),
            None => cargo.env_remove("TEST_DB"),
        };
        sh(&mut cargo)
    };
    step(&format!("benchmark: {title} (SQLite)"));
    run(None)?;
    match postgres_url() {
        Some(url) => {
            step("benchmark: the same on PostgreSQL");
            run(Some(&url))
        }
        None => {
            println!("\nSKIPPED: PostgreSQL (no TEST_POSTGRES_URL and nothing answers on 127.0.0.1:5432)");
            Ok(())
        }
    }
}

fn write_openapi(root: &Path) -> Result<()> {
    step("regenerating openapi/openapi.json");
    let spec = Command::new("cargo")
        .args([
            "run",
            "--quiet",
            "--package",
            "server",
            "--bin",
            "switchboard",
            "--",
            "openapi",
        ])
        .stderr(Stdio::inherit())
        .output()?;
    if !spec.status.success() {
        bail!("switchboard openapi failed");
    }
    std::fs::write(root.join("openapi/openapi.json"), spec.stdout)?;
    println!("written openapi/openapi.json");
    Ok(())
}

fn postgres_url() -> Option<String> {
    if let Ok(url) = std::env::var("TEST_POSTGRES_URL") {
        if !url.is_empty() {
            return Some(url);
        }
    }
    let addr = "127.0.0.1:5432".parse().ok()?;
    TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    Some(LOCAL_POSTGRES.to_owned())
}

fn test(root: &Path) -> Result<()> {
    step("house rules (released crates only, crate arrows)");
    house::check(root)?;

    step("format (cargo fmt --check)");
    sh(Command::new("cargo").args(["fmt", "--all", "--", "--check"]))?;

    step("lints (cargo clippy -D warnings)");
    sh(Command::new("cargo").args(["clippy", "--all-targets", "--", "-D", "warnings"]))?;
    ensure_wasm_tools()?;
    sh(Command::new("cargo").args([
        "clippy",
        "--package",
        "frontend",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;

    step("tests on SQLite");
    sh(Command::new("cargo")
        .args(["test", "--workspace", "--exclude", "frontend"])
        .env_remove("TEST_DB"))?;

    step("SPA unit tests (pure functions, on the host)");
    sh(Command::new("cargo").args(["test", "--package", "frontend"]))?;

    match postgres_url() {
        Some(url) => {
            step("tests on PostgreSQL");
            sh(Command::new("cargo")
                .args(["test", "--package", "server", "--package", "store"])
                .env("TEST_DB", "postgres")
                .env("TEST_POSTGRES_URL", url))?;
        }
        None => println!(
            "\nSKIPPED: the PostgreSQL suite (no TEST_POSTGRES_URL and nothing answers on 127.0.0.1:5432)"
        ),
    }

    step("OpenAPI document validates (openapi-spec-validator)");
    validate_spec(root)?;

    build_spa()?;
    e2e(root)?;
    println!("\nall checks passed");
    Ok(())
}

fn validate_spec(root: &Path) -> Result<()> {
    let venv = root.join("target/xtask-venv");
    let validator = venv.join("bin/openapi-spec-validator");
    if !validator.exists() {
        sh(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        sh(Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            "openapi-spec-validator",
        ]))?;
    }
    sh(Command::new(validator).arg(root.join("openapi/openapi.json")))
}

struct ServerGuard(Child);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ensure_browser() -> Result<String> {
    if let Ok(path) = std::env::var("CHROMIUM_PATH") {
        return Ok(path);
    }
    let path = "/usr/bin/chromium";
    if !Path::new(path).exists() {
        apt_install(&["chromium"], "the browser tests drive Chromium")?;
    }
    Ok(path.to_owned())
}

fn e2e(root: &Path) -> Result<()> {
    step("browser tests (Chromium via Playwright)");
    let chromium = ensure_browser()?;
    if output(Command::new("npm").arg("--version")).is_none() {
        apt_install(&["nodejs", "npm"], "the browser tests run on Node.js")?;
    }
    let e2e_dir = root.join("e2e");
    sh(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&e2e_dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))?;
    sh(Command::new("cargo").args(["build", "--package", "server", "--bin", "switchboard"]))?;

    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let data = root.join("target/e2e-data");
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    let url = format!("http://127.0.0.1:{port}");
    let log = std::fs::File::create(root.join("target/e2e-server.log"))?;
    let server = Command::new(root.join("target/debug/switchboard"))
        .arg("serve")
        .env("SWITCHBOARD_BIND", format!("127.0.0.1:{port}"))
        .env("SWITCHBOARD_DATA_DIR", &data)
        .env("SWITCHBOARD_SPA_DIR", root.join("frontend/dist"))
        .env("SWITCHBOARD_MAIL_OUTBOX", data.join("outbox"))
        // Meta channels in the browser tests talk to the built-in fake Graph
        // API, so a refused token can be shown without Meta.
        .env("SWITCHBOARD_META_BASE_URL", format!("{url}/sandbox/graph"))
        // The browser tests connect sandbox channels.
        .env("SWITCHBOARD_SANDBOX", "true")
        // One browser signs the same owner in from every test file within a
        // minute or two; the throttle itself is covered by the API tests.
        .env("SWITCHBOARD_LOGIN_FAILURES_BEFORE_DELAY", "60")
        .env("SWITCHBOARD_LOGIN_PER_IP_PER_MINUTE", "600")
        // The session behaviour test waits for rounds of the worker.
        .env("SWITCHBOARD_SESSION_CHECK_SECS", "2")
        .env_remove("SWITCHBOARD_DATABASE_URL")
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("starting the server")?;
    let _guard = ServerGuard(server);
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(60) {
            bail!("the server did not start; see target/e2e-server.log");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    sh(Command::new("node")
        .args(["--test", "--test-concurrency=1", "tests/"])
        .current_dir(&e2e_dir)
        .env("SWITCHBOARD_URL", &url)
        .env("SWITCHBOARD_OUTBOX", data.join("outbox"))
        .env("CHROMIUM_PATH", chromium))
}
