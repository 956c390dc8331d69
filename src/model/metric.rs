//! The figures a planner reads: every metric reported per policy and item, its name, its
//! unit and which way is better. The model knows them because a scenario sets targets on
//! them (`[targets]`); how a run's counts become each figure is the simulation's
//! (`simulation::metrics`), and the README's "Metrics" section defines each one.

/// Every figure reported per policy and item. The order here is the order of the outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Share (0–1) of demand served from stock on the day it arose; value-weighted over items.
    FillRate,
    /// 1 − fill rate: share of demand not served from stock on the day it arose.
    StockoutRate,
    /// Share of item-days on which some demand went unserved from stock.
    StockoutDayRate,
    /// Share of replenishment cycles (from one receipt to the next) without a stockout.
    CycleServiceLevel,
    /// Units of lost sales over the measured days (0 when unmet demand is backordered).
    LostUnits,
    /// Units backordered over the measured days (0 when sales are lost).
    BackorderedUnits,
    /// Average end-of-day backorders, in units.
    AvgBackorderLevel,
    /// Average end-of-day stock on hand (shelf and reserve), in units.
    AvgOnHandUnits,
    /// Average end-of-day stock on hand, in money (units × unit cost).
    AvgOnHandValue,
    /// Average end-of-day units on order: queued at a supplier or in transit.
    AvgPipelineUnits,
    /// Average stock on hand over average daily demand, in days; value-weighted over items.
    DaysOfSupply,
    /// Turns per year: annualised cost of goods delivered to customers (at once or from
    /// backorder) over the average on-hand value.
    InventoryTurns,
    /// Cost of holding the stock on hand (on-hand value × carrying rate), per year.
    CarryingCost,
    /// Order lines × order cost, per year.
    OrderingCost,
    /// Units not served from stock when demanded × stockout penalty, per year.
    StockoutCost,
    /// Carrying + ordering + stockout + expedite + purchase premium + expiry + obsolescence
    /// cost, per year.
    TotalCost,
    /// Order lines placed per year (an order split over two suppliers is two lines).
    OrdersPerYear,
    /// Share of shipments received by the promised day (order day + quoted lead time).
    SupplierOnTimeRate,
    /// Expedited units × unit cost × the policy's premium rate, per year.
    ExpediteCost,
    /// Units bought from suppliers with a unit cost premium × that premium, per year.
    PurchasePremiumCost,
    /// Units ordered by expediting over the measured days.
    ExpeditedUnits,
    /// Units rejected at receiving inspection over the measured days.
    RejectedUnits,
    /// Units of orders cancelled by suppliers during outages over the measured days.
    CancelledUnits,
    /// Units written off at the end of their shelf life over the measured days.
    ExpiredUnits,
    /// Expired units × unit cost, per year.
    ExpiryCost,
    /// Value lost to obsolescence (average on-hand value × obsolescence rate), per year.
    ObsolescenceCost,
    /// Days from the start of a disruption event that reaches the item until all demand is
    /// served again with no customer waiting (0 if it never fell short), averaged over the
    /// run's events; defined only in runs with such an event.
    TimeToRecover,
}

/// Every metric, in output order.
pub const METRICS: [Metric; 27] = [
    Metric::FillRate,
    Metric::StockoutRate,
    Metric::StockoutDayRate,
    Metric::CycleServiceLevel,
    Metric::LostUnits,
    Metric::BackorderedUnits,
    Metric::AvgBackorderLevel,
    Metric::AvgOnHandUnits,
    Metric::AvgOnHandValue,
    Metric::AvgPipelineUnits,
    Metric::DaysOfSupply,
    Metric::InventoryTurns,
    Metric::CarryingCost,
    Metric::OrderingCost,
    Metric::StockoutCost,
    Metric::TotalCost,
    Metric::OrdersPerYear,
    Metric::SupplierOnTimeRate,
    Metric::ExpediteCost,
    Metric::PurchasePremiumCost,
    Metric::ExpeditedUnits,
    Metric::RejectedUnits,
    Metric::CancelledUnits,
    Metric::ExpiredUnits,
    Metric::ExpiryCost,
    Metric::ObsolescenceCost,
    Metric::TimeToRecover,
];

impl Metric {
    /// The metric's name in every output (summary.json and .csv, tables, reports) and in
    /// targets such as `fill_rate >= 0.95`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::FillRate => "fill_rate",
            Metric::StockoutRate => "stockout_rate",
            Metric::StockoutDayRate => "stockout_day_rate",
            Metric::CycleServiceLevel => "cycle_service_level",
            Metric::LostUnits => "lost_units",
            Metric::BackorderedUnits => "backordered_units",
            Metric::AvgBackorderLevel => "avg_backorder_level",
            Metric::AvgOnHandUnits => "avg_on_hand_units",
            Metric::AvgOnHandValue => "avg_on_hand_value",
            Metric::AvgPipelineUnits => "avg_pipeline_units",
            Metric::DaysOfSupply => "days_of_supply",
            Metric::InventoryTurns => "inventory_turns",
            Metric::CarryingCost => "carrying_cost",
            Metric::OrderingCost => "ordering_cost",
            Metric::StockoutCost => "stockout_cost",
            Metric::TotalCost => "total_cost",
            Metric::OrdersPerYear => "orders_per_year",
            Metric::SupplierOnTimeRate => "supplier_on_time_rate",
            Metric::ExpediteCost => "expedite_cost",
            Metric::PurchasePremiumCost => "purchase_premium_cost",
            Metric::ExpeditedUnits => "expedited_units",
            Metric::RejectedUnits => "rejected_units",
            Metric::CancelledUnits => "cancelled_units",
            Metric::ExpiredUnits => "expired_units",
            Metric::ExpiryCost => "expiry_cost",
            Metric::ObsolescenceCost => "obsolescence_cost",
            Metric::TimeToRecover => "time_to_recover",
        }
    }

    /// Whether the metric is a share, from 0 to 1 in every run (written as a percentage):
    /// fill rate, stockout rate, stockout-day rate, cycle service level and supplier on-time
    /// rate. Every other metric counts units, days, orders, turns or money, and is 0 or more:
    /// no metric is ever negative, so a target outside these ranges is refused rather than
    /// searched for.
    ///
    /// A share's percentiles are sketched by its distance to the nearer bound (0.5% of
    /// min(x, 1 − x), [`crate::foundation::stats::RunningStat::for_share`]), since its values
    /// crowd near 1 (fill rate, service level, on-time rate) or near 0 (the stockout rates),
    /// where accuracy relative to the value is too coarse at 1 (issue 18, item 2). Every other metric is an amount
    /// whose percentiles are within 0.5% of the value.
    pub fn is_share(self) -> bool {
        self.unit() == "share"
    }

    /// The metric's unit, as spreadsheet headers and unit columns write it (README,
    /// "Metrics"): a share from 0 to 1 is `share`; counts over the measured days of a run are
    /// `units`; levels averaged over days are `units` or `currency`; costs are `currency per
    /// year`.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::FillRate
            | Metric::StockoutRate
            | Metric::StockoutDayRate
            | Metric::CycleServiceLevel
            | Metric::SupplierOnTimeRate => "share",
            Metric::LostUnits
            | Metric::BackorderedUnits
            | Metric::AvgBackorderLevel
            | Metric::AvgOnHandUnits
            | Metric::AvgPipelineUnits
            | Metric::ExpeditedUnits
            | Metric::RejectedUnits
            | Metric::CancelledUnits
            | Metric::ExpiredUnits => "units",
            Metric::AvgOnHandValue => "currency",
            Metric::DaysOfSupply | Metric::TimeToRecover => "days",
            Metric::InventoryTurns => "turns per year",
            Metric::CarryingCost
            | Metric::OrderingCost
            | Metric::StockoutCost
            | Metric::TotalCost
            | Metric::ExpediteCost
            | Metric::PurchasePremiumCost
            | Metric::ExpiryCost
            | Metric::ObsolescenceCost => "currency per year",
            Metric::OrdersPerYear => "order lines per year",
        }
    }

    /// Whether a higher value is the better one: the fill rate, the cycle service level, the
    /// supplier on-time rate and inventory turns. For every other metric — stockouts, lost
    /// and backordered units, stock held, costs, orders, time to recover — a higher value is
    /// the worse one (more stock held means more capital tied up). `buffersim trace --worst`
    /// ranks runs by it.
    pub fn higher_is_better(self) -> bool {
        match self {
            Metric::FillRate
            | Metric::CycleServiceLevel
            | Metric::SupplierOnTimeRate
            | Metric::InventoryTurns => true,
            Metric::StockoutRate
            | Metric::StockoutDayRate
            | Metric::LostUnits
            | Metric::BackorderedUnits
            | Metric::AvgBackorderLevel
            | Metric::AvgOnHandUnits
            | Metric::AvgOnHandValue
            | Metric::AvgPipelineUnits
            | Metric::DaysOfSupply
            | Metric::CarryingCost
            | Metric::OrderingCost
            | Metric::StockoutCost
            | Metric::TotalCost
            | Metric::OrdersPerYear
            | Metric::ExpediteCost
            | Metric::PurchasePremiumCost
            | Metric::ExpeditedUnits
            | Metric::RejectedUnits
            | Metric::CancelledUnits
            | Metric::ExpiredUnits
            | Metric::ExpiryCost
            | Metric::ObsolescenceCost
            | Metric::TimeToRecover => false,
        }
    }

    /// The metric's name for people, as reports and charts title it ("Stockout rate"); the
    /// machine name ([`Metric::name`]) stays in JSON, CSV and targets.
    pub fn label(self) -> &'static str {
        match self {
            Metric::FillRate => "Fill rate",
            Metric::StockoutRate => "Stockout rate",
            Metric::StockoutDayRate => "Stockout-day rate",
            Metric::CycleServiceLevel => "Cycle service level",
            Metric::LostUnits => "Lost sales",
            Metric::BackorderedUnits => "Backordered units",
            Metric::AvgBackorderLevel => "Average backorders",
            Metric::AvgOnHandUnits => "Average stock on hand",
            Metric::AvgOnHandValue => "Average stock value",
            Metric::AvgPipelineUnits => "Average stock in transit",
            Metric::DaysOfSupply => "Days of supply",
            Metric::InventoryTurns => "Inventory turns",
            Metric::CarryingCost => "Carrying cost",
            Metric::OrderingCost => "Ordering cost",
            Metric::StockoutCost => "Stockout cost",
            Metric::TotalCost => "Total cost",
            Metric::OrdersPerYear => "Order lines",
            Metric::SupplierOnTimeRate => "Supplier on-time rate",
            Metric::ExpediteCost => "Expediting cost",
            Metric::PurchasePremiumCost => "Purchase premium",
            Metric::ExpeditedUnits => "Expedited units",
            Metric::RejectedUnits => "Rejected units",
            Metric::CancelledUnits => "Cancelled units",
            Metric::ExpiredUnits => "Expired units",
            Metric::ExpiryCost => "Expiry cost",
            Metric::ObsolescenceCost => "Obsolescence cost",
            Metric::TimeToRecover => "Time to recover",
        }
    }

    /// The metric's unit as a reader wants it beside a figure: `%` for shares, the
    /// scenario's currency for money (`currency`, e.g. "EUR"), "units", "days".
    pub fn unit_label(self, currency: &str) -> String {
        match self.unit() {
            "share" => "%".to_string(),
            "currency" => currency.to_string(),
            "currency per year" => format!("{currency} per year"),
            "turns per year" => "per year".to_string(),
            "order lines per year" => "per year".to_string(),
            other => other.to_string(),
        }
    }

    /// The metric called `name` in the outputs ([`Metric::name`]), if there is one.
    pub fn from_name(name: &str) -> Option<Metric> {
        METRICS.iter().copied().find(|m| m.name() == name)
    }
}

/// A metric read back from its name in a file: only the names this version knows are
/// accepted, so a file of another program is refused with the name it used.
pub(crate) fn by_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Metric, D::Error> {
    let name = <String as serde::Deserialize>::deserialize(d)?;
    Metric::from_name(&name)
        .ok_or_else(|| serde::de::Error::custom(format!("unknown metric `{name}`")))
}
