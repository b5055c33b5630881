//! Signatures verified once, off the application thread.
//!
//! Checking a secp256k1 signature is the most expensive step of CheckTx.
//! The RPC threads that receive a broadcast verify its signatures first
//! ([`preverify`]), against the signer's account as last committed, and
//! remember each good one by the hash of (public key, sign bytes,
//! signature). The ante handler on the application thread computes the same
//! key from the state it runs on; a remembered key means that exact
//! signature over those exact bytes is valid, so it skips the curve
//! arithmetic. A guess the RPC thread got wrong (an account number not yet
//! committed, say) only costs a miss: the ante verifies it itself.
//!
//! DeliverTx takes the entry out, so a transaction's signature is verified
//! once between broadcast and block.

use std::collections::HashSet;
use std::sync::Mutex;

use cosmos_sdk_proto::cosmos::auth::v1beta1::BaseAccount;
use cosmos_sdk_proto::cosmos::crypto::secp256k1::PubKey;
use cosmos_sdk_proto::cosmos::tx::v1beta1::SignDoc;
use prost::Message;
use sha2::{Digest, Sha256};

use crate::app::tx::DecodedTx;
use crate::crypto;
use crate::modules::auth;
use crate::store::ChainDb;

/// The key a verified signature is remembered by.
pub fn sig_key(pubkey: &[u8], sign_doc: &[u8], sig: &[u8]) -> [u8; 32] {
    Sha256::new()
        .chain_update((pubkey.len() as u32).to_be_bytes())
        .chain_update(pubkey)
        .chain_update((sign_doc.len() as u32).to_be_bytes())
        .chain_update(sign_doc)
        .chain_update(sig)
        .finalize()
        .into()
}

/// Verified signatures, shared by the RPC threads and the application thread.
pub struct SigCache {
    verified: Mutex<HashSet<[u8; 32]>>,
    /// At most this many remembered signatures; a full cache starts over,
    /// which only costs re-verification.
    capacity: usize,
}

impl SigCache {
    pub fn new(capacity: usize) -> Self {
        SigCache {
            verified: Mutex::default(),
            capacity,
        }
    }

    fn set(&self) -> std::sync::MutexGuard<'_, HashSet<[u8; 32]>> {
        // A panic while holding the lock cannot leave the set inconsistent.
        self.verified.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn insert(&self, key: [u8; 32]) {
        let mut set = self.set();
        if set.len() >= self.capacity {
            set.clear();
        }
        set.insert(key);
    }

    pub fn contains(&self, key: &[u8; 32]) -> bool {
        self.set().contains(key)
    }

    /// Removes `key`; whether it was there.
    pub fn take(&self, key: &[u8; 32]) -> bool {
        self.set().remove(key)
    }

    /// Checks a signature, remembering it when it is good.
    pub fn verify(&self, pubkey: &[u8], sign_doc: &[u8], sig: &[u8]) -> bool {
        let key = sig_key(pubkey, sign_doc, sig);
        if self.contains(&key) {
            return true;
        }
        let ok = crypto::verify_secp256k1(pubkey, sign_doc, sig);
        if ok {
            self.insert(key);
        }
        ok
    }
}

/// Verifies a broadcast transaction's SIGN_MODE_DIRECT signatures against
/// the committed accounts of its signers, remembering the good ones. Says
/// nothing about the transaction: anything it cannot read or check is left
/// to CheckTx.
pub fn preverify(db: &ChainDb, chain_id: &str, cache: &SigCache, tx: &[u8]) {
    let Ok(tx) = DecodedTx::decode(tx) else {
        return;
    };
    let signers = tx.signers();
    if signers.len() != tx.signatures.len() || signers.len() != tx.auth_info.signer_infos.len() {
        return;
    }
    let (Ok(Some(version)), Ok(reader)) = (db.latest_height(), db.reader()) else {
        return;
    };
    for (i, signer) in signers.iter().enumerate() {
        let Ok((_, raw)) = bech32::decode(signer) else {
            return;
        };
        let Some(account) = reader
            .get(&auth::account_store_key(&raw), version)
            .and_then(|v| BaseAccount::decode(v.as_slice()).ok())
        else {
            return;
        };
        let pubkey = tx.auth_info.signer_infos[i]
            .public_key
            .as_ref()
            .or(account.pub_key.as_ref())
            .and_then(|pk| PubKey::decode(pk.value.as_slice()).ok())
            .map(|pk| pk.key);
        let Some(pubkey) = pubkey else {
            return;
        };
        let sign_doc = SignDoc {
            body_bytes: tx.body_bytes.clone(),
            auth_info_bytes: tx.auth_info_bytes.clone(),
            chain_id: chain_id.to_string(),
            account_number: account.account_number,
        }
        .encode_to_vec();
        if !cache.verify(&pubkey, &sign_doc, &tx.signatures[i]) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::ecdsa::signature::Signer;
    use k256::ecdsa::{Signature, SigningKey};

    #[test]
    fn a_good_signature_is_remembered_and_a_bad_one_is_not() {
        let key = SigningKey::from_slice(&[7u8; 32]).unwrap();
        let pubkey = crypto::compressed_pubkey(&key);
        let doc = b"sign bytes".to_vec();
        let sig: Signature = key.sign(&doc);
        let sig = sig.to_bytes().to_vec();
        let cache = SigCache::new(16);

        let mut bad = sig.clone();
        bad[10] ^= 1;
        assert!(!cache.verify(&pubkey, &doc, &bad));
        assert!(!cache.contains(&sig_key(&pubkey, &doc, &bad)));

        assert!(cache.verify(&pubkey, &doc, &sig));
        let k = sig_key(&pubkey, &doc, &sig);
        assert!(cache.contains(&k));
        // Other bytes under the same signature are a different key.
        assert!(!cache.contains(&sig_key(&pubkey, b"other bytes", &sig)));
        assert!(cache.take(&k));
        assert!(!cache.take(&k));
    }
}
