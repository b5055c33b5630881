//! Keys: BIP-39 mnemonics, the Cosmos HD path, and an encrypted file keystore.
//!
//! A [`Key`] is the secp256k1 key at `m/44'/118'/0'/0/0` (coin type 118, as
//! Keplr, CosmJS and `wasmd keys` derive it) of a BIP-39 mnemonic with an
//! empty BIP-39 passphrase, so a mnemonic imported here gives the same address
//! as in any Cosmos wallet.
//!
//! # Keystore format
//!
//! A [`Keystore`] is a directory with one JSON file per key, `<name>.json`:
//!
//! ```json
//! { "version": 1, "name": "alice", "pubkey": "02ab…",
//!   "kdf": { "name": "scrypt", "log_n": 15, "r": 8, "p": 1, "salt": "…" },
//!   "cipher": { "name": "chacha20poly1305", "nonce": "…" },
//!   "ciphertext": "…" }
//! ```
//!
//! The mnemonic is encrypted with ChaCha20-Poly1305 under a 32-byte key
//! derived from the passphrase by scrypt (N = 2^15, r = 8, p = 1: about 32 MiB
//! and a fraction of a second, the same cost class as Ethereum's keystore)
//! with a fresh random 16-byte salt and 12-byte nonce per file. The public key
//! is stored in clear (so `list` and `show` need no passphrase) and bound to
//! the ciphertext as associated data, so a file whose public key was edited
//! fails to decrypt. A wrong passphrase fails authentication and is reported
//! as [`KeystoreError::WrongPassphrase`]. Files are written with mode 0600.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::ChaCha20Poly1305;
use cosmrs::crypto::secp256k1::SigningKey;
use cosmrs::crypto::PublicKey;
use cosmrs::AccountId;
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The Cosmos HD path (coin type 118, first account, first address).
pub const HD_PATH: &str = "m/44'/118'/0'/0/0";

/// A secp256k1 signing key. Its secret bytes are wiped when dropped.
pub struct Key {
    secret: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("pubkey", &hex::encode(self.public_key_bytes()))
            .finish_non_exhaustive()
    }
}

impl Clone for Key {
    fn clone(&self) -> Self {
        Key {
            secret: Zeroizing::new(*self.secret),
        }
    }
}

impl Key {
    /// The key of `mnemonic` (12 to 24 English BIP-39 words) at [`HD_PATH`].
    pub fn from_mnemonic(mnemonic: &str) -> Result<Key> {
        let m = bip39::Mnemonic::parse_normalized(mnemonic.trim()).map_err(|e| {
            anyhow::anyhow!("not a valid BIP-39 mnemonic ({e}): check the words and their order")
        })?;
        let seed = Zeroizing::new(m.to_seed(""));
        let path: bip32::DerivationPath = HD_PATH.parse().expect("the HD path literal parses");
        let xprv = bip32::XPrv::derive_from_path(seed.as_slice(), &path)
            .context("deriving the key at m/44'/118'/0'/0/0")?;
        let mut secret = Zeroizing::new([0u8; 32]);
        secret.copy_from_slice(&xprv.private_key().to_bytes());
        Ok(Key { secret })
    }

    /// A new random key and its 24-word mnemonic (write it down: it is the
    /// only way to recover the key).
    pub fn generate() -> Result<(Key, String)> {
        let mut entropy = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(entropy.as_mut_slice());
        let mnemonic = bip39::Mnemonic::from_entropy(entropy.as_slice())
            .context("making a mnemonic from 32 bytes of entropy")?
            .to_string();
        let key = Key::from_mnemonic(&mnemonic)?;
        Ok((key, mnemonic))
    }

    /// The cosmrs signing key.
    pub fn signing_key(&self) -> SigningKey {
        SigningKey::from_slice(self.secret.as_slice()).expect("32 valid secret bytes")
    }

    pub fn public_key(&self) -> PublicKey {
        self.signing_key().public_key()
    }

    /// The 33-byte compressed public key.
    pub fn public_key_bytes(&self) -> Vec<u8> {
        self.public_key().to_bytes()
    }

    /// The account address under bech32 `prefix`.
    pub fn account_id(&self, prefix: &str) -> Result<AccountId> {
        self.public_key()
            .account_id(prefix)
            .map_err(|e| anyhow::anyhow!("address with prefix `{prefix}`: {e}"))
    }

    pub fn address(&self, prefix: &str) -> Result<String> {
        Ok(self.account_id(prefix)?.to_string())
    }
}

/// The address of a compressed secp256k1 public key under `prefix`.
pub fn address_of_pubkey(pubkey: &[u8], prefix: &str) -> Result<String> {
    let pk: PublicKey = cosmrs::tendermint::PublicKey::from_raw_secp256k1(pubkey)
        .ok_or_else(|| anyhow::anyhow!("not a secp256k1 public key"))?
        .into();
    Ok(pk
        .account_id(prefix)
        .map_err(|e| anyhow::anyhow!("address with prefix `{prefix}`: {e}"))?
        .to_string())
}

/// Keystore failures a caller may want to tell apart.
#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    #[error("wrong passphrase for key `{name}`: try again (the passphrase is the one given when the key was added)")]
    WrongPassphrase { name: String },
    #[error("no key named `{name}` in {dir}: add one with `starminer keys add {name}` or list them with `starminer keys list`")]
    NotFound { name: String, dir: String },
    #[error("a key named `{name}` already exists in {dir}: pick another name or delete {dir}/{name}.json first")]
    Exists { name: String, dir: String },
    #[error("invalid key name `{0}`: use 1-64 characters of a-z, A-Z, 0-9, '-' and '_'")]
    InvalidName(String),
}

/// scrypt parameters of new files (see the module docs).
const SCRYPT_LOG_N: u8 = 15;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;
const AAD_PREFIX: &str = "starminer-keystore-v1:";

#[derive(Serialize, Deserialize)]
struct KdfParams {
    name: String,
    log_n: u8,
    r: u32,
    p: u32,
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct CipherParams {
    name: String,
    nonce: String,
}

#[derive(Serialize, Deserialize)]
struct KeyFile {
    version: u32,
    name: String,
    pubkey: String,
    kdf: KdfParams,
    cipher: CipherParams,
    ciphertext: String,
}

/// A key as listed: its name and public key (no secret involved).
#[derive(Clone, Debug, Serialize)]
pub struct KeyInfo {
    pub name: String,
    /// Hex of the 33-byte compressed public key.
    pub pubkey: String,
}

impl KeyInfo {
    pub fn address(&self, prefix: &str) -> Result<String> {
        let raw = hex::decode(&self.pubkey).context("keystore public key is not hex")?;
        address_of_pubkey(&raw, prefix)
    }
}

/// A directory of passphrase-encrypted mnemonics (see the module docs).
#[derive(Clone, Debug)]
pub struct Keystore {
    dir: PathBuf,
    log_n: u8,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn derive_key(
    passphrase: &str,
    salt: &[u8],
    log_n: u8,
    r: u32,
    p: u32,
) -> Result<Zeroizing<[u8; 32]>> {
    let params = scrypt::Params::new(log_n, r, p, 32)
        .map_err(|e| anyhow::anyhow!("invalid scrypt parameters: {e}"))?;
    let mut out = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(passphrase.as_bytes(), salt, &params, out.as_mut_slice())
        .map_err(|e| anyhow::anyhow!("scrypt: {e}"))?;
    Ok(out)
}

impl Keystore {
    /// Opens (creating if needed) the keystore directory.
    pub fn open(dir: impl AsRef<Path>) -> Result<Keystore> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir)
            .with_context(|| format!("creating the keystore directory {}", dir.display()))?;
        Ok(Keystore {
            dir,
            log_n: SCRYPT_LOG_N,
        })
    }

    /// A cheaper scrypt cost for new files (tests only: 2^log_n).
    pub fn with_scrypt_log_n(mut self, log_n: u8) -> Self {
        self.log_n = log_n;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, name: &str) -> Result<PathBuf> {
        if !valid_name(name) {
            return Err(KeystoreError::InvalidName(name.to_string()).into());
        }
        Ok(self.dir.join(format!("{name}.json")))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.path(name).map(|p| p.exists()).unwrap_or(false)
    }

    /// Encrypts `mnemonic` under `passphrase` as key `name`; returns the key.
    /// Fails if the name is taken or the mnemonic is invalid.
    pub fn import(&self, name: &str, mnemonic: &str, passphrase: &str) -> Result<Key> {
        let path = self.path(name)?;
        if path.exists() {
            return Err(KeystoreError::Exists {
                name: name.to_string(),
                dir: self.dir.display().to_string(),
            }
            .into());
        }
        let key = Key::from_mnemonic(mnemonic)?;
        let pubkey = hex::encode(key.public_key_bytes());
        let mut salt = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let secret = derive_key(passphrase, &salt, self.log_n, SCRYPT_R, SCRYPT_P)?;
        let cipher = ChaCha20Poly1305::new(&chacha20poly1305::Key::from(*secret));
        let aad = format!("{AAD_PREFIX}{pubkey}");
        let normalized = Zeroizing::new(
            bip39::Mnemonic::parse_normalized(mnemonic.trim())
                .expect("checked by Key::from_mnemonic")
                .to_string(),
        );
        let ciphertext = cipher
            .encrypt(
                &chacha20poly1305::Nonce::from(nonce),
                Payload {
                    msg: normalized.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| anyhow::anyhow!("encrypting the mnemonic failed"))?;
        let file = KeyFile {
            version: 1,
            name: name.to_string(),
            pubkey,
            kdf: KdfParams {
                name: "scrypt".into(),
                log_n: self.log_n,
                r: SCRYPT_R,
                p: SCRYPT_P,
                salt: hex::encode(salt),
            },
            cipher: CipherParams {
                name: "chacha20poly1305".into(),
                nonce: hex::encode(nonce),
            },
            ciphertext: hex::encode(ciphertext),
        };
        write_private(&path, &serde_json::to_vec_pretty(&file)?)?;
        Ok(key)
    }

    /// Generates a key, stores it as `name`; returns it with its mnemonic.
    pub fn generate(&self, name: &str, passphrase: &str) -> Result<(Key, String)> {
        let (_, mnemonic) = Key::generate()?;
        let key = self.import(name, &mnemonic, passphrase)?;
        Ok((key, mnemonic))
    }

    fn read(&self, name: &str) -> Result<KeyFile> {
        let path = self.path(name)?;
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(KeystoreError::NotFound {
                    name: name.to_string(),
                    dir: self.dir.display().to_string(),
                }
                .into())
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a StarMiner keystore file", path.display()))
    }

    /// The mnemonic of key `name` (decrypted with `passphrase`).
    pub fn mnemonic(&self, name: &str, passphrase: &str) -> Result<Zeroizing<String>> {
        let file = self.read(name)?;
        if file.version != 1 || file.kdf.name != "scrypt" || file.cipher.name != "chacha20poly1305"
        {
            anyhow::bail!(
                "key `{name}` uses an unknown keystore format (version {}, {} + {})",
                file.version,
                file.kdf.name,
                file.cipher.name
            );
        }
        let salt = hex::decode(&file.kdf.salt).context("keystore salt is not hex")?;
        let nonce = hex::decode(&file.cipher.nonce).context("keystore nonce is not hex")?;
        let nonce: [u8; 12] = nonce
            .try_into()
            .map_err(|_| anyhow::anyhow!("key `{name}`: the nonce must be 12 bytes"))?;
        let ciphertext = hex::decode(&file.ciphertext).context("keystore ciphertext is not hex")?;
        let secret = derive_key(passphrase, &salt, file.kdf.log_n, file.kdf.r, file.kdf.p)?;
        let cipher = ChaCha20Poly1305::new(&chacha20poly1305::Key::from(*secret));
        let aad = format!("{AAD_PREFIX}{}", file.pubkey);
        let plain = cipher
            .decrypt(
                &chacha20poly1305::Nonce::from(nonce),
                Payload {
                    msg: &ciphertext,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| KeystoreError::WrongPassphrase {
                name: name.to_string(),
            })?;
        let text = String::from_utf8(plain).context("decrypted mnemonic is not UTF-8")?;
        Ok(Zeroizing::new(text))
    }

    /// Key `name`, decrypted with `passphrase`.
    pub fn load(&self, name: &str, passphrase: &str) -> Result<Key> {
        let mnemonic = self.mnemonic(name, passphrase)?;
        let key = Key::from_mnemonic(&mnemonic)?;
        let file = self.read(name)?;
        if hex::encode(key.public_key_bytes()) != file.pubkey {
            anyhow::bail!(
                "key `{name}`: the decrypted mnemonic does not match the stored public key"
            );
        }
        Ok(key)
    }

    /// Name and public key of `name` (no passphrase needed).
    pub fn info(&self, name: &str) -> Result<KeyInfo> {
        let file = self.read(name)?;
        Ok(KeyInfo {
            name: file.name,
            pubkey: file.pubkey,
        })
    }

    /// Every key, by name.
    pub fn list(&self) -> Result<Vec<KeyInfo>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.dir)
            .with_context(|| format!("reading the keystore {}", self.dir.display()))?
        {
            let path = entry?.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".json"))
            else {
                continue;
            };
            if valid_name(name) {
                out.push(self.info(name)?);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const COSMJS_MNEMONIC: &str =
        "special sign fit simple patrol salute grocery chicken wheat radar tonight ceiling";

    #[test]
    fn one_mnemonic_one_address_under_any_prefix() {
        // The devnet test (tests/devnet.rs) checks the derivation against the
        // devnet's own, independent implementation.
        let key = Key::from_mnemonic(COSMJS_MNEMONIC).unwrap();
        let cosmos = key.address("cosmos").unwrap();
        let starminer = key.address("starminer").unwrap();
        assert!(cosmos.starts_with("cosmos1") && starminer.starts_with("starminer1"));
        let (_, a) = bech32::decode(&cosmos).unwrap();
        let (_, b) = bech32::decode(&starminer).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 20);
    }

    #[test]
    fn generated_mnemonics_round_trip() {
        let (key, mnemonic) = Key::generate().unwrap();
        assert_eq!(mnemonic.split(' ').count(), 24);
        let again = Key::from_mnemonic(&mnemonic).unwrap();
        assert_eq!(key.public_key_bytes(), again.public_key_bytes());
    }

    #[test]
    fn bad_mnemonics_are_refused() {
        assert!(Key::from_mnemonic("not a mnemonic at all").is_err());
        let swapped = COSMJS_MNEMONIC.replace("special sign", "sign special");
        assert!(Key::from_mnemonic(&swapped).is_err());
    }

    #[test]
    fn keystore_round_trip_and_wrong_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let ks = Keystore::open(dir.path()).unwrap().with_scrypt_log_n(10);
        let (key, mnemonic) = ks.generate("alice", "correct horse").unwrap();
        let loaded = ks.load("alice", "correct horse").unwrap();
        assert_eq!(loaded.public_key_bytes(), key.public_key_bytes());
        assert_eq!(*ks.mnemonic("alice", "correct horse").unwrap(), mnemonic);
        let err = ks.load("alice", "wrong horse").unwrap_err();
        assert!(matches!(
            err.downcast_ref::<KeystoreError>(),
            Some(KeystoreError::WrongPassphrase { .. })
        ));
        // The file holds no plaintext mnemonic.
        let text = std::fs::read_to_string(dir.path().join("alice.json")).unwrap();
        assert!(!text.contains(&mnemonic));
        // Names are unique; listing needs no passphrase.
        assert!(ks.import("alice", COSMJS_MNEMONIC, "x").is_err());
        ks.import("bob", COSMJS_MNEMONIC, "x").unwrap();
        let names: Vec<_> = ks.list().unwrap().into_iter().map(|k| k.name).collect();
        assert_eq!(names, ["alice", "bob"]);
        assert_eq!(
            ks.info("bob").unwrap().address("cosmos").unwrap(),
            Key::from_mnemonic(COSMJS_MNEMONIC)
                .unwrap()
                .address("cosmos")
                .unwrap()
        );
        assert!(matches!(
            ks.load("carol", "x")
                .unwrap_err()
                .downcast_ref::<KeystoreError>(),
            Some(KeystoreError::NotFound { .. })
        ));
        assert!(ks.import("../evil", COSMJS_MNEMONIC, "x").is_err());
    }

    #[test]
    fn a_tampered_public_key_fails_to_decrypt() {
        let dir = tempfile::tempdir().unwrap();
        let ks = Keystore::open(dir.path()).unwrap().with_scrypt_log_n(10);
        ks.import("k", COSMJS_MNEMONIC, "pw").unwrap();
        let path = dir.path().join("k.json");
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let other = Key::generate().unwrap().0;
        v["pubkey"] = hex::encode(other.public_key_bytes()).into();
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
        assert!(ks.load("k", "pw").is_err());
    }
}
