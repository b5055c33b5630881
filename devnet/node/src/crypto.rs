//! Keys: secp256k1 account keys from BIP-39 mnemonics (coin type 118),
//! Cosmos addresses, signature checks, and the validator's ed25519 key.

use anyhow::{anyhow, Context, Result};
use std::sync::LazyLock;

use k256::ecdsa::SigningKey;
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};

/// The Cosmos HD path of the first account (coin type 118).
pub const HD_PATH: &str = "m/44'/118'/0'/0/0";

/// The secp256k1 key of `mnemonic` at [`HD_PATH`] (empty BIP-39 passphrase).
pub fn key_from_mnemonic(mnemonic: &str) -> Result<SigningKey> {
    let mnemonic = bip39::Mnemonic::parse_normalized(mnemonic).context("invalid mnemonic")?;
    let seed = mnemonic.to_seed("");
    let path: bip32::DerivationPath = HD_PATH.parse().map_err(|e| anyhow!("{e}"))?;
    let xprv = bip32::XPrv::derive_from_path(seed, &path).map_err(|e| anyhow!("{e}"))?;
    Ok(xprv.private_key().clone())
}

/// The mnemonic of dev account `index`: 24 words from fixed entropy, so every
/// devnet has the same dev accounts and scripts can rely on them.
pub fn dev_mnemonic(index: u32) -> String {
    let entropy = Sha256::digest(format!("starminer devnet dev account {index}").as_bytes());
    bip39::Mnemonic::from_entropy(&entropy)
        .expect("32 bytes of entropy make a 24-word mnemonic")
        .to_string()
}

/// The 33-byte compressed public key.
pub fn compressed_pubkey(key: &SigningKey) -> Vec<u8> {
    key.verifying_key()
        .to_encoded_point(true)
        .as_bytes()
        .to_vec()
}

/// The account address bytes of a compressed secp256k1 public key:
/// ripemd160(sha256(pubkey)).
pub fn address_bytes(pubkey: &[u8]) -> Vec<u8> {
    Ripemd160::digest(Sha256::digest(pubkey)).to_vec()
}

/// Verifies a 64-byte `r ‖ s` secp256k1 signature over sha256(`msg`). Like the
/// Cosmos SDK, rejects high-S (malleable) signatures: libsecp256k1 accepts
/// only the lower-S form.
pub fn verify_secp256k1(pubkey: &[u8], msg: &[u8], signature: &[u8]) -> bool {
    static CONTEXT: LazyLock<secp256k1::Secp256k1<secp256k1::VerifyOnly>> =
        LazyLock::new(secp256k1::Secp256k1::verification_only);
    let Ok(key) = secp256k1::PublicKey::from_slice(pubkey) else {
        return false;
    };
    let Ok(sig) = secp256k1::ecdsa::Signature::from_compact(signature) else {
        return false;
    };
    let digest: [u8; 32] = Sha256::digest(msg).into();
    let Ok(message) = secp256k1::Message::from_slice(&digest) else {
        return false;
    };
    CONTEXT.verify_ecdsa(&message, &sig, &key).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::ecdsa::signature::Signer;
    use k256::ecdsa::Signature;

    #[test]
    fn known_mnemonic_derives_the_known_cosmos_address() {
        // The widely used test mnemonic of the cosmjs and wasmd docs; its
        // coin-type-118 address is the one below.
        let m = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
        let key = key_from_mnemonic(m).unwrap();
        let addr = address_bytes(&compressed_pubkey(&key));
        let hrp = bech32::Hrp::parse("cosmos").unwrap();
        let text = bech32::encode::<bech32::Bech32>(hrp, &addr).unwrap();
        assert_eq!(text, "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4");
    }

    #[test]
    fn dev_mnemonics_are_stable_and_distinct() {
        assert_eq!(dev_mnemonic(0), dev_mnemonic(0));
        assert_ne!(dev_mnemonic(0), dev_mnemonic(1));
        assert_eq!(dev_mnemonic(0).split(' ').count(), 24);
    }

    #[test]
    fn signatures_verify_and_tampering_fails() {
        let key = key_from_mnemonic(&dev_mnemonic(0)).unwrap();
        let sig: Signature = key.sign(b"sign doc");
        let pk = compressed_pubkey(&key);
        assert!(verify_secp256k1(&pk, b"sign doc", &sig.to_bytes()));
        assert!(!verify_secp256k1(&pk, b"sign dog", &sig.to_bytes()));
        assert!(!verify_secp256k1(&pk, b"sign doc", &[0u8; 64]));
        assert!(!verify_secp256k1(&pk[1..], b"sign doc", &sig.to_bytes()));
        assert!(!verify_secp256k1(&pk, b"sign doc", &sig.to_bytes()[..63]));
    }

    #[test]
    fn high_s_signatures_are_refused() {
        let key = key_from_mnemonic(&dev_mnemonic(1)).unwrap();
        let sig: Signature = key.sign(b"sign doc");
        let pk = compressed_pubkey(&key);
        // k256 signs lower-S; its mirror (r, n - s) is the same signature's
        // malleated form, valid on the curve but refused by the SDK.
        let (r, s) = sig.split_scalars();
        let high = Signature::from_scalars(r, -*s).unwrap();
        assert!(high.normalize_s().is_some(), "the mirror is high-S");
        assert!(verify_secp256k1(&pk, b"sign doc", &sig.to_bytes()));
        assert!(!verify_secp256k1(&pk, b"sign doc", &high.to_bytes()));
    }
}
