//! Checking how a policy's levels move through the run: its pre-build windows (for every item
//! or for some) and the items' level plans, into [`Prebuilds`] and [`PlannedLevels`].

use super::{Item, Validator};
use crate::foundation::date::Calendar;
use crate::model::levels::{Prebuild, Prebuilds};
use crate::model::policy::{self, ItemContext, OrderRule, PlannedLevels, RuleKind};
use crate::model::raw::{RawDay, RawPlanEntry, RawPrebuilds};
use crate::model::resize::PeriodLevels;

/// One item's level plan as the scenario gives it, its days checked: where it is written, the
/// day each entry starts, and the entries.
pub(super) struct PlanDays<'r> {
    pub(super) at: String,
    pub(super) days: Vec<u32>,
    pub(super) entries: &'r [RawPlanEntry],
}

impl Validator<'_> {
    /// The pre-build windows of policy `name` (written at `at`), each checked: its days of the
    /// year (or dates within the horizon), its factor, its items; and no two windows of the
    /// same kind on a common day, so that which one applies never depends on their order.
    pub(super) fn prebuilds(
        &mut self,
        (at, name): (&str, &str),
        raw: &RawPrebuilds,
        items: &[Item],
        horizon: u32,
        calendar: Calendar,
    ) -> Prebuilds {
        let mut windows = Vec::new();
        let mut paths = Vec::new();
        for (k, window) in raw.windows.iter().enumerate() {
            let at = if raw.listed {
                format!("{at}.prebuild[{k}]")
            } else {
                format!("{at}.prebuild")
            };
            let start = self.window_end(
                &at,
                "start_day_of_year",
                &window.start_day_of_year,
                horizon,
                false,
            );
            let end = self.window_end(
                &at,
                "end_day_of_year",
                &window.end_day_of_year,
                horizon,
                true,
            );
            if let (Some((Some(first), _)), Some((Some(last), _))) = (start, end)
                && !(1..365).contains(&(last - first))
            {
                self.report(
                    format!("{at}.end_day_of_year"),
                    format!(
                        "policy '{name}': a pre-build window given by dates ends after it \
                         starts and lasts less than a year (it repeats every year), here {} \
                         days",
                        last - first
                    ),
                );
            }
            let targets = match &window.items {
                None => Some(Vec::new()),
                Some(ids) if ids.is_empty() => {
                    self.report(
                        format!("{at}.items"),
                        format!(
                            "policy '{name}': give the ids of the items the window raises, or \
                             leave items out for every item of the policy"
                        ),
                    );
                    None
                }
                Some(ids) => self.item_indices(&format!("{at}.items"), ids, items),
            };
            let (Some((_, start)), Some((_, end)), Some(targets)) = (start, end, targets) else {
                continue;
            };
            match Prebuild::new(start, end, window.factor) {
                Ok(pb) => {
                    let pb = Prebuild {
                        items: targets,
                        ..pb
                    };
                    if let Some(message) = pb.outside(horizon, calendar) {
                        self.report(
                            format!("{at}.start_day_of_year"),
                            format!("policy '{name}': {message}"),
                        );
                    }
                    windows.push(pb);
                    paths.push(at);
                }
                Err(problems) => {
                    for (field, message) in problems {
                        self.report(format!("{at}.{field}"), message);
                    }
                }
            }
        }
        let prebuilds = Prebuilds(windows);
        if let Some((a, b, day)) = prebuilds.overlap() {
            let whom = match prebuilds.0[a]
                .items
                .iter()
                .find(|i| prebuilds.0[b].items.contains(i))
            {
                Some(&i) => format!("item '{}'", items[i].id),
                None => "every item".to_string(),
            };
            self.report(
                format!("{}.start_day_of_year", paths[b]),
                format!(
                    "policy '{name}': this pre-build window and {} both raise the levels of \
                     {whom} on day {day} of the year: windows for the same items may not \
                     overlap (a window for some items does override the policy's windows for \
                     every item on the days it covers)",
                    paths[a]
                ),
            );
        }
        prebuilds
    }

    /// The positions of the items `ids` (written at `at`), each known and named once.
    fn item_indices(&mut self, at: &str, ids: &[String], items: &[Item]) -> Option<Vec<usize>> {
        let mut indices = Vec::new();
        let mut ok = true;
        for (j, id) in ids.iter().enumerate() {
            match items.iter().position(|i| &i.id == id) {
                Some(i) if indices.contains(&i) => {
                    self.report(format!("{at}[{j}]"), format!("item '{id}' is named twice"));
                    ok = false;
                }
                Some(i) => indices.push(i),
                None => {
                    self.report(format!("{at}[{j}]"), format!("no item has id '{id}'"));
                    ok = false;
                }
            }
        }
        ok.then_some(indices)
    }

    /// The day each entry of an item's plan (written at `at`) starts from: a day of the run or
    /// a date within the horizon, in increasing order.
    pub(super) fn plan_days<'r>(
        &mut self,
        at: String,
        entries: &'r [RawPlanEntry],
        horizon: u32,
    ) -> PlanDays<'r> {
        if entries.is_empty() {
            self.report(
                &at,
                "give at least one entry, e.g. { from = 2027-09-15, min_max = { min = 300, \
                 max = 700 } }, or leave the item's plan out",
            );
        }
        let mut days: Vec<u32> = Vec::with_capacity(entries.len());
        for (k, entry) in entries.iter().enumerate() {
            let field = format!("{at}[{k}].from");
            let last = i64::from(horizon) - 1;
            let day = match &entry.from {
                RawDay::Number(day) => {
                    if (0..=last).contains(day) {
                        Some(*day)
                    } else {
                        self.report(
                            &field,
                            format!(
                                "must be a day of the run from 0 (the first simulated day) to \
                                 {last}, the last of the horizon (got {day})"
                            ),
                        );
                        None
                    }
                }
                RawDay::Date(text) => match self.date_in_run(&field, text) {
                    Some((_, day)) if (0..=last).contains(&day) => Some(day),
                    Some((date, day)) => {
                        self.report(
                            &field,
                            format!(
                                "the plan's date {date} (day {day} of the run) is outside the \
                                 horizon ({}, days 0 to {last}): give a date within it, or \
                                 lengthen horizon_days",
                                self.horizon_dates(horizon),
                            ),
                        );
                        None
                    }
                    None => None,
                },
            };
            let Some(day) = day.and_then(|d| u32::try_from(d).ok()) else {
                continue;
            };
            if let Some(&before) = days.last()
                && day <= before
            {
                self.report(
                    &field,
                    format!(
                        "entries start in order: this one (day {day}) must start after the \
                         entry before it (day {before})"
                    ),
                );
                continue;
            }
            days.push(day);
        }
        if days.len() < entries.len() {
            days.clear();
        }
        PlanDays { at, days, entries }
    }

    /// An item's plan sized: each entry's rule, of the kind the item follows under the policy
    /// (`kind`), with its levels as given (or as the rule computes them from the item's yearly
    /// figures `ctx`), in whole units for an item counted in them; and each entry's levels for
    /// reports, over the days it holds (to the next entry, or the end of the horizon).
    pub(super) fn planned(
        &mut self,
        plan: &PlanDays<'_>,
        (item, ctx, kind): (&Item, &ItemContext, RuleKind),
        horizon: u32,
        reserve: f64,
    ) -> (Vec<PlannedLevels>, Vec<PeriodLevels>) {
        let mut planned = Vec::new();
        let mut levels = Vec::new();
        for (k, (entry, &from_day)) in plan.entries.iter().zip(&plan.days).enumerate() {
            let at = format!("{}[{k}]", plan.at);
            let end_day = plan.days.get(k + 1).copied().unwrap_or(horizon);
            let (rule, sizing) = match policy::resolve(&entry.rule, ctx) {
                Ok(sized) => sized,
                Err(problems) => {
                    for pr in problems {
                        self.report(
                            format!("{at}.{}", pr.field),
                            format!("item '{}': {}", item.id, pr.message),
                        );
                    }
                    continue;
                }
            };
            if sizing.rule != kind {
                self.report(
                    format!("{at}.{}", sizing.rule.name()),
                    format!(
                        "item '{}' follows a {} rule under this policy: a plan changes the \
                         rule's levels, not the rule, so give its entries as {} tables",
                        item.id,
                        kind.name(),
                        kind.name()
                    ),
                );
                continue;
            }
            let rule: OrderRule = if item.whole_units() {
                rule.in_whole_units()
            } else {
                rule
            };
            if let Some(message) = policy::excessive_levels(&rule, 1.0, reserve) {
                self.report(&at, format!("item '{}': {message}", item.id));
            }
            levels.push(sizing.period_levels(&rule, (from_day, end_day)));
            planned.push(PlannedLevels { from_day, rule });
        }
        (planned, levels)
    }
}
