//! Addresses as a Cosmos SDK chain with wasmd has them: bech32 with the
//! chain's prefix over raw bytes (20 bytes for key accounts, 32 for
//! contracts and other derived module accounts), and wasmd's contract
//! address derivations.

use bech32::{Bech32, Hrp};
use cosmwasm_std::{instantiate2_address, Addr, CanonicalAddr};
use cosmwasm_vm::{BackendApi, BackendError, BackendResult, GasInfo};
use sha2::{Digest, Sha256};

use crate::error::HostError;

/// The Cosmos SDK's limit on address length in bytes.
const MAX_ADDRESS_LEN: usize = 255;

/// VM gas for the address callbacks, as wasmd v0.55 charges them: SDK gas
/// 5 (humanize), 4 (canonicalize) and their sum (validate), times
/// `DefaultGasMultiplier` (140_000).
const GAS_COST_HUMANIZE: u64 = 5 * 140_000;
const GAS_COST_CANONICALIZE: u64 = 4 * 140_000;
const GAS_COST_VALIDATE: u64 = GAS_COST_HUMANIZE + GAS_COST_CANONICALIZE;

/// The bech32 codec of one chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressCodec {
    hrp: Hrp,
}

impl AddressCodec {
    pub fn new(prefix: &str) -> Result<Self, HostError> {
        let hrp = Hrp::parse(prefix).map_err(|e| HostError::InvalidAddress {
            address: prefix.to_string(),
            reason: format!("invalid bech32 prefix: {e}"),
        })?;
        Ok(AddressCodec { hrp })
    }

    pub fn prefix(&self) -> &str {
        self.hrp.as_str()
    }

    /// Raw bytes → bech32 address.
    pub fn humanize(&self, canonical: &[u8]) -> Result<Addr, HostError> {
        if canonical.is_empty() || canonical.len() > MAX_ADDRESS_LEN {
            return Err(HostError::InvalidAddress {
                address: hex::encode(canonical),
                reason: format!(
                    "address length {} not in 1..={MAX_ADDRESS_LEN}",
                    canonical.len()
                ),
            });
        }
        let s = bech32::encode::<Bech32>(self.hrp, canonical).map_err(|e| {
            HostError::InvalidAddress {
                address: hex::encode(canonical),
                reason: e.to_string(),
            }
        })?;
        Ok(Addr::unchecked(s))
    }

    /// Bech32 address → raw bytes; the prefix must be this chain's.
    pub fn canonicalize(&self, human: &str) -> Result<Vec<u8>, HostError> {
        let invalid = |reason: String| HostError::InvalidAddress {
            address: human.to_string(),
            reason,
        };
        let (hrp, data) = bech32::decode(human).map_err(|e| invalid(e.to_string()))?;
        if hrp != self.hrp {
            return Err(invalid(format!(
                "wrong bech32 prefix: expected {}, got {}",
                self.hrp, hrp
            )));
        }
        if data.is_empty() || data.len() > MAX_ADDRESS_LEN {
            return Err(invalid(format!(
                "address length {} not in 1..={MAX_ADDRESS_LEN}",
                data.len()
            )));
        }
        Ok(data)
    }

    /// Validates that `human` is a normalized address of this chain, as
    /// wasmd's `addr_validate` (canonicalize, humanize, compare).
    pub fn validate(&self, human: &str) -> Result<Addr, HostError> {
        let canonical = self.canonicalize(human)?;
        let normalized = self.humanize(&canonical)?;
        if normalized.as_str() != human {
            return Err(HostError::InvalidAddress {
                address: human.to_string(),
                reason: "address is not normalized (use lowercase)".to_string(),
            });
        }
        Ok(normalized)
    }

    /// A deterministic 20-byte account address for a name: sha256(name)[..20].
    /// For tests and dev accounts whose keys do not matter.
    pub fn account_from_seed(&self, seed: &str) -> Addr {
        let hash = Sha256::digest(seed.as_bytes());
        self.humanize(&hash[..20])
            .expect("20 bytes always encode as bech32")
    }

    /// wasmd's classic contract address: `address.Module("wasm", code_id_be ‖ instance_id_be)`, 32 bytes.
    pub fn classic_contract_address(&self, code_id: u64, instance_id: u64) -> Addr {
        let mut key = Vec::with_capacity(16);
        key.extend_from_slice(&code_id.to_be_bytes());
        key.extend_from_slice(&instance_id.to_be_bytes());
        self.humanize(&module_address("wasm", &key))
            .expect("32 bytes always encode as bech32")
    }

    /// wasmd's predictable (instantiate2) address without the fixed-message option.
    pub fn instantiate2_contract_address(
        &self,
        checksum: &[u8],
        creator: &Addr,
        salt: &[u8],
    ) -> Result<Addr, HostError> {
        let creator_raw = CanonicalAddr::from(self.canonicalize(creator.as_str())?);
        let raw = instantiate2_address(checksum, &creator_raw, salt)
            .map_err(|e| HostError::InvalidRequest(format!("instantiate2 address: {e}")))?;
        self.humanize(raw.as_slice())
    }

    /// The address of a Cosmos SDK module account (`authtypes.NewModuleAddress`):
    /// sha256(name)[..20].
    pub fn module_account(&self, module_name: &str) -> Addr {
        let hash = Sha256::digest(module_name.as_bytes());
        self.humanize(&hash[..20])
            .expect("20 bytes always encode as bech32")
    }
}

/// The Cosmos SDK's `address.Module(name, key)`:
/// `sha256(sha256("module") ‖ name ‖ 0x00 ‖ key)`.
pub fn module_address(module_name: &str, key: &[u8]) -> [u8; 32] {
    let type_hash = Sha256::digest(b"module");
    let mut hasher = Sha256::new();
    hasher.update(type_hash);
    hasher.update(module_name.as_bytes());
    hasher.update([0u8]);
    hasher.update(key);
    hasher.finalize().into()
}

/// The VM's view of the address codec: the three address callbacks with
/// wasmd's gas costs.
#[derive(Clone, Debug)]
pub struct HostApi {
    codec: AddressCodec,
}

impl HostApi {
    pub fn new(codec: AddressCodec) -> Self {
        HostApi { codec }
    }
}

impl BackendApi for HostApi {
    fn addr_validate(&self, input: &str) -> BackendResult<()> {
        let gas = GasInfo::with_cost(GAS_COST_VALIDATE);
        match self.codec.validate(input) {
            Ok(_) => (Ok(()), gas),
            Err(e) => (Err(BackendError::user_err(e.to_string())), gas),
        }
    }

    fn addr_canonicalize(&self, human: &str) -> BackendResult<Vec<u8>> {
        let gas = GasInfo::with_cost(GAS_COST_CANONICALIZE);
        match self.codec.canonicalize(human) {
            Ok(raw) => (Ok(raw), gas),
            Err(e) => (Err(BackendError::user_err(e.to_string())), gas),
        }
    }

    fn addr_humanize(&self, canonical: &[u8]) -> BackendResult<String> {
        let gas = GasInfo::with_cost(GAS_COST_HUMANIZE);
        match self.codec.humanize(canonical) {
            Ok(addr) => (Ok(addr.into_string()), gas),
            Err(e) => (Err(BackendError::user_err(e.to_string())), gas),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_address_matches_wasmd_first_contract() {
        // wasmd's well-known address of code 1, instance 1 on a `wasm`-prefixed chain.
        let codec = AddressCodec::new("wasm").unwrap();
        assert_eq!(
            codec.classic_contract_address(1, 1).as_str(),
            "wasm14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s0phg4d"
        );
    }

    #[test]
    fn validate_round_trips_and_rejects_foreign_or_uppercase() {
        let codec = AddressCodec::new("starminer").unwrap();
        let alice = codec.account_from_seed("alice");
        assert_eq!(codec.validate(alice.as_str()).unwrap(), alice);
        assert_eq!(codec.canonicalize(alice.as_str()).unwrap().len(), 20);
        assert!(codec.validate(&alice.as_str().to_uppercase()).is_err());
        let other = AddressCodec::new("cosmos")
            .unwrap()
            .account_from_seed("alice");
        assert!(codec.validate(other.as_str()).is_err());
        assert!(codec.validate("starminer1").is_err());
    }
}
