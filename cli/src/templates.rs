//! Job parameters as the chain carries them. (The templates' on-chain
//! registrations are `starminer_templates::chain_templates`.)

use anyhow::{bail, Result};
use starminer_interfaces::job_market::JobParam;
use starminer_templates::{ParamKind, TemplateInfo};

/// Job parameters for the chain from `name=value,...` text: validated
/// against the template's schema; every integer parameter (defaults filled
/// in) goes on chain. Chain parameters are integers, so a non-integer
/// parameter can only keep its default.
pub fn job_params(info: &'static TemplateInfo, text: &str) -> Result<Vec<JobParam>> {
    let params = starminer_templates::Params::parse(info, text)?;
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let name = item.split_once('=').map(|(n, _)| n.trim()).unwrap_or(item);
        if let Some(spec) = info.params.iter().find(|p| p.name == name) {
            if !matches!(spec.kind, ParamKind::Int { .. }) {
                bail!(
                    "parameter `{name}` of {} is not an integer; job parameters on chain are integers, so it keeps its default",
                    info.id
                );
            }
        }
    }
    Ok(params
        .integers()
        .into_iter()
        .map(|(name, value)| JobParam { name, value })
        .collect())
}

/// Reads a params file: `name=value,...` text, or a JSON object of integers.
pub fn params_text_from_file(contents: &str) -> Result<String> {
    let trimmed = contents.trim();
    if trimmed.starts_with('{') {
        let v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(trimmed)?;
        let mut parts = Vec::new();
        // Numbers go through the same checks as `--params` text, so a
        // value gets the same message whichever way it came.
        for (k, v) in v {
            match v {
                serde_json::Value::Number(n) => parts.push(format!("{k}={n}")),
                other => bail!("parameter `{k}` must be a number, not {other}"),
            }
        }
        Ok(parts.join(","))
    } else {
        Ok(trimmed
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_carry_the_kernel_hashes_and_skip_the_benchmark() {
        let ts = starminer_templates::chain_templates();
        assert_eq!(ts.len(), 5);
        for t in &ts {
            let info = starminer_templates::by_id(&t.id).unwrap().info();
            assert_eq!(t.kernel_sha256, info.kernel_sha256_hex());
            assert_eq!(t.kernel_sha256.len(), 64);
        }
        assert!(ts.iter().all(|t| !t.id.starts_with("bench")));
    }

    #[test]
    fn params_fill_defaults_and_refuse_floats() {
        let info = starminer_templates::by_id("render.fractal").unwrap().info();
        let p = job_params(info, "width=64,height=32").unwrap();
        let get = |n: &str| p.iter().find(|x| x.name == n).unwrap().value;
        assert_eq!(
            (get("width"), get("height"), get("max_iter")),
            (64, 32, 256)
        );
        assert!(job_params(info, "center_x=0.1").is_err());
        assert!(job_params(info, "nope=1").is_err());
        assert!(job_params(info, "width=0").is_err());
    }

    #[test]
    fn params_files_are_json_or_lines() {
        assert_eq!(
            params_text_from_file("{\"width\": 64, \"height\": 32}").unwrap(),
            "height=32,width=64"
        );
        assert_eq!(
            params_text_from_file("# a comment\nwidth=64\nheight=32\n").unwrap(),
            "width=64,height=32"
        );
        assert!(params_text_from_file("{\"width\": \"wide\"}").is_err());
        // A float from a file is refused by the same check, in the same words.
        let info = starminer_templates::by_id("render.fractal").unwrap().info();
        let from_file = params_text_from_file("{\"center_x\": -0.7}").unwrap();
        let a = job_params(info, &from_file).unwrap_err().to_string();
        let b = job_params(info, "center_x=-0.7").unwrap_err().to_string();
        assert_eq!(a, b);
    }
}
