//! Purchase budgets: how much the catalogue, or the items bought from some suppliers, may
//! order in a week or a month.

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
    /// A calendar month of a 365-day year, counted from `simulation.start_day_of_year`.
    Month,
}

/// Cumulative days at the start of each month of a 365-day year.
const MONTH_STARTS: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

impl BudgetPeriod {
    /// The period day `t` of a run falls in, numbered from 0 (periods only ever increase).
    pub fn index(self, t: usize, start_day_of_year: u32) -> usize {
        match self {
            BudgetPeriod::Week => t / 7,
            BudgetPeriod::Month => {
                let day = start_day_of_year as usize + t;
                let (year, day_of_year) = (day / 365, (day % 365) as u32);
                let month = MONTH_STARTS
                    .iter()
                    .rposition(|&s| s <= day_of_year)
                    .unwrap_or(0);
                year * 12 + month
            }
        }
    }

    /// The name a scenario gives it.
    pub fn name(self) -> &'static str {
        match self {
            BudgetPeriod::Week => "week",
            BudgetPeriod::Month => "month",
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
        assert_eq!(BudgetPeriod::Week.index(6, 0), 0);
        assert_eq!(BudgetPeriod::Week.index(7, 0), 1);
        assert_eq!(BudgetPeriod::Month.index(30, 0), 0);
        assert_eq!(BudgetPeriod::Month.index(31, 0), 1);
        assert_eq!(BudgetPeriod::Month.index(364, 0), 11);
        assert_eq!(BudgetPeriod::Month.index(365, 0), 12);
        // Starting on 1 December (day 334): day 31 is 1 January of the next year.
        assert_eq!(BudgetPeriod::Month.index(30, 334), 11);
        assert_eq!(BudgetPeriod::Month.index(31, 334), 12);
    }
}
