//! The Merkle commitment of a job's output.
//!
//! A provider splits its output into fixed-size chunks (the template fixes the
//! size; the last chunk may be shorter), hashes each chunk into a leaf, and
//! commits to the root of a binary SHA-256 tree over the leaves. Verifiers and
//! the job market check single chunks against that root with a proof of
//! `ceil(log2(n))` sibling hashes at most.
//!
//! The same code runs in the contracts (wasm) and in the provider agent, so a
//! proof the agent produces is, byte for byte, what the chain verifies.
//!
//! Construction (chosen to avoid the known pitfalls of Bitcoin-style trees):
//! - leaves and inner nodes are domain-separated: `leaf = H(0x00 ‖ chunk)`,
//!   `node = H(0x01 ‖ left ‖ right)`, so no inner node can pose as a leaf;
//! - an odd node at the end of a level is promoted unchanged to the next level
//!   (never paired with a copy of itself), so two different leaf lists can
//!   never share a root;
//! - the leaf count is part of every proof check, so a proof cannot be
//!   replayed against a tree of another shape.

#![no_std]
extern crate alloc;

use alloc::vec::Vec;
use sha2::{Digest, Sha256};

/// A SHA-256 digest.
pub type Hash = [u8; 32];

const LEAF_PREFIX: u8 = 0x00;
const NODE_PREFIX: u8 = 0x01;

/// Hash of one output chunk as a leaf of the tree.
pub fn leaf_hash(chunk: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([LEAF_PREFIX]);
    h.update(chunk);
    h.finalize().into()
}

/// Hash of an inner node from its two children.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([NODE_PREFIX]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Number of chunks an output of `len` bytes has at `chunk_size` bytes per
/// chunk. An empty output still has one (empty) chunk so that it has a root.
pub fn chunk_count(len: u64, chunk_size: u64) -> u64 {
    if chunk_size == 0 {
        return 0;
    }
    len.div_ceil(chunk_size).max(1)
}

/// Why a proof was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofError {
    /// The tree has no leaves.
    EmptyTree,
    /// The index is not a leaf of a tree with this many leaves.
    IndexOutOfRange { index: u64, leaf_count: u64 },
    /// The proof has the wrong number of sibling hashes for this position.
    WrongLength { expected: usize, got: usize },
    /// The hashes do not lead to the committed root.
    RootMismatch,
}

impl core::fmt::Display for ProofError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ProofError::EmptyTree => write!(f, "a Merkle tree needs at least one leaf"),
            ProofError::IndexOutOfRange { index, leaf_count } => {
                write!(
                    f,
                    "chunk {index} does not exist: the output has {leaf_count} chunks"
                )
            }
            ProofError::WrongLength { expected, got } => write!(
                f,
                "proof has {got} sibling hashes, this position needs {expected}"
            ),
            ProofError::RootMismatch => write!(f, "proof does not lead to the committed root"),
        }
    }
}

/// How many sibling hashes the proof of leaf `index` carries in a tree of
/// `leaf_count` leaves (promoted odd nodes have no sibling on that level).
pub fn proof_len(mut index: u64, mut leaf_count: u64) -> usize {
    let mut len = 0;
    while leaf_count > 1 {
        let has_sibling = index ^ 1 < leaf_count;
        if has_sibling {
            len += 1;
        }
        index /= 2;
        leaf_count = leaf_count.div_ceil(2);
    }
    len
}

/// The root that `leaf`, as leaf number `index` of a tree with `leaf_count`
/// leaves, and its siblings from the bottom level up lead to. Two trees of
/// the same size that share one leaf's siblings differ at most at that leaf.
pub fn root_from_proof(
    leaf_count: u64,
    index: u64,
    leaf: &Hash,
    siblings: &[Hash],
) -> Result<Hash, ProofError> {
    if leaf_count == 0 {
        return Err(ProofError::EmptyTree);
    }
    if index >= leaf_count {
        return Err(ProofError::IndexOutOfRange { index, leaf_count });
    }
    let expected = proof_len(index, leaf_count);
    if siblings.len() != expected {
        return Err(ProofError::WrongLength {
            expected,
            got: siblings.len(),
        });
    }
    let mut acc = *leaf;
    let (mut i, mut n) = (index, leaf_count);
    // `siblings` has exactly as many items as levels with a sibling.
    let mut next = siblings.iter();
    while n > 1 {
        if i ^ 1 < n {
            if let Some(sib) = next.next() {
                acc = if i % 2 == 0 {
                    node_hash(&acc, sib)
                } else {
                    node_hash(sib, &acc)
                };
            }
        }
        i /= 2;
        n = n.div_ceil(2);
    }
    Ok(acc)
}

/// Checks that `leaf` is leaf number `index` of the tree with `leaf_count`
/// leaves and root `root`, given the siblings from the bottom level up.
pub fn verify_proof(
    root: &Hash,
    leaf_count: u64,
    index: u64,
    leaf: &Hash,
    siblings: &[Hash],
) -> Result<(), ProofError> {
    if &root_from_proof(leaf_count, index, leaf, siblings)? == root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// A whole tree kept in memory, level by level, to serve proofs for any chunk.
/// Memory: about 2·n hashes for n leaves (64 bytes per chunk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerkleTree {
    /// `levels[0]` are the leaves, the last level holds only the root.
    levels: Vec<Vec<Hash>>,
}

impl MerkleTree {
    /// Builds the tree over already-hashed leaves. `None` for no leaves.
    pub fn from_leaves(leaves: Vec<Hash>) -> Option<Self> {
        if leaves.is_empty() {
            return None;
        }
        let mut levels = alloc::vec![leaves];
        while let Some(level) = levels.last().filter(|l| l.len() > 1) {
            let parent = level
                .chunks(2)
                .map(|pair| match pair {
                    [l, r] => node_hash(l, r),
                    [odd] => *odd,
                    _ => unreachable!("chunks(2) yields one or two items"),
                })
                .collect();
            levels.push(parent);
        }
        Some(MerkleTree { levels })
    }

    /// Chunks `data` at `chunk_size` bytes and builds the tree. `None` when
    /// `chunk_size` is zero.
    pub fn from_data(data: &[u8], chunk_size: usize) -> Option<Self> {
        if chunk_size == 0 {
            return None;
        }
        let leaves = if data.is_empty() {
            alloc::vec![leaf_hash(&[])]
        } else {
            data.chunks(chunk_size).map(leaf_hash).collect()
        };
        Self::from_leaves(leaves)
    }

    pub fn root(&self) -> Hash {
        // from_leaves guarantees a last level with one element.
        self.levels[self.levels.len() - 1][0]
    }

    pub fn leaf_count(&self) -> u64 {
        self.levels[0].len() as u64
    }

    pub fn leaf(&self, index: u64) -> Option<&Hash> {
        self.levels[0].get(usize::try_from(index).ok()?)
    }

    /// Sibling hashes from the leaf up; `None` when `index` is out of range.
    pub fn proof(&self, index: u64) -> Option<Vec<Hash>> {
        let mut i = usize::try_from(index).ok()?;
        if i >= self.levels[0].len() {
            return None;
        }
        let mut siblings = Vec::with_capacity(self.levels.len());
        for level in &self.levels[..self.levels.len() - 1] {
            if let Some(sib) = level.get(i ^ 1) {
                siblings.push(*sib);
            }
            i /= 2;
        }
        Some(siblings)
    }
}

/// Computes the root from leaves streamed in order with O(log n) memory, for
/// outputs too large to keep every leaf. Gives the same root as
/// [`MerkleTree`].
#[derive(Debug, Default, Clone)]
pub struct RootBuilder {
    /// `stack[k]` holds a finished subtree of 2^k leaves waiting for its pair.
    stack: Vec<Option<Hash>>,
    count: u64,
}

impl RootBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push_leaf(&mut self, leaf: Hash) {
        let mut carry = leaf;
        let mut level = 0;
        loop {
            if level == self.stack.len() {
                self.stack.push(Some(carry));
                break;
            }
            match self.stack[level].take() {
                Some(left) => {
                    carry = node_hash(&left, &carry);
                    level += 1;
                }
                None => {
                    self.stack[level] = Some(carry);
                    break;
                }
            }
        }
        self.count += 1;
    }

    pub fn leaf_count(&self) -> u64 {
        self.count
    }

    /// The root, or `None` when no leaf was pushed. Pending subtrees of
    /// different sizes are joined from the smallest up, which is exactly how
    /// the level-by-level tree promotes and pairs its odd nodes.
    pub fn finish(&self) -> Option<Hash> {
        let mut acc: Option<Hash> = None;
        for slot in self.stack.iter() {
            match (slot, acc) {
                (Some(left), Some(right)) => acc = Some(node_hash(left, &right)),
                (Some(h), None) => acc = Some(*h),
                (None, _) => {}
            }
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(&(i as u64).to_le_bytes()))
            .collect()
    }

    #[test]
    fn single_leaf_is_its_own_root_with_empty_proof() {
        let t = MerkleTree::from_leaves(leaves(1)).unwrap();
        assert_eq!(t.root(), leaves(1)[0]);
        assert_eq!(t.proof(0).unwrap(), Vec::<Hash>::new());
        verify_proof(&t.root(), 1, 0, &leaves(1)[0], &[]).unwrap();
    }

    #[test]
    fn three_leaves_promote_the_odd_one() {
        let l = leaves(3);
        let t = MerkleTree::from_leaves(l.clone()).unwrap();
        assert_eq!(t.root(), node_hash(&node_hash(&l[0], &l[1]), &l[2]));
        assert_eq!(t.proof(2).unwrap(), vec![node_hash(&l[0], &l[1])]);
    }

    #[test]
    fn leaf_and_node_hashes_are_domain_separated() {
        let l = leaves(2);
        let mut concat = Vec::new();
        concat.extend_from_slice(&l[0]);
        concat.extend_from_slice(&l[1]);
        assert_ne!(leaf_hash(&concat), node_hash(&l[0], &l[1]));
    }

    #[test]
    fn empty_output_has_one_empty_chunk() {
        assert_eq!(chunk_count(0, 64), 1);
        let t = MerkleTree::from_data(&[], 64).unwrap();
        assert_eq!(t.root(), leaf_hash(&[]));
        assert!(MerkleTree::from_data(b"x", 0).is_none());
    }

    #[test]
    fn wrong_index_length_and_root_are_told_apart() {
        let l = leaves(5);
        let t = MerkleTree::from_leaves(l.clone()).unwrap();
        let p = t.proof(1).unwrap();
        assert_eq!(
            verify_proof(&t.root(), 5, 5, &l[1], &p),
            Err(ProofError::IndexOutOfRange {
                index: 5,
                leaf_count: 5
            })
        );
        assert_eq!(
            verify_proof(&t.root(), 5, 1, &l[1], &p[1..]),
            Err(ProofError::WrongLength {
                expected: 3,
                got: 2
            })
        );
        assert_eq!(
            verify_proof(&t.root(), 5, 1, &l[2], &p),
            Err(ProofError::RootMismatch)
        );
        assert_eq!(
            verify_proof(&t.root(), 0, 0, &l[0], &[]),
            Err(ProofError::EmptyTree)
        );
    }

    proptest! {
        #[test]
        fn every_proof_verifies_and_any_flip_fails(n in 1usize..70, pick in 0usize..70, bit in 0usize..256) {
            let l = leaves(n);
            let t = MerkleTree::from_leaves(l.clone()).unwrap();
            let i = pick % n;
            let p = t.proof(i as u64).unwrap();
            prop_assert_eq!(p.len(), proof_len(i as u64, n as u64));
            prop_assert!(verify_proof(&t.root(), n as u64, i as u64, &l[i], &p).is_ok());
            // A tampered leaf never verifies.
            let mut bad = l[i];
            bad[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(verify_proof(&t.root(), n as u64, i as u64, &bad, &p).is_err());
            // Nor does a tampered sibling.
            if !p.is_empty() {
                let mut q = p.clone();
                let k = bit % q.len();
                q[k][bit / 8] ^= 1 << (bit % 8);
                prop_assert!(verify_proof(&t.root(), n as u64, i as u64, &l[i], &q).is_err());
            }
            // The proof of one leaf does not prove a neighbour.
            if n > 1 {
                let j = (i + 1) % n;
                prop_assert!(verify_proof(&t.root(), n as u64, j as u64, &l[i], &p).is_err());
            }
        }

        #[test]
        fn streaming_root_equals_tree_root(n in 1usize..300) {
            let l = leaves(n);
            let mut b = RootBuilder::new();
            for h in &l {
                b.push_leaf(*h);
            }
            prop_assert_eq!(b.leaf_count(), n as u64);
            prop_assert_eq!(b.finish().unwrap(), MerkleTree::from_leaves(l).unwrap().root());
        }

        #[test]
        fn different_leaf_lists_have_different_roots(n in 1usize..40, extra in 1usize..5) {
            // Appending leaves (even copies of the last one) changes the root.
            let l = leaves(n);
            let mut longer = l.clone();
            for _ in 0..extra {
                longer.push(*l.last().unwrap());
            }
            prop_assert_ne!(
                MerkleTree::from_leaves(l).unwrap().root(),
                MerkleTree::from_leaves(longer).unwrap().root()
            );
        }
    }
}
