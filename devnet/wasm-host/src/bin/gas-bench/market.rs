//! The job market's gas: one of each transaction of a job's life, and
//! `ClaimNext` / `Settle` with few and with many open jobs across the eight
//! devnet zones (their gas must not grow with the queue).

use std::time::Instant;

use anyhow::{Context, Result};
use cosmwasm_std::Addr;
use starminer_deploy::DEVNET_ZONES;
use starminer_interfaces::job_market::{self as jm, Attestation};
use starminer_interfaces::market::VerificationMode;
use starminer_merkle::MerkleTree;
use starminer_wasm_host::{GasUsage, WasmHost};

use crate::protocol::{Protocol, UNIT};

/// The provider's sealed salt of every forced-error pair in the bench.
const SALT: &[u8] = b"gas-bench provider salt";

const CHUNK: u64 = crate::protocol::FRACTAL_CHUNK;

/// Links of each validator's beacon chain in the bench.
const BEACON_LINKS: usize = 8;

/// The bench's world: a template, a tier-2 provider in eu-west, two
/// validators, a requester with AGPU.
pub struct Market {
    pub p: Protocol,
    pub alice: Addr,
    pub provider: Addr,
    pub validators: [Addr; 2],
}

impl Market {
    pub fn new() -> Result<Self> {
        let p = Protocol::deploy(WasmHost::new()?, 1_000_000 * UNIT, 100_000_000 * UNIT)?;
        let actors = p.market_actors(10_000_000 * UNIT, BEACON_LINKS)?;
        Ok(Market {
            p,
            alice: actors.alice,
            provider: actors.provider,
            validators: actors.validators,
        })
    }

    pub fn spec(&self, zone: &str, verification: VerificationMode) -> jm::JobSpec {
        let deadline = self.p.host.block().time.plus_seconds(86_400);
        crate::protocol::fractal_job(zone, jm::LatencyClass::Global, deadline, verification)
    }

    pub fn submit(&self, zone: &str, verification: VerificationMode) -> Result<(u64, GasUsage)> {
        let (id, r) = self
            .p
            .submit_job(&self.alice, &self.spec(zone, verification), 100 * UNIT)?;
        Ok((id, r.gas))
    }

    /// The provider's output: 4 chunks.
    fn output() -> Vec<u8> {
        (0..CHUNK as usize * 4).map(|i| (i % 251) as u8).collect()
    }

    /// The output with chunk `index` inverted: the forced-error twin.
    fn twin(index: u64) -> Vec<u8> {
        let mut out = Self::output();
        let start = (index * CHUNK) as usize;
        let end = (start + CHUNK as usize).min(out.len());
        out[start..end].iter_mut().for_each(|b| *b ^= 0xff);
        out
    }

    /// SubmitResult; a spot-checked job's carries its forced-error pair
    /// (the true root submitted, sealed with [`SALT`]).
    fn result(&self, job_id: u64) -> Result<GasUsage> {
        let out = Self::output();
        let tree = MerkleTree::from_data(&out, CHUNK as usize).context("merkle tree")?;
        let spot = matches!(
            self.p.job(job_id)?.spec.verification,
            VerificationMode::SpotCheck { .. }
        );
        let decoy = if spot {
            let d = jm::decoy_index(job_id, tree.leaf_count());
            let twin =
                MerkleTree::from_data(&Self::twin(d), CHUNK as usize).context("merkle tree")?;
            Some(jm::DecoyPair {
                leaf: hex::encode(tree.leaf(d).context("leaf")?),
                other_leaf: hex::encode(twin.leaf(d).context("leaf")?),
                proof: tree
                    .proof(d)
                    .context("proof")?
                    .iter()
                    .map(hex::encode)
                    .collect(),
                commitment: jm::decoy_commitment(SALT, 0, self.provider.as_str(), job_id),
            })
        } else {
            None
        };
        Ok(self
            .p
            .market(
                &self.provider,
                &jm::ExecuteMsg::SubmitResult {
                    job_id,
                    root: hex::encode(tree.root()),
                    chunk_count: tree.leaf_count(),
                    output_size: out.len() as u64,
                    output_uri: "https://rig.example/out".into(),
                    decoy,
                },
            )?
            .gas)
    }

    /// What a verifier that recomputes attests: Valid on the true root,
    /// the decoy chunk flagged on the forced error.
    fn verdict(&self, job_id: u64) -> Result<Attestation> {
        let job = self.p.job(job_id)?;
        let tree = MerkleTree::from_data(&Self::output(), CHUNK as usize).context("merkle tree")?;
        let shown = job.result.context("no result")?.root;
        Ok(match job.verification.and_then(|v| v.decoy) {
            Some(d) if shown != hex::encode(tree.root()) => Attestation::Invalid {
                index: d.index,
                chunk_hash: hex::encode(tree.leaf(d.index).context("leaf")?),
            },
            _ => Attestation::Valid,
        })
    }

    /// A verifier seals its verdict (two verifiers of a forced-error pair
    /// seal first), under [`SALT`].
    fn seal(&self, verifier: &Addr, job_id: u64) -> Result<GasUsage> {
        let seal = jm::attestation_seal(job_id, verifier.as_str(), &self.verdict(job_id)?, SALT);
        Ok(self
            .p
            .market(verifier, &jm::ExecuteMsg::SealAttestation { job_id, seal })?
            .gas)
    }

    /// A verifier opens its sealed verdict.
    fn attest(&self, verifier: &Addr, job_id: u64) -> Result<GasUsage> {
        Ok(self
            .p
            .market(
                verifier,
                &jm::ExecuteMsg::Attest {
                    job_id,
                    attestation: self.verdict(job_id)?,
                    salt: Some(SALT.to_vec().into()),
                },
            )?
            .gas)
    }

    /// The provider opens its seal (the true root was the submitted one).
    fn reveal(&self, job_id: u64) -> Result<GasUsage> {
        Ok(self
            .p
            .market(
                &self.provider,
                &jm::ExecuteMsg::RevealDecoy {
                    job_id,
                    salt: SALT.to_vec().into(),
                    honest: 0,
                },
            )?
            .gas)
    }

    /// `n` open jobs spread over the eight zones, many per block.
    pub fn fill(&self, n: u64) -> Result<()> {
        let started = Instant::now();
        for i in 0..n {
            let zone = DEVNET_ZONES[(i % DEVNET_ZONES.len() as u64) as usize];
            self.submit(zone, VerificationMode::None)?;
            if i % 100 == 99 {
                self.p.host.next_block(1);
            }
            if i % 2_000 == 1_999 {
                eprintln!(
                    "  {} open jobs ({:.1}s)",
                    i + 1,
                    started.elapsed().as_secs_f64()
                );
            }
        }
        Ok(())
    }

    /// ClaimNext, then a None-mode job settled after the challenge window.
    pub fn claim_next_and_settle(&self) -> Result<(GasUsage, GasUsage)> {
        let (id, _) = self.submit("eu-west", VerificationMode::None)?;
        let r = self
            .p
            .market(&self.provider, &jm::ExecuteMsg::Claim { job_id: id })?;
        let _ = r;
        self.result(id)?;
        let claim_next = self
            .p
            .market(
                &self.provider,
                &jm::ExecuteMsg::ClaimNext { start_after: None },
            )?
            .gas;
        self.p
            .host
            .next_block(self.p.config.market.challenge_window + 1);
        let settle = self
            .p
            .market(&self.alice, &jm::ExecuteMsg::Settle { job_id: id })?
            .gas;
        Ok((claim_next, settle))
    }
}

/// One of each transaction of a spot-checked job, plus an explicit settle
/// and a rewards claim.
pub fn measure_job(rows: &mut Vec<(&'static str, GasUsage)>) -> Result<()> {
    let m = Market::new()?;
    let spot = VerificationMode::SpotCheck { verifiers: 2 };
    let (a, gas) = m.submit("eu-west", spot.clone())?;
    rows.push(("submit job (AGPU Send)", gas));
    let (b, _) = m.submit("eu-west", spot)?;
    rows.push((
        "claim (a given job)",
        m.p.market(&m.provider, &jm::ExecuteMsg::Claim { job_id: a })?
            .gas,
    ));
    let claimed = m.p.market(
        &m.provider,
        &jm::ExecuteMsg::ClaimNext { start_after: None },
    )?;
    rows.push(("ClaimNext", claimed.gas));
    rows.push(("submit result", m.result(a)?));
    m.result(b)?;
    // The verifiers are drawn with beacon values revealed after the roots.
    let mut link = BEACON_LINKS;
    let mut reveal_gas = None;
    while m
        .p
        .job(a)?
        .verification
        .and_then(|v| v.draw_at)
        .is_some_and(|at| {
            let seq: starminer_interfaces::registry::BeaconResponse =
                m.p.host
                    .query_smart(
                        &m.p.registry,
                        &starminer_interfaces::registry::QueryMsg::Beacon {},
                    )
                    .unwrap_or(starminer_interfaces::registry::BeaconResponse {
                        seq: u64::MAX,
                        value: String::new(),
                        reveals_per_draw: 0,
                    });
            seq.seq < at
        })
    {
        link -= 1;
        m.p.host
            .next_block(m.p.config.registry.duties.beacon_interval);
        for v in &m.validators {
            let g = m.p.reveal_beacon(v, link)?.gas;
            reveal_gas.get_or_insert(g);
        }
    }
    if let Some(g) = reveal_gas {
        rows.push(("reveal beacon", g));
    }
    rows.push((
        "draw verifiers (2 jobs)",
        m.p.market(
            &m.alice,
            &jm::ExecuteMsg::DrawVerifiers {
                job_ids: vec![a, b],
            },
        )?
        .gas,
    ));
    rows.push(("seal attestation (first)", m.seal(&m.validators[0], a)?));
    rows.push(("seal attestation (last)", m.seal(&m.validators[1], a)?));
    rows.push(("open attestation (first)", m.attest(&m.validators[0], a)?));
    rows.push(("open attestation (last)", m.attest(&m.validators[1], a)?));
    rows.push(("reveal forced-error pair (settles)", m.reveal(a)?));
    // Job b: one verifier seals and opens; the other stays silent.
    m.seal(&m.validators[0], b)?;
    m.p.host.next_block(m.p.config.market.challenge_window + 1);
    m.attest(&m.validators[0], b)?;
    m.p.host.next_block(m.p.config.market.response_window);
    rows.push(("reveal after the windows (settles)", m.reveal(b)?));
    m.p.host.next_block(m.p.config.incentives.epoch_length);
    rows.push((
        "claim rewards (mints AGPU)",
        m.p.host
            .execute(
                &m.provider,
                &m.p.incentives,
                &starminer_interfaces::incentives::ExecuteMsg::Claim {},
                &[],
            )?
            .gas,
    ));
    Ok(())
}

pub struct Scaling {
    pub few: (GasUsage, GasUsage),
    pub many: (GasUsage, GasUsage),
    pub open_jobs: u64,
    pub fill_seconds: f64,
}

/// ClaimNext and settle with 10 and with `open_jobs` open jobs over 8 zones.
pub fn measure_scaling(open_jobs: u64) -> Result<Scaling> {
    let m = Market::new()?;
    m.fill(10)?;
    let few = m.claim_next_and_settle()?;
    let started = Instant::now();
    m.fill(open_jobs.saturating_sub(10))?;
    let fill_seconds = started.elapsed().as_secs_f64();
    let many = m.claim_next_and_settle()?;
    Ok(Scaling {
        few,
        many,
        open_jobs,
        fill_seconds,
    })
}
