//! Stock that expires: the units on the shelf of an item with a shelf life, by the day they
//! expire, issued first-expiring-first.
//!
//! Every unit of an item has the same life, so the units that expire first are the ones
//! received first: the shelf is a queue of receipts (cohorts), oldest in front. A receipt goes
//! to the back, demand and backorders are served from the front, and at the start of each day
//! the cohorts whose life is over leave the front as written-off stock.
//!
//! The shelf only follows where the units on hand came from; the stock figure itself stays in
//! the daily loop's `Stock`, which decides how much is issued. The two agree to rounding: when
//! the loop's stock on hand reaches zero the shelf is emptied, so no residue of rounding can
//! expire later.

/// Units received on one day and not yet issued.
#[derive(Clone, Copy, Debug)]
struct Cohort {
    /// The first day on which these units may no longer be issued.
    expires: usize,
    units: f64,
}

/// The cohorts of one item-run, oldest first.
#[derive(Clone, Debug)]
pub(super) struct Shelf {
    /// Days a unit may be issued, counting the day it is received.
    life: usize,
    /// Cohorts `head..` are on the shelf; those before were issued or expired. At most one
    /// cohort a day is added, so the vector made for the horizon never grows.
    cohorts: Vec<Cohort>,
    head: usize,
}

impl Shelf {
    /// A shelf for units that live `life` days, over a horizon of `horizon` days, holding
    /// `on_hand` units at the start of day 0, as fresh as a receipt of that day.
    pub(super) fn new(life: usize, horizon: usize, on_hand: f64) -> Self {
        let mut shelf = Shelf {
            life,
            cohorts: Vec::with_capacity(horizon + 1),
            head: 0,
        };
        shelf.put(0, on_hand);
        shelf
    }

    /// Put `units` received on day `t` on the shelf.
    #[inline]
    pub(super) fn put(&mut self, t: usize, units: f64) {
        if units <= 0.0 {
            return;
        }
        let expires = t + self.life;
        match self.cohorts[self.head..].last_mut() {
            Some(last) if last.expires == expires => last.units += units,
            _ => self.cohorts.push(Cohort { expires, units }),
        }
    }

    /// Take `units` issued from the shelf, first-expiring-first; `left` is the stock on hand
    /// after the issue (nothing left empties the shelf).
    #[inline]
    pub(super) fn issue(&mut self, mut units: f64, left: f64) {
        if left <= 0.0 {
            self.head = self.cohorts.len();
            return;
        }
        while units > 0.0 && self.head < self.cohorts.len() {
            let cohort = &mut self.cohorts[self.head];
            if cohort.units > units {
                cohort.units -= units;
                return;
            }
            units -= cohort.units;
            self.head += 1;
        }
    }

    /// Write off the units whose life is over at the start of day `t`, at most `on_hand`
    /// (the loop's stock on hand); returns the units written off.
    #[inline]
    pub(super) fn expire(&mut self, t: usize, on_hand: f64) -> f64 {
        let mut expired = 0.0;
        while self.head < self.cohorts.len() && self.cohorts[self.head].expires <= t {
            expired += self.cohorts[self.head].units;
            self.head += 1;
        }
        if self.head == self.cohorts.len() {
            // The whole shelf went: whatever rounding left in the stock figure goes with it.
            return on_hand;
        }
        expired.min(on_hand)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_units_are_issued_first_and_the_rest_expire_on_their_day() {
        // 10 units at day 0 and 5 received on day 2, each living 3 days.
        let mut shelf = Shelf::new(3, 10, 10.0);
        shelf.put(2, 5.0);
        // Day 1: 4 issued, from the first cohort.
        shelf.issue(4.0, 11.0);
        assert_eq!(shelf.expire(2, 11.0), 0.0);
        // Day 3: the first cohort's 6 left expire; the second's 5 stay until day 5.
        assert_eq!(shelf.expire(3, 11.0), 6.0);
        shelf.issue(2.0, 3.0);
        assert_eq!(shelf.expire(4, 3.0), 0.0);
        assert_eq!(shelf.expire(5, 3.0), 3.0);
    }

    #[test]
    fn receipts_of_one_day_are_one_cohort_and_an_empty_shelf_holds_nothing() {
        let mut shelf = Shelf::new(2, 10, 0.0);
        shelf.put(1, 3.0);
        shelf.put(1, 4.0);
        assert_eq!(shelf.cohorts.len(), 1);
        // Everything issued: a residue of rounding in the cohort does not expire later.
        shelf.issue(7.0 - 1e-15, 0.0);
        assert_eq!(shelf.expire(3, 0.0), 0.0);
        // A shelf issued across cohorts.
        shelf.put(4, 2.0);
        shelf.put(5, 2.0);
        shelf.issue(3.0, 1.0);
        assert_eq!(shelf.expire(6, 1.0), 0.0);
        assert_eq!(shelf.expire(7, 1.0), 1.0);
    }
}
