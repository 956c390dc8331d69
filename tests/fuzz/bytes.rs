//! Mutations of a file's raw bytes, for the readers and parsers: what a cut-off download, a bad
//! copy and paste, or an editor saving in another encoding does to a file.

use rand::RngExt;
use rand::seq::IndexedRandom;

use super::harness::Rng;

/// Bytes that mean something to a TOML, JSON or CSV reader, or break UTF-8: a lone lead byte
/// (0xC3), a continuation byte without a lead (0x80), Latin-1 `é` (0xE9), 0xFF, NUL.
const BYTES: &[u8] = b"\x00\xff\xc3\x80\xe9\"'[]{}=,;:\n\r\t#\\.-+09eE_ ";

/// Snippets worth splicing in: a number no integer type holds, one no float holds, a byte
/// order mark, unbalanced brackets and quotes, text in another encoding.
const SNIPPETS: &[&[u8]] = &[
    b"99999999999999999999999999",
    b"1e999",
    b"-0",
    b"\xef\xbb\xbf",
    b"[[",
    b"]]",
    b"{",
    b"}",
    b"\"",
    b"\"\"\"",
    b"caf\xe9",
    b"\n[simulation]\n",
    b"\n\n",
    b",,,,",
];

/// Apply one raw mutation to `bytes`, saying what it did in `recipe`.
pub fn mutate(bytes: &mut Vec<u8>, rng: &mut Rng, recipe: &mut Vec<String>) {
    let at = |rng: &mut Rng, len: usize| rng.random_range(0..=len);
    match rng.random_range(0..8) {
        0 => {
            let cut = at(rng, bytes.len());
            bytes.truncate(cut);
            recipe.push(format!("truncate at byte {cut}"));
        }
        1 if !bytes.is_empty() => {
            let k = rng.random_range(0..bytes.len());
            let bit = rng.random_range(0..8);
            bytes[k] ^= 1 << bit;
            recipe.push(format!("flip bit {bit} of byte {k}"));
        }
        2 if !bytes.is_empty() => {
            let k = rng.random_range(0..bytes.len());
            let b = *BYTES.choose(rng).expect("bytes");
            bytes[k] = b;
            recipe.push(format!("set byte {k} to {b:#04x}"));
        }
        3 => {
            let k = at(rng, bytes.len());
            let snippet = *SNIPPETS.choose(rng).expect("snippets");
            bytes.splice(k..k, snippet.iter().copied());
            recipe.push(format!(
                "insert {:?} at byte {k}",
                String::from_utf8_lossy(snippet)
            ));
        }
        4 => {
            *bytes = bytes
                .split(|&b| b == b'\n')
                .collect::<Vec<_>>()
                .join(&b"\r\n"[..]);
            recipe.push("CRLF line endings".into());
        }
        _ => mutate_lines(bytes, rng, recipe),
    }
}

/// Duplicate, delete or swap whole lines.
fn mutate_lines(bytes: &mut Vec<u8>, rng: &mut Rng, recipe: &mut Vec<String>) {
    let mut lines: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let k = rng.random_range(0..lines.len());
    match rng.random_range(0..3) {
        0 => {
            let line = lines[k].clone();
            lines.insert(k, line);
            recipe.push(format!("duplicate line {}", k + 1));
        }
        1 => {
            lines.remove(k);
            recipe.push(format!("delete line {}", k + 1));
        }
        _ => {
            let j = rng.random_range(0..lines.len());
            lines.swap(k, j);
            recipe.push(format!("swap lines {} and {}", k + 1, j + 1));
        }
    }
    *bytes = lines.join(&b'\n');
}
