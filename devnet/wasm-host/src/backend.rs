//! The `cosmwasm_vm` backend of one contract call: its prefixed storage with
//! SDK KV gas, and the querier that routes a contract's queries back into the
//! host (bank, other contracts, contract and code info). It reaches the host
//! only through [`HostRouter`], which the engine implements, so the backend
//! does not depend on the engine that creates it.

use std::cell::RefCell;
use std::rc::Rc;

use cosmwasm_std::{Addr, Binary, ContractResult, Order, Record, SystemResult};
use cosmwasm_vm::{BackendError, BackendResult, GasInfo, Querier, Storage};

use crate::gas::{GasMeter, KvGasConfig, OutOfGas};
use crate::metered::{iter_step_cost, namespaced, read_cost, write_cost, WASM_STORE};
use crate::records::contract_store_prefix;
use crate::store::{prefix_end, KeyRange, KvStore, StateStack};

/// What a contract call's backend needs from the host: the state it reads
/// and writes, the SDK's KV gas schedule, and the route by which a
/// contract's query goes back into the host (which may run other contracts).
pub(crate) trait HostRouter {
    fn state(&self) -> &RefCell<StateStack>;
    fn kv_gas(&self) -> &KvGasConfig;
    fn route_query(
        self: Rc<Self>,
        meter: &Rc<GasMeter>,
        caller: &Addr,
        query_depth: u32,
        request: &[u8],
        vm_gas_limit: u64,
    ) -> Result<SystemResult<ContractResult<Binary>>, OutOfGas>;
}

struct ContractIterator {
    range: KeyRange,
    order: Order,
    cursor: Option<Vec<u8>>,
    done: bool,
}

/// A contract's own state: the keys under `wasm/ 0x03 ‖ contract`, read and
/// written through the current branch of the state.
pub struct ContractStorage {
    host: Rc<dyn HostRouter>,
    meter: Rc<GasMeter>,
    /// `wasm/ 0x03 ‖ contract address`.
    prefix: Vec<u8>,
    /// Length of `0x03 ‖ contract address`: the SDK meters keys of the wasm
    /// module store, which include this prefix but not the module namespace.
    metered_prefix_len: usize,
    iterators: Vec<ContractIterator>,
}

impl ContractStorage {
    pub(crate) fn new(host: Rc<dyn HostRouter>, meter: Rc<GasMeter>, contract_raw: &[u8]) -> Self {
        let store_prefix = contract_store_prefix(contract_raw);
        ContractStorage {
            host,
            meter,
            prefix: namespaced(WASM_STORE, &store_prefix),
            metered_prefix_len: store_prefix.len(),
            iterators: Vec::new(),
        }
    }

    fn full_key(&self, key: &[u8]) -> Vec<u8> {
        let mut k = self.prefix.clone();
        k.extend_from_slice(key);
        k
    }

    /// Charges `cost` SDK gas; the VM is told the same number as externally
    /// used gas, as wasmvm reports the SDK gas meter's delta.
    fn charge(&self, cost: u64) -> (Result<(), BackendError>, GasInfo) {
        let gas = GasInfo::with_externally_used(cost);
        match self.meter.consume(cost) {
            Ok(()) => (Ok(()), gas),
            Err(_) => (Err(BackendError::out_of_gas()), gas),
        }
    }
}

impl Storage for ContractStorage {
    fn get(&self, key: &[u8]) -> BackendResult<Option<Vec<u8>>> {
        let value = self.host.state().borrow().get(&self.full_key(key));
        let value_len = value.as_ref().map_or(0, Vec::len);
        let cost = read_cost(
            self.host.kv_gas(),
            self.metered_prefix_len + key.len(),
            value_len,
        );
        let (charged, gas) = self.charge(cost);
        (charged.map(|()| value), gas)
    }

    fn scan(
        &mut self,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
    ) -> BackendResult<u32> {
        let range = KeyRange {
            start: Some(self.full_key(start.unwrap_or_default())),
            end: match end {
                Some(e) => Some(self.full_key(e)),
                None => prefix_end(&self.prefix),
            },
        };
        let (charged, gas) = self.charge(self.host.kv_gas().iter_next_cost_flat);
        if let Err(e) = charged {
            return (Err(e), gas);
        }
        let Ok(id) = u32::try_from(self.iterators.len()) else {
            return (Err(BackendError::unknown("too many iterators")), gas);
        };
        self.iterators.push(ContractIterator {
            done: range.is_empty(),
            range,
            order,
            cursor: None,
        });
        (Ok(id), gas)
    }

    fn next(&mut self, iterator_id: u32) -> BackendResult<Option<Record>> {
        let Some(it) = self.iterators.get_mut(iterator_id as usize) else {
            return (
                Err(BackendError::iterator_does_not_exist(iterator_id)),
                GasInfo::free(),
            );
        };
        if it.done {
            let cost = self.host.kv_gas().iter_next_cost_flat;
            let gas = GasInfo::with_externally_used(cost);
            return match self.meter.consume(cost) {
                Ok(()) => (Ok(None), gas),
                Err(_) => (Err(BackendError::out_of_gas()), gas),
            };
        }
        let entry =
            self.host
                .state()
                .borrow()
                .next_after(&it.range, it.cursor.as_deref(), it.order);
        let (record, cost) = match entry {
            Some((k, v)) => {
                it.cursor = Some(k.clone());
                let key = k[self.prefix.len()..].to_vec();
                let cost = iter_step_cost(
                    self.host.kv_gas(),
                    self.metered_prefix_len + key.len(),
                    v.len(),
                );
                (Some((key, v)), cost)
            }
            None => {
                it.done = true;
                (None, self.host.kv_gas().iter_next_cost_flat)
            }
        };
        let (charged, gas) = self.charge(cost);
        (charged.map(|()| record), gas)
    }

    fn set(&mut self, key: &[u8], value: &[u8]) -> BackendResult<()> {
        let cost = write_cost(
            self.host.kv_gas(),
            self.metered_prefix_len + key.len(),
            value.len(),
        );
        let (charged, gas) = self.charge(cost);
        if charged.is_ok() {
            self.host
                .state()
                .borrow_mut()
                .set(&self.full_key(key), value);
        }
        (charged, gas)
    }

    fn remove(&mut self, key: &[u8]) -> BackendResult<()> {
        let (charged, gas) = self.charge(self.host.kv_gas().delete_cost);
        if charged.is_ok() {
            self.host.state().borrow_mut().remove(&self.full_key(key));
        }
        (charged, gas)
    }
}

/// Answers a contract's queries from the host's current state.
pub struct HostQuerier {
    host: Rc<dyn HostRouter>,
    meter: Rc<GasMeter>,
    /// The querying contract (IBC queries answer for its port).
    caller: Addr,
    /// How many smart queries deep the querying contract already is.
    query_depth: u32,
}

impl HostQuerier {
    pub(crate) fn new(
        host: Rc<dyn HostRouter>,
        meter: Rc<GasMeter>,
        caller: Addr,
        query_depth: u32,
    ) -> Self {
        HostQuerier {
            host,
            meter,
            caller,
            query_depth,
        }
    }
}

impl Querier for HostQuerier {
    fn query_raw(
        &self,
        request: &[u8],
        gas_limit: u64,
    ) -> BackendResult<SystemResult<ContractResult<Binary>>> {
        let before = self.meter.consumed();
        let result = self.host.clone().route_query(
            &self.meter,
            &self.caller,
            self.query_depth,
            request,
            gas_limit,
        );
        // Like wasmvm, report the SDK gas the query charged to the meter.
        let gas = GasInfo::with_externally_used(self.meter.consumed().saturating_sub(before));
        match result {
            Ok(answer) => (Ok(answer), gas),
            Err(_) => (Err(BackendError::out_of_gas()), gas),
        }
    }
}
