//! Why each buffer is what it is: the justification an optimisation writes (justify.md) and a
//! report shows, as plain data.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::foundation::format::group_thousands;

/// The justification of one optimisation's buffers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Justification {
    pub policy: String,
    pub param: String,
    pub target: String,
    pub confidence: f64,
    pub runs: u64,
    pub seed: u64,
    pub items: Vec<ItemReasons>,
}

/// Why one item holds the buffer it holds: one sentence per topic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemReasons {
    pub item: String,
    pub(crate) reasons: Vec<Reason>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Reason {
    pub(crate) topic: String,
    pub text: String,
}

impl Justification {
    /// The justification as Markdown: a heading and a table per item.
    pub(crate) fn to_markdown(&self) -> String {
        let mut out = format!(
            "## Buffer justification: policy '{}'\n\n{}\n\n",
            self.policy,
            self.preamble()
        );
        for item in &self.items {
            let _ = writeln!(out, "### {}\n\n| | |\n|---|---|", item.item);
            for r in &item.reasons {
                let _ = writeln!(out, "| **{}** | {} |", r.topic, r.text.replace('|', "\\|"));
            }
            out.push('\n');
        }
        out
    }

    /// What the figures rest on, in one paragraph.
    pub(crate) fn preamble(&self) -> String {
        format!(
            "Each buffer is the smallest value of `{}` found to meet {} with {:.0}% confidence, \
             searched under common random numbers (seed {}); figures are means over {} simulated \
             years with their 95% confidence intervals.",
            self.param,
            self.target,
            100.0 * self.confidence,
            self.seed,
            group_thousands(self.runs as f64, 0)
        )
    }
}
