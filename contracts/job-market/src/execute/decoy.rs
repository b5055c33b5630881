//! Forced errors: the answer to the verifier's dilemma.
//!
//! While providers are honest, a verifier that attests Valid without
//! recomputing would earn its fee for nothing, and nothing on chain could
//! tell its attestation from a checked one. So, when `forced_errors` is on,
//! every spot-checked result comes as a pair of Merkle roots that differ at
//! one leaf, [`decoy_index`]: the true output, and the same output with one
//! deliberately wrong chunk. The provider seals which one is true
//! ([`decoy_commitment`]) before any randomness exists. When the verifiers
//! are drawn, the same beacon-seeded seed designates which root they check,
//! so on half of all jobs they are shown the wrong one (a forced error)
//! without anybody but the provider knowing which half.
//!
//! With two or more verifiers, each first seals its verdict
//! (`SealAttestation`) and opens it (`Attest` with the salt) only once all
//! have sealed: a verifier cannot wait for a co-verifier's call on the
//! decoy chunk and copy it, and one that keeps its seal shut is slashed
//! like one that called a forced error Valid.
//!
//! Once every verifier has attested (or the window closed) the provider
//! opens its seal with `RevealDecoy`:
//! - forced error: a verifier that said Valid did not recompute the chunk
//!   every verifier must check; it loses its duty lock. One that flagged
//!   chunk `index` with the true leaf hash checked the true result as well
//!   and is paid; one that flagged it with another hash contradicts the
//!   provider's true leaf, which opens an ordinary dispute.
//! - no forced error: the designated root was the true one; a flag on chunk
//!   `index` is an ordinary Invalid attestation and opens a dispute.
//!
//! The result's root is the true one from then on. A provider that never
//! reveals is convicted after `response_window` (its collateral goes to the
//! requester and the job is requeued), so it cannot hide a forced error.
//!
//! The pair cannot be used to smuggle in an unverified result: both roots
//! are checked on chain to come from the same siblings of leaf `index`, so
//! they agree on every other chunk, and the samples verifiers check on the
//! designated root hold for the true root too.

use cosmwasm_std::{Binary, DepsMut, Env, MessageInfo, Response, Storage, Timestamp};
use starminer_interfaces::job_market::{
    decoy_commitment, decoy_index, Attestation, Decoy, DecoyPair, Job, JobStatus, MarketParams,
    Verification,
};
use starminer_interfaces::market::VerificationMode;
use starminer_interfaces::registry::JobOutcome;

use crate::error::ContractError;
use crate::execute::settle::{reopen_or_close, settle_if_ready};
use crate::execute::verify::{duty_lock, open_dispute, result_provider, slash_duty, Effects};
use crate::execute::{event, load_job, outcome_msg, slash_msgs, wrong_status};
use crate::logic::parse_hash;
use crate::state::{save_job, CONFIG, PARAMS};
use crate::validate::is_hex_hash;

/// Longest Merkle proof a pair may carry (a tree of 2⁶⁴ leaves).
const MAX_PROOF: usize = 64;

/// Checks the pair a result came with and turns it into the stored record.
/// A SpotCheck result with verifiers needs one when `forced_errors` is on;
/// any other result must not carry one.
pub fn accept_decoy(
    job: &Job,
    params: &MarketParams,
    root: &str,
    chunk_count: u64,
    pair: Option<DecoyPair>,
) -> Result<Option<Decoy>, ContractError> {
    let spot_checked = matches!(
        job.spec.verification,
        VerificationMode::SpotCheck { verifiers } if verifiers > 0
    );
    let invalid = |reason: &str| ContractError::InvalidResult {
        reason: reason.into(),
    };
    let Some(pair) = pair else {
        if spot_checked && params.forced_errors {
            return Err(ContractError::DecoyRequired { job_id: job.id });
        }
        return Ok(None);
    };
    if !spot_checked {
        return Err(invalid("a decoy pair goes only with a SpotCheck result"));
    }
    if !is_hex_hash(&pair.commitment) {
        return Err(invalid("decoy commitment must be 64 hex characters"));
    }
    if pair.proof.len() > MAX_PROOF {
        return Err(invalid("decoy proof is longer than any tree's"));
    }
    let leaf = parse_hash(&pair.leaf, "decoy leaf")?;
    let other_leaf = parse_hash(&pair.other_leaf, "decoy other_leaf")?;
    if leaf == other_leaf {
        return Err(invalid("the two decoy leaves must differ"));
    }
    let siblings = pair
        .proof
        .iter()
        .map(|s| parse_hash(s, "decoy proof hash"))
        .collect::<Result<Vec<_>, _>>()?;
    let index = decoy_index(job.id, chunk_count);
    let fold = |leaf| {
        starminer_merkle::root_from_proof(chunk_count, index, &leaf, &siblings).map_err(|e| {
            ContractError::InvalidProof {
                reason: format!("decoy leaf {index}: {e}"),
            }
        })
    };
    if hex::encode(fold(leaf)?) != root {
        return Err(ContractError::InvalidProof {
            reason: format!("decoy leaf {index} and its proof do not lead to the submitted root"),
        });
    }
    let other_root = hex::encode(fold(other_leaf)?);
    Ok(Some(Decoy {
        index,
        roots: vec![root.to_string(), other_root],
        leaves: vec![
            pair.leaf.to_ascii_lowercase(),
            pair.other_leaf.to_ascii_lowercase(),
        ],
        commitment: pair.commitment.to_ascii_lowercase(),
        designated: None,
        honest: None,
        reveal_deadline: None,
    }))
}

/// When the verifiers are drawn: designates the root they check from the
/// draw's seed and sets the reveal deadline. Returns the designated root.
pub fn designate(v: &mut Verification, seed: &[u8; 32], params: &MarketParams) -> Option<String> {
    let deadline = reveal_deadline(v, params);
    let d = v.decoy.as_mut()?;
    let pick = seed[0] & 1;
    d.designated = Some(pick);
    d.reveal_deadline = Some(deadline);
    d.roots.get(usize::from(pick)).cloned()
}

/// The provider reveals within `response_window` after the attestations
/// close (the challenge deadline, or the end of the reveal window of sealed
/// attestations).
pub fn reveal_deadline(v: &Verification, params: &MarketParams) -> Timestamp {
    v.attest_deadline().plus_seconds(params.response_window)
}

/// The decoy leaf while the pair is still sealed: an Invalid attestation on
/// it waits for the reveal instead of opening a dispute.
pub fn sealed_index(v: &Verification) -> Option<u64> {
    v.decoy
        .as_ref()
        .filter(|d| d.honest.is_none())
        .map(|d| d.index)
}

/// Why settlement waits for the provider's reveal (None: nothing to reveal,
/// or revealed).
pub fn reveal_blocker(v: &Verification) -> Option<String> {
    let d = v.decoy.as_ref().filter(|d| d.honest.is_none())?;
    Some(match d.reveal_deadline {
        Some(t) => format!(
            "the provider has not revealed its forced-error pair (RevealDecoy, due by {})",
            t.seconds()
        ),
        None => "its verifiers are not drawn yet".into(),
    })
}

/// Whether the pair was revealed (the attestations are final).
pub fn revealed(v: &Verification) -> bool {
    v.decoy.as_ref().is_some_and(|d| d.honest.is_some())
}

/// The provider of a result: opens the seal, judges the attestations on the
/// decoy leaf, makes the true root the result's, and settles when nothing
/// else is open.
pub fn execute_reveal_decoy(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    job_id: u64,
    salt: Binary,
    honest: u8,
) -> Result<Response, ContractError> {
    let params = PARAMS.load(deps.storage)?;
    let config = CONFIG.load(deps.storage)?;
    let mut job = load_job(deps.storage, job_id)?;
    if !matches!(job.status, JobStatus::Submitted | JobStatus::Disputed) {
        return Err(wrong_status(&job, "Submitted or Disputed"));
    }
    let provider = result_provider(&job)?;
    if provider != info.sender {
        return Err(ContractError::NotSlotProvider { job_id });
    }
    let v = job
        .verification
        .as_ref()
        .ok_or(ContractError::NoDecoy { job_id })?;
    let d = v
        .decoy
        .as_ref()
        .filter(|d| d.honest.is_none())
        .ok_or(ContractError::NoDecoy { job_id })?;
    let Some(designated) = d.designated else {
        return Err(ContractError::RevealTooEarly {
            job_id,
            reason: "its verifiers are not drawn yet".into(),
        });
    };
    if !v.attestations_final(env.block.time) {
        return Err(ContractError::RevealTooEarly {
            job_id,
            reason: format!(
                "its verifiers may attest until {}",
                v.attest_deadline().seconds()
            ),
        });
    }
    let deadline = reveal_deadline(v, &params);
    if env.block.time > deadline {
        return Err(ContractError::WindowClosed {
            job_id,
            what: "forced-error reveal".into(),
            deadline,
        });
    }
    if honest > 1 || decoy_commitment(&salt, honest, info.sender.as_str(), job_id) != d.commitment {
        return Err(ContractError::DecoyMismatch { job_id });
    }
    let index = d.index;
    let forced = designated != honest;
    let true_root = d.roots[usize::from(honest)].clone();
    let true_leaf = d.leaves[usize::from(honest)].clone();
    let dispute_open = v.dispute.is_some();

    let old = job.status.clone();
    let fallback = duty_lock(&job, &params);
    let mut msgs = Vec::new();
    let mut events = Vec::new();
    let mut lazy = Vec::new();
    let mut to_dispute = None;
    let v = job
        .verification
        .as_mut()
        .ok_or(ContractError::NoDecoy { job_id })?;
    if let Some(d) = v.decoy.as_mut() {
        d.honest = Some(honest);
    }
    for e in v.verifiers.iter_mut() {
        match &e.attestation {
            Some(Attestation::Valid) if forced => {
                // It called the deliberately wrong chunk right: it did not
                // recompute what every verifier must.
                lazy.push((e.address.clone(), "attested valid on forced error"));
                e.attestation = None;
            }
            // It sealed a verdict and kept it shut once the others were
            // open: a guess it chose not to stand by counts as a wrong one.
            None if e.seal.is_some() => lazy.push((
                e.address.clone(),
                "left its sealed attestation unopened on forced-error pair",
            )),
            Some(Attestation::Invalid {
                index: i,
                chunk_hash,
            }) if *i == index => {
                if forced && *chunk_hash == true_leaf {
                    // It caught the forced error and recomputed the true
                    // chunk: its check stands for the true root.
                    e.attestation = Some(Attestation::Valid);
                } else if to_dispute.is_none() && !dispute_open {
                    to_dispute = Some((e.address.clone(), chunk_hash.clone()));
                }
            }
            _ => {}
        }
    }
    if let Some(result) = job.result.as_mut() {
        result.root = true_root.clone();
    }
    if let Some(slot) = job.slots.first_mut() {
        if let Some(result) = slot.result.as_mut() {
            result.root = true_root.clone();
        }
    }
    for (verifier, why) in &lazy {
        msgs.extend(slash_duty(
            deps.storage,
            &config,
            job_id,
            verifier,
            fallback,
            None,
        )?);
        events.push(event(
            deps.storage,
            &env,
            &job,
            "verifier_slashed",
            Some(verifier),
            format!("{why} at chunk {index}"),
        )?);
    }
    events.push(event(
        deps.storage,
        &env,
        &job,
        "decoy_revealed",
        Some(&info.sender),
        format!(
            "honest={honest} designated={designated} forced_error={forced} root={true_root} lazy_verifiers={}",
            lazy.len()
        ),
    )?);
    if let Some((challenger, claimed)) = to_dispute {
        events.push(open_dispute(
            deps.storage,
            &deps.querier,
            &env,
            &mut job,
            &challenger,
            index,
            &claimed,
        )?);
    } else if job.status == JobStatus::Submitted {
        let (more, evs) = settle_if_ready(deps.storage, &env, &mut job)?;
        msgs.extend(more);
        events.extend(evs);
    }
    save_job(deps.storage, Some(&old), &job)?;
    Ok(Response::new()
        .add_messages(msgs)
        .add_events(events)
        .add_attribute("action", "decoy_revealed")
        .add_attribute("job_id", job_id.to_string())
        .add_attribute("forced_error", forced.to_string())
        .add_attribute("root", true_root))
}

/// `Settle` after the reveal deadline of a pair never revealed: the
/// provider is convicted (its collateral goes to the requester, whom the
/// missing result wronged) and the job is requeued or fails with a refund.
/// None while the reveal is not overdue.
pub fn convict_unrevealed(
    storage: &mut dyn Storage,
    env: &Env,
    job: &mut Job,
) -> Result<Option<Effects>, ContractError> {
    let overdue = job.verification.as_ref().is_some_and(|v| {
        v.decoy.as_ref().is_some_and(|d| {
            d.honest.is_none() && d.reveal_deadline.is_some_and(|t| env.block.time > t)
        })
    });
    if !overdue {
        return Ok(None);
    }
    let config = CONFIG.load(storage)?;
    let provider = result_provider(job)?;
    let collateral = job.slots.first().map(|s| s.collateral).unwrap_or_default();
    let requester = job.requester.clone();
    let mut msgs = slash_msgs(
        storage,
        &config,
        &provider,
        Some(job.id),
        collateral,
        Some(&requester),
    )?;
    msgs.push(outcome_msg(&config, &provider, JobOutcome::Slashed)?);
    job.slots.clear();
    let mut events = vec![event(
        storage,
        env,
        job,
        "provider_slashed",
        Some(&provider),
        format!(
            "collateral={collateral} beneficiary={requester} reason=forced-error pair not revealed"
        ),
    )?];
    let (more, evs) = reopen_or_close(storage, env, &config, job, JobStatus::Failed)?;
    msgs.extend(more);
    events.extend(evs);
    Ok(Some((msgs, events)))
}
