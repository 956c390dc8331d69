//! Supplier delivery performance, and the lead-time model written into the scenario.
//!
//! Definitions, over the received deliveries of the supplier's stable times (open orders are
//! counted, not measured; deliveries of its disrupted stretches are left out and counted, see
//! [`super::disruptions`]):
//! * lead time = received date − order date, in days;
//! * on time = received on or before the promised date; on-time rate = on-time deliveries /
//!   received deliveries;
//! * lateness = received − promised, in days, over the late deliveries only;
//! * fill rate = Σ min(received, ordered) / Σ ordered;
//! * rejection rate = Σ rejected / Σ received (units).
//!
//! The scenario describes a supplier by a quoted lead time, the probability that a shipment is
//! on time, and the extra days of a late one. So `lead_time` is fitted to the lead times of
//! the on-time deliveries (what a delivery takes when it keeps its promise), `lateness` to the
//! days late of the late ones, and `on_time_probability` is the on-time rate; together they
//! reproduce the observed lead times. Each days distribution the simulator supports (fixed,
//! uniform, triangular, lognormal) is fitted by moments and chosen by AIC on the whole-day
//! probabilities the simulator uses, checked with the Kolmogorov–Smirnov test at 5%
//! ([`super::goodness`]); with fewer than [`MIN_FIT_SAMPLE`] values, or when the test rejects
//! the best family, the observed days are resampled (empirical). Lead times of 0 days count as
//! 1 (the simulator's minimum).

use std::collections::{BTreeMap, BTreeSet};

use super::date::Date;
use super::disruptions::DisruptionHistory;
use super::goodness::{Assessment, Model, Sample, assess, lognormal_cdf, mean_sd};
use super::input::Delivery;
pub(crate) use crate::foundation::days::DaysSpec;

/// Fewest observations for which a days distribution is fitted rather than resampled.
pub(crate) const MIN_FIT_SAMPLE: usize = 10;

/// Lead time given to a supplier without delivery history (and to items without a known
/// supplier), so that the scenario still runs; flagged wherever it is used.
pub(crate) const DEFAULT_LEAD_TIME_DAYS: u32 = 7;

/// How a fitted days distribution (the simulator's own [`DaysSpec`]) is named and written
/// into a scenario.
pub(crate) trait DaysForm {
    /// The scenario's form, e.g. `{ triangular = { min = 9.5, mode = 12, max = 20.5 } }`.
    fn toml(&self) -> String;
}

impl DaysForm for DaysSpec {
    fn toml(&self) -> String {
        use super::demand_fit::num;
        match self {
            DaysSpec::Fixed(d) => format!("{{ fixed = {d} }}"),
            DaysSpec::Uniform { min, max } => {
                format!("{{ uniform = {{ min = {min}, max = {max} }} }}")
            }
            DaysSpec::Triangular { min, mode, max } => format!(
                "{{ triangular = {{ min = {}, mode = {}, max = {} }} }}",
                num(*min),
                num(*mode),
                num(*max)
            ),
            DaysSpec::Lognormal { mean, sd } => format!(
                "{{ lognormal = {{ mean = {}, sd = {} }} }}",
                num(*mean),
                num(*sd)
            ),
            DaysSpec::Empirical(values) => format!(
                "{{ empirical = [{}] }}",
                values
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Distribution function of a continuous days form before rounding (0 for discrete forms).
fn cdf_continuous(spec: &DaysSpec, x: f64) -> f64 {
    match *spec {
        DaysSpec::Triangular { min, mode, max } => {
            if x <= min {
                0.0
            } else if x <= mode {
                (x - min).powi(2) / ((max - min) * (mode - min))
            } else if x < max {
                1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
            } else {
                1.0
            }
        }
        DaysSpec::Lognormal { mean, sd } => lognormal_cdf(mean, sd, x),
        _ => 0.0,
    }
}

impl Model for DaysSpec {
    fn parameters(&self) -> usize {
        match self {
            DaysSpec::Fixed(_) => 1,
            DaysSpec::Uniform { .. } | DaysSpec::Lognormal { .. } => 2,
            DaysSpec::Triangular { .. } => 3,
            DaysSpec::Empirical(_) => 0,
        }
    }

    fn log_prob(&self, x: f64, level: f64) -> f64 {
        if x < 1.0 || x.fract() != 0.0 {
            return f64::NEG_INFINITY;
        }
        (self.cdf(x, level) - self.cdf(x - 1.0, level)).ln()
    }

    /// Whole days, at least 1: continuous forms are rounded to the nearest day and mass below
    /// one day is moved to one day, as the simulator does.
    fn cdf(&self, x: f64, _level: f64) -> f64 {
        if x < 1.0 {
            return 0.0;
        }
        let x = x.floor();
        match self {
            DaysSpec::Fixed(d) => f64::from(u8::from(x >= f64::from(*d))),
            DaysSpec::Uniform { min, max } => {
                ((x - f64::from(*min) + 1.0) / f64::from(max - min + 1)).clamp(0.0, 1.0)
            }
            DaysSpec::Triangular { .. } | DaysSpec::Lognormal { .. } => {
                cdf_continuous(self, x + 0.5)
            }
            DaysSpec::Empirical(values) => {
                values.iter().filter(|&&v| f64::from(v) <= x).count() as f64 / values.len() as f64
            }
        }
    }
}

/// A days distribution fitted to observations.
#[derive(Clone, Debug)]
pub struct DaysFit {
    pub model: DaysSpec,
    /// How the chosen family fits (none when the observations are resampled).
    pub(crate) assessment: Option<Assessment>,
}

/// Fit a whole-day distribution (values at least 1) to `days`.
pub(crate) fn fit_days(days: &[u32]) -> DaysFit {
    let values: Vec<f64> = days.iter().map(|&d| f64::from(d)).collect();
    let empirical = || {
        let mut sorted = days.to_vec();
        sorted.sort_unstable();
        DaysFit {
            model: DaysSpec::Empirical(sorted),
            assessment: None,
        }
    };
    let (Some(&min), Some(&max)) = (days.iter().min(), days.iter().max()) else {
        return DaysFit {
            model: DaysSpec::Fixed(DEFAULT_LEAD_TIME_DAYS),
            assessment: None,
        };
    };
    if min == max {
        return DaysFit {
            model: DaysSpec::Fixed(min),
            assessment: None,
        };
    }
    if days.len() < MIN_FIT_SAMPLE {
        return empirical();
    }
    let (mean, sd) = mean_sd(&values);
    let (lo, hi) = (f64::from(min) - 0.5, f64::from(max) + 0.5);
    let candidates = [
        DaysSpec::Uniform { min, max },
        DaysSpec::Triangular {
            min: lo,
            mode: (3.0 * mean - lo - hi).clamp(lo, hi),
            max: hi,
        },
        DaysSpec::Lognormal { mean, sd },
    ];
    let sample = Sample {
        values: &values,
        groups: &vec![0; values.len()],
        levels: &[1.0],
        discrete: true,
    };
    let best = candidates
        .into_iter()
        .map(|model| {
            let assessment = assess(&model, &sample);
            (model, assessment)
        })
        .filter(|(_, a)| a.aic.is_finite())
        .min_by(|a, b| a.1.aic.total_cmp(&b.1.aic));
    match best {
        Some((model, assessment))
            if assessment.ks_p_value >= super::demand_fit::FIT_MIN_P_VALUE =>
        {
            DaysFit {
                model,
                assessment: Some(assessment),
            }
        }
        _ => empirical(),
    }
}

/// Delivery performance of one supplier.
#[derive(Clone, Debug)]
pub struct SupplierProfile {
    pub id: String,
    /// False for a supplier named in the item master without any delivery history.
    pub(crate) observed: bool,
    /// Received deliveries of its stable times.
    pub deliveries: usize,
    /// Deliveries of its disrupted stretches, left out of every figure here.
    pub left_out: usize,
    /// Orders not received yet.
    pub open_orders: usize,
    pub lead_time_mean: f64,
    pub lead_time_sd: f64,
    pub on_time_rate: f64,
    pub(crate) late_deliveries: usize,
    /// Mean days late, over late deliveries (0 when none was late).
    pub(crate) mean_days_late: f64,
    pub fill_rate: f64,
    pub(crate) rejection_rate: f64,
    /// Items it delivered.
    pub items: Vec<String>,
    /// The scenario's `lead_time`: days of the on-time deliveries.
    pub lead_time: DaysFit,
    /// The scenario's `lateness`: days late of the late deliveries.
    pub lateness: Option<DaysFit>,
    /// Lead times of 0 days, counted as 1.
    pub(crate) same_day: usize,
}

impl SupplierProfile {
    /// A supplier without delivery history: the default lead time, always on time.
    pub(crate) fn unobserved(id: &str) -> SupplierProfile {
        SupplierProfile {
            id: id.to_string(),
            observed: false,
            deliveries: 0,
            left_out: 0,
            open_orders: 0,
            lead_time_mean: f64::from(DEFAULT_LEAD_TIME_DAYS),
            lead_time_sd: 0.0,
            on_time_rate: 1.0,
            late_deliveries: 0,
            mean_days_late: 0.0,
            fill_rate: 1.0,
            rejection_rate: 0.0,
            items: Vec::new(),
            lead_time: DaysFit {
                model: DaysSpec::Fixed(DEFAULT_LEAD_TIME_DAYS),
                assessment: None,
            },
            lateness: None,
            same_day: 0,
        }
    }
}

/// Profile every supplier that appears in the deliveries, ordered by id, from the deliveries of
/// its stable times: those of the `disrupted` stretches are left out (and counted).
pub(crate) fn profile(
    deliveries: &[Delivery],
    disrupted: &DisruptionHistory,
    last_date: Date,
) -> Vec<SupplierProfile> {
    let mut by_supplier: BTreeMap<&str, Vec<&Delivery>> = BTreeMap::new();
    for d in deliveries {
        by_supplier.entry(&d.supplier).or_default().push(d);
    }
    by_supplier
        .into_iter()
        .map(|(id, rows)| {
            let items = rows
                .iter()
                .map(|d| d.item.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let (left_out, stable): (Vec<&Delivery>, Vec<&Delivery>) = rows
                .into_iter()
                .partition(|d| disrupted.leaves_out(d, last_date));
            SupplierProfile {
                items,
                left_out: left_out.len(),
                ..supplier(id, &stable)
            }
        })
        .collect()
}

fn supplier(id: &str, rows: &[&Delivery]) -> SupplierProfile {
    let received: Vec<(&Delivery, i64, i64)> = rows
        .iter()
        .filter_map(|d| {
            d.received_on
                .map(|r| (*d, r.days_since(d.ordered_on), r.days_since(d.promised_on)))
        })
        .collect();
    let mut profile = SupplierProfile::unobserved(id);
    profile.open_orders = rows.len() - received.len();
    if received.is_empty() {
        return profile;
    }
    let lead_times: Vec<f64> = received.iter().map(|r| r.1 as f64).collect();
    let (lt_mean, lt_sd) = mean_sd(&lead_times);
    let on_time_days: Vec<u32> = received
        .iter()
        .filter(|r| r.2 <= 0)
        .map(|r| r.1.max(1) as u32)
        .collect();
    let late_days: Vec<u32> = received
        .iter()
        .filter(|r| r.2 > 0)
        .map(|r| r.2 as u32)
        .collect();
    // With no delivery on time, what was promised is the best guide to the quoted lead time.
    let quoted: Vec<u32> = if on_time_days.is_empty() {
        received
            .iter()
            .map(|r| r.0.promised_on.days_since(r.0.ordered_on).max(1) as u32)
            .collect()
    } else {
        on_time_days.clone()
    };
    let sum = |f: fn(&Delivery) -> f64| received.iter().map(|r| f(r.0)).sum::<f64>();
    let ordered = sum(|d| d.quantity_ordered);
    let filled = sum(|d| d.quantity_received.min(d.quantity_ordered));
    let units_received = sum(|d| d.quantity_received);
    SupplierProfile {
        observed: true,
        deliveries: received.len(),
        lead_time_mean: lt_mean,
        lead_time_sd: lt_sd,
        on_time_rate: on_time_days.len() as f64 / received.len() as f64,
        late_deliveries: late_days.len(),
        mean_days_late: if late_days.is_empty() {
            0.0
        } else {
            late_days.iter().map(|&d| f64::from(d)).sum::<f64>() / late_days.len() as f64
        },
        fill_rate: if ordered > 0.0 { filled / ordered } else { 1.0 },
        rejection_rate: if units_received > 0.0 {
            sum(|d| d.quantity_rejected) / units_received
        } else {
            0.0
        },
        lead_time: fit_days(&quoted),
        lateness: (!late_days.is_empty()).then(|| fit_days(&late_days)),
        same_day: received.iter().filter(|r| r.1 <= 0).count(),
        ..profile
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::date::Date;

    fn delivery(ordered: &str, promised: i64, received: Option<i64>) -> Delivery {
        let ordered_on = Date::parse(ordered).unwrap();
        Delivery {
            supplier: "s".into(),
            item: "i".into(),
            ordered_on,
            promised_on: ordered_on.plus(promised),
            received_on: received.map(|r| ordered_on.plus(r)),
            quantity_ordered: 100.0,
            quantity_received: 90.0,
            quantity_rejected: 9.0,
            region: None,
        }
    }

    #[test]
    fn performance_follows_the_definitions() {
        let rows = [
            delivery("2024-01-01", 5, Some(5)),
            delivery("2024-01-08", 5, Some(4)),
            delivery("2024-01-15", 5, Some(8)),
            delivery("2024-01-22", 5, Some(9)),
            delivery("2024-01-29", 5, None),
        ];
        let last = Date::parse("2024-03-01").unwrap();
        let p = &profile(&rows, &DisruptionHistory::default(), last)[0];
        assert_eq!(p.deliveries, 4);
        assert_eq!(p.open_orders, 1);
        assert_eq!(p.on_time_rate, 0.5);
        assert_eq!(p.lead_time_mean, 6.5);
        assert_eq!(p.mean_days_late, 3.5);
        assert!((p.fill_rate - 0.9).abs() < 1e-12);
        assert!((p.rejection_rate - 0.1).abs() < 1e-12);
        assert_eq!(p.lead_time.model, DaysSpec::Empirical(vec![4, 5]));
    }

    #[test]
    fn a_uniform_sample_is_fitted_as_uniform_or_close() {
        let days: Vec<u32> = (0..300).map(|i| 2 + (i * 7 % 5) as u32).collect();
        let fit = fit_days(&days);
        assert_eq!(fit.model, DaysSpec::Uniform { min: 2, max: 6 });
        assert!(fit.assessment.unwrap().ks_distance < 0.01);
    }

    #[test]
    fn rounded_continuous_forms_are_probabilities() {
        let tri = DaysSpec::Triangular {
            min: 0.5,
            mode: 3.0,
            max: 8.5,
        };
        let total: f64 = (1..=9).map(|k| tri.log_prob(f64::from(k), 1.0).exp()).sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert_eq!(tri.cdf(0.0, 1.0), 0.0);
    }
}
