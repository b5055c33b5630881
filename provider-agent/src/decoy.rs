//! Forced errors (docs/protocol.md), the provider's side: a spot-checked
//! result is submitted as a pair of Merkle trees that differ at one leaf,
//! [`decoy_index`]: the true output, and a copy whose chunk `index` is
//! deliberately wrong ([`altered_chunk`]). The agent picks at random which
//! tree's root it submits and seals that choice ([`decoy_commitment`]) with
//! a random salt kept in its database ([`DecoySeal`]). When the verifiers
//! are drawn the chain designates which of the two roots they check; the
//! result server then serves that tree only ([`DecoyView`]), and once the
//! attestations are in the agent opens the seal with `RevealDecoy`.
//!
//! Nothing served before the reveal tells which tree is the true one: no
//! output, no preview, and chunks and proofs of the designated tree only.

use anyhow::{ensure, Context, Result};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use starminer_interfaces::job_market::{
    decoy_commitment, decoy_index, DecoyPair, Job, JobStatus, MarketParams,
};
use starminer_interfaces::market::VerificationMode;
use starminer_merkle::{leaf_hash, MerkleTree};

/// One of the two trees of a forced-error pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tree {
    /// The tree of the output the agent computed.
    True,
    /// The same tree with leaf `index` replaced by the altered chunk's.
    False,
}

/// Which tree of a result with a forced-error pair the result server shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecoyView {
    /// Submitted, verifiers not drawn (or the agent has not seen the draw
    /// yet): no chunk, proof, output or preview is served (503, retry).
    Sealed,
    /// The verifiers check this tree: its chunks and proofs are served (for
    /// the false tree, chunk `index` altered); the output and the preview,
    /// which would tell the true tree, are withheld.
    Designated(Tree),
    /// The attestations are final (the seal is opened, or about to be):
    /// everything is served; chunk requests naming the false root get the
    /// false tree (so a dispute voter reading the chain just before the
    /// reveal still gets proofs of the root it sees).
    Open,
}

/// What the agent keeps (in its lease database, before `SubmitResult` is
/// sent) to reveal a forced-error pair, restarts included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecoySeal {
    /// The leaf where the two trees differ ([`decoy_index`]).
    pub index: u64,
    /// Hex of the 32 random salt bytes of the commitment.
    pub salt: String,
    /// 0: the submitted root is the true one; 1: the other root is.
    pub honest: u8,
    /// Hex roots of both trees.
    pub true_root: String,
    pub false_root: String,
}

impl DecoySeal {
    /// The tree whose root goes on chain with `SubmitResult`.
    pub fn submitted(&self) -> Tree {
        if self.honest == 0 {
            Tree::True
        } else {
            Tree::False
        }
    }

    pub fn root_of(&self, tree: Tree) -> &str {
        match tree {
            Tree::True => &self.true_root,
            Tree::False => &self.false_root,
        }
    }

    /// The root submitted with `SubmitResult`.
    pub fn submitted_root(&self) -> &str {
        self.root_of(self.submitted())
    }

    pub fn salt_bytes(&self) -> Result<Vec<u8>> {
        hex::decode(&self.salt).context("the stored decoy salt is not hex")
    }
}

/// The deliberately wrong version of a chunk: every byte inverted (so every
/// f32 element of a tolerance template is off by far more than any
/// tolerance, or NaN); an empty chunk becomes one 0xFF byte.
pub fn altered_chunk(chunk: &[u8]) -> Vec<u8> {
    if chunk.is_empty() {
        return vec![0xFF];
    }
    chunk.iter().map(|b| b ^ 0xFF).collect()
}

/// The false tree: `true_tree` with leaf `index` replaced by the leaf hash
/// of [`altered_chunk`]`(true_chunk)`.
pub fn false_tree(true_tree: &MerkleTree, index: u64, true_chunk: &[u8]) -> Result<MerkleTree> {
    ensure!(
        index < true_tree.leaf_count(),
        "decoy index {index} is outside the {}-chunk tree",
        true_tree.leaf_count()
    );
    ensure!(
        true_tree.leaf(index) == Some(&leaf_hash(true_chunk)),
        "chunk {index} does not match its leaf in the stored tree"
    );
    let leaves = (0..true_tree.leaf_count())
        .map(|i| {
            if i == index {
                leaf_hash(&altered_chunk(true_chunk))
            } else {
                *true_tree.leaf(i).expect("in range")
            }
        })
        .collect();
    MerkleTree::from_leaves(leaves).context("a tree without leaves")
}

/// Whether a result of `job` must carry a forced-error pair.
pub fn needs_decoy(job: &Job, params: &MarketParams) -> bool {
    params.forced_errors
        && matches!(job.spec.verification, VerificationMode::SpotCheck { verifiers } if verifiers > 0)
}

/// Draws a new seal for `job_id`'s pair: a random salt and a fair coin for
/// which tree is submitted.
pub fn new_seal(job_id: u64, true_tree: &MerkleTree, false_tree: &MerkleTree) -> Result<DecoySeal> {
    let index = decoy_index(job_id, true_tree.leaf_count());
    ensure!(
        true_tree.leaf_count() == false_tree.leaf_count()
            && true_tree.leaf(index) != false_tree.leaf(index),
        "the two trees do not differ at the decoy leaf {index}"
    );
    let mut salt = [0u8; 32];
    OsRng.fill_bytes(&mut salt);
    let honest = (OsRng.next_u32() & 1) as u8;
    Ok(DecoySeal {
        index,
        salt: hex::encode(salt),
        honest,
        true_root: hex::encode(true_tree.root()),
        false_root: hex::encode(false_tree.root()),
    })
}

/// The `decoy` of `SubmitResult` for `seal` (by `provider` on `job_id`).
pub fn pair(
    seal: &DecoySeal,
    true_tree: &MerkleTree,
    false_tree: &MerkleTree,
    provider: &str,
    job_id: u64,
) -> Result<DecoyPair> {
    ensure!(
        hex::encode(true_tree.root()) == seal.true_root
            && hex::encode(false_tree.root()) == seal.false_root,
        "the stored trees are not the sealed pair"
    );
    let i = seal.index;
    let leaf_of = |t: &MerkleTree| {
        t.leaf(i)
            .map(hex::encode)
            .context("decoy leaf out of range")
    };
    let (true_leaf, false_leaf) = (leaf_of(true_tree)?, leaf_of(false_tree)?);
    let (leaf, other_leaf) = match seal.submitted() {
        Tree::True => (true_leaf, false_leaf),
        Tree::False => (false_leaf, true_leaf),
    };
    // Leaf `index`'s siblings are the same in both trees.
    let proof = true_tree
        .proof(i)
        .context("decoy leaf out of range")?
        .iter()
        .map(hex::encode)
        .collect();
    Ok(DecoyPair {
        leaf,
        other_leaf,
        proof,
        commitment: decoy_commitment(&seal.salt_bytes()?, seal.honest, provider, job_id),
    })
}

/// What the result server should show for `job`'s pair, as the chain has
/// it now: sealed until the draw, then the designated tree, and everything
/// once the seal is opened or the job is over.
pub fn view_for(job: &Job, seal: &DecoySeal) -> DecoyView {
    if job.status.is_terminal() {
        return DecoyView::Open;
    }
    let Some(d) = job.verification.as_ref().and_then(|v| v.decoy.as_ref()) else {
        // The chain kept no pair (the job went back to Open, or never had one).
        return DecoyView::Open;
    };
    if d.honest.is_some() {
        return DecoyView::Open;
    }
    match d.designated.and_then(|k| d.roots.get(usize::from(k))) {
        None => DecoyView::Sealed,
        Some(root) if root.eq_ignore_ascii_case(&seal.true_root) => {
            DecoyView::Designated(Tree::True)
        }
        Some(_) => DecoyView::Designated(Tree::False),
    }
}

/// Whether the pair can be revealed now: designated, not yet revealed, and
/// every drawn verifier has attested or can no longer attest (the job
/// market's rule, read at `block_time`).
pub fn reveal_due(job: &Job, block_time: u64) -> bool {
    if !matches!(job.status, JobStatus::Submitted | JobStatus::Disputed) {
        return false;
    }
    let Some(v) = &job.verification else {
        return false;
    };
    let Some(d) = &v.decoy else {
        return false;
    };
    if d.designated.is_none() || d.honest.is_some() {
        return false;
    }
    v.attestations_final(cosmwasm_std::Timestamp::from_seconds(block_time))
}

#[cfg(test)]
mod tests {
    use super::*;
    use starminer_interfaces::job_market::{decoy_index, Decoy};
    use starminer_merkle::root_from_proof;

    fn output(len: usize) -> Vec<u8> {
        (0..len as u64)
            .map(|i| (i.wrapping_mul(0x9E37_79B9) >> 7) as u8)
            .collect()
    }

    fn h(s: &str) -> [u8; 32] {
        hex::decode(s).unwrap().try_into().unwrap()
    }

    fn trees(job_id: u64, data: &[u8], chunk: usize) -> (MerkleTree, MerkleTree, u64) {
        let t = MerkleTree::from_data(data, chunk).unwrap();
        let d = decoy_index(job_id, t.leaf_count());
        let start = d as usize * chunk;
        let end = (start + chunk).min(data.len());
        let f = false_tree(&t, d, &data[start.min(data.len())..end]).unwrap();
        (t, f, d)
    }

    #[test]
    fn the_false_tree_differs_at_the_decoy_leaf_only() {
        for (len, chunk) in [
            (10_000, 1000),
            (10_001, 1000),
            (5, 64),
            (0, 64),
            (64 * 33, 64),
        ] {
            for job_id in [1u64, 7, 42, 1_000_003] {
                let data = output(len);
                let (t, f, d) = trees(job_id, &data, chunk);
                assert_eq!(t.leaf_count(), f.leaf_count());
                assert_ne!(t.root(), f.root());
                for i in 0..t.leaf_count() {
                    assert_eq!(t.leaf(i) == f.leaf(i), i != d, "leaf {i} of {len}/{chunk}");
                }
                // Leaf d's siblings are shared: the chain folds both leaves
                // with one proof to the two roots.
                assert_eq!(t.proof(d), f.proof(d));
                let p = t.proof(d).unwrap();
                let n = t.leaf_count();
                assert_eq!(
                    root_from_proof(n, d, t.leaf(d).unwrap(), &p).unwrap(),
                    t.root()
                );
                assert_eq!(
                    root_from_proof(n, d, f.leaf(d).unwrap(), &p).unwrap(),
                    f.root()
                );
                // The wrong chunk really is wrong for a tolerance check too.
                let start = (d as usize * chunk).min(data.len());
                let end = (start + chunk).min(data.len());
                let alt = altered_chunk(&data[start..end]);
                assert_ne!(alt, data[start..end]);
                assert_eq!(f.leaf(d), Some(&leaf_hash(&alt)));
            }
        }
    }

    #[test]
    fn inverted_floats_are_never_within_tolerance() {
        let values: Vec<f32> = vec![0.0, 1.0, -1.0, 0.5, 123.25, 1e-30, -7e20, 3.0];
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let alt = altered_chunk(&bytes);
        for (a, b) in bytes.chunks(4).zip(alt.chunks(4)) {
            assert!(!starminer_templates::f32_close(a, b, 1e-3), "{a:?}");
        }
    }

    #[test]
    fn false_tree_refuses_a_chunk_that_is_not_the_leaf() {
        let data = output(4000);
        let t = MerkleTree::from_data(&data, 1000).unwrap();
        assert!(false_tree(&t, 1, &data[..1000]).is_err());
        assert!(false_tree(&t, 4, &data[..1000]).is_err());
        assert!(false_tree(&t, 0, &data[..1000]).is_ok());
    }

    #[test]
    fn the_pair_proves_the_submitted_root_and_the_commitment_opens() {
        let data = output(50_000);
        let job_id = 9;
        let (t, f, d) = trees(job_id, &data, 4096);
        let mut seen = [false; 2];
        for _ in 0..64 {
            let seal = new_seal(job_id, &t, &f).unwrap();
            seen[usize::from(seal.honest)] = true;
            assert_eq!(seal.index, d);
            assert_eq!(seal.salt.len(), 64);
            let p = pair(&seal, &t, &f, "prov", job_id).unwrap();
            let proof: Vec<[u8; 32]> = p.proof.iter().map(|s| h(s)).collect();
            let n = t.leaf_count();
            let submitted = hex::encode(root_from_proof(n, d, &h(&p.leaf), &proof).unwrap());
            let other = hex::encode(root_from_proof(n, d, &h(&p.other_leaf), &proof).unwrap());
            assert_eq!(submitted, seal.submitted_root());
            let (want_sub, want_other) = if seal.honest == 0 {
                (t.root(), f.root())
            } else {
                (f.root(), t.root())
            };
            assert_eq!(submitted, hex::encode(want_sub));
            assert_eq!(other, hex::encode(want_other));
            assert_eq!(
                p.commitment,
                decoy_commitment(&seal.salt_bytes().unwrap(), seal.honest, "prov", job_id)
            );
            assert_ne!(
                p.commitment,
                decoy_commitment(&seal.salt_bytes().unwrap(), 1 - seal.honest, "prov", job_id)
            );
            // Another provider's pair does not share the commitment.
            assert_ne!(
                p.commitment,
                pair(&seal, &t, &f, "other", job_id).unwrap().commitment
            );
        }
        assert_eq!(seen, [true, true], "both trees get submitted");
        // Trees that are not the sealed ones are refused.
        let seal = new_seal(job_id, &t, &f).unwrap();
        assert!(pair(&seal, &f, &t, "prov", job_id).is_err());
    }

    fn job_with(decoy: Option<Decoy>, attested: [bool; 2], deadline: u64) -> Job {
        use cosmwasm_std::{Addr, Decimal, Timestamp, Uint128, Uint64};
        use starminer_interfaces::job_market::{
            JobInput, JobRequirements, JobSpec, LatencyClass, Verification, VerifierEntry,
        };
        use starminer_interfaces::market::Urgency;
        use starminer_interfaces::pricing::QuoteResponse;
        let t = starminer_templates::by_id("render.fractal").unwrap();
        Job {
            id: 3,
            requester: Addr::unchecked("req"),
            spec: JobSpec {
                template: "render.fractal".into(),
                params: vec![],
                input: JobInput::Inline {
                    data: Default::default(),
                },
                requirements: JobRequirements {
                    min_tier: 1,
                    min_device_memory: Uint64::new(1),
                    min_compute_units: 1,
                    zone: "z".into(),
                    urgency: Urgency::Normal,
                    latency: LatencyClass::Metro,
                },
                max_price: Uint128::new(1),
                deadline: Timestamp::from_seconds(2_000_000_000),
                verification: VerificationMode::SpotCheck { verifiers: 2 },
            },
            class: t.info().class,
            tier: 1,
            min_device_memory: Uint64::new(1),
            min_compute_units: 1,
            units: Uint128::new(1),
            quote: QuoteResponse {
                tier: 1,
                class: t.info().class,
                units: Uint128::new(1),
                epoch: 0,
                unit_price: Decimal::one(),
                compute_cost: Uint128::new(1),
                replication: 1,
                verifier_fee: Uint128::zero(),
                verifiers: 2,
                total: Uint128::new(1),
            },
            escrow: Uint128::new(1),
            status: JobStatus::Submitted,
            submitted_at: Timestamp::from_seconds(1),
            submit_height: 1,
            requeues: 0,
            slots: vec![],
            result: None,
            verification: Some(Verification {
                challenge_deadline: Timestamp::from_seconds(deadline),
                decoy,
                draw_at: None,
                verifiers: attested
                    .iter()
                    .map(|a| VerifierEntry {
                        address: Addr::unchecked("v"),
                        seal: None,
                        attestation: a
                            .then_some(starminer_interfaces::job_market::Attestation::Valid),
                    })
                    .collect(),
                challenges: vec![],
                dispute: None,
                reveal_until: None,
            }),
            reveal_deadline: None,
            settlement: None,
            replica_draw: None,
        }
    }

    #[test]
    fn the_view_follows_the_draw_and_the_reveal_waits_for_the_attestations() {
        let seal = DecoySeal {
            index: 2,
            salt: "00".repeat(32),
            honest: 1,
            true_root: "aa".repeat(32),
            false_root: "bb".repeat(32),
        };
        let decoy = |designated: Option<u8>, honest: Option<u8>| Decoy {
            index: 2,
            // Submitted first: the false root (honest = 1).
            roots: vec!["bb".repeat(32), "aa".repeat(32)],
            leaves: vec!["11".repeat(32), "22".repeat(32)],
            commitment: "cc".repeat(32),
            designated,
            honest,
            reveal_deadline: designated.map(|_| cosmwasm_std::Timestamp::from_seconds(500)),
        };
        let j = job_with(Some(decoy(None, None)), [false, false], 100);
        assert_eq!(view_for(&j, &seal), DecoyView::Sealed);
        assert!(!reveal_due(&j, 1_000));
        let j = job_with(Some(decoy(Some(0), None)), [true, false], 100);
        assert_eq!(view_for(&j, &seal), DecoyView::Designated(Tree::False));
        assert!(!reveal_due(&j, 100), "a verifier may still attest");
        assert!(reveal_due(&j, 101), "the window closed");
        // Sealed attestations are opened until `reveal_until`.
        let mut j = j;
        j.verification.as_mut().unwrap().reveal_until =
            Some(cosmwasm_std::Timestamp::from_seconds(160));
        assert!(
            !reveal_due(&j, 101),
            "a sealed attestation may still be opened"
        );
        assert!(reveal_due(&j, 161), "the reveal window closed");
        let j = job_with(Some(decoy(Some(1), None)), [true, true], 100);
        assert_eq!(view_for(&j, &seal), DecoyView::Designated(Tree::True));
        assert!(reveal_due(&j, 50), "everyone attested");
        let mut j = job_with(Some(decoy(Some(1), Some(1))), [true, true], 100);
        assert_eq!(view_for(&j, &seal), DecoyView::Open);
        assert!(!reveal_due(&j, 50), "revealed already");
        j.verification.as_mut().unwrap().decoy = Some(decoy(Some(1), None));
        j.status = JobStatus::Settled;
        assert_eq!(view_for(&j, &seal), DecoyView::Open);
        assert!(!reveal_due(&j, 50));
        assert_eq!(seal.submitted(), Tree::False);
        assert_eq!(seal.submitted_root(), "bb".repeat(32));
    }
}
