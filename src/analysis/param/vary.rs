//! The values a sweep gives a parameter: [`Vary`], parsed from `PARAM=FROM..TO[:STEPS]` (an
//! evenly spaced grid, either way, both ends included) or `PARAM=V1,V2,…`, and rounded to
//! whole numbers for an integral field.
//!
//! Apart from the rest of the module because it is only syntax: it checks the PARAM's own
//! syntax but never looks at a scenario.

use std::str::FromStr;

use super::{DEFAULT_STEPS, MAX_STEPS, Param, ParamError, because};

/// A parameter and the values to give it: `PARAM=FROM..TO[:STEPS]` or `PARAM=V1,V2,…`.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    /// The scenario field varied.
    pub param: Param,
    /// In the order given: a range runs from FROM to TO (either way), both included.
    pub values: Vec<f64>,
}

impl Vary {
    /// Parse `PARAM=FROM..TO[:STEPS]` (STEPS grid points, at least 2, default 11, at most
    /// 1,000: `DEFAULT_STEPS` and `MAX_STEPS`; FROM above TO runs downwards) or
    /// `PARAM=V1,V2,…`.
    pub fn parse(text: &str) -> Result<Vary, ParamError> {
        let text = text.trim();
        let bad = because(text, |text, reason| ParamError::BadRange { text, reason });
        let Some((param, spec)) = text.split_once('=') else {
            return Err(bad("there is no `=`"));
        };
        let param = Param::parse(param)?;
        let spec = spec.trim();
        let value = |s: &str| -> Result<f64, ParamError> {
            let s = s.trim();
            if s.is_empty() {
                return Err(bad("a value is missing"));
            }
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| ParamError::NotANumber {
                    text: text.to_string(),
                    value: s.to_string(),
                })
        };
        let values = if let Some((from, rest)) = spec.split_once("..") {
            let (to, steps) = match rest.split_once(':') {
                Some((to, steps)) => {
                    let steps = steps.trim().parse::<usize>().map_err(|_| {
                        bad(&format!("STEPS `{}` is not a whole number", steps.trim()))
                    })?;
                    (to, steps)
                }
                None => (rest, DEFAULT_STEPS),
            };
            let (from, to) = (value(from)?, value(to)?);
            if !(2..=MAX_STEPS).contains(&steps) {
                return Err(bad(&format!(
                    "STEPS must be from 2 to {MAX_STEPS} (got {steps})"
                )));
            }
            if from == to {
                return Err(bad("FROM and TO are the same"));
            }
            (0..steps)
                .map(|i| tidy(from + (to - from) * i as f64 / (steps - 1) as f64))
                .collect()
        } else {
            spec.split(',')
                .map(value)
                .collect::<Result<Vec<f64>, _>>()?
        };
        Ok(Vary { param, values })
    }

    /// The values for a field: rounded to whole numbers for an integral field
    /// ([`Target::integral`]), with repeats dropped (first occurrence kept).
    ///
    /// [`Target::integral`]: super::Target::integral
    pub fn for_target(&self, integral: bool) -> Vec<f64> {
        if !integral {
            return self.values.clone();
        }
        let mut out: Vec<f64> = Vec::with_capacity(self.values.len());
        for v in &self.values {
            let r = v.round() + 0.0;
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }
}

impl FromStr for Vary {
    type Err = ParamError;
    fn from_str(s: &str) -> Result<Vary, ParamError> {
        Vary::parse(s)
    }
}

/// A grid value without the float noise of its arithmetic (0.30000000000000004 → 0.3).
fn tidy(v: f64) -> f64 {
    format!("{v:.12e}").parse::<f64>().unwrap_or(v) + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_lists_parse_into_grids() {
        let v = Vary::parse("policy.kanban.safety_factor=0..1").unwrap();
        assert_eq!(v.values.len(), DEFAULT_STEPS);
        assert_eq!(v.values[3], 0.3);
        assert_eq!(v.param.as_str(), "policy.kanban.safety_factor");
        let v = Vary::parse("simulation.horizon_days = 400..100:4").unwrap();
        assert_eq!(v.values, [400.0, 300.0, 200.0, 100.0]);
        let v = Vary::parse("item.widget.demand.sd=1,2.5,-1e-1").unwrap();
        assert_eq!(v.values, [1.0, 2.5, -0.1]);
        let v = Vary::parse("disruption.port.duration_days.mean=10..12:5").unwrap();
        assert_eq!(v.for_target(true), [10.0, 11.0, 12.0]);
        assert_eq!(v.for_target(false).len(), 5);

        for (text, fragment) in [
            ("policy.kanban.safety_factor", "no `=`"),
            ("policy.kanban.safety_factor=0..1:1", "STEPS must be"),
            ("policy.kanban.safety_factor=0..1:x", "not a whole number"),
            ("policy.kanban.safety_factor=1..1", "the same"),
            ("policy.kanban.safety_factor=0..", "missing"),
            (
                "policy.kanban.safety_factor=a..1",
                "`a` is not a finite number",
            ),
            ("policy.kanban.safety_factor=1,,2", "missing"),
            ("policy.kanban.safety_factor=nan", "not a finite number"),
        ] {
            let e = Vary::parse(text).unwrap_err();
            assert!(e.to_string().contains(fragment), "{text}: {e}");
        }
        let e = Vary::parse("x=1").unwrap_err();
        assert!(matches!(e, ParamError::UnknownKind { .. }));
        assert!(
            ParamError::BadRange {
                text: "x".into(),
                reason: "r".into()
            }
            .to_string()
            .contains("PARAM=FROM..TO[:STEPS]")
        );
    }
}
