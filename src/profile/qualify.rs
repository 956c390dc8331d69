//! Supplier qualification: the JIT prerequisites the reference texts list, checked per item.
//!
//! "For each candidate, verify that the primary supplier has a track record of consistent
//! on-time delivery (above 95%), the lead time is short enough for pull-based replenishment to
//! work (ideally under 5 days), the supplier can handle frequent small orders without excessive
//! minimum order quantities" — and the texts' example of an MOQ too large: 1,000-unit minimum
//! orders against a weekly demand of 200. So, per item, against its suppliers' share-weighted
//! figures (the stable times, [`super::disruptions`]):
//! * on time: above [`MIN_ON_TIME`] (a supplier without delivery history fails: unknown);
//! * lead time: mean under [`MAX_LEAD_DAYS`] days;
//! * MOQ: the item master's minimum order quantity at most one week of the item's
//!   normal-times demand (mean daily demand × 7); unchecked without an MOQ.
//!
//! The checks are reported (profile.md, profile.csv); the posture's own rules weigh the same
//! facts among others (README, "Posture rules").

use std::fmt;

/// On-time rate a JIT supplier must exceed.
pub(crate) const MIN_ON_TIME: f64 = 0.95;
/// Mean lead time, in days, a JIT supplier must stay under.
pub(crate) const MAX_LEAD_DAYS: f64 = 5.0;
/// Weeks of demand an MOQ may cover at most.
pub(crate) const MAX_MOQ_WEEKS: f64 = 1.0;

/// The verdict of one prerequisite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Met.
    Pass,
    /// Not met.
    Fail,
    /// Not known (no delivery history, or no MOQ given).
    Unknown,
}

impl Check {
    fn of(pass: bool) -> Check {
        if pass { Check::Pass } else { Check::Fail }
    }

    /// `pass`, `fail` or `unknown`, as written in profile.csv.
    pub fn key(self) -> &'static str {
        match self {
            Check::Pass => "pass",
            Check::Fail => "fail",
            Check::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// An item's JIT prerequisites.
#[derive(Clone, Debug, PartialEq)]
pub struct Qualification {
    /// Share-weighted on-time rate above 95%.
    pub on_time: Check,
    /// Share-weighted mean lead time under 5 days.
    pub lead_time: Check,
    /// MOQ at most a week of normal demand.
    pub moq: Check,
    /// The MOQ over the weekly demand, when an MOQ is given.
    pub moq_weeks: Option<f64>,
    /// What fails, in words (empty when every known check passes).
    pub failures: Vec<String>,
}

impl Qualification {
    /// Every prerequisite met (an unknown MOQ does not count against it; an unknown on-time
    /// rate does).
    pub fn qualified(&self) -> bool {
        self.on_time == Check::Pass && self.lead_time == Check::Pass && self.moq != Check::Fail
    }
}

/// Check an item: its suppliers' share-weighted on-time rate (`observed`: every supplier has
/// delivery history) and mean lead time, its MOQ, and its mean daily demand.
pub(crate) fn qualify(
    on_time: f64,
    observed: bool,
    lead_mean: f64,
    moq: Option<f64>,
    mean_daily: f64,
) -> Qualification {
    let mut failures = Vec::new();
    let on_time_check = if observed {
        Check::of(on_time > MIN_ON_TIME)
    } else {
        Check::Unknown
    };
    match on_time_check {
        Check::Fail => failures.push(format!(
            "on time {:.1}% (needs above {:.0}%)",
            on_time * 100.0,
            MIN_ON_TIME * 100.0
        )),
        Check::Unknown => failures.push("on-time rate unknown (no delivery history)".into()),
        Check::Pass => {}
    }
    let lead_time = Check::of(lead_mean < MAX_LEAD_DAYS);
    if lead_time == Check::Fail {
        failures.push(format!(
            "lead time {lead_mean:.1} days (needs under {MAX_LEAD_DAYS:.0})"
        ));
    }
    let weekly = mean_daily * 7.0;
    let moq_weeks = moq.map(|q| if weekly > 0.0 { q / weekly } else { f64::MAX });
    let moq_check = match moq_weeks {
        None => Check::Unknown,
        Some(w) => Check::of(w <= MAX_MOQ_WEEKS),
    };
    if let (Check::Fail, Some(q)) = (moq_check, moq) {
        failures.push(format!(
            "MOQ {} against a weekly demand of {} (needs at most a week)",
            super::demand_fit::short(q),
            super::demand_fit::short(weekly)
        ));
    }
    Qualification {
        on_time: on_time_check,
        lead_time,
        moq: moq_check,
        moq_weeks: moq_weeks.filter(|w| w.is_finite() && *w < f64::MAX),
        failures,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_prerequisite_fails_on_its_own() {
        let q = qualify(0.97, true, 2.0, Some(100.0), 50.0);
        assert!(q.qualified() && q.failures.is_empty(), "{q:?}");
        assert_eq!(q.moq_weeks, Some(100.0 / 350.0));
        let q = qualify(0.95, true, 2.0, None, 50.0);
        assert_eq!((q.on_time, q.moq), (Check::Fail, Check::Unknown));
        assert_eq!(q.failures, ["on time 95.0% (needs above 95%)"]);
        let q = qualify(0.99, true, 5.0, None, 50.0);
        assert_eq!(q.lead_time, Check::Fail);
        // The texts' example: 1,000-unit minimum orders against 200 a week.
        let q = qualify(0.99, true, 2.0, Some(1000.0), 200.0 / 7.0);
        assert_eq!(q.moq, Check::Fail);
        assert!(!q.qualified());
        assert!(q.failures[0].starts_with("MOQ 1000 against a weekly demand of 200"));
        let q = qualify(1.0, false, 7.0, None, 1.0);
        assert_eq!(q.on_time, Check::Unknown);
        assert_eq!(q.failures.len(), 2);
    }
}
