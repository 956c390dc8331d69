//! Purchase budgets: how much the catalogue, or the items bought from some suppliers, may
//! order in a week or a month.

use crate::foundation::date::{Calendar, Date};

/// A validated purchase budget.
#[derive(Clone, Debug, PartialEq)]
pub struct Budget {
    /// The budget's unique name in the scenario.
    pub id: String,
    /// Value that may be ordered in each period (units × the price paid, premiums included).
    pub amount: f64,
    /// What a period is.
    pub period: BudgetPeriod,
    /// Indices of the suppliers whose orders count against it; `None` for the whole catalogue.
    pub suppliers: Option<Vec<usize>>,
    /// What happens to an order that does not fit what is left.
    pub when_exceeded: WhenExceeded,
}

impl Budget {
    /// Whether orders to supplier `supplier` count against the budget.
    pub fn covers(&self, supplier: usize) -> bool {
        self.suppliers
            .as_ref()
            .is_none_or(|covered| covered.contains(&supplier))
    }
}

/// The period a budget is renewed over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetPeriod {
    /// Seven days: days 0–6, 7–13, … of a run.
    Week,
    /// A calendar month: of the real calendar (leap years included) when the scenario gives
    /// `start_date`, which the period carries so that the daily loop needs nothing more than
    /// it always had; else of a 365-day year counted from `simulation.start_day_of_year`.
    Month {
        /// The date of day 0 of a run, when the scenario gives one.
        start_date: Option<Date>,
    },
}

impl BudgetPeriod {
    /// The period day `t` of a run falls in, counted from the period of day 0 (periods only
    /// ever increase). `start_day_of_year` places day 0 in a 365-day year when the scenario
    /// has no start date.
    pub fn index(self, t: usize, start_day_of_year: u32) -> usize {
        match self {
            BudgetPeriod::Week => t / 7,
            BudgetPeriod::Month { start_date } => {
                Calendar::new(start_date, start_day_of_year).month(t as u32)
            }
        }
    }

    /// The name a scenario gives it.
    pub fn name(self) -> &'static str {
        match self {
            BudgetPeriod::Week => "week",
            BudgetPeriod::Month { .. } => "month",
        }
    }
}

/// What happens to an order line that does not fit what is left of a budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhenExceeded {
    /// The line is not placed; the item orders again at its next review, so it waits until
    /// the budget allows it (at the latest the next period). A line worth more than a whole
    /// period's budget is trimmed to what is left, since it would never fit.
    Wait,
    /// The line is cut to what is left (in whole multiples and units; nothing if that is
    /// below the supplier's minimum); the rest is not ordered.
    Trim,
}

impl WhenExceeded {
    /// The name a scenario gives it.
    pub fn name(self) -> &'static str {
        match self {
            WhenExceeded::Wait => "wait",
            WhenExceeded::Trim => "trim",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_follow_weeks_and_calendar_months() {
        let month = BudgetPeriod::Month { start_date: None };
        assert_eq!(BudgetPeriod::Week.index(6, 0), 0);
        assert_eq!(BudgetPeriod::Week.index(7, 0), 1);
        assert_eq!(month.index(30, 0), 0);
        assert_eq!(month.index(31, 0), 1);
        assert_eq!(month.index(364, 0), 11);
        assert_eq!(month.index(365, 0), 12);
        // Starting on 1 December (day 334): day 31 is 1 January of the next year.
        assert_eq!(month.index(30, 334), 11);
        assert_eq!(month.index(31, 334), 12);
    }

    /// With a start date, months are the calendar's: February 2028 has 29 days, and the
    /// 365-day year's start is ignored.
    #[test]
    fn budget_months_follow_calendar_months() {
        let month = BudgetPeriod::Month {
            start_date: Date::parse("2028-01-15"),
        };
        assert_eq!(month.index(16, 99), 0); // 31 January
        assert_eq!(month.index(17, 99), 1); // 1 February
        assert_eq!(month.index(45, 99), 1); // 29 February
        assert_eq!(month.index(46, 99), 2); // 1 March
        // Without dates, day 45 from 15 January (day 14 of the year) is 1 March.
        let days365 = BudgetPeriod::Month { start_date: None };
        assert_eq!(days365.index(45, 14), 2);
        assert_eq!(days365.index(44, 14), 1);
    }
}
