//! The workspace's layering rules, checked mechanically over `cargo metadata`: a bounded context depends on
//! `contracts` and `platform/*` only (never on another context), and `platform/*` never depends on a context.

use std::process::Command;

const CONTEXTS: &[&str] =
    &["stores", "customers", "baskets", "ordering", "payments", "depot", "cosec", "notifications", "search"];

fn metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("metadata JSON")
}

#[test]
fn contexts_and_platform_keep_their_layers() {
    let meta = metadata();
    let packages = meta["packages"].as_array().expect("packages");
    let mut checked = 0;
    for package in packages {
        let name = package["name"].as_str().unwrap_or_default();
        let path = package["manifest_path"].as_str().unwrap_or_default();
        let deps: Vec<&str> = package["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["kind"].is_null()) // normal dependencies; dev-dependencies may use the testkit
            .filter_map(|d| d["name"].as_str())
            .collect();
        if CONTEXTS.contains(&name) {
            checked += 1;
            for dep in &deps {
                assert!(!CONTEXTS.contains(dep), "bounded context {name} depends on bounded context {dep}");
            }
        }
        if path.contains("/platform/") {
            checked += 1;
            for dep in &deps {
                assert!(!CONTEXTS.contains(dep), "platform crate {name} depends on bounded context {dep}");
            }
        }
    }
    assert!(checked >= 6, "expected to find the platform crates and contexts, found {checked}");
}

#[test]
fn every_rust_file_opens_with_a_doc_line() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf();
    let mut missing = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable dir").flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") && name != "build.rs" {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if !text.trim_start().starts_with("//!") {
                    missing.push(path.strip_prefix(&root).unwrap_or(&path).display().to_string());
                }
            }
        }
    }
    assert!(missing.is_empty(), "files without a //! line: {missing:?}");
}
