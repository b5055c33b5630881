//! Prometheus metrics of the agent, served as text at `GET /metrics` on the
//! result server: jobs by phase, compute units, earnings, kernel time,
//! verifications and errors.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::duties::{Lease, Phase};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PhaseLabel {
    pub phase: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TemplateLabel {
    pub template: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct VerdictLabel {
    pub verdict: String,
}

/// Every metric of the agent; cheap to clone into tasks through an `Arc`.
pub struct Metrics {
    registry: Registry,
    /// Leases in the agent's database, by phase.
    pub jobs: Family<PhaseLabel, Gauge>,
    pub claims: Counter,
    /// Claims another provider won first.
    pub claims_lost: Counter,
    /// Beacon reveals sent (validator duty).
    pub beacon_reveals: Counter,
    pub units_computed: Family<TemplateLabel, Counter>,
    /// Payouts of settled jobs, uagpu.
    pub earnings_uagpu: Counter,
    /// Incentive rewards claimed, uagpu.
    pub rewards_uagpu: Counter,
    pub kernel_seconds: Family<TemplateLabel, Counter<f64, AtomicU64>>,
    pub verifications: Family<VerdictLabel, Counter>,
    pub errors: Family<KindLabel, Counter>,
    pub chain_height: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("starminer_agent");
        let m = Metrics {
            jobs: Family::default(),
            claims: Counter::default(),
            claims_lost: Counter::default(),
            beacon_reveals: Counter::default(),
            units_computed: Family::default(),
            earnings_uagpu: Counter::default(),
            rewards_uagpu: Counter::default(),
            kernel_seconds: Family::default(),
            verifications: Family::default(),
            errors: Family::default(),
            chain_height: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register("jobs", "Jobs held by the agent, by phase", m.jobs.clone());
        registry.register("claims", "Jobs claimed", m.claims.clone());
        registry.register(
            "claims_lost",
            "Claims another provider won first",
            m.claims_lost.clone(),
        );
        registry.register(
            "beacon_reveals",
            "Randomness beacon reveals sent as a validator",
            m.beacon_reveals.clone(),
        );
        registry.register(
            "units_computed",
            "Compute units of finished jobs",
            m.units_computed.clone(),
        );
        registry.register(
            "earnings_uagpu",
            "Payouts of settled jobs in uagpu",
            m.earnings_uagpu.clone(),
        );
        registry.register(
            "rewards_uagpu",
            "Incentive rewards claimed in uagpu",
            m.rewards_uagpu.clone(),
        );
        registry.register(
            "kernel_seconds",
            "Seconds spent running kernels",
            m.kernel_seconds.clone(),
        );
        registry.register(
            "verifications",
            "Verdicts sent as a verifier (valid, invalid, vote_correct, vote_wrong)",
            m.verifications.clone(),
        );
        registry.register("errors", "Errors by kind", m.errors.clone());
        registry.register(
            "chain_height",
            "Latest block height seen",
            m.chain_height.clone(),
        );
        Metrics { registry, ..m }
    }

    /// Sets the jobs-by-phase gauge from the leases in the database (every
    /// phase is listed, zero when empty).
    pub fn set_jobs(&self, leases: &[Lease]) {
        for name in Phase::NAMES {
            let n = leases.iter().filter(|l| l.phase.name() == name).count();
            self.jobs
                .get_or_create(&PhaseLabel {
                    phase: name.to_string(),
                })
                .set(n as i64);
        }
    }

    pub fn error(&self, kind: &str) {
        self.errors
            .get_or_create(&KindLabel {
                kind: kind.to_string(),
            })
            .inc();
    }

    pub fn computed(&self, template: &str, units: u128, seconds: f64) {
        let label = TemplateLabel {
            template: template.to_string(),
        };
        self.units_computed
            .get_or_create(&label)
            .inc_by(u64::try_from(units).unwrap_or(u64::MAX));
        self.kernel_seconds.get_or_create(&label).inc_by(seconds);
    }

    pub fn verdict(&self, verdict: &str) {
        self.verifications
            .get_or_create(&VerdictLabel {
                verdict: verdict.to_string(),
            })
            .inc();
    }

    /// The OpenMetrics text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
