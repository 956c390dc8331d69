//! A generated catalogue scenario of any size, for the memory test (`tests/memory.rs`) and for
//! measuring peak memory by hand (docs/performance.md, "Memory").
//!
//! Items cycle through normal, Poisson, negative-binomial and lognormal demand; two in five are
//! single-sourced, the others split between two suppliers or on failover; every supplier has
//! outages, and there is a regional event, port congestion, bad batches and a demand surge.
//! Policies cycle through the seven kinds of rule at different settings, so that twenty policies
//! are twenty different sizings.

use std::fmt::Write as _;

/// Suppliers of the catalogue: id, region, lead time.
const SUPPLIERS: [(&str, &str, &str); 8] = [
    ("eu-1", "europe", "{ uniform = { min = 1, max = 7 } }"),
    ("eu-2", "europe", "{ fixed = 3 }"),
    ("eu-3", "europe", "{ uniform = { min = 2, max = 5 } }"),
    ("eu-4", "europe", "{ fixed = 5 }"),
    (
        "asia-1",
        "asia",
        "{ triangular = { min = 10, mode = 14, max = 24 } }",
    ),
    ("asia-2", "asia", "{ lognormal = { mean = 12, sd = 4 } }"),
    ("asia-3", "asia", "{ uniform = { min = 15, max = 30 } }"),
    ("us-1", "americas", "{ fixed = 8 }"),
];

/// The rule of policy `k`: the seven kinds in turn, each at a setting that grows with `k`.
fn rule(k: usize) -> String {
    let step = k / 7;
    match k % 7 {
        0 => format!("kanban = {{ safety_factor = {} }}", 0.1 + 0.2 * step as f64),
        1 => format!(
            "reorder_point = {{ service_level = {}, quantity = \"eoq\" }}",
            0.9 + 0.03 * step as f64
        ),
        2 => format!("min_max = {{ safety_stock_days = {} }}", 3 + 4 * step),
        3 => format!(
            "periodic_review = {{ review_period_days = {}, service_level = 0.95 }}",
            7 * (step + 1)
        ),
        4 => format!(
            "reorder_point = {{ safety_stock_days = {}, quantity = \"eoq\" }}",
            5 + 10 * step
        ),
        5 => format!("base_stock = {{ safety_stock_days = {} }}", 2 + 3 * step),
        _ => format!(
            "min_max = {{ service_level = {}, review_period_days = 7 }}",
            0.9 + 0.04 * step as f64
        ),
    }
}

/// A catalogue of `items` items under `policies` policies, `runs` runs by default.
pub fn catalogue_toml(items: usize, policies: usize, runs: u64) -> String {
    let mut s = format!(
        "[simulation]\nname = \"catalogue {items} x {policies}\"\nhorizon_days = 365\n\
         warmup_days = 0\nruns = {runs}\nseed = 1\nunmet_demand = \"lost\"\n"
    );
    for (id, region, lead_time) in SUPPLIERS {
        write!(
            s,
            "\n[[supplier]]\nid = \"{id}\"\nregion = \"{region}\"\nlead_time = {lead_time}\n"
        )
        .unwrap();
    }
    for i in 0..items {
        // Means from 5 to 203 units a day, spread over the items.
        let mean = 5 + (i * 37) % 199;
        // sd² > mean for every mean here, as the negative binomial needs.
        let sd = mean / 3 + 3;
        let demand = match i % 4 {
            0 => format!("{{ normal = {{ mean = {mean}, sd = {sd} }} }}"),
            1 => format!("{{ poisson = {{ mean = {mean} }} }}"),
            2 => format!("{{ negative_binomial = {{ mean = {mean}, sd = {sd} }} }}"),
            _ => format!("{{ lognormal = {{ mean = {mean}, sd = {sd} }} }}"),
        };
        let container = (mean * 2).div_ceil(10) * 10;
        let unit_cost = 1 + (i * 13) % 150;
        let first = SUPPLIERS[i % SUPPLIERS.len()].0;
        let second = SUPPLIERS[(i + 3) % SUPPLIERS.len()].0;
        let sourcing = match i % 5 {
            0 | 1 => format!("suppliers = [\"{first}\"]"),
            2 | 3 => format!(
                "sourcing = [{{ supplier = \"{first}\", share = 0.7 }}, \
                 {{ supplier = \"{second}\", share = 0.3 }}]"
            ),
            _ => format!(
                "failover = {{ primary = \"{first}\", backup = \"{second}\", after_days = 7 }}"
            ),
        };
        write!(
            s,
            "\n[[item]]\nid = \"item-{i:05}\"\nunit_cost = {unit_cost}\norder_cost = 50\n\
             stockout_penalty = {unit_cost}\ncontainer_size = {container}\ndemand = {demand}\n\
             {sourcing}\n"
        )
        .unwrap();
    }
    for (id, _, _) in SUPPLIERS {
        write!(
            s,
            "\n[[disruption]]\nid = \"{id}-outage\"\n\
             effect = {{ supplier_outage = {{ supplier = \"{id}\" }} }}\n\
             occurrence = {{ random = {{ rate_per_year = 1, duration_days = {{ uniform = {{ min = 3, max = 20 }} }} }} }}\n"
        )
        .unwrap();
    }
    s.push_str(
        r#"
[[disruption]]
id = "asia-typhoon"
effect = { regional_event = { region = "asia" } }
occurrence = { random = { rate_per_year = 0.5, duration_days = { uniform = { min = 5, max = 12 } } } }

[[disruption]]
id = "asia-port-congestion"
effect = { transport_delay = { region = "asia", extra_days = { uniform = { min = 3, max = 10 } } } }
occurrence = { markov = { mean_days_up = 150, mean_days_down = 20 } }

[[disruption]]
id = "eu-2-bad-batches"
effect = { quality_rejection = { supplier = "eu-2", probability = 0.3 } }
occurrence = { random = { rate_per_year = 1.0, duration_days = { uniform = { min = 5, max = 15 } } } }

[[disruption]]
id = "surge"
effect = { demand_surge = { factor = { uniform = { min = 1.2, max = 1.8 } } } }
occurrence = { random = { rate_per_year = 1.0, duration_days = { uniform = { min = 3, max = 10 } } } }
"#,
    );
    for k in 0..policies {
        write!(s, "\n[policy.policy-{k:02}.rule]\n{}\n", rule(k)).unwrap();
    }
    s
}
