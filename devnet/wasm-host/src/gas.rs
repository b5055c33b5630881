//! Gas: wasmd's gas register and the Cosmos SDK's KV store costs, and the
//! meter a transaction runs under.
//!
//! Two units are in play, as on a wasmd chain:
//! - VM gas ("CosmWasm gas"), metered by `cosmwasm-vm` per Wasm operation and
//!   host call;
//! - SDK gas, what a transaction's gas limit and fee are in. wasmd converts VM
//!   gas to SDK gas by dividing by `DefaultGasMultiplier` (140_000 since
//!   CosmWasm 2.0, whose VM gas is a thousand times finer than 1.x's) and
//!   charges SDK gas directly for loading an instance (60_000; 2_000 when the
//!   code is pinned or already loaded earlier in the same transaction, and
//!   for replies), storing code (3 per byte), events (per attribute and per
//!   byte past a free tier) and every KV store access (the SDK's
//!   `KVGasConfig`).

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;

/// wasmd's `WasmGasRegisterConfig` and the SDK's `KVGasConfig`, with the
/// values of wasmd 0.5x / Cosmos SDK 0.50 as defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GasConfig {
    /// VM gas per SDK gas (wasmd `DefaultGasMultiplier`).
    pub gas_multiplier: u64,
    /// SDK gas charged every time a contract instance is loaded (wasmd `DefaultInstanceCost`).
    pub instance_cost: u64,
    /// Charged instead of `instance_cost` when the code is pinned, was loaded
    /// before in the same transaction, or receives a reply (wasmd
    /// `DefaultInstanceCostDiscount`).
    pub instance_cost_discount: u64,
    /// SDK gas per byte of stored code (wasmd `DefaultCompileCost`).
    pub compile_cost_per_byte: u64,
    /// SDK gas per attribute (wasmd `DefaultPerAttributeCost`).
    pub event_per_attribute_cost: u64,
    /// SDK gas per byte of attribute key + value (wasmd `DefaultEventAttributeDataCost`).
    pub event_attribute_data_cost: u64,
    /// Bytes of attribute data free of charge per response (wasmd `DefaultEventAttributeDataFreeTier`).
    pub event_attribute_data_free_tier: u64,
    /// SDK gas per custom event (wasmd `DefaultPerCustomEventCost`).
    pub custom_event_cost: u64,
    /// SDK gas per byte of message sent to a contract (wasmd `DefaultContractMessageDataCost`).
    pub contract_message_data_cost: u64,
    /// SDK gas per byte of a contract's JSON result, charged by wasmvm for
    /// deserializing it (wasmd `DefaultDeserializationCostPerByte`).
    pub deserialization_cost_per_byte: u64,
    /// Cosmos SDK `KVGasConfig`.
    pub kv: KvGasConfig,
}

impl Default for GasConfig {
    fn default() -> Self {
        GasConfig {
            gas_multiplier: 140_000,
            instance_cost: 60_000,
            instance_cost_discount: 2_000,
            compile_cost_per_byte: 3,
            event_per_attribute_cost: 10,
            event_attribute_data_cost: 1,
            event_attribute_data_free_tier: 100,
            custom_event_cost: 20,
            contract_message_data_cost: 0,
            deserialization_cost_per_byte: 1,
            kv: KvGasConfig::default(),
        }
    }
}

/// The Cosmos SDK's per-operation KV store costs (`store/types/gas.go`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KvGasConfig {
    pub has_cost: u64,
    pub delete_cost: u64,
    pub read_cost_flat: u64,
    pub read_cost_per_byte: u64,
    pub write_cost_flat: u64,
    pub write_cost_per_byte: u64,
    pub iter_next_cost_flat: u64,
}

impl Default for KvGasConfig {
    fn default() -> Self {
        KvGasConfig {
            has_cost: 1000,
            delete_cost: 1000,
            read_cost_flat: 1000,
            read_cost_per_byte: 3,
            write_cost_flat: 2000,
            write_cost_per_byte: 30,
            iter_next_cost_flat: 30,
        }
    }
}

impl GasConfig {
    /// VM gas → SDK gas (wasmd `FromWasmVMGas`, rounding down).
    pub fn from_vm_gas(&self, vm_gas: u64) -> u64 {
        vm_gas / self.gas_multiplier
    }

    /// SDK gas → VM gas (wasmd `ToWasmVMGas`), saturating.
    pub fn to_vm_gas(&self, sdk_gas: u64) -> u64 {
        sdk_gas.saturating_mul(self.gas_multiplier)
    }

    /// wasmd `SetupContractCost`: the cost to load an instance for any call
    /// (`discount`: see [`GasMeter::discount`]).
    pub fn instance_costs(&self, discount: bool, msg_len: usize) -> u64 {
        let data = self
            .contract_message_data_cost
            .saturating_mul(msg_len as u64);
        let load = if discount {
            self.instance_cost_discount
        } else {
            self.instance_cost
        };
        load.saturating_add(data)
    }

    /// wasmd `EventCosts`: the cost of a response's `wasm` attributes and custom events.
    pub fn event_costs<'a>(
        &self,
        attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
        events: &[cosmwasm_std::Event],
    ) -> u64 {
        let (mut gas, mut free) =
            self.attribute_costs(attributes, self.event_attribute_data_free_tier);
        for e in events {
            gas = gas.saturating_add(self.custom_event_cost).saturating_add(
                self.event_attribute_data_cost
                    .saturating_mul(e.ty.len() as u64),
            );
            let (g, f) = self.attribute_costs(
                e.attributes
                    .iter()
                    .map(|a| (a.key.as_str(), a.value.as_str())),
                free,
            );
            gas = gas.saturating_add(g);
            free = f;
        }
        gas
    }

    fn attribute_costs<'a>(
        &self,
        attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
        free_tier: u64,
    ) -> (u64, u64) {
        let mut count = 0u64;
        let mut bytes = 0u64;
        for (k, v) in attributes {
            count += 1;
            bytes += (k.len() + v.len()) as u64;
        }
        if count == 0 {
            return (0, free_tier);
        }
        let (charged, free_left) = if bytes <= free_tier {
            (0, free_tier - bytes)
        } else {
            (bytes - free_tier, 0)
        };
        let gas = self
            .event_attribute_data_cost
            .saturating_mul(charged)
            .saturating_add(self.event_per_attribute_cost.saturating_mul(count));
        (gas, free_left)
    }
}

/// SDK gas spent with the ran-out-of-gas condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("out of gas: limit {limit}, needed at least {needed}")]
pub struct OutOfGas {
    pub limit: u64,
    pub needed: u64,
}

/// The gas spent by one transaction or query.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GasUsage {
    /// SDK gas: what a wasmd chain would charge this call to the transaction's
    /// gas meter (VM gas / multiplier, instance loads, KV access, events),
    /// nested contract calls and queries included. Excludes the ante handler's
    /// signature and tx-size costs, which belong to the node.
    pub sdk_gas: u64,
    /// VM gas used inside `cosmwasm-vm` (its gas reports' `used_internally`),
    /// summed over every contract call of the transaction.
    pub vm_gas: u64,
    /// The SDK gas limit the transaction ran under.
    pub sdk_gas_limit: u64,
}

/// An SDK gas meter with a VM gas tally, like the SDK's basic gas meter:
/// consuming past the limit fails and leaves the meter above the limit.
#[derive(Debug)]
pub struct GasMeter {
    limit: u64,
    consumed: Cell<u64>,
    vm_gas: Cell<u64>,
    /// The code checksums loaded so far in this meter's transaction (wasmd's
    /// `TxContracts`), shared with the meters of its submessages and
    /// queries; `None` outside a transaction (an ABCI or gRPC query).
    tx_codes: Option<Rc<RefCell<BTreeSet<Vec<u8>>>>>,
}

impl GasMeter {
    /// A meter outside any transaction: no instance cost discount.
    pub fn new(limit: u64) -> Self {
        GasMeter {
            limit,
            consumed: Cell::new(0),
            vm_gas: Cell::new(0),
            tx_codes: None,
        }
    }

    /// A transaction's meter (simulated or delivered).
    pub fn for_tx(limit: u64) -> Self {
        GasMeter {
            tx_codes: Some(Rc::default()),
            ..GasMeter::new(limit)
        }
    }

    /// The meter of a part of the same transaction with its own limit (a
    /// submessage's gas limit, a contract's query).
    pub fn child(&self, limit: u64) -> Self {
        GasMeter {
            tx_codes: self.tx_codes.clone(),
            ..GasMeter::new(limit)
        }
    }

    /// wasmd `checkDiscountEligibility`: a pinned code, or one already
    /// loaded earlier in this transaction, is charged the discounted
    /// instance cost; the first load of a code in a transaction records it
    /// and pays in full, as does every load outside a transaction.
    pub fn discount(&self, checksum: &[u8], pinned: bool) -> bool {
        if pinned {
            return true;
        }
        let Some(codes) = &self.tx_codes else {
            return false;
        };
        !codes.borrow_mut().insert(checksum.to_vec())
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    pub fn consumed(&self) -> u64 {
        self.consumed.get()
    }

    /// Consumed, capped at the limit (the SDK's `GasConsumedToLimit`).
    pub fn consumed_to_limit(&self) -> u64 {
        self.consumed.get().min(self.limit)
    }

    pub fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.consumed.get())
    }

    pub fn is_out_of_gas(&self) -> bool {
        self.consumed.get() > self.limit
    }

    pub fn consume(&self, amount: u64) -> Result<(), OutOfGas> {
        let now = self.consumed.get().saturating_add(amount);
        self.consumed.set(now);
        if now > self.limit {
            Err(OutOfGas {
                limit: self.limit,
                needed: now,
            })
        } else {
            Ok(())
        }
    }

    /// Records VM gas spent inside the VM (already converted and charged as SDK gas by the caller).
    pub fn add_vm_gas(&self, vm_gas: u64) {
        self.vm_gas.set(self.vm_gas.get().saturating_add(vm_gas));
    }

    pub fn vm_gas(&self) -> u64 {
        self.vm_gas.get()
    }

    pub fn usage(&self) -> GasUsage {
        GasUsage {
            sdk_gas: self.consumed_to_limit(),
            vm_gas: self.vm_gas(),
            sdk_gas_limit: self.limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::Event;

    #[test]
    fn vm_gas_converts_with_wasmd_multiplier() {
        let g = GasConfig::default();
        assert_eq!(g.from_vm_gas(140_000 * 3 + 5), 3);
        assert_eq!(g.to_vm_gas(2), 280_000);
    }

    #[test]
    fn a_code_loaded_again_in_the_same_transaction_is_discounted() {
        let g = GasConfig::default();
        let tx = GasMeter::for_tx(u64::MAX);
        assert!(!tx.discount(b"code-a", false), "first load pays in full");
        let sub = tx.child(1_000_000);
        assert!(sub.discount(b"code-a", false), "seen by the submessage");
        assert!(!sub.discount(b"code-b", false));
        assert!(tx.discount(b"code-b", false), "and back in the parent");
        assert_eq!(g.instance_costs(true, 10), 2_000);
        assert_eq!(g.instance_costs(false, 10), 60_000);
        // Outside a transaction only pinned codes are discounted.
        let query = GasMeter::new(u64::MAX);
        assert!(!query.discount(b"code-a", false));
        assert!(!query.discount(b"code-a", false));
        assert!(query.discount(b"code-a", true));
    }

    #[test]
    fn event_costs_apply_free_tier_across_attributes_and_events() {
        let g = GasConfig::default();
        // 60 bytes of attributes: inside the free tier, only the per-attribute cost.
        let a = "a".repeat(29);
        let attrs = [("k", a.as_str()), ("k", a.as_str())];
        assert_eq!(g.event_costs(attrs, &[]), 20);
        // A custom event with 50 more bytes: 10 bytes over the tier.
        let e = Event::new("xyz").add_attribute("k", "v".repeat(49));
        assert_eq!(g.event_costs(attrs, &[e]), 20 + 20 + 3 + 10 + 10);
    }

    #[test]
    fn meter_fails_past_limit() {
        let m = GasMeter::new(10);
        assert!(m.consume(10).is_ok());
        assert!(m.consume(1).is_err());
        assert!(m.is_out_of_gas());
        assert_eq!(m.consumed_to_limit(), 10);
    }
}
