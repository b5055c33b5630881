//! ICS-23 proofs for `abci_query` with `prove=true` on `store/<module>/key`.
//!
//! The devnet keeps all modules in one Jellyfish Merkle tree whose root is
//! the app hash (no multistore above it), with each module's keys under a
//! namespace (`acc/`, `bank/`, `wasm/`). A proof is therefore one CometBFT
//! `ProofOp`: type [`PROOF_OP_TYPE`], key the full tree key (namespace ‖ key),
//! data the protobuf `ics23.CommitmentProof` — an existence proof when the key
//! has a value, a non-existence proof (the neighbouring keys) when not. It
//! verifies with the `ics23` crate under [`proof_spec`] (jmt's: sha256 leaves
//! and inner nodes, key and value prehashed with sha256) against the app hash
//! of the header at the answer's height + 1, as with CometBFT.

use anyhow::{anyhow, Result};
use prost::Message;
use tendermint::merkle::proof::{ProofOp, ProofOps};

use crate::store::ChainDb;

/// The `ProofOp` type of a proof in the devnet's state tree.
pub const PROOF_OP_TYPE: &str = "ics23:jmt";

/// The ICS-23 proof spec of the state tree.
pub fn proof_spec() -> ics23::ProofSpec {
    jmt::ics23_spec()
}

/// The tree key that `store/<module>/key` reads: the module's namespace
/// (the same table as `App::query_store`) and the key.
pub fn store_key(path: &str, key: &[u8]) -> Option<Vec<u8>> {
    let module = path.strip_prefix("store/")?.strip_suffix("/key")?;
    let namespace: &[u8] = match module {
        "acc" | "auth" => crate::auth::AUTH_STORE,
        "bank" => b"bank/",
        "wasm" => b"wasm/",
        _ => return None,
    };
    let mut full = namespace.to_vec();
    full.extend_from_slice(key);
    Some(full)
}

/// The proof of a `store/<module>/key` answer at `height`, or `None` for
/// paths without one (gRPC method paths are answered unproven, as by the SDK).
/// Fails if the proven value differs from `answered` (the two reads disagree).
pub fn store_proof(
    db: &ChainDb,
    path: &str,
    key: &[u8],
    height: u64,
    answered: &[u8],
) -> Result<Option<ProofOps>> {
    let Some(full) = store_key(path, key) else {
        return Ok(None);
    };
    if full.is_empty() {
        return Ok(None);
    }
    let (value, proof) = db.get_with_proof(&full, height)?;
    if value.as_deref().unwrap_or_default() != answered {
        return Err(anyhow!(
            "the proven value of {} differs from the answer",
            hex::encode(&full)
        ));
    }
    Ok(Some(ProofOps {
        ops: vec![ProofOp {
            field_type: PROOF_OP_TYPE.to_string(),
            key: full,
            data: proof.encode_to_vec(),
        }],
    }))
}
