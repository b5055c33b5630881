//! Vocabulary shared by pricing, the job market, incentives and the provider
//! agent (docs/protocol.md): job classes, urgency, verification modes and the
//! unit formulas that turn a job's parameters into compute units.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Decimal, StdError, StdResult, Uint128};

/// What kind of work a template does; prices are set per (tier, class).
#[cw_serde]
#[derive(Copy, Eq, PartialOrd, Ord, Hash)]
pub enum JobClass {
    Render,
    Hpc,
    Inference,
    Training,
}

impl JobClass {
    pub const ALL: [JobClass; 4] = [
        JobClass::Render,
        JobClass::Hpc,
        JobClass::Inference,
        JobClass::Training,
    ];

    /// Storage discriminant.
    pub fn key(self) -> u8 {
        match self {
            JobClass::Render => 0,
            JobClass::Hpc => 1,
            JobClass::Inference => 2,
            JobClass::Training => 3,
        }
    }
}

/// How soon the requester needs the result. Matchmaking serves higher urgency
/// first; the quote is multiplied by the urgency's multiplier and the lease is
/// shortened by its lease factor.
#[cw_serde]
#[derive(Copy, Eq, PartialOrd, Ord, Hash)]
pub enum Urgency {
    Low,
    Normal,
    High,
    Realtime,
}

impl Urgency {
    /// From most to least urgent: the order in which queues are served.
    pub const BY_PRIORITY: [Urgency; 4] = [
        Urgency::Realtime,
        Urgency::High,
        Urgency::Normal,
        Urgency::Low,
    ];

    /// Storage discriminant; higher is more urgent.
    pub fn key(self) -> u8 {
        match self {
            Urgency::Low => 0,
            Urgency::Normal => 1,
            Urgency::High => 2,
            Urgency::Realtime => 3,
        }
    }
}

/// How a job's result is checked.
#[cw_serde]
pub enum VerificationMode {
    /// Trust the provider (cheapest; reputation and collateral only).
    None,
    /// `verifiers` validators each recompute a secret sample of chunks.
    SpotCheck { verifiers: u8 },
    /// `k` providers compute the job independently; commit–reveal of roots,
    /// the majority root wins.
    Replicated { k: u8 },
}

impl VerificationMode {
    /// How many times the job is computed in full.
    pub fn replication(&self) -> u8 {
        match self {
            VerificationMode::Replicated { k } => *k,
            _ => 1,
        }
    }

    /// How many verifiers are paid a fee.
    pub fn verifier_count(&self) -> u8 {
        match self {
            VerificationMode::SpotCheck { verifiers } => *verifiers,
            _ => 0,
        }
    }
}

/// Whether recomputing a chunk must reproduce it bit for bit.
#[cw_serde]
pub enum Determinism {
    Exact,
    /// Outputs are little-endian f32 arrays; each element may differ by at
    /// most `eps` in absolute value (or relative to magnitude above 1).
    Tolerance {
        eps: Decimal,
    },
}

/// How a template converts job parameters into compute units:
/// `units = ceil(factor · Π params[name] / divisor)`.
/// Example: SGEMM is `2·m·n·k` flops; with `divisor = 1_000_000` a unit is a
/// MFLOP.
#[cw_serde]
pub struct UnitFormula {
    /// Names of integer parameters multiplied together.
    pub params: Vec<String>,
    pub factor: u64,
    pub divisor: u64,
}

impl UnitFormula {
    /// Evaluates the formula on named integer parameters. Every named
    /// parameter must be present and positive; overflow is an error.
    pub fn units(&self, params: &[(String, u64)]) -> StdResult<Uint128> {
        if self.divisor == 0 || self.factor == 0 {
            return Err(StdError::generic_err(
                "unit formula needs a positive factor and divisor",
            ));
        }
        let mut product = Uint128::from(self.factor);
        for name in &self.params {
            let value = params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| *v)
                .ok_or_else(|| StdError::generic_err(format!("missing parameter `{name}`")))?;
            if value == 0 {
                return Err(StdError::generic_err(format!(
                    "parameter `{name}` must be positive"
                )));
            }
            product = product.checked_mul(Uint128::from(value))?;
        }
        let divisor = Uint128::from(self.divisor);
        let units = product.checked_add(divisor - Uint128::one())? / divisor;
        Ok(units)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn sgemm_units_are_mflops_rounded_up() {
        let f = UnitFormula {
            params: vec!["m".into(), "n".into(), "k".into()],
            factor: 2,
            divisor: 1_000_000,
        };
        let units = f
            .units(&p(&[("m", 1024), ("n", 1024), ("k", 1024)]))
            .unwrap();
        assert_eq!(units, Uint128::new(2148)); // 2·1024³ = 2_147_483_648 flops
    }

    #[test]
    fn missing_zero_and_overflowing_parameters_are_errors() {
        let f = UnitFormula {
            params: vec!["w".into(), "h".into()],
            factor: 1,
            divisor: 1,
        };
        assert!(f.units(&p(&[("w", 4)])).is_err());
        assert!(f.units(&p(&[("w", 4), ("h", 0)])).is_err());
        let big = UnitFormula {
            params: vec!["a".into(), "b".into(), "c".into()],
            factor: u64::MAX,
            divisor: 1,
        };
        assert!(big
            .units(&p(&[("a", u64::MAX), ("b", u64::MAX), ("c", u64::MAX)]))
            .is_err());
    }
}
