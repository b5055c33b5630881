//! Which jobs the agent takes: pure decisions, no I/O. A job is claimed only
//! when this module says the agent can run it on one of its devices and the
//! job pays at least the configured price policy — a job it cannot run is
//! never claimed (a claimed job it cannot finish costs collateral).

use cosmwasm_std::{Decimal, Uint128};
use starminer_interfaces::job_market::{Job, JobInput, JobStatus, Template as ChainTemplate};
use starminer_templates::{by_id, Params, Template};

use crate::config::PricePolicy;

/// What the filter needs to know about one OpenCL device.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceCaps {
    /// Index in discovery order.
    pub index: usize,
    pub global_memory_bytes: u64,
    /// Largest single buffer the device allocates.
    pub max_alloc_bytes: u64,
    pub compute_units: u32,
}

impl From<&crate::devices::DeviceReport> for DeviceCaps {
    fn from(d: &crate::devices::DeviceReport) -> Self {
        DeviceCaps {
            index: d.index,
            global_memory_bytes: d.global_memory_bytes,
            max_alloc_bytes: d.max_alloc_bytes,
            compute_units: d.compute_units,
        }
    }
}

/// A job the agent will claim, with everything needed to run it.
pub struct Accepted {
    pub template: &'static dyn Template,
    pub params: Params,
    /// The device that runs it.
    pub device: usize,
    pub units: u128,
}

/// Why a job is not claimed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("job is {0}, not open")]
    NotOpen(String),
    #[error("needs tier {job}, this provider is tier {mine} (its benchmark, verified by a validator, sets the tier)")]
    TierTooLow { job: u8, mine: u8 },
    #[error("zone {zone} is not this provider's ({mine}) and no spillover route from it is open for this job (yet)")]
    OtherZone { zone: String, mine: String },
    #[error("template `{0}` is not registered on chain")]
    TemplateNotOnChain(String),
    #[error("template `{0}` is not built into this agent")]
    UnknownTemplate(String),
    #[error("template `{template}`: the chain registers kernel {chain}, this agent runs {ours}")]
    KernelMismatch {
        template: String,
        chain: String,
        ours: String,
    },
    #[error("template `{0}` is disabled on chain")]
    TemplateDisabled(String),
    #[error("parameters refused: {0}")]
    BadParams(String),
    #[error("the chain counts {chain} units, this agent's formula {ours}")]
    UnitsDiffer { chain: u128, ours: u128 },
    #[error("no device has {memory} bytes of memory, {alloc} bytes in one buffer and {compute_units} compute units")]
    NoDevice {
        memory: u64,
        alloc: u64,
        compute_units: u32,
    },
    #[error("input is {size} bytes, over the {max}-byte limit")]
    InputTooLarge { size: u64, max: u64 },
    #[error("pays {offered} uagpu per unit, the policy asks at least {min}")]
    PriceTooLow { offered: Decimal, min: Decimal },
    #[error("bad price policy: {0}")]
    Policy(String),
    #[error("{left} s left before the deadline, the lease needs {needed} s: it could not be finished in time")]
    TooLittleTime { needed: u64, left: u64 },
}

/// The market's lease rule, as its parameters say.
#[derive(Debug, Clone)]
pub struct LeaseRule {
    pub factors: starminer_interfaces::job_market::LeaseFactors,
    pub min_seconds: u64,
}

/// Refuses a job whose remaining time (deadline − `now`, block time) is
/// shorter than the lease its units need: such a job cannot be finished,
/// and a lease the agent cannot honour costs collateral (the deadline trap).
pub fn check_time_left(
    job: &Job,
    chain_template: &ChainTemplate,
    rule: &LeaseRule,
    now: u64,
) -> Result<(), Refusal> {
    let needed = starminer_interfaces::job_market::lease_seconds(
        job.units,
        chain_template.max_seconds_per_unit,
        rule.factors.for_urgency(job.spec.requirements.urgency),
        rule.min_seconds,
    );
    let left = job.spec.deadline.seconds().saturating_sub(now);
    if left < needed {
        return Err(Refusal::TooLittleTime { needed, left });
    }
    Ok(())
}

/// What the chain says the provider earns per unit: the compute cost (the
/// quote's price of one replica, before the protocol fee) over the units.
pub fn price_per_unit(compute_cost: Uint128, units: Uint128) -> Decimal {
    if units.is_zero() {
        return Decimal::zero();
    }
    Decimal::checked_from_ratio(compute_cost, units).unwrap_or(Decimal::MAX)
}

/// The job's parameters as the `name=value,...` text templates parse.
pub fn params_text(job: &Job) -> String {
    starminer_templates::chain_params_text(&job.spec.params)
}

impl std::fmt::Debug for Accepted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accepted")
            .field("template", &self.template.info().id)
            .field("params", &self.params.canonical())
            .field("device", &self.device)
            .field("units", &self.units)
            .finish()
    }
}

/// Decides whether to claim `job`. `chain_template` is the market's record
/// of the job's template (its kernel hash must be the one embedded here).
pub fn evaluate(
    job: &Job,
    chain_template: &ChainTemplate,
    devices: &[DeviceCaps],
    policy: &PricePolicy,
    max_input_bytes: u64,
) -> Result<Accepted, Refusal> {
    if job.status != JobStatus::Open {
        return Err(Refusal::NotOpen(format!("{:?}", job.status)));
    }
    let id = job.spec.template.as_str();
    let template = by_id(id).map_err(|_| Refusal::UnknownTemplate(id.to_string()))?;
    let info = template.info();
    let ours = info.kernel_sha256_hex();
    if chain_template.kernel_sha256.to_lowercase() != ours {
        return Err(Refusal::KernelMismatch {
            template: id.to_string(),
            chain: chain_template.kernel_sha256.clone(),
            ours,
        });
    }
    if !chain_template.enabled {
        return Err(Refusal::TemplateDisabled(id.to_string()));
    }
    let params = template
        .parse_params(&params_text(job))
        .map_err(|e| Refusal::BadParams(e.to_string()))?;
    let units = info
        .units(&params)
        .map_err(|e| Refusal::BadParams(e.to_string()))?
        .u128();
    if units != job.units.u128() {
        return Err(Refusal::UnitsDiffer {
            chain: job.units.u128(),
            ours: units,
        });
    }
    if let JobInput::Remote { size, .. } = &job.spec.input {
        if *size > max_input_bytes {
            return Err(Refusal::InputTooLarge {
                size: *size,
                max: max_input_bytes,
            });
        }
    }
    let output_len = template
        .output_len(&params)
        .map_err(|e| Refusal::BadParams(e.to_string()))?;
    let memory = job
        .min_device_memory
        .u64()
        .max(chain_template.min_hardware.min_device_memory.u64())
        .max(info.min_device_memory);
    let compute_units = job
        .min_compute_units
        .max(chain_template.min_hardware.min_compute_units);
    let device = devices
        .iter()
        .filter(|d| {
            d.global_memory_bytes >= memory
                && d.max_alloc_bytes >= output_len
                && d.compute_units >= compute_units
        })
        .max_by_key(|d| (d.global_memory_bytes, std::cmp::Reverse(d.index)))
        .ok_or(Refusal::NoDevice {
            memory,
            alloc: output_len,
            compute_units,
        })?;
    let min = policy
        .min_price(id)
        .map_err(|e| Refusal::Policy(format!("{e:#}")))?;
    let offered = price_per_unit(job.quote.compute_cost, job.units);
    if offered < min {
        return Err(Refusal::PriceTooLow { offered, min });
    }
    Ok(Accepted {
        template,
        params,
        device: device.index,
        units,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::{Addr, Timestamp, Uint64};
    use starminer_interfaces::job_market::{
        HardwareRequirements, JobParam, JobRequirements, JobSpec, LatencyClass,
    };
    use starminer_interfaces::market::Urgency;
    use starminer_interfaces::market::VerificationMode;
    use starminer_interfaces::pricing::QuoteResponse;

    fn chain_template(id: &str) -> ChainTemplate {
        let t = by_id(id).unwrap().info();
        ChainTemplate {
            id: id.into(),
            class: t.class,
            kernel_sha256: t.kernel_sha256_hex(),
            unit_formula: t.unit_formula(),
            chunk_size: t.chunk_size,
            determinism: t.determinism(),
            max_seconds_per_unit: t.max_seconds_per_unit(),
            min_hardware: HardwareRequirements {
                min_tier: 1,
                min_device_memory: Uint64::new(t.min_device_memory),
                min_compute_units: 1,
            },
            enabled: true,
        }
    }

    fn quote(units: Uint128, compute_cost: u128) -> QuoteResponse {
        QuoteResponse {
            tier: 1,
            class: starminer_interfaces::market::JobClass::Render,
            units,
            epoch: 0,
            unit_price: Decimal::one(),
            compute_cost: Uint128::new(compute_cost),
            replication: 1,
            verifier_fee: Uint128::zero(),
            verifiers: 1,
            total: Uint128::new(compute_cost),
        }
    }

    /// A fractal job whose compute cost is `cost_per_unit` × its units, less
    /// `discount` uagpu.
    fn job_priced(params: &[(&str, u64)], cost_per_unit: u128, discount: u128) -> Job {
        let t = by_id("render.fractal").unwrap();
        let text: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let units = t
            .info()
            .units(&t.parse_params(&text.join(",")).unwrap())
            .unwrap_or_default();
        let compute_cost = (units.u128() * cost_per_unit).saturating_sub(discount);
        Job {
            id: 1,
            requester: Addr::unchecked("alice"),
            spec: JobSpec {
                template: "render.fractal".into(),
                params: params
                    .iter()
                    .map(|(k, v)| JobParam {
                        name: k.to_string(),
                        value: *v,
                    })
                    .collect(),
                input: JobInput::Inline {
                    data: Default::default(),
                },
                requirements: JobRequirements {
                    min_tier: 1,
                    min_device_memory: Uint64::new(1 << 20),
                    min_compute_units: 1,
                    zone: "eu-west".into(),
                    urgency: Urgency::Normal,
                    latency: LatencyClass::Regional,
                },
                max_price: Uint128::new(1_000_000),
                deadline: Timestamp::from_seconds(2_000_000_000),
                verification: VerificationMode::SpotCheck { verifiers: 1 },
            },
            class: t.info().class,
            tier: 1,
            min_device_memory: Uint64::new(1 << 20),
            min_compute_units: 1,
            units,
            quote: quote(units, compute_cost),
            escrow: Uint128::new(compute_cost),
            status: JobStatus::Open,
            submitted_at: Timestamp::from_seconds(1_000),
            submit_height: 1,
            requeues: 0,
            slots: vec![],
            result: None,
            verification: None,
            reveal_deadline: None,
            settlement: None,
            replica_draw: None,
        }
    }

    fn job(params: &[(&str, u64)], cost_per_unit: u128) -> Job {
        job_priced(params, cost_per_unit, 0)
    }

    fn gpu(index: usize, gib: u64) -> DeviceCaps {
        DeviceCaps {
            index,
            global_memory_bytes: gib << 30,
            max_alloc_bytes: gib << 28,
            compute_units: 32,
        }
    }

    fn policy(min: &str) -> PricePolicy {
        PricePolicy {
            default: None,
            per_template: [("render.fractal".to_string(), min.to_string())].into(),
        }
    }

    /// 256×256 pixels × 256 iterations: 17 units.
    const SMALL: &[(&str, u64)] = &[("width", 256), ("height", 256), ("max_iter", 256)];

    #[test]
    fn a_runnable_job_at_the_asked_price_is_accepted_on_the_biggest_device() {
        let j = job(SMALL, 1);
        let ok = evaluate(
            &j,
            &chain_template("render.fractal"),
            &[gpu(0, 1), gpu(1, 8), gpu(2, 4)],
            &policy("1"),
            1 << 20,
        )
        .unwrap();
        assert_eq!(ok.device, 1);
        assert_eq!(ok.units, j.units.u128());
        assert_eq!(ok.params.int("width"), 256);
    }

    #[test]
    fn a_job_paying_below_the_policy_is_refused() {
        let j = job_priced(SMALL, 1, 1);
        assert_eq!(j.units.u128(), 17);
        let err = evaluate(
            &j,
            &chain_template("render.fractal"),
            &[gpu(0, 8)],
            &policy("1"),
            0,
        )
        .unwrap_err();
        assert!(matches!(err, Refusal::PriceTooLow { .. }), "{err}");
        // The default policy applies to unlisted templates.
        let p = PricePolicy {
            default: Some("2".into()),
            per_template: Default::default(),
        };
        assert!(matches!(
            evaluate(
                &job(SMALL, 1),
                &chain_template("render.fractal"),
                &[gpu(0, 8)],
                &p,
                0
            ),
            Err(Refusal::PriceTooLow { .. })
        ));
    }

    #[test]
    fn a_job_no_device_can_hold_is_refused() {
        let mut j = job(SMALL, 1);
        j.min_device_memory = Uint64::new(16 << 30);
        let err = evaluate(
            &j,
            &chain_template("render.fractal"),
            &[gpu(0, 8), gpu(1, 4)],
            &policy("0"),
            0,
        )
        .unwrap_err();
        assert!(matches!(err, Refusal::NoDevice { memory, .. } if memory == 16 << 30));
        let mut j = job(SMALL, 1);
        j.min_compute_units = 64;
        assert!(matches!(
            evaluate(
                &j,
                &chain_template("render.fractal"),
                &[gpu(0, 8)],
                &policy("0"),
                0
            ),
            Err(Refusal::NoDevice {
                compute_units: 64,
                ..
            })
        ));
        // The output buffer must fit one allocation.
        let big = job(&[("width", 8192), ("height", 8192)], 1);
        let tiny = DeviceCaps {
            index: 0,
            global_memory_bytes: 8 << 30,
            max_alloc_bytes: 1 << 20,
            compute_units: 32,
        };
        assert!(matches!(
            evaluate(
                &big,
                &chain_template("render.fractal"),
                &[tiny],
                &policy("0"),
                0
            ),
            Err(Refusal::NoDevice { .. })
        ));
    }

    #[test]
    fn unknown_templates_foreign_kernels_and_bad_params_are_refused() {
        let mut j = job(SMALL, 1);
        j.spec.template = "render.voxels".into();
        assert!(matches!(
            evaluate(
                &j,
                &chain_template("render.fractal"),
                &[gpu(0, 8)],
                &policy("0"),
                0
            ),
            Err(Refusal::UnknownTemplate(_))
        ));
        let mut t = chain_template("render.fractal");
        t.kernel_sha256 = "00".repeat(32);
        assert!(matches!(
            evaluate(&job(SMALL, 1), &t, &[gpu(0, 8)], &policy("0"), 0),
            Err(Refusal::KernelMismatch { .. })
        ));
        let mut t = chain_template("render.fractal");
        t.enabled = false;
        assert!(matches!(
            evaluate(&job(SMALL, 1), &t, &[gpu(0, 8)], &policy("0"), 0),
            Err(Refusal::TemplateDisabled(_))
        ));
        let mut j = job(SMALL, 1);
        j.spec.params.push(JobParam {
            name: "colour".into(),
            value: 3,
        });
        assert!(matches!(
            evaluate(
                &j,
                &chain_template("render.fractal"),
                &[gpu(0, 8)],
                &policy("0"),
                0
            ),
            Err(Refusal::BadParams(_))
        ));
        let mut j = job(SMALL, 1);
        j.units = Uint128::new(1);
        assert!(matches!(
            evaluate(
                &j,
                &chain_template("render.fractal"),
                &[gpu(0, 8)],
                &policy("0"),
                0
            ),
            Err(Refusal::UnitsDiffer { chain: 1, .. })
        ));
    }

    #[test]
    fn oversized_inputs_and_taken_jobs_are_refused_replicated_ones_taken() {
        let mut j = job(SMALL, 1);
        j.spec.input = JobInput::Remote {
            uri: "http://x/in".into(),
            sha256: "11".repeat(32),
            size: 2_000,
        };
        let t = chain_template("render.fractal");
        assert!(matches!(
            evaluate(&j, &t, &[gpu(0, 8)], &policy("0"), 1_999),
            Err(Refusal::InputTooLarge {
                size: 2_000,
                max: 1_999
            })
        ));
        assert!(evaluate(&j, &t, &[gpu(0, 8)], &policy("0"), 2_000).is_ok());
        let mut j = job(SMALL, 1);
        // Replicated (commit–reveal) jobs are taken like the others.
        j.spec.verification = VerificationMode::Replicated { k: 2 };
        assert!(evaluate(&j, &t, &[gpu(0, 8)], &policy("0"), 0).is_ok());
        let mut j = job(SMALL, 1);
        j.status = JobStatus::Assigned;
        assert!(matches!(
            evaluate(&j, &t, &[gpu(0, 8)], &policy("0"), 0),
            Err(Refusal::NotOpen(_))
        ));
    }

    fn rule() -> LeaseRule {
        LeaseRule {
            factors: starminer_interfaces::job_market::LeaseFactors {
                low: Decimal::percent(200),
                normal: Decimal::one(),
                high: Decimal::percent(50),
                realtime: Decimal::percent(25),
            },
            min_seconds: 30,
        }
    }

    #[test]
    fn a_job_whose_deadline_is_nearer_than_its_lease_is_refused() {
        let t = chain_template("render.fractal");
        let mut j = job(SMALL, 1);
        let needed = starminer_interfaces::job_market::lease_seconds(
            j.units,
            t.max_seconds_per_unit,
            Decimal::one(),
            30,
        );
        let now = 1_000_000;
        j.spec.deadline = Timestamp::from_seconds(now + needed - 1);
        assert_eq!(
            check_time_left(&j, &t, &rule(), now),
            Err(Refusal::TooLittleTime {
                needed,
                left: needed - 1
            })
        );
        j.spec.deadline = Timestamp::from_seconds(now + needed);
        assert_eq!(check_time_left(&j, &t, &rule(), now), Ok(()));
        // A past deadline leaves no time at all.
        assert!(matches!(
            check_time_left(&j, &t, &rule(), now + 10 * needed),
            Err(Refusal::TooLittleTime { left: 0, .. })
        ));
    }

    #[test]
    fn price_per_unit_is_cost_over_units() {
        assert_eq!(
            price_per_unit(Uint128::new(150), Uint128::new(100)),
            Decimal::percent(150)
        );
        assert_eq!(
            price_per_unit(Uint128::new(5), Uint128::zero()),
            Decimal::zero()
        );
    }
}
