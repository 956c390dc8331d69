//! Records which commit the program is built from, so that partial results of shards
//! (`--shard`) simulated by other builds are told apart from this one's: the program's version
//! number alone does not change between commits, and figures may.

use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    println!("cargo:rustc-env=BUFFERSIM_COMMIT={commit}");
    // Built again when the checkout moves to another commit (outside a checkout, never).
    for file in [".git/HEAD", ".git/refs/heads"] {
        if std::path::Path::new(file).exists() {
            println!("cargo:rerun-if-changed={file}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
