//! The report's "Suppliers" section: what each supplier whose items are simulated together
//! shared among them (capacity used, backlog, cuts, deliveries), and how much of each budget
//! the orders used, for every policy. Shown only when the summary has such figures.

use super::{Table, board, estimate_cell};
use crate::presentation::format::ValueKind;
use crate::results::saved::{SavedEstimate, SavedPolicy, SavedSummary};
use crate::results::summary::supplier_figure_unit;
use crate::simulation::supplier_metrics::{
    BUDGET_METRICS, BudgetMetric, SUPPLIER_METRICS, SupplierMetric,
};
use indexmap::IndexMap;

/// The section's anchor in report.html.
pub(crate) const ID: &str = "suppliers";

/// What the section holds and how its cells read, below its heading.
pub(crate) fn note(s: &SavedSummary) -> String {
    let what = match (s.supplier_names().is_empty(), s.budget_names().is_empty()) {
        (false, true) => SUPPLIERS,
        (true, false) => "The budgets",
        _ => &format!("{SUPPLIERS}, and the budgets"),
    };
    format!(
        "{what}: each figure's mean over runs with its 95% confidence interval. A figure that \
         no run defines reads `undefined`, with the reason."
    )
}

const SUPPLIERS: &str = "The suppliers whose items are simulated together (they share the \
    supplier's capacity, or its value minimum, order days, delivery cost or a budget ties them)";

/// Whether the summary has any supplier or budget figure to show.
pub(crate) fn any(s: &SavedSummary) -> bool {
    s.policies
        .iter()
        .any(|p| !p.suppliers.is_empty() || !p.budgets.is_empty())
}

/// The section's heading: "Suppliers", "Budgets" or "Suppliers and budgets", as it holds.
pub(crate) fn title(s: &SavedSummary) -> &'static str {
    match (s.supplier_names().is_empty(), s.budget_names().is_empty()) {
        (false, true) => "Suppliers",
        (true, false) => "Budgets",
        _ => "Suppliers and budgets",
    }
}

/// The tables of the section, each with its heading: one per supplier, then one per budget;
/// one row per figure, one column per policy.
pub(crate) fn tables(s: &SavedSummary) -> Vec<(String, Table)> {
    let suppliers = s.supplier_names().into_iter().map(|id| {
        let rows = SUPPLIER_METRICS
            .iter()
            .map(|m| {
                row(s, m.name(), supplier_undefined(*m), |p| {
                    p.suppliers
                        .iter()
                        .find(|x| x.supplier == id)
                        .map(|x| &x.metrics)
                })
            })
            .collect();
        (format!("Supplier {id}"), table(s, rows))
    });
    let budgets = s.budget_names().into_iter().map(|id| {
        let rows = BUDGET_METRICS
            .iter()
            .map(|m| {
                row(s, m.name(), budget_undefined(*m), |p| {
                    p.budgets
                        .iter()
                        .find(|x| x.budget == id)
                        .map(|x| &x.metrics)
                })
            })
            .collect();
        (format!("Budget {id}"), table(s, rows))
    });
    suppliers.chain(budgets).collect()
}

fn table(s: &SavedSummary, rows: Vec<Vec<String>>) -> Table {
    let mut header = vec!["figure".to_string()];
    header.extend(s.policies.iter().map(|p| p.policy.clone()));
    Table { header, rows }
}

/// One figure's row: its label, then per policy its estimate, `undefined` (with `why`) where
/// no run defined it, or "–" where the policy has no figures for the supplier or budget.
fn row<'a>(
    s: &'a SavedSummary,
    name: &str,
    why: &str,
    figures: impl Fn(&'a SavedPolicy) -> Option<&'a IndexMap<String, SavedEstimate>>,
) -> Vec<String> {
    let kind = ValueKind::of(name);
    let mut row = vec![label_with_unit(s, name)];
    row.extend(s.policies.iter().map(|p| {
        match figures(p) {
            None => "–".to_string(),
            Some(metrics) => metrics
                .get(name)
                .map_or_else(|| format!("undefined\n({why})"), |e| estimate_cell(kind, e)),
        }
    }));
    row
}

/// Why a supplier's figure can be undefined in every run.
fn supplier_undefined(m: SupplierMetric) -> &'static str {
    match m {
        SupplierMetric::CapacityUtilisation => "unlimited capacity",
        SupplierMetric::BacklogDays => "nothing shipped",
        SupplierMetric::ValuePerDelivery => "no orders",
        _ => "no run counted",
    }
}

/// Why a budget's figure can be undefined in every run.
fn budget_undefined(m: BudgetMetric) -> &'static str {
    match m {
        BudgetMetric::BudgetUsed => "no budget available",
        BudgetMetric::BudgetBoundDays => "no run counted",
    }
}

/// A supplier's or a budget's figure with its unit: "Capacity utilisation (%)", "Value per
/// delivery (EUR)"; `None` for a name that is not one.
pub(crate) fn figure_label(s: &SavedSummary, name: &str) -> Option<String> {
    let label = if let Some(m) = SUPPLIER_METRICS.iter().find(|m| m.name() == name) {
        match m {
            SupplierMetric::CapacityUtilisation => "Capacity utilisation",
            SupplierMetric::BacklogUnits => "Backlog",
            SupplierMetric::BacklogDays => "Wait in the backlog",
            SupplierMetric::AllocationCutDays => "Days the capacity cut orders",
            SupplierMetric::ValuePerDelivery => "Value per delivery",
            SupplierMetric::DeliveriesPerYear => "Deliveries",
        }
    } else {
        match BUDGET_METRICS.iter().find(|m| m.name() == name)? {
            BudgetMetric::BudgetUsed => "Budget used",
            BudgetMetric::BudgetBoundDays => "Days the budget held orders back",
        }
    };
    let unit = match supplier_figure_unit(name)? {
        "share" => "%",
        "currency" => board::currency(s),
        "days per year" => "per year",
        other => other,
    };
    Some(format!("{label} ({unit})"))
}

fn label_with_unit(s: &SavedSummary, name: &str) -> String {
    figure_label(s, name).unwrap_or_else(|| name.replace('_', " "))
}

/// The names of the supplier and budget figures the summary holds, in output order: the
/// rows the metric definitions add.
pub(crate) fn figure_names(s: &SavedSummary) -> Vec<&'static str> {
    let mut names = Vec::new();
    if !s.supplier_names().is_empty() {
        names.extend(SUPPLIER_METRICS.iter().map(|m| m.name()));
    }
    if !s.budget_names().is_empty() {
        names.extend(BUDGET_METRICS.iter().map(|m| m.name()));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_has_a_label() {
        let s = SavedSummary::from_json(
            r#"{"scenario":"s","runs":1,"seed":1,"horizon_days":3,"warmup_days":0,
            "unmet_demand":"lost","rng":"x","rand_version":"x","policies":[]}"#,
        )
        .unwrap();
        for name in SUPPLIER_METRICS
            .iter()
            .map(|m| m.name())
            .chain(BUDGET_METRICS.iter().map(|m| m.name()))
        {
            assert!(figure_label(&s, name).is_some(), "{name}");
        }
    }
}
