//! Parameter schemas and validation.
//!
//! A job's parameters travel as short `name=value,name=value` text (bounded:
//! [`MAX_PARAMS_LEN`] bytes). Each template declares its parameters as data
//! ([`ParamSpec`]); parsing checks names, types and bounds and fills in the
//! defaults, so a validated [`Params`] always holds every parameter.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::{Result, TemplateError, TemplateInfo};

/// Longest parameter text accepted (the job spec's bounded parameters).
pub const MAX_PARAMS_LEN: usize = 1024;

#[derive(Debug, Clone, PartialEq)]
pub enum ParamKind {
    /// An unsigned integer in `min..=max`.
    Int { min: u64, max: u64, default: u64 },
    /// A finite decimal number in `min..=max`.
    Float { min: f64, max: f64, default: f64 },
    /// 32 bytes as 64 hex digits (a challenge seed).
    Hex32 { default: &'static str },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub kind: ParamKind,
    pub doc: &'static str,
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Int(u64),
    Float(f64),
    Hex32([u8; 32]),
}

/// Validated parameters of one template: every parameter of the schema is
/// present and within its bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    template: &'static str,
    values: BTreeMap<&'static str, Value>,
}

impl Params {
    /// Parses `name=value,...` against `info`'s schema. Empty text gives the
    /// defaults.
    pub fn parse(info: &'static TemplateInfo, text: &str) -> Result<Params> {
        if text.len() > MAX_PARAMS_LEN {
            return Err(TemplateError::ParamsTooLong {
                len: text.len(),
                max: MAX_PARAMS_LEN,
            });
        }
        let mut given: BTreeMap<&'static str, Value> = BTreeMap::new();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (name, raw) = item
                .split_once('=')
                .ok_or_else(|| TemplateError::BadParam {
                    name: item.to_string(),
                    reason: "expected name=value".into(),
                })?;
            let (name, raw) = (name.trim(), raw.trim());
            let spec = info.params.iter().find(|p| p.name == name).ok_or_else(|| {
                TemplateError::UnknownParam {
                    template: info.id,
                    name: name.to_string(),
                    known: info
                        .params
                        .iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?;
            let value = parse_value(spec, raw)?;
            if given.insert(spec.name, value).is_some() {
                return Err(bad(name, "given twice"));
            }
        }
        let mut values = BTreeMap::new();
        for spec in info.params {
            let value = match given.remove(spec.name) {
                Some(v) => v,
                None => default_value(spec)?,
            };
            values.insert(spec.name, value);
        }
        Ok(Params {
            template: info.id,
            values,
        })
    }

    pub fn template(&self) -> &'static str {
        self.template
    }

    /// An integer parameter. Panics on a name the schema lacks (a bug in the
    /// template, never in user input).
    pub fn int(&self, name: &str) -> u64 {
        match self.values.get(name) {
            Some(Value::Int(v)) => *v,
            other => panic!("{}: no integer parameter {name}: {other:?}", self.template),
        }
    }

    pub fn usize(&self, name: &str) -> usize {
        usize::try_from(self.int(name)).unwrap_or(usize::MAX)
    }

    pub fn float(&self, name: &str) -> f64 {
        match self.values.get(name) {
            Some(Value::Float(v)) => *v,
            other => panic!("{}: no float parameter {name}: {other:?}", self.template),
        }
    }

    pub fn hex32(&self, name: &str) -> [u8; 32] {
        match self.values.get(name) {
            Some(Value::Hex32(v)) => *v,
            other => panic!("{}: no hex parameter {name}: {other:?}", self.template),
        }
    }

    /// The integer parameters, as the unit formula takes them.
    pub fn integers(&self) -> Vec<(String, u64)> {
        self.values
            .iter()
            .filter_map(|(k, v)| match v {
                Value::Int(i) => Some((k.to_string(), *i)),
                _ => None,
            })
            .collect()
    }

    /// Canonical text of every parameter (sorted by name, defaults included):
    /// parses back to the same `Params`.
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        for (i, (k, v)) in self.values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = match v {
                Value::Int(x) => write!(out, "{k}={x}"),
                Value::Float(x) => write!(out, "{k}={x}"),
                Value::Hex32(x) => write!(out, "{k}={}", hex::encode(x)),
            };
        }
        out
    }
}

fn bad(name: &str, reason: impl Into<String>) -> TemplateError {
    TemplateError::BadParam {
        name: name.to_string(),
        reason: reason.into(),
    }
}

fn parse_value(spec: &ParamSpec, raw: &str) -> Result<Value> {
    match &spec.kind {
        ParamKind::Int { min, max, .. } => {
            let v: u64 = raw
                .parse()
                .map_err(|_| bad(spec.name, format!("`{raw}` is not an unsigned integer")))?;
            if v < *min || v > *max {
                return Err(bad(spec.name, format!("{v} is outside {min}..={max}")));
            }
            Ok(Value::Int(v))
        }
        ParamKind::Float { min, max, .. } => {
            let v: f64 = raw
                .parse()
                .map_err(|_| bad(spec.name, format!("`{raw}` is not a number")))?;
            if !v.is_finite() || v < *min || v > *max {
                return Err(bad(spec.name, format!("{v} is outside {min}..={max}")));
            }
            Ok(Value::Float(v))
        }
        ParamKind::Hex32 { .. } => {
            let bytes = hex::decode(raw)
                .map_err(|_| bad(spec.name, "expected 64 hex digits (32 bytes)"))?;
            let arr: [u8; 32] = bytes
                .try_into()
                .map_err(|_| bad(spec.name, "expected 64 hex digits (32 bytes)"))?;
            Ok(Value::Hex32(arr))
        }
    }
}

fn default_value(spec: &ParamSpec) -> Result<Value> {
    Ok(match &spec.kind {
        ParamKind::Int { default, .. } => Value::Int(*default),
        ParamKind::Float { default, .. } => Value::Float(*default),
        ParamKind::Hex32 { default } => parse_value(spec, default)?,
    })
}

#[cfg(test)]
mod tests {
    use crate::{by_id, TemplateError};

    #[test]
    fn defaults_fill_in_and_canonical_text_round_trips() {
        let t = by_id("render.fractal").unwrap();
        let p = t.parse_params("width=64, height=32").unwrap();
        assert_eq!(p.int("width"), 64);
        assert_eq!(p.int("max_iter"), 256);
        let again = t.parse_params(&p.canonical()).unwrap();
        assert_eq!(p, again);
    }

    #[test]
    fn unknown_duplicate_out_of_range_and_malformed_are_rejected() {
        let t = by_id("render.fractal").unwrap();
        assert!(matches!(
            t.parse_params("colour=3"),
            Err(TemplateError::UnknownParam { .. })
        ));
        assert!(t.parse_params("width=3,width=4").is_err());
        assert!(t.parse_params("width=0").is_err());
        assert!(t.parse_params("width=abc").is_err());
        assert!(t.parse_params("width").is_err());
        assert!(t.parse_params("center_x=nan").is_err());
        assert!(matches!(
            t.parse_params(&"width=1,".repeat(200)),
            Err(TemplateError::ParamsTooLong { .. })
        ));
        let b = by_id("bench.v1").unwrap();
        assert!(b.parse_params("seed=abcd").is_err());
    }
}
