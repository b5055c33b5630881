//! The SDK's KV gas (`storetypes.KVGasConfig`) on the IBC module's state
//! access, so an IBC message costs what it costs on an SDK chain's
//! store, and simulation tells a relayer the gas to ask for.

use std::cell::Cell;
use std::rc::Rc;

use cosmwasm_std::{Order, Record};
use starminer_wasm_host::{KeyRange, KvStore};

const READ_FLAT: u64 = 1000;
const READ_PER_BYTE: u64 = 3;
const WRITE_FLAT: u64 = 2000;
const WRITE_PER_BYTE: u64 = 30;
const DELETE_FLAT: u64 = 1000;
const ITER_NEXT_FLAT: u64 = 30;

/// A store handle that adds the SDK's gas for every access to a shared counter.
#[derive(Clone)]
pub struct GasMetered<S> {
    inner: S,
    used: Rc<Cell<u64>>,
}

impl<S> GasMetered<S> {
    pub fn new(inner: S) -> Self {
        GasMetered {
            inner,
            used: Rc::new(Cell::new(0)),
        }
    }

    /// The gas used through every handle of this meter.
    pub fn used(&self) -> u64 {
        self.used.get()
    }

    fn charge(&self, gas: u64) {
        self.used.set(self.used.get().saturating_add(gas));
    }
}

fn per_byte(n: usize, cost: u64) -> u64 {
    (n as u64).saturating_mul(cost)
}

impl<S: KvStore> KvStore for GasMetered<S> {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let v = self.inner.get(key);
        self.charge(
            READ_FLAT
                + per_byte(key.len(), READ_PER_BYTE)
                + per_byte(v.as_ref().map_or(0, Vec::len), READ_PER_BYTE),
        );
        v
    }

    fn set(&mut self, key: &[u8], value: &[u8]) {
        self.charge(WRITE_FLAT + per_byte(key.len() + value.len(), WRITE_PER_BYTE));
        self.inner.set(key, value)
    }

    fn remove(&mut self, key: &[u8]) {
        self.charge(DELETE_FLAT);
        self.inner.remove(key)
    }

    fn next_after(&self, range: &KeyRange, cursor: Option<&[u8]>, order: Order) -> Option<Record> {
        let r = self.inner.next_after(range, cursor, order);
        if let Some((k, v)) = &r {
            self.charge(ITER_NEXT_FLAT + per_byte(k.len() + v.len(), READ_PER_BYTE));
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use starminer_wasm_host::MemStore;

    #[test]
    fn every_access_costs_the_sdk_kv_gas_across_clones() {
        let mut s = GasMetered::new(MemStore::default());
        s.set(b"ab", b"xyz");
        assert_eq!(s.used(), WRITE_FLAT + 5 * WRITE_PER_BYTE);
        // A clone's reads are counted on the same meter.
        let clone = s.clone();
        assert_eq!(clone.get(b"ab").as_deref(), Some(&b"xyz"[..]));
        assert_eq!(
            s.used(),
            WRITE_FLAT + 5 * WRITE_PER_BYTE + READ_FLAT + 5 * READ_PER_BYTE
        );
        let before = s.used();
        s.remove(b"ab");
        assert_eq!(s.used(), before + DELETE_FLAT);
        assert_eq!(s.get(b"ab"), None);
    }
}
