//! Reading the three inputs — demand history, deliveries and the item master — into typed
//! rows.
//!
//! Two kinds of trouble are told apart. A cell that cannot be read (a bad date, a word where a
//! number belongs, a required column that is missing) is an error naming the file, the line and
//! the column, and saying what is allowed; every such cell of a file is reported at once. Mess
//! that has an obvious remedy (a repeated row, a return, rows out of date order, a delivery of
//! an item with no demand history) becomes a [`Notes`] entry naming the row and what was done.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::csv::{Column, InputError, Problems, Row, RowProblem, Table, parse_number};
use super::date::Date;
use super::notes::Notes;
use super::sheet::read_table;
use crate::foundation::format::group_thousands;
use crate::model::limits::{Limit, MAX_QUANTITY};

/// How long one row of demand history covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Period {
    Day,
    /// The date is the first day of the week; the quantity covers seven days.
    Week,
}

/// One row of demand history.
#[derive(Clone, Debug)]
pub(crate) struct DemandRow {
    pub date: Date,
    pub item: String,
    pub quantity: f64,
    pub period: Option<Period>,
}

/// The demand file, cleaned: gross demand rows, with returns and repeats taken out (and noted).
#[derive(Debug, Default)]
pub(crate) struct DemandHistory {
    pub file: String,
    pub rows: Vec<DemandRow>,
    /// Mean of the unit costs the file gives per item, if it has that column.
    pub(crate) unit_costs: HashMap<String, f64>,
    /// Units returned per item (negative rows), reported but not counted as demand.
    pub(crate) returned: HashMap<String, f64>,
}

/// One delivery (or open order) from a supplier.
#[derive(Clone, Debug)]
pub(crate) struct Delivery {
    pub supplier: String,
    pub item: String,
    pub(crate) ordered_on: Date,
    pub(crate) promised_on: Date,
    /// `None` for an order not received yet.
    pub(crate) received_on: Option<Date>,
    pub quantity_ordered: f64,
    pub quantity_received: f64,
    pub quantity_rejected: f64,
    /// The supplier's region, when the file says (`region` column).
    pub(crate) region: Option<String>,
}

/// How much a stockout of an item hurts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Criticality {
    Low,
    Medium,
    /// A stockout stops production, breaches a contract or endangers someone.
    High,
}

impl Criticality {
    pub fn label(self) -> &'static str {
        match self {
            Criticality::Low => "low",
            Criticality::Medium => "medium",
            Criticality::High => "high",
        }
    }
}

/// One row of the item master.
#[derive(Clone, Debug, Default)]
pub(crate) struct ItemMaster {
    pub unit_cost: Option<f64>,
    pub criticality: Option<Criticality>,
    pub suppliers: Vec<String>,
    pub container_size: Option<f64>,
    pub(crate) shelf_life_days: Option<f64>,
    pub order_cost: Option<f64>,
    /// The supplier's minimum order quantity for the item (units).
    pub(crate) moq: Option<f64>,
}

const DATE: Column = Column::new("date", &["date", "day", "period_start", "week"]);
const ITEM: Column = Column::new("item", &["item", "sku", "item_id", "product", "part"]);
const QUANTITY: Column = Column::new("quantity", &["quantity", "qty", "demand", "units"]);
const UNIT_COST: Column = Column::new("unit_cost", &["unit_cost", "cost"]);
const PERIOD: Column = Column::new("period", &["period", "granularity"]);
const SUPPLIER: Column = Column::new("supplier", &["supplier", "vendor", "supplier_id"]);
const ORDER_DATE: Column = Column::new("order_date", &["order_date", "ordered", "po_date"]);
const PROMISED_DATE: Column = Column::new(
    "promised_date",
    &["promised_date", "promised", "due_date", "confirmed_date"],
);
const RECEIVED_DATE: Column = Column::new(
    "received_date",
    &["received_date", "received", "receipt_date"],
);
const QUANTITY_ORDERED: Column = Column::new(
    "quantity_ordered",
    &["quantity_ordered", "qty_ordered", "ordered_quantity"],
);
const QUANTITY_RECEIVED: Column = Column::new(
    "quantity_received",
    &["quantity_received", "qty_received", "received_quantity"],
);
const QUANTITY_REJECTED: Column = Column::new(
    "quantity_rejected",
    &["quantity_rejected", "qty_rejected", "rejected_quantity"],
);
const REGION: Column = Column::new("region", &["region", "supplier_region", "vendor_region"]);
const CRITICALITY: Column = Column::new("criticality", &["criticality", "critical"]);
const SUPPLIERS: Column = Column::new("suppliers", &["suppliers", "supplier", "vendors"]);
const CONTAINER_SIZE: Column = Column::new(
    "container_size",
    &["container_size", "container", "pack_size", "kanban_size"],
);
const SHELF_LIFE: Column = Column::new("shelf_life_days", &["shelf_life_days", "shelf_life"]);
const ORDER_COST: Column = Column::new("order_cost", &["order_cost", "ordering_cost"]);
const MOQ: Column = Column::new(
    "moq",
    &["moq", "min_order_quantity", "minimum_order_quantity"],
);

/// Header of an example demand file, shown when the file is empty.
pub(crate) const DEMAND_EXAMPLE: &str = "date,item,quantity";
/// Header of an example deliveries file.
pub(crate) const DELIVERIES_EXAMPLE: &str = "supplier,item,order_date,promised_date,received_date,\
quantity_ordered,quantity_received,quantity_rejected";
/// Header of an example item master.
pub(crate) const ITEMS_EXAMPLE: &str =
    "item,unit_cost,criticality,suppliers,container_size,shelf_life_days,order_cost";

// The ranges of the numbers of a history. The upper bounds are the scenario format's largest
// (`model::limits`): a history beyond them is a data error, and within them every sum, square
// and annual value the profile computes stays finite (a quantity of 1e308 made them infinite).

/// Units demanded on one row; a negative quantity is a return.
const DEMAND_QUANTITY: Limit = Limit::closed(-MAX_QUANTITY, MAX_QUANTITY, " units");

/// Units ordered, received or rejected on a delivery.
const DELIVERED: Limit = Limit::closed(0.0, MAX_QUANTITY, " units");

/// The value of one unit, or the cost of an order line: the scenario's range for a unit cost
/// (above zero, so that an EOQ lot has an order cost to weigh; 1e-308 was written as 0).
const COST: Limit = crate::model::limits::UNIT_COST;

/// A kanban container's quantity.
const CONTAINER: Limit = Limit::above(0.0, MAX_QUANTITY, " units");

/// A shelf life: only compared with a month, so any length is taken (ERP exports write 99999
/// for "none").
const SHELF_LIFE_DAYS: Limit = Limit::above(0.0, f64::MAX, " days");

/// Years a history's dates may be in: ERP placeholders (`0001-01-01`, `9999-12-31`) and
/// mistyped centuries fall outside.
const YEARS: std::ops::RangeInclusive<i64> = 1900..=2200;

/// Longest time from order to promise or receipt a delivery row may show: the scenario
/// format's longest lead time (`model::limits::DAYS`, ten years). A longer one is a mistyped
/// date.
const MAX_LEAD_DAYS: i64 = 3650;

/// Reads the cells of one table, collecting problems and remembering repeated rows.
struct Reader<'t> {
    table: &'t Table,
    file: String,
    problems: Problems,
    seen: HashMap<u64, &'t Row>,
}

impl<'t> Reader<'t> {
    fn new(table: &'t Table) -> Self {
        Reader {
            table,
            file: table.file_name(),
            problems: Problems::default(),
            seen: HashMap::new(),
        }
    }

    fn problem(&self, row: &Row, index: usize, message: String) -> RowProblem {
        RowProblem {
            line: row.line,
            column: self.table.header.get(index).cloned().unwrap_or_default(),
            message,
        }
    }

    /// A cell that must not be empty.
    fn text(&mut self, row: &'t Row, index: usize) -> Option<&'t str> {
        let cell = row.cell(index);
        if cell.is_empty() {
            let p = self.problem(row, index, "is empty; every row needs a value here".into());
            self.problems.push(p);
            return None;
        }
        Some(cell)
    }

    fn date(&mut self, row: &Row, index: usize) -> Option<Date> {
        let cell = row.cell(index);
        let parsed = match Date::parse(cell) {
            None => Err(self.problem(
                row,
                index,
                format!("'{cell}' is not a date; write dates as YYYY-MM-DD, e.g. 2024-03-31"),
            )),
            Some(date) if !YEARS.contains(&date.ymd().0) => Err(self.problem(
                row,
                index,
                format!(
                    "'{cell}' is out of range: dates must be in the years {} to {} (a \
                     placeholder such as 9999-12-31 or 0001-01-01?); correct or remove the row",
                    YEARS.start(),
                    YEARS.end()
                ),
            )),
            Some(date) => Ok(date),
        };
        self.problems.check(parsed)
    }

    /// A blank cell is `Some(None)`; a bad one records a problem and gives `None`.
    fn optional_date(&mut self, row: &Row, index: usize) -> Option<Option<Date>> {
        if row.cell(index).is_empty() {
            return Some(None);
        }
        self.date(row, index).map(Some)
    }

    /// A number within `range`.
    fn number(&mut self, row: &Row, index: usize, range: Limit) -> Option<f64> {
        let cell = row.cell(index);
        let parsed = match parse_number(cell) {
            None => Err(self.problem(
                row,
                index,
                format!(
                    "'{cell}' is not a number; write plain decimals such as 12 or 12.5 \
                     (no thousands separators, no units)"
                ),
            )),
            Some(v) => range
                .check(v)
                .map_err(|message| self.problem(row, index, message)),
        };
        self.problems.check(parsed)
    }

    /// An optional column: `Some(None)` when absent or blank.
    fn optional_number(
        &mut self,
        row: &Row,
        index: Option<usize>,
        range: Limit,
    ) -> Option<Option<f64>> {
        match index {
            Some(i) if !row.cell(i).is_empty() => self.number(row, i, range).map(Some),
            _ => Some(None),
        }
    }

    /// The line of an earlier row with exactly the same cells, if any. Rows are remembered by
    /// a hash of their cells and compared cell for cell on a match: a key of the cells
    /// themselves cost more memory than the table (100 bytes a row). Of two different rows
    /// with the same hash (odds of about 10⁻⁶ in ten million rows) only the first is
    /// remembered.
    fn repeat_of(&mut self, row: &'t Row) -> Option<usize> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        for cell in &row.cells {
            cell.trim().hash(&mut hasher);
        }
        match self.seen.entry(hasher.finish()) {
            std::collections::hash_map::Entry::Occupied(first) => {
                let first = *first.get();
                let same = first.cells.len() == row.cells.len()
                    && first
                        .cells
                        .iter()
                        .zip(&row.cells)
                        .all(|(a, b)| a.trim() == b.trim());
                same.then_some(first.line)
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(row);
                None
            }
        }
    }
}

/// Read the demand history. Returns (negative quantities) and rows repeated cell for cell are
/// noted and left out of demand; rows out of date order within an item are noted (the history
/// is laid out by date, so order does not matter after that).
pub(crate) fn read_demand(path: &Path, notes: &mut Notes) -> Result<DemandHistory, InputError> {
    let table = read_table(path, "demand", DEMAND_EXAMPLE)?;
    let (date_col, item_col, quantity_col) = (
        table.require(DATE)?,
        table.require(ITEM)?,
        table.require(QUANTITY)?,
    );
    let cost_col = table.find(UNIT_COST);
    let period_col = table.find(PERIOD);
    let mut reader = Reader::new(&table);
    let file = reader.file.clone();
    let mut history = DemandHistory {
        file: file.clone(),
        ..DemandHistory::default()
    };
    let mut costs: HashMap<String, (f64, usize)> = HashMap::new();
    let mut last_seen: HashMap<&str, (Date, usize)> = HashMap::new();
    let mut dated: Vec<(Date, usize)> = Vec::new();
    for row in &table.rows {
        let date = reader.date(row, date_col);
        let item = reader.text(row, item_col);
        let quantity = reader.number(row, quantity_col, DEMAND_QUANTITY);
        let cost = reader.optional_number(row, cost_col, COST);
        let period = period_col.map(|i| period_of(&mut reader, row, i));
        let (Some(date), Some(item), Some(quantity), Some(cost)) = (date, item, quantity, cost)
        else {
            continue;
        };
        let period = match period {
            Some(None) => continue,
            Some(Some(p)) => p,
            None => None,
        };
        if let Some(first) = reader.repeat_of(row) {
            notes.row(
                "repeated row",
                &file,
                row.line,
                format!(
                    "repeats line {first} cell for cell: counted once (if these are two order \
                     lines, add a column such as an order number that tells them apart)"
                ),
            );
            continue;
        }
        if let Some(&(previous, line)) = last_seen.get(item)
            && date < previous
        {
            notes.row(
                "date out of order",
                &file,
                row.line,
                format!(
                    "{item} on {date} comes after its row of {previous} (line {line}): \
                     rows are laid out by date, so the order does not matter"
                ),
            );
        }
        last_seen.insert(item, (date, row.line));
        if let Some(c) = cost {
            let entry = costs.entry(item.to_string()).or_default();
            *entry = (entry.0 + c, entry.1 + 1);
        }
        if quantity < 0.0 {
            *history.returned.entry(item.to_string()).or_default() -= quantity;
            notes.row(
                "return",
                &file,
                row.line,
                format!(
                    "{item} on {date}: quantity {quantity} is a return; it is not counted as \
                     demand (buffers are sized on gross demand) and is reported as returned units"
                ),
            );
            continue;
        }
        dated.push((date, row.line));
        history.rows.push(DemandRow {
            date,
            item: item.to_string(),
            quantity,
            period,
        });
    }
    if let Some(((date, line), (other, other_line))) = beyond_a_century(&mut dated) {
        let days = date.days_since(other).abs() as f64;
        reader.problems.push(RowProblem {
            line,
            column: table.header[date_col].clone(),
            message: format!(
                "'{date}' is {} days from the other end of the history ({other}, line \
                 {other_line}): a demand history longer than a century is a mistyped date or \
                 a placeholder such as 9999-12-31; correct or remove the row",
                group_thousands(days, 0)
            ),
        });
    }
    reader.problems.into_result(path)?;
    if history.rows.is_empty() {
        return Err(InputError::Nothing {
            path: path.to_path_buf(),
            what: "demand rows with a quantity of zero or more".into(),
        });
    }
    history.unit_costs = costs
        .into_iter()
        .map(|(item, (sum, n))| (item, sum / n as f64))
        .collect();
    Ok(history)
}

/// Longest demand history `profile` lays out: a century. A longer one comes from a mistyped
/// date or an ERP placeholder (`9999-12-31`, `0001-01-01`), and would stretch every item over
/// millennia of days without demand: minutes of work and gigabytes of memory for a profile
/// that means nothing.
const MAX_HISTORY_DAYS: i64 = 36_525;

/// When the dated rows span more than [`MAX_HISTORY_DAYS`]: the row to blame, the first or the
/// last date, whichever is farther from the median date (the odd one out when the rest are
/// ordinary), and the row at the other end.
fn beyond_a_century(dated: &mut [(Date, usize)]) -> Option<((Date, usize), (Date, usize))> {
    dated.sort_unstable();
    let (first, last) = (*dated.first()?, *dated.last()?);
    if last.0.days_since(first.0) <= MAX_HISTORY_DAYS {
        return None;
    }
    let median = dated[dated.len() / 2].0;
    if last.0.days_since(median) >= median.days_since(first.0) {
        Some((last, first))
    } else {
        Some((first, last))
    }
}

/// `Some(Some(period))` for a known period, `Some(None)` for a bad one (recorded as a
/// problem); a blank cell is `None` inside: detect from the dates.
fn period_of(reader: &mut Reader<'_>, row: &Row, index: usize) -> Option<Option<Period>> {
    match row.cell(index).to_ascii_lowercase().as_str() {
        "" => Some(None),
        "day" | "daily" | "d" => Some(Some(Period::Day)),
        "week" | "weekly" | "w" => Some(Some(Period::Week)),
        other => {
            let p = reader.problem(
                row,
                index,
                format!("'{other}' is not a period; write day or week (or leave it blank)"),
            );
            reader.problems.push(p);
            None
        }
    }
}

/// Read the deliveries. Orders not received yet are kept as open orders; a row received before
/// it was ordered, or promised before it was ordered, is left out (and noted); a rejected
/// quantity above the received one is capped (and noted); deliveries of items without demand
/// history count for their supplier only (and are noted).
pub(crate) fn read_deliveries(
    path: &Path,
    known_items: &HashSet<String>,
    notes: &mut Notes,
) -> Result<Vec<Delivery>, InputError> {
    let table = read_table(path, "deliveries", DELIVERIES_EXAMPLE)?;
    let supplier_col = table.require(SUPPLIER)?;
    let item_col = table.require(ITEM)?;
    let ordered_col = table.require(ORDER_DATE)?;
    let promised_col = table.require(PROMISED_DATE)?;
    let received_col = table.require(RECEIVED_DATE)?;
    let qty_ord_col = table.require(QUANTITY_ORDERED)?;
    let qty_rec_col = table.require(QUANTITY_RECEIVED)?;
    let rejected_col = table.find(QUANTITY_REJECTED);
    let region_col = table.find(REGION);
    let mut reader = Reader::new(&table);
    let file = reader.file.clone();
    if rejected_col.is_none() {
        notes.general(
            &file,
            "no quantity_rejected column: rejection rates are taken as zero",
        );
    }
    let mut out = Vec::new();
    let mut unknown: HashSet<&str> = HashSet::new();
    for row in &table.rows {
        let supplier = reader.text(row, supplier_col);
        let item = reader.text(row, item_col);
        let ordered_on = reader.date(row, ordered_col);
        let promised_on = reader.date(row, promised_col);
        let received_on = reader.optional_date(row, received_col);
        let ordered = reader.number(row, qty_ord_col, DELIVERED);
        let received = reader.number(row, qty_rec_col, DELIVERED);
        let rejected = reader.optional_number(row, rejected_col, DELIVERED);
        let (
            Some(supplier),
            Some(item),
            Some(ordered_on),
            Some(promised_on),
            Some(received_on),
            Some(ordered),
            Some(received),
            Some(rejected),
        ) = (
            supplier,
            item,
            ordered_on,
            promised_on,
            received_on,
            ordered,
            received,
            rejected,
        )
        else {
            continue;
        };
        if let Some(first) = reader.repeat_of(row) {
            notes.row(
                "repeated row",
                &file,
                row.line,
                format!("repeats line {first} cell for cell: counted once"),
            );
            continue;
        }
        if received_on.is_some_and(|r| r < ordered_on) || promised_on < ordered_on {
            notes.row(
                "dates out of order",
                &file,
                row.line,
                format!(
                    "{supplier} / {item}: promised or received before the order date \
                     {ordered_on}: left out of the supplier's figures"
                ),
            );
            continue;
        }
        let longest = received_on
            .unwrap_or(promised_on)
            .days_since(ordered_on)
            .max(promised_on.days_since(ordered_on));
        if longest > MAX_LEAD_DAYS {
            notes.row(
                "lead time beyond ten years",
                &file,
                row.line,
                format!(
                    "{supplier} / {item}: {} days from the order date {ordered_on} to its \
                     promise or receipt, more than the {MAX_LEAD_DAYS} a scenario allows (a \
                     mistyped date?): left out of the supplier's figures",
                    group_thousands(longest as f64, 0)
                ),
            );
            continue;
        }
        let mut rejected = rejected.unwrap_or(0.0);
        if rejected > received {
            notes.row(
                "rejected above received",
                &file,
                row.line,
                format!(
                    "{rejected} units rejected but {received} received: the rejected quantity \
                     is capped at {received}"
                ),
            );
            rejected = received;
        }
        if !known_items.contains(item) && unknown.insert(item) {
            notes.row(
                "unknown item",
                &file,
                row.line,
                format!(
                    "item '{item}' has no demand history: its deliveries count towards the \
                     performance of supplier '{supplier}', but it gets no item profile"
                ),
            );
        }
        out.push(Delivery {
            supplier: supplier.to_string(),
            item: item.to_string(),
            ordered_on,
            promised_on,
            received_on,
            quantity_ordered: ordered,
            quantity_received: received,
            quantity_rejected: rejected,
            region: region_col
                .map(|c| row.cell(c).trim())
                .filter(|r| !r.is_empty())
                .map(String::from),
        });
    }
    reader.problems.into_result(path)?;
    Ok(out)
}

/// Read the item master. Items repeated keep their first row; items without demand history
/// are noted and left out; missing optional columns are noted with the default used instead.
pub(crate) fn read_items(
    path: &Path,
    known_items: &HashSet<String>,
    notes: &mut Notes,
) -> Result<HashMap<String, ItemMaster>, InputError> {
    let table = read_table(path, "items", ITEMS_EXAMPLE)?;
    let item_col = table.require(ITEM)?;
    let file = table.file_name();
    let optional = |column: Column, default: &str, notes: &mut Notes| {
        let found = table.find(column);
        if found.is_none() {
            notes.general(&file, format!("no {} column: {default}", column.name));
        }
        found
    };
    let cost_col = optional(UNIT_COST, "unit costs come from the demand file", notes);
    let crit_col = optional(CRITICALITY, "every item is of medium criticality", notes);
    let supp_col = optional(SUPPLIERS, "suppliers come from the deliveries", notes);
    let cont_col = optional(CONTAINER_SIZE, "container sizes are derived", notes);
    let shelf_col = table.find(SHELF_LIFE);
    let order_col = table.find(ORDER_COST);
    let moq_col = table.find(MOQ);
    let mut reader = Reader::new(&table);
    let mut out: HashMap<String, ItemMaster> = HashMap::new();
    let mut first_line: HashMap<&str, usize> = HashMap::new();
    for row in &table.rows {
        let Some(item) = reader.text(row, item_col) else {
            continue;
        };
        let unit_cost = reader.optional_number(row, cost_col, COST);
        let container = reader.optional_number(row, cont_col, CONTAINER);
        let shelf = reader.optional_number(row, shelf_col, SHELF_LIFE_DAYS);
        let order_cost = reader.optional_number(row, order_col, COST);
        let moq = reader.optional_number(row, moq_col, CONTAINER);
        let criticality = crit_col.map(|i| criticality_of(&mut reader, row, i));
        let (
            Some(unit_cost),
            Some(container_size),
            Some(shelf_life_days),
            Some(order_cost),
            Some(moq),
        ) = (unit_cost, container, shelf, order_cost, moq)
        else {
            continue;
        };
        let criticality = match criticality {
            Some(None) => continue,
            Some(Some(c)) => c,
            None => None,
        };
        if let Some(&first) = first_line.get(item) {
            notes.row(
                "repeated item",
                &reader.file,
                row.line,
                format!(
                    "item '{item}' is listed again (first at line {first}): this row is ignored"
                ),
            );
            continue;
        }
        first_line.insert(item, row.line);
        if !known_items.contains(item) {
            notes.row(
                "item without demand",
                &reader.file,
                row.line,
                format!("item '{item}' has no demand history: it is not profiled"),
            );
            continue;
        }
        let suppliers = supp_col.map_or_else(Vec::new, |i| {
            row.cell(i)
                .split([';', '|'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        });
        out.insert(
            item.to_string(),
            ItemMaster {
                unit_cost,
                criticality,
                suppliers,
                container_size,
                shelf_life_days,
                order_cost,
                moq,
            },
        );
    }
    reader.problems.into_result(path)?;
    Ok(out)
}

/// As [`period_of`]: `Some(None)` inside for a blank cell, `None` for a bad one.
fn criticality_of(reader: &mut Reader<'_>, row: &Row, index: usize) -> Option<Option<Criticality>> {
    match row.cell(index).to_ascii_lowercase().as_str() {
        "" => Some(None),
        "low" => Some(Some(Criticality::Low)),
        "medium" | "normal" => Some(Some(Criticality::Medium)),
        "high" | "critical" => Some(Some(Criticality::High)),
        other => {
            let p = reader.problem(
                row,
                index,
                format!(
                    "'{other}' is not a criticality; write low, medium or high (critical = high)"
                ),
            );
            reader.problems.push(p);
            None
        }
    }
}
