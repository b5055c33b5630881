//! One full job across the real artifacts of every contract, deployed by
//! `starminer-deploy` exactly as a devnet is: a template registered by
//! governance proposal, a benchmark-verified provider and two validators,
//! submission with AGPU `Send`, `ClaimNext`, a result root over real bytes,
//! a withheld-chunk challenge answered with a Merkle proof that the market
//! checks on chain, two Valid attestations (auto-settlement), every balance,
//! and the incentives epoch's AGPU rewards claimed (minted by incentives).
//! A second story runs a `Replicated { k: 3 }` job: three rigs commit then
//! reveal, the two matching roots are paid and the corrupted replica slashed.

use starminer_wasm_host::testing as protocol;

use cosmwasm_std::{Addr, Uint128};
use cw20::TokenInfoResponse;
use protocol::{Protocol, UNIT};
use starminer_interfaces::incentives as inc;
use starminer_interfaces::job_market::{self as jm, Attestation, JobStatus};
use starminer_interfaces::market::VerificationMode;
use starminer_interfaces::{agpu, registry as reg};
use starminer_merkle::MerkleTree;
use starminer_wasm_host::{ExecResult, WasmHost};

const CHUNK: u64 = protocol::FRACTAL_CHUNK;

struct World {
    p: Protocol,
    alice: Addr,
    provider: Addr,
    validators: [Addr; 2],
}

impl World {
    fn balance(&self, who: &Addr) -> u128 {
        self.p.agpu_balance(who).unwrap()
    }

    fn agpu_supply(&self) -> u128 {
        let r: TokenInfoResponse = self
            .p
            .host
            .query_smart(&self.p.agpu, &agpu::QueryMsg::TokenInfo {})
            .unwrap();
        r.total_supply.u128()
    }

    fn market(&self, who: &Addr, msg: &jm::ExecuteMsg) -> ExecResult {
        self.p
            .market(who, msg)
            .unwrap_or_else(|e| panic!("{msg:?} failed: {e:#}"))
    }

    /// Each validator reveals the next link of its beacon hash chain (one
    /// interval later: the registry takes one reveal per validator per
    /// interval).
    fn reveal_beacons(&self, link: usize) {
        let interval = starminer_deploy::registry_params().duties.beacon_interval;
        self.p.host.next_block(interval);
        for v in &self.validators {
            self.p
                .reveal_beacon(v, BEACON_LINKS - 1 - link)
                .unwrap_or_else(|e| panic!("reveal by {v}: {e:#}"));
        }
    }

    /// Reveals from beacon sequence `seq` (no link of this world's chains
    /// revealed past it yet) up to `draw_at`, then draws what `job_id`
    /// waits for (verifiers or replica slots).
    fn draw_at(&self, job_id: u64, seq: u64, draw_at: u64) {
        for link in 0..draw_at.saturating_sub(seq) as usize {
            self.reveal_beacons(link);
        }
        self.market(
            &self.validators[0],
            &jm::ExecuteMsg::DrawVerifiers {
                job_ids: vec![job_id],
            },
        );
    }

    fn job(&self, job_id: u64) -> jm::Job {
        self.p.job(job_id).unwrap()
    }

    /// `who`'s bond in the registry: bonded, locked as collateral, free.
    fn stake(&self, who: &Addr) -> reg::StakeResponse {
        self.p
            .host
            .query_smart(
                &self.p.registry,
                &reg::QueryMsg::Stake {
                    address: who.to_string(),
                },
            )
            .unwrap()
    }
}

/// Links of each validator's beacon hash chain in these tests.
const BEACON_LINKS: usize = 4;

/// Deploys everything, registers the template through governance, and makes
/// a tier-2 provider in eu-west and two validators.
fn world() -> World {
    let p = Protocol::deploy(WasmHost::new().unwrap(), 1_000_000 * UNIT, 1_000_000 * UNIT)
        .expect("deploy from artifacts (scripts/build-wasm.sh)");
    let actors = p.market_actors(20_000 * UNIT, BEACON_LINKS).unwrap();
    // Benchmark: claimed 250 units/s, verified by a validator → tier 2.
    assert_eq!(actors.provider_tier, 2);
    World {
        p,
        alice: actors.alice,
        provider: actors.provider,
        validators: actors.validators,
    }
}

fn spec(w: &World, verification: VerificationMode) -> jm::JobSpec {
    let deadline = w.p.host.block().time.plus_seconds(3_600);
    protocol::fractal_job(
        "eu-west",
        jm::LatencyClass::Regional,
        deadline,
        verification,
    )
}

fn submit(w: &World, spec: &jm::JobSpec, amount: u128) -> (u64, ExecResult) {
    w.p.submit_job(&w.alice, spec, amount).unwrap()
}

/// Deterministic output bytes of the job (3.5 chunks' worth of "pixels").
fn output() -> Vec<u8> {
    (0..(CHUNK as usize * 7 / 2))
        .map(|i| (i * 131 % 251) as u8)
        .collect()
}

#[test]
fn spot_checked_job_runs_from_submission_to_claimed_rewards_on_the_real_artifacts() {
    let w = world();
    let mode = VerificationMode::SpotCheck { verifiers: 2 };
    let spec = spec(&w, mode);
    let alice0 = w.balance(&w.alice);
    let sent = 100 * UNIT;
    let (job_id, _) = submit(&w, &spec, sent);
    let job = w.job(job_id);
    // 1000×1000/100 = 10,000 units at tier 1 render, 1 uagpu/unit; two
    // verifiers, each paid the fee floor (3 % of 10,000 is below it).
    let pricing = starminer_deploy::pricing_params();
    let fee = pricing
        .min_verifier_fee
        .max(Uint128::new(10_000).mul_ceil(pricing.verifier_fee_rate))
        .u128();
    let total = 10_000 + 2 * fee;
    assert_eq!(job.units.u128(), 10_000);
    assert_eq!(job.quote.compute_cost.u128(), 10_000);
    assert_eq!(job.quote.verifier_fee.u128(), fee);
    assert_eq!(job.quote.total.u128(), total);
    assert_eq!(job.escrow, job.quote.total);
    // The excess is refunded at once.
    assert_eq!(w.balance(&w.alice), alice0 - total);
    assert_eq!(w.balance(&w.p.job_market), total);

    // ClaimNext picks it; collateral (= payout) is locked in the registry.
    let r = w.market(
        &w.provider,
        &jm::ExecuteMsg::ClaimNext { start_after: None },
    );
    assert_eq!(
        r.attribute("wasm", "job_id"),
        Some(job_id.to_string().as_str())
    );
    let payout = 9_500u128; // compute cost − 5 % protocol fee
    let stake = w.stake(&w.provider);
    assert_eq!(stake.locked.u128(), payout);

    // The result: the Merkle root of the real output bytes, with its
    // forced-error twin (chunk `decoy_index` inverted), the true one sealed.
    let out = output();
    let tree = MerkleTree::from_data(&out, CHUNK as usize).unwrap();
    assert_eq!(tree.leaf_count(), 4);
    let d = jm::decoy_index(job_id, tree.leaf_count());
    let mut wrong = out.clone();
    let start = (d * CHUNK) as usize;
    let end = (start + CHUNK as usize).min(out.len());
    wrong[start..end].iter_mut().for_each(|b| *b ^= 0xff);
    let false_tree = MerkleTree::from_data(&wrong, CHUNK as usize).unwrap();
    let salt = b"the provider's sealed salt";
    w.market(
        &w.provider,
        &jm::ExecuteMsg::SubmitResult {
            job_id,
            root: hex::encode(tree.root()),
            chunk_count: tree.leaf_count(),
            output_size: out.len() as u64,
            output_uri: "https://rig.example:8443/out/1".into(),
            decoy: Some(jm::DecoyPair {
                leaf: hex::encode(tree.leaf(d).unwrap()),
                other_leaf: hex::encode(false_tree.leaf(d).unwrap()),
                proof: tree.proof(d).unwrap().iter().map(hex::encode).collect(),
                commitment: jm::decoy_commitment(salt, 0, w.provider.as_str(), job_id),
            }),
        },
    );
    // The verifiers are drawn only with a beacon value revealed after the
    // root was fixed: nobody is assigned yet.
    let job = w.job(job_id);
    assert_eq!(job.status, JobStatus::Submitted);
    let v = job.verification.as_ref().unwrap();
    assert!(v.verifiers.is_empty());
    let draw_at = v.draw_at.expect("a draw waits for the beacon");
    let beacon: reg::BeaconResponse =
        w.p.host
            .query_smart(&w.p.registry, &reg::QueryMsg::Beacon {})
            .unwrap();
    assert_eq!(draw_at, beacon.seq + u64::from(beacon.reveals_per_draw));
    w.draw_at(job_id, beacon.seq, draw_at);
    let job = w.job(job_id);
    let assigned: Vec<Addr> = job
        .verification
        .as_ref()
        .unwrap()
        .verifiers
        .iter()
        .map(|v| v.address.clone())
        .collect();
    assert_eq!(assigned.len(), 2);
    for v in &w.validators {
        assert!(assigned.contains(v));
    }
    // The draw designated the root the verifiers check: the true one, or
    // the forced error. The provider serves the designated tree.
    let shown = job.result.as_ref().unwrap().root.clone();
    let forced = shown == hex::encode(false_tree.root());
    assert!(forced || shown == hex::encode(tree.root()));
    let (tree, out) = if forced {
        (false_tree, wrong)
    } else {
        (tree, out)
    };

    // A verifier says chunk 3 is withheld; the provider proves it on chain.
    // A forged proof is rejected first.
    let index = 3;
    w.market(
        &w.validators[0],
        &jm::ExecuteMsg::Challenge { job_id, index },
    );
    let mut forged: Vec<String> = tree.proof(index).unwrap().iter().map(hex::encode).collect();
    forged[0] = "00".repeat(32);
    assert!(w
        .p
        .host
        .execute(
            &w.provider,
            &w.p.job_market,
            &jm::ExecuteMsg::RespondChallenge {
                job_id,
                index,
                leaf_hash: hex::encode(tree.leaf(index).unwrap()),
                proof: forged,
            },
            &[],
        )
        .is_err());
    let leaf = starminer_merkle::leaf_hash(&out[(index * CHUNK) as usize..]);
    assert_eq!(&leaf, tree.leaf(index).unwrap());
    w.market(
        &w.provider,
        &jm::ExecuteMsg::RespondChallenge {
            job_id,
            index,
            leaf_hash: hex::encode(leaf),
            proof: tree.proof(index).unwrap().iter().map(hex::encode).collect(),
        },
    );

    // Both verifiers recompute their samples and chunk `d`: Valid on the
    // true root, Invalid at `d` with the true leaf on the forced error. The
    // provider's reveal then settles the job.
    let before: Vec<u128> = [
        &w.provider,
        &w.validators[0],
        &w.validators[1],
        &w.p.governance,
    ]
    .iter()
    .map(|a| w.balance(a))
    .collect();
    let verdict = if forced {
        let true_leaf = MerkleTree::from_data(&output(), CHUNK as usize)
            .unwrap()
            .leaf(d)
            .map(hex::encode)
            .unwrap();
        Attestation::Invalid {
            index: d,
            chunk_hash: true_leaf,
        }
    } else {
        Attestation::Valid
    };
    // Two verifiers of a forced-error pair seal their verdicts first, and
    // open them only once both are sealed.
    let seal_salt = [9u8; 32];
    for v in &w.validators[..2] {
        let seal = jm::attestation_seal(job_id, v.as_str(), &verdict, &seal_salt);
        w.market(v, &jm::ExecuteMsg::SealAttestation { job_id, seal });
    }
    for v in &w.validators[..2] {
        w.market(
            v,
            &jm::ExecuteMsg::Attest {
                job_id,
                attestation: verdict.clone(),
                salt: Some(seal_salt.to_vec().into()),
            },
        );
    }
    assert_eq!(w.job(job_id).status, JobStatus::Submitted);
    let r = w.market(
        &w.provider,
        &jm::ExecuteMsg::RevealDecoy {
            job_id,
            salt: salt.to_vec().into(),
            honest: 0,
        },
    );
    // The settlement is announced with the job id (a `wasm-*` event).
    assert!(r.events.iter().any(|e| e.ty.starts_with("wasm")
        && e.attributes.iter().any(|a| a.value == "settled")
        && e.attributes
            .iter()
            .any(|a| a.key == "job_id" && a.value == job_id.to_string())));
    let job = w.job(job_id);
    assert_eq!(job.status, JobStatus::Settled);
    let s = job.settlement.unwrap();
    assert_eq!(s.provider_payouts.u128(), payout);
    assert_eq!(s.protocol_fee.u128(), 500);
    assert_eq!(s.verifier_fees.u128(), 2 * fee);
    assert_eq!(s.refund.u128(), 0);
    assert_eq!(w.balance(&w.provider), before[0] + payout);
    assert_eq!(w.balance(&w.validators[0]), before[1] + fee);
    assert_eq!(w.balance(&w.validators[1]), before[2] + fee);
    assert_eq!(w.balance(&w.p.governance), before[3] + 500, "treasury fee");
    assert_eq!(w.balance(&w.p.job_market), 0, "nothing stays in escrow");
    assert_eq!(w.balance(&w.alice), alice0 - total);
    for v in &w.validators {
        assert_eq!(w.stake(v).locked.u128(), 0, "verifier duty locks released");
    }
    let stake = w.stake(&w.provider);
    assert_eq!(stake.locked.u128(), 0, "collateral released");

    // Past the incentives epoch: the provider's verified units and the
    // verifiers' attestations earn the epoch's emission, minted on claim.
    let epoch = starminer_deploy::incentives_params();
    w.p.host.next_block(epoch.epoch_length);
    let supply0 = w.agpu_supply();
    let mut claimed = 0;
    for who in [&w.provider, &w.validators[0], &w.validators[1]] {
        let pending: inc::PendingRewardsResponse =
            w.p.host
                .query_smart(
                    &w.p.incentives,
                    &inc::QueryMsg::PendingRewards {
                        address: who.to_string(),
                    },
                )
                .unwrap();
        assert!(pending.amount.u128() > 0, "{who} earned nothing");
        let b0 = w.balance(who);
        w.p.host
            .execute(who, &w.p.incentives, &inc::ExecuteMsg::Claim {}, &[])
            .unwrap();
        assert_eq!(w.balance(who), b0 + pending.amount.u128());
        claimed += pending.amount.u128();
    }
    assert_eq!(w.agpu_supply(), supply0 + claimed, "rewards are minted");
    // Emissions are a rebate on the fee the work paid: at most
    // reward_per_fee × the protocol fee over all three, however large the
    // epoch's emission (rounding may leave dust unclaimed).
    let bound = Uint128::new(500).mul_floor(epoch.reward_per_fee).u128();
    assert!(bound < epoch.initial_emission.u128());
    assert!(
        claimed <= bound && claimed + 3 >= bound,
        "{claimed} of {bound}"
    );
}

/// What a replica commits before reveals open: the job market's
/// `replica_commitment` (root, salt, committer, job).
fn commitment(root: &[u8; 32], salt: &[u8], provider: &str, job_id: u64) -> String {
    jm::replica_commitment(root, salt, provider, job_id)
}

#[test]
fn replicated_job_pays_the_majority_and_slashes_the_dissenting_replica() {
    let w = world();
    // Two more providers in the job's zone, benchmark-verified like the first.
    let rigs = [
        w.provider.clone(),
        w.p.host.addr_make("rig-2"),
        w.p.host.addr_make("rig-3"),
    ];
    for rig in &rigs[1..] {
        w.p.transfer(&w.p.agpu, &w.p.deployer, rig, 20_000 * UNIT)
            .unwrap();
        w.p.provider(rig, "eu-west", 250, &w.validators[0]).unwrap();
    }
    let spec = spec(&w, VerificationMode::Replicated { k: 3 });
    let (job_id, _) = submit(&w, &spec, 100 * UNIT);
    let job = w.job(job_id);
    // Three replicas of 10,000 units each; no verifiers, so no verifier fees.
    assert_eq!(job.quote.total.u128(), 30_000);

    // Each rig takes a slot; a second claim by the same rig is refused.
    for rig in &rigs {
        w.market(rig, &jm::ExecuteMsg::Claim { job_id });
    }
    assert!(w
        .p
        .host
        .execute(
            &rigs[0],
            &w.p.job_market,
            &jm::ExecuteMsg::Claim { job_id },
            &[]
        )
        .is_err());
    // Those were applications: the slots are drawn among the applicants by
    // bond once the replica window has closed, with a beacon value revealed
    // after the last application (three applicants, three slots: all seated).
    let job = w.job(job_id);
    assert_eq!(job.status, JobStatus::Open);
    let round = job.replica_draw.clone().expect("an application round");
    assert_eq!(round.applicants.len(), 3);
    let beacon: reg::BeaconResponse =
        w.p.host
            .query_smart(&w.p.registry, &reg::QueryMsg::Beacon {})
            .unwrap();
    assert!(round.draw_at > beacon.seq, "drawn with a later value");
    w.p.host
        .next_block(starminer_deploy::market_params().replica_window + 1);
    w.draw_at(job_id, beacon.seq, round.draw_at);
    let job = w.job(job_id);
    assert_eq!(job.status, JobStatus::Assigned);
    assert_eq!(job.slots.len(), 3);
    assert!(job.replica_draw.is_none());
    // A replicated job takes no plain SubmitResult.
    let honest = output();
    let tree = MerkleTree::from_data(&honest, CHUNK as usize).unwrap();
    assert!(w
        .p
        .host
        .execute(
            &rigs[0],
            &w.p.job_market,
            &jm::ExecuteMsg::SubmitResult {
                job_id,
                root: hex::encode(tree.root()),
                chunk_count: tree.leaf_count(),
                output_size: honest.len() as u64,
                output_uri: "https://rig.example/out/1".into(),
                decoy: None,
            },
            &[],
        )
        .is_err());

    // rig-3 corrupts one chunk of its output.
    let mut forged = honest.clone();
    forged[CHUNK as usize] ^= 0xff;
    let forged_tree = MerkleTree::from_data(&forged, CHUNK as usize).unwrap();
    let roots = [tree.root(), tree.root(), forged_tree.root()];
    let salts: [&[u8]; 3] = [b"salt-one", b"salt-two", b"salt-three"];
    for (i, rig) in rigs.iter().enumerate() {
        w.market(
            rig,
            &jm::ExecuteMsg::CommitResult {
                job_id,
                commitment: commitment(&roots[i], salts[i], rig.as_str(), job_id),
            },
        );
    }
    assert_eq!(w.job(job_id).status, JobStatus::Revealing);

    // A reveal that does not open the commitment is refused.
    assert!(w
        .p
        .host
        .execute(
            &rigs[0],
            &w.p.job_market,
            &jm::ExecuteMsg::RevealResult {
                job_id,
                root: hex::encode(forged_tree.root()),
                salt: salts[0].to_vec().into(),
                chunk_count: 4,
                output_size: honest.len() as u64,
                output_uri: "https://rig.example/out/1".into(),
            },
            &[],
        )
        .is_err());

    let collateral = w.stake(&rigs[2]).locked.u128();
    assert!(collateral > 0);
    let bonded3 = w.stake(&rigs[2]).bonded.u128();
    let before: Vec<u128> = rigs.iter().map(|r| w.balance(r)).collect();
    let alice0 = w.balance(&w.alice);
    let mut last = None;
    for (i, rig) in rigs.iter().enumerate() {
        last = Some(w.market(
            rig,
            &jm::ExecuteMsg::RevealResult {
                job_id,
                root: hex::encode(roots[i]),
                salt: salts[i].to_vec().into(),
                chunk_count: 4,
                output_size: honest.len() as u64,
                output_uri: format!("https://rig-{i}.example/out/1"),
            },
        ));
    }
    // The last reveal decides at once: the honest majority wins.
    assert_eq!(last.unwrap().attribute("wasm", "outcome"), Some("settled"));
    let job = w.job(job_id);
    assert_eq!(job.status, JobStatus::Settled);
    let s = job.settlement.unwrap();
    assert_eq!(
        s.provider_payouts.u128(),
        2 * 9_500,
        "two replicas paid, each its compute cost less the protocol fee"
    );
    assert_eq!(w.balance(&rigs[0]), before[0] + 9_500);
    assert_eq!(w.balance(&rigs[1]), before[1] + 9_500);
    assert_eq!(w.balance(&rigs[2]), before[2], "the dissenter is not paid");
    // Its collateral is slashed: its bond shrinks by the locked amount, and
    // part of it compensates the requester.
    assert_eq!(w.stake(&rigs[2]).locked.u128(), 0);
    assert_eq!(w.stake(&rigs[2]).bonded.u128(), bonded3 - collateral);
    assert!(
        w.balance(&w.alice) > alice0,
        "the requester gets the unpaid replica back plus compensation"
    );
    for rig in &rigs[..2] {
        assert_eq!(w.stake(rig).locked.u128(), 0, "honest collateral released");
    }
    assert_eq!(w.balance(&w.p.job_market), 0, "nothing stays in escrow");
}
