//! Typed job-lifecycle events.
//!
//! Every transition of a job makes the job market emit a custom `job` event,
//! which a wasmd chain reports as `wasm-job` with the attributes
//! `_contract_address`, `action`, `job_id`, `status` (the job's status after
//! the transition, lower case), optionally `actor` (the address that caused
//! it) and `detail` (space-separated `key=value` pairs such as
//! `units=42 total=1000`). The same entries make up a job's history
//! (`QueryMsg::Job`), so [`JobEvent`] also decodes those.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use starminer_interfaces::job_market::{self, JobStatus};

use crate::rpc::{TxEvent, TxOutcome};

/// The wasmd event type of the job market's lifecycle events.
pub const JOB_EVENT_TYPE: &str = "wasm-job";

/// What happened to a job (the event's `action`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobAction {
    Submitted,
    Claimed,
    ResultSubmitted,
    ResultCommitted,
    RevealOpened,
    ResultRevealed,
    Attested,
    Challenged,
    ChallengeAnswered,
    Disputed,
    DisputeVote,
    DisputeResolved,
    Settled,
    Requeued,
    LeaseExpired,
    ProviderSlashed,
    Expired,
    Failed,
    Cancelled,
    /// An action this SDK version does not know.
    Other(String),
}

impl JobAction {
    pub fn parse(action: &str) -> JobAction {
        match action {
            "job_submitted" => JobAction::Submitted,
            "job_claimed" => JobAction::Claimed,
            "result_submitted" => JobAction::ResultSubmitted,
            "result_committed" => JobAction::ResultCommitted,
            "reveal_opened" => JobAction::RevealOpened,
            "result_revealed" => JobAction::ResultRevealed,
            "attested" => JobAction::Attested,
            "challenged" => JobAction::Challenged,
            "challenge_answered" => JobAction::ChallengeAnswered,
            "disputed" => JobAction::Disputed,
            "dispute_vote" => JobAction::DisputeVote,
            "dispute_resolved" => JobAction::DisputeResolved,
            "settled" => JobAction::Settled,
            "requeued" => JobAction::Requeued,
            "lease_expired" => JobAction::LeaseExpired,
            "provider_slashed" => JobAction::ProviderSlashed,
            "expired" => JobAction::Expired,
            "failed" => JobAction::Failed,
            "cancelled" => JobAction::Cancelled,
            other => JobAction::Other(other.to_string()),
        }
    }

    /// The contract's name for the action.
    pub fn as_str(&self) -> &str {
        match self {
            JobAction::Submitted => "job_submitted",
            JobAction::Claimed => "job_claimed",
            JobAction::ResultSubmitted => "result_submitted",
            JobAction::ResultCommitted => "result_committed",
            JobAction::RevealOpened => "reveal_opened",
            JobAction::ResultRevealed => "result_revealed",
            JobAction::Attested => "attested",
            JobAction::Challenged => "challenged",
            JobAction::ChallengeAnswered => "challenge_answered",
            JobAction::Disputed => "disputed",
            JobAction::DisputeVote => "dispute_vote",
            JobAction::DisputeResolved => "dispute_resolved",
            JobAction::Settled => "settled",
            JobAction::Requeued => "requeued",
            JobAction::LeaseExpired => "lease_expired",
            JobAction::ProviderSlashed => "provider_slashed",
            JobAction::Expired => "expired",
            JobAction::Failed => "failed",
            JobAction::Cancelled => "cancelled",
            JobAction::Other(s) => s,
        }
    }
}

/// Parses the job market's lower-case status names.
pub fn parse_status(s: &str) -> Option<JobStatus> {
    JobStatus::ALL
        .into_iter()
        .find(|st| format!("{st:?}").eq_ignore_ascii_case(s))
}

/// One lifecycle event of one job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobEvent {
    pub job_id: u64,
    pub action: JobAction,
    /// The job's status after the transition (None in a history entry,
    /// which does not record it, or for an unknown status name).
    pub status: Option<JobStatus>,
    pub actor: Option<String>,
    /// `detail`'s `key=value` pairs.
    pub detail: BTreeMap<String, String>,
    /// The job market that emitted it.
    pub contract: String,
}

impl JobEvent {
    /// Decodes a `wasm-job` event; `None` for any other event.
    pub fn from_tx_event(e: &TxEvent) -> Option<JobEvent> {
        if e.kind != JOB_EVENT_TYPE {
            return None;
        }
        Some(JobEvent {
            job_id: e.attribute("job_id")?.parse().ok()?,
            action: JobAction::parse(e.attribute("action")?),
            status: e.attribute("status").and_then(parse_status),
            actor: e.attribute("actor").map(str::to_string),
            detail: parse_detail(e.attribute("detail").unwrap_or_default()),
            contract: e.attribute("_contract_address")?.to_string(),
        })
    }

    /// An entry of a job's on-chain history.
    pub fn from_history(job_id: u64, contract: &str, e: &job_market::JobEvent) -> JobEvent {
        JobEvent {
            job_id,
            action: JobAction::parse(&e.action),
            status: None,
            actor: e.actor.as_ref().map(|a| a.to_string()),
            detail: parse_detail(&e.detail),
            contract: contract.to_string(),
        }
    }

    /// A `detail` value as a number (`units`, `total`, `payout`, …).
    pub fn detail_u128(&self, key: &str) -> Option<u128> {
        self.detail.get(key)?.parse().ok()
    }
}

/// `a=1 b=x,y` → {a: 1, b: x,y}. Words without `=` are kept under their own name.
pub fn parse_detail(detail: &str) -> BTreeMap<String, String> {
    detail
        .split_whitespace()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (w.to_string(), String::new()),
        })
        .collect()
}

/// The job events of a transaction emitted by `job_market` (every job market
/// when `None`), in order.
pub fn job_events(outcome: &TxOutcome, job_market: Option<&str>) -> Vec<JobEvent> {
    outcome
        .events
        .iter()
        .filter_map(JobEvent::from_tx_event)
        .filter(|e| job_market.is_none_or(|m| e.contract == m))
        .collect()
}

impl TxOutcome {
    /// See [`job_events`].
    pub fn job_events(&self, job_market: Option<&str>) -> Vec<JobEvent> {
        job_events(self, job_market)
    }

    /// The id of the job this transaction submitted, if it submitted one.
    pub fn submitted_job_id(&self, job_market: Option<&str>) -> Option<u64> {
        self.job_events(job_market)
            .into_iter()
            .find(|e| e.action == JobAction::Submitted)
            .map(|e| e.job_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: &str, attrs: &[(&str, &str)]) -> TxEvent {
        TxEvent {
            kind: kind.into(),
            attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn decodes_wasm_job_events_and_skips_others() {
        let e = ev(
            "wasm-job",
            &[
                ("_contract_address", "starminer1market"),
                ("action", "job_submitted"),
                ("job_id", "7"),
                ("status", "open"),
                ("actor", "starminer1alice"),
                ("detail", "units=42 total=1000"),
            ],
        );
        let j = JobEvent::from_tx_event(&e).unwrap();
        assert_eq!(j.job_id, 7);
        assert_eq!(j.action, JobAction::Submitted);
        assert_eq!(j.status, Some(JobStatus::Open));
        assert_eq!(j.actor.as_deref(), Some("starminer1alice"));
        assert_eq!(j.detail_u128("total"), Some(1000));
        assert!(JobEvent::from_tx_event(&ev("wasm", &[("job_id", "7")])).is_none());
        let other = ev(
            "wasm-job",
            &[
                ("_contract_address", "m"),
                ("action", "new_thing"),
                ("job_id", "1"),
                ("status", "revealing"),
            ],
        );
        let j = JobEvent::from_tx_event(&other).unwrap();
        assert_eq!(j.action, JobAction::Other("new_thing".into()));
        assert_eq!(j.status, Some(JobStatus::Revealing));
    }

    #[test]
    fn action_names_round_trip() {
        for name in [
            "job_submitted",
            "job_claimed",
            "result_submitted",
            "settled",
            "provider_slashed",
            "dispute_resolved",
            "cancelled",
        ] {
            assert_eq!(JobAction::parse(name).as_str(), name);
            assert!(!matches!(JobAction::parse(name), JobAction::Other(_)));
        }
    }

    #[test]
    fn detail_pairs() {
        let d = parse_detail("root=ab verifiers=a,b lonely");
        assert_eq!(d["root"], "ab");
        assert_eq!(d["verifiers"], "a,b");
        assert_eq!(d["lonely"], "");
    }
}
