//! `buffersim._buffersim`: the native half of the Python package.
//!
//! Everything here is a thin call into the library: scenarios are loaded and changed by the
//! library's own functions (`Scenario::from_source`, `analysis::param`), runs go through
//! `analysis::simulate_plan_per_run`, and the analyses through the command line's own
//! functions (`cli::compare_scenario`, `cli::sweep_scenario`, `cli::optimize_scenario`) with
//! arguments parsed by the command line's own parser, so every option means and is checked as
//! on the command line. Results cross into Python as the texts the command writes
//! (summary.json, summary.csv, …) and as plain lists; the Python half (`buffersim/__init__.py`)
//! turns them into DataFrames and arrays.
//!
//! The GIL is released while anything is simulated (`Python::detach`); a progress callback is
//! called with the GIL taken again, from whichever thread merges the runs.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use buffersim::analysis::param::{self, Param};
use buffersim::cli::{Cli, Command};
use buffersim::model::metric::Metric;
use buffersim::model::scenario::{Scenario, ScenarioError as LibScenarioError};
use buffersim::presentation::describe::describe;
use buffersim::results::inputs::Inputs;
use buffersim::results::summary::Summary;
use buffersim::simulation::per_run::PerRun;
use clap::Parser;
use pyo3::create_exception;
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;

create_exception!(
    _buffersim,
    ScenarioError,
    PyValueError,
    "A scenario that cannot be read or is invalid: `message` as the command line prints it, \
     `file`, and the first problem's `line` and `field` (None where unknown); `problems` \
     lists every problem as (field, line, message)."
);

/// A Python error for a library error: a `ScenarioError` (with file, line, field and every
/// problem) when a scenario is at fault, else a `ValueError`; the message is the one the
/// command line prints after `error: `.
fn to_py(py: Python<'_>, error: &anyhow::Error) -> PyErr {
    let message = format!("{error:#}");
    let Some(scenario) = error
        .chain()
        .find_map(|e| e.downcast_ref::<LibScenarioError>())
    else {
        return PyValueError::new_err(message);
    };
    scenario_error(py, message, scenario)
}

fn scenario_error(py: Python<'_>, message: String, error: &LibScenarioError) -> PyErr {
    let err = ScenarioError::new_err(message.clone());
    let value = err.value(py);
    let problems = error.problems();
    let first = problems.first();
    let field = first.map(|p| p.field.clone()).filter(|f| !f.is_empty());
    let listed: Vec<(Option<String>, Option<usize>, String)> = problems
        .iter()
        .map(|p| {
            (
                (!p.field.is_empty()).then(|| p.field.clone()),
                p.line,
                p.message.clone(),
            )
        })
        .collect();
    // Setting plain attributes on a fresh exception object cannot fail.
    let _ = value.setattr("message", message);
    let _ = value.setattr("file", error.path().display().to_string());
    let _ = value.setattr("line", first.and_then(|p| p.line));
    let _ = value.setattr("field", field);
    let _ = value.setattr("problems", listed);
    err
}

/// A validated scenario with the text it was read from (analyses change the text and
/// validate it again, exactly like a file).
#[pyclass(module = "buffersim._buffersim", name = "NativeScenario", frozen)]
struct NativeScenario {
    scenario: Scenario,
    source: String,
    path: PathBuf,
}

impl NativeScenario {
    fn from_source(py: Python<'_>, source: String, path: PathBuf) -> PyResult<Self> {
        match Scenario::from_source(&source, &path) {
            Ok(scenario) => Ok(NativeScenario {
                scenario,
                source,
                path,
            }),
            Err(e) => Err(scenario_error(py, format!("{e:#}"), &e)),
        }
    }

    /// `argv` after the command's name and the scenario, parsed by the command line's parser.
    fn parse(&self, command: &str, argv: Vec<String>) -> PyResult<Command> {
        let args = ["buffersim", command]
            .into_iter()
            .map(String::from)
            .chain(std::iter::once(self.path.display().to_string()))
            .chain(argv);
        Cli::try_parse_from(args)
            .map(|cli| cli.command)
            .map_err(|e| {
                // clap's message without its pointer to `--help`, which Python users do not have.
                let text = e.render().to_string();
                let kept: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.starts_with("For more information"))
                    .collect();
                let message = kept.join("\n");
                let message = message.trim();
                PyValueError::new_err(
                    message
                        .strip_prefix("error: ")
                        .unwrap_or(message)
                        .to_string(),
                )
            })
    }

    fn triple(&self) -> (&Scenario, &str, &Path) {
        (&self.scenario, &self.source, &self.path)
    }
}

#[pymethods]
impl NativeScenario {
    /// Read and validate a scenario file (.toml or .json).
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        match Scenario::read_source(&path) {
            Ok(source) => Self::from_source(py, source, path),
            Err(e) => Err(scenario_error(py, format!("{e:#}"), &e)),
        }
    }

    /// Validate scenario text as if read from `path` (its extension decides TOML or JSON).
    #[staticmethod]
    fn from_text(py: Python<'_>, text: String, path: PathBuf) -> PyResult<Self> {
        Self::from_source(py, text, path)
    }

    /// The scenario with each parameter (a `sweep` path) set to its value, validated again.
    fn with_values(&self, py: Python<'_>, values: Vec<(String, f64)>) -> PyResult<Self> {
        let mut doc = param::parse_document(&self.source, &self.path)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        for (path, value) in &values {
            let param: Param = path
                .parse()
                .map_err(|e: param::ParamError| PyKeyError::new_err(e.to_string()))?;
            param::set(&mut doc, &param, *value).map_err(|e| PyKeyError::new_err(e.to_string()))?;
        }
        let source =
            param::to_source(&doc, &self.path).map_err(|e| PyValueError::new_err(e.to_string()))?;
        match param::scenario_from(&doc, &self.path) {
            Ok(scenario) => Ok(NativeScenario {
                scenario,
                source,
                path: self.path.clone(),
            }),
            Err(e) => Err(scenario_error(py, format!("{e:#}"), &e)),
        }
    }

    /// What `validate` prints, and what the scenario assumed as JSON (summary.json's
    /// `inputs`).
    fn describe(&self) -> (String, String) {
        let inputs = serde_json::to_string(&Inputs::new(&self.scenario)).unwrap_or_default();
        (describe(&self.scenario), inputs)
    }

    /// The scenario's text (changed values included).
    #[getter]
    fn source(&self) -> &str {
        &self.source
    }

    #[getter]
    fn path(&self) -> String {
        self.path.display().to_string()
    }

    #[getter]
    fn name(&self) -> &str {
        &self.scenario.name
    }

    #[getter]
    fn policies(&self) -> Vec<String> {
        self.scenario
            .policies
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }

    #[getter]
    fn items(&self) -> Vec<String> {
        self.scenario.items.iter().map(|i| i.id.clone()).collect()
    }

    #[getter]
    fn runs(&self) -> u64 {
        self.scenario.runs
    }

    #[getter]
    fn seed(&self) -> u64 {
        self.scenario.seed
    }

    /// Simulate as `buffersim run` with `argv`, keeping every run's figures.
    #[pyo3(signature = (argv, progress=None))]
    fn run(
        &self,
        py: Python<'_>,
        argv: Vec<String>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<NativeResults> {
        let Command::Run(args) = self.parse("run", argv)? else {
            return Err(PyValueError::new_err("not a run"));
        };
        let callback = Callback::new(progress);
        let scenario = &self.scenario;
        let simulated = py.detach(|| -> anyhow::Result<_> {
            let plan = args.plan(scenario)?;
            let pool = args.pool()?;
            let total = plan.precision.map_or(plan.runs, |p| p.max_runs);
            Ok(pool.install(|| {
                buffersim::analysis::simulate_plan_per_run(scenario, &plan, None, &|done| {
                    callback.call(done as usize, total as usize)
                })
            }))
        });
        callback.raise()?;
        let (outcome, precision, rows) = simulated.map_err(|e| to_py(py, &e))?;
        let mut summary = Summary::new(scenario, &outcome);
        summary.precision = precision;
        Ok(NativeResults {
            summary,
            rows,
            policies: self.policies(),
            items: self.items(),
        })
    }

    /// `buffersim compare` with `argv`: compare.json and compare.csv.
    #[pyo3(signature = (argv, progress=None))]
    fn compare(
        &self,
        py: Python<'_>,
        argv: Vec<String>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<(String, String)> {
        let Command::Compare(args) = self.parse("compare", argv)? else {
            return Err(PyValueError::new_err("not a comparison"));
        };
        let callback = Callback::new(progress);
        let scenario = &self.scenario;
        let result = py.detach(|| {
            buffersim::cli::compare_scenario(&args, scenario, &|done| {
                callback.call(done as usize, 0)
            })
        });
        callback.raise()?;
        let comparison = result.map_err(|e| to_py(py, &e))?;
        Ok((comparison.to_json(), comparison.to_csv()))
    }

    /// `buffersim sweep` with `argv`: sweep.json and sweep.csv.
    #[pyo3(signature = (argv, progress=None))]
    fn sweep(
        &self,
        py: Python<'_>,
        argv: Vec<String>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<(String, String)> {
        let Command::Sweep(args) = self.parse("sweep", argv)? else {
            return Err(PyValueError::new_err("not a sweep"));
        };
        let callback = Callback::new(progress);
        let triple = self.triple();
        let result = py.detach(|| {
            buffersim::cli::sweep_scenario(&args, triple, &|done, total| callback.call(done, total))
        });
        callback.raise()?;
        let sweep = result.map_err(|e| to_py(py, &e))?;
        Ok((sweep.to_json(), sweep.to_csv()))
    }

    /// `buffersim optimize` with `argv`: optimize.json.
    #[pyo3(signature = (argv, progress=None))]
    fn optimize(
        &self,
        py: Python<'_>,
        argv: Vec<String>,
        progress: Option<Py<PyAny>>,
    ) -> PyResult<String> {
        let Command::Optimize(args) = self.parse("optimize", argv)? else {
            return Err(PyValueError::new_err("not an optimisation"));
        };
        let callback = Callback::new(progress);
        let triple = self.triple();
        let result = py.detach(|| {
            buffersim::cli::optimize_scenario(&args, triple, &|done| {
                callback.call(done as usize, 0)
            })
        });
        callback.raise()?;
        let optimization = result.map_err(|e| to_py(py, &e))?;
        Ok(optimization.to_json())
    }
}

/// An optional Python progress callback, called as `(done, total)` (total 0 where unknown)
/// from the simulating threads with the GIL taken; the first exception it raises is kept and raised once the simulation is over (and
/// the callback is not called again).
struct Callback {
    callable: Option<Py<PyAny>>,
    error: Mutex<Option<PyErr>>,
}

impl Callback {
    fn new(callable: Option<Py<PyAny>>) -> Self {
        Callback {
            callable,
            error: Mutex::new(None),
        }
    }

    fn call(&self, done: usize, total: usize) {
        let Some(callable) = &self.callable else {
            return;
        };
        let Ok(mut error) = self.error.lock() else {
            return;
        };
        if error.is_some() {
            return;
        }
        Python::attach(|py| {
            if let Err(e) = callable.call1(py, (done, total)) {
                *error = Some(e);
            }
        });
    }

    fn raise(&self) -> PyResult<()> {
        match self.error.lock().ok().and_then(|mut e| e.take()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// A run's results: its summary and every run's figures.
#[pyclass(module = "buffersim._buffersim", name = "NativeResults", frozen)]
struct NativeResults {
    summary: Summary,
    rows: PerRun,
    policies: Vec<String>,
    items: Vec<String>,
}

#[pymethods]
impl NativeResults {
    /// summary.json's text.
    fn to_json(&self) -> String {
        self.summary.to_json()
    }

    /// summary.csv's text.
    fn summary_csv(&self) -> String {
        self.summary.to_csv()
    }

    /// on_hand.csv's text.
    fn on_hand_csv(&self) -> String {
        self.summary.on_hand_csv()
    }

    #[getter]
    fn runs(&self) -> u64 {
        self.rows.runs()
    }

    #[getter]
    fn policies(&self) -> Vec<String> {
        self.policies.clone()
    }

    #[getter]
    fn items(&self) -> Vec<String> {
        self.items.clone()
    }

    /// `metric` in every run under every policy, of `item` (None: all items): a list of
    /// columns, one per policy, each a list of runs (NaN where undefined).
    #[pyo3(signature = (metric, item=None))]
    fn per_run<'py>(
        &self,
        py: Python<'py>,
        metric: &str,
        item: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        let metric = Metric::from_name(metric).ok_or_else(|| {
            let names: Vec<&str> = buffersim::model::metric::METRICS
                .iter()
                .map(|m| m.name())
                .collect();
            PyKeyError::new_err(format!(
                "unknown metric '{metric}'; metrics are: {}",
                names.join(", ")
            ))
        })?;
        let item = match item {
            None => None,
            Some(id) => Some(self.items.iter().position(|i| i == id).ok_or_else(|| {
                PyKeyError::new_err(format!(
                    "no item '{id}' in the scenario; its items are: {}",
                    self.items.join(", ")
                ))
            })?),
        };
        let columns: Vec<Vec<f64>> = (0..self.policies.len())
            .map(|p| self.rows.column(p, item, metric))
            .collect();
        PyList::new(py, columns)
    }
}

/// Names of every metric, in output order.
#[pyfunction]
fn metrics() -> Vec<&'static str> {
    buffersim::model::metric::METRICS
        .iter()
        .map(|m| m.name())
        .collect()
}

#[pymodule]
fn _buffersim(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add_class::<NativeScenario>()?;
    m.add_class::<NativeResults>()?;
    m.add_function(wrap_pyfunction!(metrics, m)?)?;
    Ok(())
}
