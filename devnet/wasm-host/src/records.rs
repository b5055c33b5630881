//! The wasm module's records and key layout, after wasmd's `x/wasm/types/keys.go`:
//!
//! | key (inside `wasm/`)            | value                          |
//! |---------------------------------|--------------------------------|
//! | `0x01 ‖ code_id (u64 BE)`       | [`CodeInfo`]                   |
//! | `0x02 ‖ contract address bytes` | [`ContractInfo`]               |
//! | `0x03 ‖ contract address bytes ‖ key` | the contract's own state |
//! | `0x04 ‖ "lastCodeId"` / `"lastContractId"` | next id (u64 BE)    |
//! | `0x07 ‖ code_id`                | pinned marker                  |
//!
//! Records are JSON here, where wasmd uses protobuf; the node's gRPC layer
//! converts them to the `cosmwasm.wasm.v1` types on the way out.

use cosmwasm_std::{Addr, Checksum};
use serde::{Deserialize, Serialize};

use crate::error::HostError;
use crate::metered::ModuleStore;

pub type CodeId = u64;

const CODE_PREFIX: u8 = 0x01;
const CONTRACT_PREFIX: u8 = 0x02;
pub(crate) const CONTRACT_STORE_PREFIX: u8 = 0x03;
const SEQUENCE_PREFIX: u8 = 0x04;
const PINNED_CODE_PREFIX: u8 = 0x07;

const SEQUENCE_CODE_ID: &[u8] = b"lastCodeId";
const SEQUENCE_INSTANCE_ID: &[u8] = b"lastContractId";

/// A stored code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeInfo {
    pub code_id: CodeId,
    /// sha256 of the Wasm bytes.
    pub checksum: Checksum,
    pub creator: Addr,
    /// Size of the Wasm bytes.
    pub size: u64,
}

/// Block height and transaction index at which something happened (wasmd's `AbsoluteTxPosition`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxPosition {
    pub block_height: u64,
    pub tx_index: u64,
}

/// An instantiated contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractInfo {
    pub address: Addr,
    pub code_id: CodeId,
    pub creator: Addr,
    pub admin: Option<Addr>,
    pub label: String,
    pub created: TxPosition,
}

fn code_key(code_id: CodeId) -> Vec<u8> {
    let mut k = vec![CODE_PREFIX];
    k.extend_from_slice(&code_id.to_be_bytes());
    k
}

fn contract_key(contract_raw: &[u8]) -> Vec<u8> {
    let mut k = vec![CONTRACT_PREFIX];
    k.extend_from_slice(contract_raw);
    k
}

fn pinned_key(code_id: CodeId) -> Vec<u8> {
    let mut k = vec![PINNED_CODE_PREFIX];
    k.extend_from_slice(&code_id.to_be_bytes());
    k
}

fn sequence_key(name: &[u8]) -> Vec<u8> {
    let mut k = vec![SEQUENCE_PREFIX];
    k.extend_from_slice(name);
    k
}

/// The prefix of a contract's own state inside the wasm store.
pub fn contract_store_prefix(contract_raw: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + contract_raw.len());
    k.push(CONTRACT_STORE_PREFIX);
    k.extend_from_slice(contract_raw);
    k
}

/// Typed access to the wasm module's records.
pub struct WasmRecords<'a> {
    pub(crate) store: ModuleStore<'a>,
}

impl<'a> WasmRecords<'a> {
    pub fn new(store: ModuleStore<'a>) -> Self {
        WasmRecords { store }
    }

    fn next_id(&self, name: &[u8]) -> Result<u64, HostError> {
        let key = sequence_key(name);
        let id = match self.store.get(&key)? {
            Some(bytes) => u64::from_be_bytes(
                bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| HostError::Serialization("corrupt sequence".to_string()))?,
            ),
            None => 1,
        };
        self.store.set(&key, &(id + 1).to_be_bytes())?;
        Ok(id)
    }

    /// Takes the next code id (wasmd starts at 1).
    pub fn next_code_id(&self) -> Result<CodeId, HostError> {
        self.next_id(SEQUENCE_CODE_ID)
    }

    /// Takes the next contract instance id for classic addresses (wasmd starts at 1).
    pub fn next_instance_id(&self) -> Result<u64, HostError> {
        self.next_id(SEQUENCE_INSTANCE_ID)
    }

    pub fn code_info(&self, code_id: CodeId) -> Result<CodeInfo, HostError> {
        match self.store.get(&code_key(code_id))? {
            Some(v) => Ok(serde_json::from_slice(&v)?),
            None => Err(HostError::NoSuchCode(code_id)),
        }
    }

    pub fn save_code_info(&self, info: &CodeInfo) -> Result<(), HostError> {
        self.store
            .set(&code_key(info.code_id), &serde_json::to_vec(info)?)?;
        Ok(())
    }

    pub fn contract_info(
        &self,
        contract_raw: &[u8],
        address: &Addr,
    ) -> Result<ContractInfo, HostError> {
        match self.store.get(&contract_key(contract_raw))? {
            Some(v) => Ok(serde_json::from_slice(&v)?),
            None => Err(HostError::NoSuchContract(address.to_string())),
        }
    }

    pub fn has_contract(&self, contract_raw: &[u8]) -> Result<bool, HostError> {
        Ok(self.store.has(&contract_key(contract_raw))?)
    }

    pub fn save_contract_info(
        &self,
        contract_raw: &[u8],
        info: &ContractInfo,
    ) -> Result<(), HostError> {
        self.store
            .set(&contract_key(contract_raw), &serde_json::to_vec(info)?)?;
        Ok(())
    }

    pub fn is_pinned(&self, code_id: CodeId) -> Result<bool, HostError> {
        Ok(self.store.has(&pinned_key(code_id))?)
    }

    pub fn set_pinned(&self, code_id: CodeId, pinned: bool) -> Result<(), HostError> {
        if pinned {
            self.store.set(&pinned_key(code_id), &[1])?;
        } else {
            self.store.remove(&pinned_key(code_id))?;
        }
        Ok(())
    }

    /// A raw read of a contract's state (wasmd `QueryRaw`).
    pub fn contract_state(
        &self,
        contract_raw: &[u8],
        key: &[u8],
    ) -> Result<Option<Vec<u8>>, HostError> {
        let mut k = contract_store_prefix(contract_raw);
        k.extend_from_slice(key);
        Ok(self.store.get(&k)?)
    }
}
