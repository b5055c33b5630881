//! Module stores: a namespace of the state with the Cosmos SDK's KV gas
//! charged on every access.
//!
//! The state is one ordered key space in which each module (`wasm`, `bank`)
//! owns the keys under its namespace, as each module owns a store in the SDK's
//! multistore. The node's authenticated tree keeps the same keys, so a proof
//! for `wasm/ 0x03 ‖ contract ‖ key` proves a contract's raw state.

use std::cell::RefCell;

use cosmwasm_std::{Order, Record};

use crate::gas::{GasMeter, KvGasConfig, OutOfGas};
use crate::store::{KeyRange, KvStore, StateStack};

/// The namespace of the wasm module's store.
pub const WASM_STORE: &[u8] = b"wasm/";
/// The namespace of the bank module's store.
pub const BANK_STORE: &[u8] = b"bank/";

/// Full key of `key` in the store `namespace`.
pub fn namespaced(namespace: &[u8], key: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(namespace.len() + key.len());
    k.extend_from_slice(namespace);
    k.extend_from_slice(key);
    k
}

/// SDK gas of reading `key` → `value` (`gaskv.Get`).
pub fn read_cost(kv: &KvGasConfig, key_len: usize, value_len: usize) -> u64 {
    kv.read_cost_flat + kv.read_cost_per_byte * (key_len + value_len) as u64
}

/// SDK gas of writing `key` → `value` (`gaskv.Set`).
pub fn write_cost(kv: &KvGasConfig, key_len: usize, value_len: usize) -> u64 {
    kv.write_cost_flat + kv.write_cost_per_byte * (key_len + value_len) as u64
}

/// SDK gas of one iterator step that lands on `key` → `value` (`gasIterator.consumeSeekGas`).
pub fn iter_step_cost(kv: &KvGasConfig, key_len: usize, value_len: usize) -> u64 {
    kv.iter_next_cost_flat + kv.read_cost_per_byte * (key_len + value_len) as u64
}

/// One module's view of the state with gas metering, for host-side module
/// code (bank transfers, code and contract records).
pub struct ModuleStore<'a> {
    pub(crate) state: &'a RefCell<StateStack>,
    pub(crate) meter: &'a GasMeter,
    pub(crate) kv: &'a KvGasConfig,
    pub(crate) namespace: &'static [u8],
}

impl<'a> ModuleStore<'a> {
    pub fn new(
        state: &'a RefCell<StateStack>,
        meter: &'a GasMeter,
        kv: &'a KvGasConfig,
        namespace: &'static [u8],
    ) -> Self {
        ModuleStore {
            state,
            meter,
            kv,
            namespace,
        }
    }

    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, OutOfGas> {
        let value = self.state.borrow().get(&namespaced(self.namespace, key));
        let value_len = value.as_ref().map_or(0, Vec::len);
        self.meter
            .consume(read_cost(self.kv, key.len(), value_len))?;
        Ok(value)
    }

    pub fn has(&self, key: &[u8]) -> Result<bool, OutOfGas> {
        self.meter.consume(self.kv.has_cost)?;
        Ok(self
            .state
            .borrow()
            .get(&namespaced(self.namespace, key))
            .is_some())
    }

    pub fn set(&self, key: &[u8], value: &[u8]) -> Result<(), OutOfGas> {
        self.meter
            .consume(write_cost(self.kv, key.len(), value.len()))?;
        self.state
            .borrow_mut()
            .set(&namespaced(self.namespace, key), value);
        Ok(())
    }

    pub fn remove(&self, key: &[u8]) -> Result<(), OutOfGas> {
        self.meter.consume(self.kv.delete_cost)?;
        self.state
            .borrow_mut()
            .remove(&namespaced(self.namespace, key));
        Ok(())
    }

    /// Every entry under `prefix` (keys returned relative to the module store), ascending.
    pub fn prefix_range(&self, prefix: &[u8]) -> Result<Vec<Record>, OutOfGas> {
        let full = namespaced(self.namespace, prefix);
        let records = self
            .state
            .borrow()
            .range(&KeyRange::prefix(&full), Order::Ascending);
        self.meter.consume(self.kv.iter_next_cost_flat)?;
        let mut out = Vec::with_capacity(records.len());
        for (k, v) in records {
            let key = k[self.namespace.len()..].to_vec();
            self.meter
                .consume(iter_step_cost(self.kv, key.len(), v.len()))?;
            out.push((key, v));
        }
        Ok(out)
    }
}
