//! The agent's duties database ([`DutyDb`], an embedded `redb` file,
//! `agent.redb`): the provider's duties, one lease per job it holds with the
//! phase the job is in and the result it computed, so that a restart resumes
//! where the last process stopped — a result that was computed but not yet
//! accepted on chain is submitted after the restart, never lost (the outputs
//! themselves are files in [`crate::results`]).
//!
//! Verifier duties (spot checks and dispute votes) are kept the same way,
//! with the secret chunk sample drawn once and persisted, so a restarted
//! verifier checks the same chunks it would have.
//!
//! Every write is one redb transaction, committed durably before the agent
//! acts on it.

use std::path::Path;

use anyhow::{Context, Result};
use redb::{Database, ReadableTable, TableDefinition};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::now_unix;

const LEASES: TableDefinition<u64, &[u8]> = TableDefinition::new("leases");
const VERIFICATIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("verifications");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");

/// Where a claimed job stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "phase")]
pub enum Phase {
    /// Replicated job with drawn slots: the application is on chain; the
    /// agent waits for the draw (asking for it once its beacon value
    /// exists), then computes if seated and ends the lease if not.
    Applied,
    /// The claim is on chain; nothing done yet.
    Claimed,
    /// Downloading and checking the input.
    Fetching,
    /// The kernel runs.
    Computing,
    /// The output is in the result store; `SubmitResult` (or, for a
    /// replicated job, `CommitResult`) is not yet on chain.
    Computed,
    /// Replicated jobs: the commitment is on chain; the agent reveals once
    /// every slot has committed (status `Revealing`).
    Committed,
    /// The result is on chain; the agent answers challenges until the job ends.
    Submitted,
    /// Terminal: paid.
    Settled,
    /// Terminal: the input's hash was wrong and the agent reported it.
    BadInput,
    /// Terminal: the agent could not run the job (kernel build or device
    /// error); the lease is left to expire.
    Abandoned { reason: String },
    /// Terminal: the job ended otherwise on chain (failed, expired,
    /// cancelled, slashed, lost to another provider).
    Ended { status: String },
}

impl Phase {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Phase::Settled | Phase::BadInput | Phase::Abandoned { .. } | Phase::Ended { .. }
        )
    }

    /// A short name (metrics label, `status` output).
    pub fn name(&self) -> &'static str {
        match self {
            Phase::Applied => "applied",
            Phase::Claimed => "claimed",
            Phase::Fetching => "fetching",
            Phase::Computing => "computing",
            Phase::Computed => "computed",
            Phase::Committed => "committed",
            Phase::Submitted => "submitted",
            Phase::Settled => "settled",
            Phase::BadInput => "bad_input",
            Phase::Abandoned { .. } => "abandoned",
            Phase::Ended { .. } => "ended",
        }
    }

    /// Every phase name, for metrics that list all of them.
    pub const NAMES: [&'static str; 11] = [
        "applied",
        "claimed",
        "fetching",
        "computing",
        "computed",
        "committed",
        "submitted",
        "settled",
        "bad_input",
        "abandoned",
        "ended",
    ];
}

/// What the agent committed to on chain for a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmittedResult {
    /// Id in the result store.
    pub result_id: String,
    /// The root sent on chain: the true root, or with a forced-error pair
    /// the submitted one of the two (see `decoy`).
    pub root: String,
    pub chunk_count: u64,
    pub output_size: u64,
    pub output_uri: String,
    /// A spot-checked result with forced errors: the pair's seal (salt and
    /// which root is true), kept to reveal it. Written before `SubmitResult`
    /// is sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoy: Option<crate::decoy::DecoySeal>,
}

/// One claimed job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub job_id: u64,
    pub template: String,
    /// Canonical parameter text.
    pub params: String,
    /// OpenCL device index that runs it.
    #[serde(default)]
    pub device: usize,
    pub units: u128,
    /// What the job pays the provider (compute cost less the protocol fee), uagpu.
    pub payout: u128,
    /// Unix seconds after which the chain no longer takes the result.
    pub lease_deadline: u64,
    pub phase: Phase,
    /// Set once computed.
    pub result: Option<SubmittedResult>,
    /// A replicated (commit–reveal) job: `CommitResult` then `RevealResult`
    /// instead of `SubmitResult`.
    #[serde(default)]
    pub replicated: bool,
    /// Failed attempts of the current phase (backoff).
    pub attempts: u32,
    pub last_error: Option<String>,
    /// Unix seconds of the last change.
    pub updated_at: u64,
}

/// A verifier's duty on someone else's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    pub job_id: u64,
    /// A dispute vote (recompute the disputed chunk) rather than a spot check.
    pub dispute: bool,
    /// The secret sample, drawn once.
    pub sample: Vec<u64>,
    /// Filled in once decided: `Some(true)` valid / provider correct.
    pub verdict: Option<bool>,
    /// The verdict is on chain.
    pub sent: bool,
    /// On a job with sealed attestations: the verdict and its salt, kept
    /// before the seal goes out so that a restart opens the same seal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<SealedVerdict>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub updated_at: u64,
}

/// A verdict sealed on chain (`SealAttestation`), to be opened with `Attest`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SealedVerdict {
    pub attestation: starminer_interfaces::job_market::Attestation,
    /// Hex.
    pub salt: String,
}

pub struct DutyDb {
    db: Database,
}

fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec(v)?)
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).context("a damaged record in the agent database")
}

impl DutyDb {
    /// Opens (creating) the database at `path`.
    pub fn open(path: &Path) -> Result<DutyDb> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let db = Database::create(path).with_context(|| {
            format!(
                "opening the agent database {} (is another agent running on it?)",
                path.display()
            )
        })?;
        let tx = db.begin_write()?;
        tx.open_table(LEASES)?;
        tx.open_table(VERIFICATIONS)?;
        tx.open_table(META)?;
        tx.commit()?;
        Ok(DutyDb { db })
    }

    /// Stores `lease` (replacing the job's previous record), stamping the time.
    pub fn put_lease(&self, lease: &Lease) -> Result<()> {
        let mut lease = lease.clone();
        lease.updated_at = now_unix();
        let tx = self.db.begin_write()?;
        tx.open_table(LEASES)?
            .insert(lease.job_id, encode(&lease)?.as_slice())?;
        tx.commit()?;
        Ok(())
    }

    pub fn lease(&self, job_id: u64) -> Result<Option<Lease>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(LEASES)?;
        table.get(job_id)?.map(|v| decode(v.value())).transpose()
    }

    /// Changes a lease's phase (resetting its attempt count).
    pub fn set_phase(&self, job_id: u64, phase: Phase) -> Result<Lease> {
        let mut lease = self
            .lease(job_id)?
            .with_context(|| format!("no lease for job {job_id}"))?;
        lease.phase = phase;
        lease.attempts = 0;
        lease.last_error = None;
        self.put_lease(&lease)?;
        Ok(lease)
    }

    /// Ends a lease that will not be paid (phase `ended`, with the job's
    /// status or the reason).
    pub fn end_lease(&self, job_id: u64, status: impl Into<String>) -> Result<()> {
        self.set_phase(
            job_id,
            Phase::Ended {
                status: status.into(),
            },
        )?;
        Ok(())
    }

    /// Records a failed attempt; returns the number of attempts so far.
    pub fn record_failure(&self, job_id: u64, error: &str) -> Result<u32> {
        let mut lease = self
            .lease(job_id)?
            .with_context(|| format!("no lease for job {job_id}"))?;
        lease.attempts += 1;
        lease.last_error = Some(error.to_string());
        self.put_lease(&lease)?;
        Ok(lease.attempts)
    }

    /// Every lease, by job id.
    pub fn leases(&self) -> Result<Vec<Lease>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(LEASES)?;
        table.iter()?.map(|r| decode(r?.1.value())).collect()
    }

    /// Leases that still need work (not terminal).
    pub fn active_leases(&self) -> Result<Vec<Lease>> {
        Ok(self
            .leases()?
            .into_iter()
            .filter(|l| !l.phase.is_terminal())
            .collect())
    }

    pub fn put_verification(&self, v: &Verification) -> Result<()> {
        let mut v = v.clone();
        v.updated_at = now_unix();
        let tx = self.db.begin_write()?;
        tx.open_table(VERIFICATIONS)?
            .insert(v.job_id, encode(&v)?.as_slice())?;
        tx.commit()?;
        Ok(())
    }

    pub fn verification(&self, job_id: u64) -> Result<Option<Verification>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(VERIFICATIONS)?;
        table.get(job_id)?.map(|v| decode(v.value())).transpose()
    }

    pub fn verifications(&self) -> Result<Vec<Verification>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(VERIFICATIONS)?;
        table.iter()?.map(|r| decode(r?.1.value())).collect()
    }

    /// A small named value (e.g. the last block height seen).
    pub fn put_meta<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let tx = self.db.begin_write()?;
        tx.open_table(META)?
            .insert(key, encode(value)?.as_slice())?;
        tx.commit()?;
        Ok(())
    }

    pub fn meta<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(META)?;
        table.get(key)?.map(|v| decode(v.value())).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease(job_id: u64) -> Lease {
        Lease {
            job_id,
            template: "render.fractal".into(),
            params: "height=64,width=64".into(),
            device: 0,
            units: 41,
            payout: 39,
            lease_deadline: 1_900_000_000,
            phase: Phase::Claimed,
            result: None,
            replicated: false,
            attempts: 0,
            last_error: None,
            updated_at: 0,
        }
    }

    #[test]
    fn leases_survive_reopening_with_their_phase_and_result() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.redb");
        {
            let s = DutyDb::open(&path).unwrap();
            s.put_lease(&lease(7)).unwrap();
            s.put_lease(&lease(3)).unwrap();
            s.set_phase(7, Phase::Computing).unwrap();
            let mut l = s.lease(7).unwrap().unwrap();
            l.phase = Phase::Computed;
            l.result = Some(SubmittedResult {
                result_id: "job-7".into(),
                root: "ab".repeat(32),
                chunk_count: 2,
                output_size: 100,
                output_uri: "http://x/results/job-7".into(),
                decoy: Some(crate::decoy::DecoySeal {
                    index: 1,
                    salt: "5a".repeat(32),
                    honest: 1,
                    true_root: "ab".repeat(32),
                    false_root: "cd".repeat(32),
                }),
            });
            s.put_lease(&l).unwrap();
            s.set_phase(
                3,
                Phase::Abandoned {
                    reason: "kernel build failed".into(),
                },
            )
            .unwrap();
            s.put_meta("height", &42u64).unwrap();
        }
        let s = DutyDb::open(&path).unwrap();
        let all = s.leases().unwrap();
        assert_eq!(all.iter().map(|l| l.job_id).collect::<Vec<_>>(), [3, 7]);
        let active = s.active_leases().unwrap();
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].phase, Phase::Computed);
        assert_eq!(active[0].result.as_ref().unwrap().chunk_count, 2);
        // The forced-error seal survives: a restarted agent can reveal.
        let seal = active[0].result.as_ref().unwrap().decoy.clone().unwrap();
        assert_eq!((seal.index, seal.honest), (1, 1));
        assert_eq!(seal.salt, "5a".repeat(32));
        assert!(active[0].updated_at > 0);
        assert_eq!(s.meta::<u64>("height").unwrap(), Some(42));
        assert_eq!(s.meta::<u64>("nothing").unwrap(), None);
    }

    #[test]
    fn a_replicated_lease_survives_a_reopen_and_old_records_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.redb");
        {
            let s = DutyDb::open(&path).unwrap();
            let mut l = lease(4);
            l.replicated = true;
            s.put_lease(&l).unwrap();
            s.set_phase(4, Phase::Committed).unwrap();
        }
        let s = DutyDb::open(&path).unwrap();
        let l = s.lease(4).unwrap().unwrap();
        assert!(l.replicated);
        assert_eq!(l.phase.name(), "committed");
        assert!(!l.phase.is_terminal());
        // A record written before replicated jobs were supported.
        let mut old = serde_json::to_value(lease(5)).unwrap();
        let obj = old.as_object_mut().unwrap();
        obj.remove("replicated");
        obj.insert(
            "result".into(),
            serde_json::json!({
                "result_id": "job-5", "root": "ab", "chunk_count": 1,
                "output_size": 1, "output_uri": "u"
            }),
        );
        let back: Lease = decode(&serde_json::to_vec(&old).unwrap()).unwrap();
        assert!(!back.replicated);
        // A result stored before forced errors has no seal.
        assert_eq!(back.result.unwrap().decoy, None);
    }

    #[test]
    fn failures_count_until_the_phase_changes() {
        let dir = tempfile::tempdir().unwrap();
        let s = DutyDb::open(&dir.path().join("a.redb")).unwrap();
        s.put_lease(&lease(1)).unwrap();
        assert_eq!(s.record_failure(1, "rpc down").unwrap(), 1);
        assert_eq!(s.record_failure(1, "rpc down").unwrap(), 2);
        assert_eq!(
            s.lease(1).unwrap().unwrap().last_error.as_deref(),
            Some("rpc down")
        );
        let l = s.set_phase(1, Phase::Fetching).unwrap();
        assert_eq!((l.attempts, l.last_error), (0, None));
        assert!(s.record_failure(99, "x").is_err());
    }

    #[test]
    fn verifications_keep_their_secret_sample() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.redb");
        {
            let s = DutyDb::open(&path).unwrap();
            s.put_verification(&Verification {
                job_id: 5,
                dispute: false,
                sample: vec![9, 2, 4],
                verdict: None,
                sent: false,
                sealed: Some(SealedVerdict {
                    attestation: starminer_interfaces::job_market::Attestation::Valid,
                    salt: "ab".repeat(32),
                }),
                attempts: 0,
                last_error: None,
                updated_at: 0,
            })
            .unwrap();
        }
        let s = DutyDb::open(&path).unwrap();
        let v = s.verification(5).unwrap().unwrap();
        assert_eq!(v.sample, [9, 2, 4]);
        assert_eq!(
            v.sealed.unwrap().salt,
            "ab".repeat(32),
            "a restart opens the same seal"
        );
        assert_eq!(s.verifications().unwrap().len(), 1);
    }

    #[test]
    fn a_second_process_cannot_open_the_same_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.redb");
        let _first = DutyDb::open(&path).unwrap();
        let err = DutyDb::open(&path).err().expect("locked");
        assert!(format!("{err:#}").contains("another agent"));
    }
}
