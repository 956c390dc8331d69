//! Issue 26: the Python package (python/, a workspace of its own) builds the library with the
//! same versions of its dependencies as the command, so that the two give the same results.

use std::collections::BTreeMap;
use std::path::Path;

fn versions(lock: &str) -> BTreeMap<String, Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(lock);
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for package in doc["package"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap().to_string();
        let version = package["version"].as_str().unwrap().to_string();
        out.entry(name).or_default().push(version);
    }
    out
}

#[test]
fn issue_26_the_python_lock_file_has_the_main_crates_versions() {
    let main = versions("Cargo.lock");
    let python = versions("python/Cargo.lock");
    let differ: Vec<String> = python
        .iter()
        .filter_map(|(name, v)| {
            let m = main.get(name)?;
            (m != v).then(|| format!("{name}: main {m:?}, python {v:?}"))
        })
        .collect();
    assert!(
        differ.is_empty(),
        "python/Cargo.lock differs from Cargo.lock (copy it into python/ and run `cargo update \
         --workspace` there): {differ:#?}"
    );
}
