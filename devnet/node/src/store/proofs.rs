//! ICS-23 proofs for `abci_query` with `prove=true` on `store/<module>/key`.
//!
//! The devnet keeps its modules in one Jellyfish Merkle tree whose root is
//! the app hash, with each module's keys under a namespace (`acc/`, `bank/`,
//! `wasm/`). The exception is IBC, whose paths other chains verify under a
//! commitment prefix: its keys live in a substore tree whose root the main
//! tree holds under `ibc` ([`crate::store`]), so a `store/ibc/key` proof is
//! two `ProofOp`s, the path in the substore, then the root in the main tree,
//! checked with [`ibc_proof_specs`]. Any other proof is one CometBFT
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
/// (auth's `acc/`, the bank's `bank/`, the wasm host's `wasm/`, the IBC
/// substore's `ibc/`) and the key.
pub fn store_key(path: &str, key: &[u8]) -> Option<Vec<u8>> {
    let module = path.strip_prefix("store/")?.strip_suffix("/key")?;
    let namespace: &[u8] = match module {
        "acc" | "auth" => b"acc/",
        "bank" => b"bank/",
        "wasm" => b"wasm/",
        "ibc" => b"ibc/",
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
    let differs = || {
        anyhow!(
            "the proven value of {} differs from the answer",
            hex::encode(&full)
        )
    };
    let op = |key: &[u8], proof: &ics23::CommitmentProof| ProofOp {
        field_type: PROOF_OP_TYPE.to_string(),
        key: key.to_vec(),
        data: proof.encode_to_vec(),
    };
    if let Some((name, inner)) = crate::store::substore_of(&full) {
        // The key in its substore, then the substore's root in the main tree.
        let (value, [inner_proof, outer_proof]) =
            db.get_with_substore_proof(name, inner, height)?;
        if value.as_deref().unwrap_or_default() != answered {
            return Err(differs());
        }
        return Ok(Some(ProofOps {
            ops: vec![op(inner, &inner_proof), op(name.as_bytes(), &outer_proof)],
        }));
    }
    let (value, proof) = db.get_with_proof(&full, height)?;
    if value.as_deref().unwrap_or_default() != answered {
        return Err(differs());
    }
    Ok(Some(ProofOps {
        ops: vec![op(&full, &proof)],
    }))
}

/// The proof specs a relayer or light client verifies the devnet's state
/// with, outermost last as in an SDK chain's `proof_specs`: the substore's
/// tree, then the main tree (both Jellyfish Merkle trees, jmt's spec).
pub fn ibc_proof_specs() -> Vec<ics23::ProofSpec> {
    vec![proof_spec(), proof_spec()]
}

/// [`ibc_proof_specs`] as the JSON a relayer's chain config takes (Hermes'
/// `proof-specs`): protobuf field names, enums as numbers, bytes in base64.
/// `devnet/chain/proof-specs.json` holds it; a test keeps the two equal.
pub fn ibc_proof_specs_json() -> serde_json::Value {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let specs: Vec<serde_json::Value> = ibc_proof_specs()
        .iter()
        .map(|spec| {
            let leaf = spec.leaf_spec.clone().unwrap_or_default();
            let inner = spec.inner_spec.clone().unwrap_or_default();
            serde_json::json!({
                "leaf_spec": {
                    "hash": leaf.hash,
                    "prehash_key": leaf.prehash_key,
                    "prehash_value": leaf.prehash_value,
                    "length": leaf.length,
                    "prefix": b64(&leaf.prefix),
                },
                "inner_spec": {
                    "child_order": inner.child_order,
                    "child_size": inner.child_size,
                    "min_prefix_length": inner.min_prefix_length,
                    "max_prefix_length": inner.max_prefix_length,
                    "empty_child": b64(&inner.empty_child),
                    "hash": inner.hash,
                },
                "max_depth": spec.max_depth,
                "min_depth": spec.min_depth,
                "prehash_key_before_comparison": spec.prehash_key_before_comparison,
            })
        })
        .collect();
    serde_json::Value::Array(specs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_proof_specs_are_the_ones_the_node_proves_with() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../chain/proof-specs.json");
        let expected = ibc_proof_specs_json();
        let published: serde_json::Value = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        if published != expected {
            if std::env::var_os("STARMINER_BLESS").is_some() {
                let mut text = serde_json::to_string_pretty(&expected).unwrap();
                text.push('\n');
                std::fs::write(&path, text).unwrap();
                return;
            }
            panic!(
                "{} is stale: rerun with STARMINER_BLESS=1 to rewrite it",
                path.display()
            );
        }
        // Two levels: the IBC substore, then the main tree, both jmt's.
        assert_eq!(expected.as_array().unwrap().len(), 2);
        assert_eq!(
            expected[0]["leaf_spec"]["prehash_key"], 1,
            "sha256 of the key"
        );
        assert_eq!(expected[0]["prehash_key_before_comparison"], true);
    }
}
