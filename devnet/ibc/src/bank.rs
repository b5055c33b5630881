//! ICS-20's [`Bank`] over the wasm host's bank: addresses as text, one
//! denom at a time, and the bank's events collected for the transaction.
//! The node (a relayer's message) and the contract bridge (a contract's
//! `IbcMsg::Transfer`) differ only in how they reach the host's bank, which
//! [`BankAccess`] says.

use cosmwasm_std::{Addr, Coin, Event, Uint128};
use starminer_wasm_host::bank::Bank as WasmBank;
use starminer_wasm_host::{AddressCodec, HostError};

use crate::Bank;

/// How a [`HostBank`] reaches the wasm host's bank.
pub trait BankAccess {
    fn codec(&self) -> &AddressCodec;
    fn balance(&self, addr: &Addr, denom: &str) -> Result<Uint128, HostError>;
    /// Runs one operation that moves coins; returns its bank events.
    fn run(
        &mut self,
        op: &dyn Fn(&WasmBank) -> Result<Vec<Event>, HostError>,
    ) -> Result<Vec<Event>, HostError>;
}

/// The wasm host's bank as ICS-20 uses it.
pub struct HostBank<A> {
    pub access: A,
    /// The bank events of every operation so far.
    pub events: Vec<Event>,
}

impl<A: BankAccess> HostBank<A> {
    pub fn new(access: A) -> Self {
        HostBank {
            access,
            events: Vec::new(),
        }
    }

    fn addr(&self, a: &str) -> Result<Addr, String> {
        self.access.codec().validate(a).map_err(|e| e.to_string())
    }

    fn run(
        &mut self,
        op: &dyn Fn(&WasmBank) -> Result<Vec<Event>, HostError>,
    ) -> Result<(), String> {
        let events = self.access.run(op).map_err(|e| e.to_string())?;
        self.events.extend(events);
        Ok(())
    }
}

fn coins(denom: &str, amount: u128) -> Vec<Coin> {
    vec![Coin::new(amount, denom)]
}

impl<A: BankAccess> Bank for HostBank<A> {
    fn balance(&self, addr: &str, denom: &str) -> u128 {
        self.addr(addr)
            .ok()
            .and_then(|a| self.access.balance(&a, denom).ok())
            .map_or(0, |b| b.u128())
    }

    fn send(&mut self, from: &str, to: &str, denom: &str, amount: u128) -> Result<(), String> {
        let (from, to) = (self.addr(from)?, self.addr(to)?);
        self.run(&|bank| bank.send(&from, &to, &coins(denom, amount)))
    }

    fn mint(&mut self, to: &str, denom: &str, amount: u128) -> Result<(), String> {
        let to = self.addr(to)?;
        self.run(&|bank| bank.mint(&to, &coins(denom, amount)))
    }

    fn burn(&mut self, from: &str, denom: &str, amount: u128) -> Result<(), String> {
        let from = self.addr(from)?;
        self.run(&|bank| bank.burn(&from, &coins(denom, amount)))
    }

    fn validate_address(&self, addr: &str) -> Result<(), String> {
        self.addr(addr).map(|_| ())
    }

    fn address_of(&self, raw: &[u8]) -> String {
        self.access
            .codec()
            .humanize(raw)
            .map(|a| a.to_string())
            .unwrap_or_default()
    }
}
