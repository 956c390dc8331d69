//! How a metric's values are written for people: shares as percentages, money whole with
//! thousands grouped, other figures with two decimals below 100.

use crate::foundation::format::group_thousands;
use crate::foundation::stats::Interval;
use crate::results::saved::SavedEstimate;
use crate::results::summary::supplier_figure_unit;

/// How a metric's values are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A share, written as a percentage.
    Percent,
    /// Money, per year: whole numbers with thousands separators.
    Money,
    /// Anything else: two decimals below 100, whole numbers above.
    Number,
}

impl ValueKind {
    /// Decided from the metric's name, so metrics added later are written sensibly too.
    pub fn of(metric: &str) -> ValueKind {
        // The supplier and budget figures say their unit, which names alone would misread
        // (`capacity_utilisation` is a share, `value_per_delivery` money).
        if let Some(unit) = supplier_figure_unit(metric) {
            return match unit {
                "share" => ValueKind::Percent,
                "currency" => ValueKind::Money,
                _ => ValueKind::Number,
            };
        }
        if metric.ends_with("_rate") || metric.ends_with("service_level") {
            ValueKind::Percent
        } else if metric.ends_with("_cost") || metric.ends_with("_value") {
            ValueKind::Money
        } else {
            ValueKind::Number
        }
    }

    /// One value as people read it: a share 0–1 as a percentage with two decimals
    /// (`0.0831` → `8.31%`), money whole with thousands grouped, other figures with two
    /// decimals below 100 and whole above.
    pub fn value(self, x: f64) -> String {
        self.value_finer(x, 0)
    }

    /// [`ValueKind::value`] with `extra` more decimals: for a figure set beside another it
    /// would otherwise read the same as, so that "1.004%, above 1.00%" does not read
    /// "1.00%, above 1.00%".
    pub fn value_finer(self, x: f64, extra: usize) -> String {
        match self {
            // No "-0.00%" for a tiny negative interval bound.
            ValueKind::Percent if (100.0 * x).abs() < 0.5 * 10f64.powi(-2 - extra as i32) => {
                format!("{:.*}%", 2 + extra, 0.0)
            }
            ValueKind::Percent => format!("{:.*}%", 2 + extra, 100.0 * x),
            ValueKind::Money => group_thousands(x, extra),
            ValueKind::Number => group_thousands(x, extra + if x.abs() < 100.0 { 2 } else { 0 }),
        }
    }

    /// "8.31% [8.22%, 8.41%]": the mean and its 95% confidence interval.
    pub fn estimate(self, e: &SavedEstimate) -> String {
        format!("{} {}", self.value(e.mean), self.interval(e.ci95))
    }

    /// "[8.22%, 8.41%]", or [`NO_INTERVAL`] in brackets where none could be computed.
    pub fn interval(self, ci: Option<Interval>) -> String {
        ci.map_or_else(
            || format!("[{NO_INTERVAL}]"),
            |ci| format!("[{}, {}]", self.value(ci.low), self.value(ci.high)),
        )
    }
}

/// What stands where an interval cannot be computed: from a single run nothing is known about
/// the spread, and a zero width ("±0.00") would claim certainty (issue 18, item 7).
pub const NO_INTERVAL: &str = "n/a: 1 run";

/// A kanban loop's days of supply: "2.50 days", or "no demand" where the item has none and no
/// number of days is defined.
pub(crate) fn loop_days(days: Option<f64>) -> String {
    days.map_or_else(|| "no demand".to_string(), |d| format!("{d:.2} days"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_kinds_follow_metric_names() {
        assert_eq!(ValueKind::of("stockout_rate"), ValueKind::Percent);
        assert_eq!(ValueKind::of("cycle_service_level"), ValueKind::Percent);
        assert_eq!(ValueKind::of("expedite_cost"), ValueKind::Money);
        assert_eq!(ValueKind::of("avg_backorder_level"), ValueKind::Number);
        assert_eq!(ValueKind::of("capacity_utilisation"), ValueKind::Percent);
        assert_eq!(ValueKind::of("budget_used"), ValueKind::Percent);
        assert_eq!(ValueKind::of("value_per_delivery"), ValueKind::Money);
        assert_eq!(ValueKind::of("backlog_days"), ValueKind::Number);
        let e = SavedEstimate {
            mean: 0.0831,
            ci95: Some(Interval {
                low: 0.0822,
                high: 0.0841,
            }),
            p05: 0.05,
            p50: 0.08,
            p95: 0.12,
            n: 10,
        };
        assert_eq!(ValueKind::Percent.estimate(&e), "8.31% [8.22%, 8.41%]");
        let one_run = SavedEstimate {
            ci95: None,
            n: 1,
            ..e
        };
        assert_eq!(ValueKind::Percent.estimate(&one_run), "8.31% [n/a: 1 run]");
        assert_eq!(ValueKind::Percent.value_finer(0.010_04, 1), "1.004%");
        assert_eq!(ValueKind::Percent.value_finer(-1e-7, 1), "0.000%");
        assert_eq!(ValueKind::Money.value_finer(41_200.5, 1), "41,200.5");
    }
}
