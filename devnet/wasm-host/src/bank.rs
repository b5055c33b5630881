//! The bank module: native balances and supply, transfers, mint and burn,
//! with the Cosmos SDK 0.50 bank keeper's key layout and events.
//!
//! Keys (inside the `bank/` namespace): balances at
//! `0x02 ‖ len(addr) ‖ addr ‖ denom`, supply at `0x00 ‖ denom`; amounts are
//! stored as decimal strings, as the SDK stores `math.Int`.

use cosmwasm_std::{Addr, Coin, Event, Uint128};

use crate::address::AddressCodec;
use crate::error::HostError;
use crate::metered::ModuleStore;

const SUPPLY_PREFIX: u8 = 0x00;
const BALANCES_PREFIX: u8 = 0x02;

fn balances_prefix(addr_raw: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + addr_raw.len());
    k.push(BALANCES_PREFIX);
    k.push(addr_raw.len() as u8);
    k.extend_from_slice(addr_raw);
    k
}

fn balance_key(addr_raw: &[u8], denom: &str) -> Vec<u8> {
    let mut k = balances_prefix(addr_raw);
    k.extend_from_slice(denom.as_bytes());
    k
}

fn supply_key(denom: &str) -> Vec<u8> {
    let mut k = vec![SUPPLY_PREFIX];
    k.extend_from_slice(denom.as_bytes());
    k
}

fn parse_amount(raw: &[u8]) -> Result<Uint128, HostError> {
    std::str::from_utf8(raw)
        .ok()
        .and_then(|s| s.parse::<u128>().ok())
        .map(Uint128::new)
        .ok_or_else(|| HostError::Serialization("corrupt bank amount".to_string()))
}

/// The Cosmos SDK's denom rule: `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`.
pub fn validate_denom(denom: &str) -> Result<(), HostError> {
    let mut chars = denom.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "/:._-".contains(c));
    if first_ok && rest_ok && (3..=128).contains(&denom.len()) {
        Ok(())
    } else {
        Err(HostError::InvalidCoins(format!("invalid denom: {denom:?}")))
    }
}

/// Validates coins as `sdk.Coins` must be: valid denoms, positive amounts,
/// no duplicates. Returns them sorted by denom.
pub fn normalize_coins(coins: &[Coin]) -> Result<Vec<Coin>, HostError> {
    let mut out = coins.to_vec();
    out.sort_by(|a, b| a.denom.cmp(&b.denom));
    for (i, c) in out.iter().enumerate() {
        validate_denom(&c.denom)?;
        if c.amount.is_zero() {
            return Err(HostError::InvalidCoins(format!(
                "zero amount of {}",
                c.denom
            )));
        }
        if i > 0 && out[i - 1].denom == c.denom {
            return Err(HostError::InvalidCoins(format!(
                "duplicate denom {}",
                c.denom
            )));
        }
    }
    Ok(out)
}

/// `sdk.Coins.String()`: `100ustar,5uatom`, sorted by denom.
pub fn coins_to_string(coins: &[Coin]) -> String {
    coins
        .iter()
        .map(|c| format!("{}{}", c.amount, c.denom))
        .collect::<Vec<_>>()
        .join(",")
}

/// The bank keeper over one module store.
pub struct Bank<'a> {
    store: ModuleStore<'a>,
    codec: &'a AddressCodec,
}

impl<'a> Bank<'a> {
    pub fn new(store: ModuleStore<'a>, codec: &'a AddressCodec) -> Self {
        Bank { store, codec }
    }

    pub fn balance(&self, addr: &Addr, denom: &str) -> Result<Uint128, HostError> {
        let raw = self.codec.canonicalize(addr.as_str())?;
        match self.store.get(&balance_key(&raw, denom))? {
            Some(v) => parse_amount(&v),
            None => Ok(Uint128::zero()),
        }
    }

    /// Every non-zero balance of `addr`, sorted by denom.
    pub fn all_balances(&self, addr: &Addr) -> Result<Vec<Coin>, HostError> {
        let raw = self.codec.canonicalize(addr.as_str())?;
        let prefix = balances_prefix(&raw);
        self.store
            .prefix_range(&prefix)?
            .into_iter()
            .map(|(k, v)| {
                let denom = String::from_utf8(k[prefix.len()..].to_vec())
                    .map_err(|_| HostError::Serialization("corrupt denom".to_string()))?;
                Ok(Coin::new(parse_amount(&v)?, denom))
            })
            .collect()
    }

    pub fn supply(&self, denom: &str) -> Result<Uint128, HostError> {
        match self.store.get(&supply_key(denom))? {
            Some(v) => parse_amount(&v),
            None => Ok(Uint128::zero()),
        }
    }

    fn set_balance(&self, raw: &[u8], denom: &str, amount: Uint128) -> Result<(), HostError> {
        let key = balance_key(raw, denom);
        if amount.is_zero() {
            self.store.remove(&key)?;
        } else {
            self.store.set(&key, amount.to_string().as_bytes())?;
        }
        Ok(())
    }

    fn set_supply(&self, denom: &str, amount: Uint128) -> Result<(), HostError> {
        let key = supply_key(denom);
        if amount.is_zero() {
            self.store.remove(&key)?;
        } else {
            self.store.set(&key, amount.to_string().as_bytes())?;
        }
        Ok(())
    }

    fn sub_coins(&self, addr: &Addr, coins: &[Coin]) -> Result<(), HostError> {
        let raw = self.codec.canonicalize(addr.as_str())?;
        for c in coins {
            let have = self.balance(addr, &c.denom)?;
            let left = have
                .checked_sub(c.amount)
                .map_err(|_| HostError::InsufficientFunds {
                    available: Coin::new(have, c.denom.clone()),
                    needed: c.clone(),
                })?;
            self.set_balance(&raw, &c.denom, left)?;
        }
        Ok(())
    }

    fn add_coins(&self, addr: &Addr, coins: &[Coin]) -> Result<(), HostError> {
        let raw = self.codec.canonicalize(addr.as_str())?;
        for c in coins {
            let have = self.balance(addr, &c.denom)?;
            let sum = have
                .checked_add(c.amount)
                .map_err(|_| HostError::InvalidCoins(format!("balance overflow of {}", c.denom)))?;
            self.set_balance(&raw, &c.denom, sum)?;
        }
        Ok(())
    }

    /// `SendCoins`: moves `coins` and returns the SDK's events in its order:
    /// `coin_spent`, `coin_received`, `transfer`.
    pub fn send(&self, from: &Addr, to: &Addr, coins: &[Coin]) -> Result<Vec<Event>, HostError> {
        let coins = normalize_coins(coins)?;
        if coins.is_empty() {
            return Ok(Vec::new());
        }
        let amount = coins_to_string(&coins);
        self.sub_coins(from, &coins)?;
        self.add_coins(to, &coins)?;
        Ok(vec![
            Event::new("coin_spent")
                .add_attribute("spender", from.as_str())
                .add_attribute("amount", &amount),
            Event::new("coin_received")
                .add_attribute("receiver", to.as_str())
                .add_attribute("amount", &amount),
            Event::new("transfer")
                .add_attribute("recipient", to.as_str())
                .add_attribute("sender", from.as_str())
                .add_attribute("amount", &amount),
        ])
    }

    /// `MintCoins` to `to` (the SDK mints into a module account; at genesis
    /// and in tests the host credits the account directly). Returns
    /// `coinbase` and `coin_received` events.
    pub fn mint(&self, to: &Addr, coins: &[Coin]) -> Result<Vec<Event>, HostError> {
        let coins = normalize_coins(coins)?;
        for c in &coins {
            let supply = self.supply(&c.denom)?;
            let new_supply = supply
                .checked_add(c.amount)
                .map_err(|_| HostError::InvalidCoins(format!("supply overflow of {}", c.denom)))?;
            self.set_supply(&c.denom, new_supply)?;
        }
        self.add_coins(to, &coins)?;
        let amount = coins_to_string(&coins);
        Ok(vec![
            Event::new("coinbase")
                .add_attribute("minter", to.as_str())
                .add_attribute("amount", &amount),
            Event::new("coin_received")
                .add_attribute("receiver", to.as_str())
                .add_attribute("amount", &amount),
        ])
    }

    /// `BurnCoins` from `burner`'s balance: `coin_spent` and `burn` events.
    pub fn burn(&self, burner: &Addr, coins: &[Coin]) -> Result<Vec<Event>, HostError> {
        let coins = normalize_coins(coins)?;
        self.sub_coins(burner, &coins)?;
        for c in &coins {
            let supply = self.supply(&c.denom)?;
            self.set_supply(&c.denom, supply.saturating_sub(c.amount))?;
        }
        let amount = coins_to_string(&coins);
        Ok(vec![
            Event::new("coin_spent")
                .add_attribute("spender", burner.as_str())
                .add_attribute("amount", &amount),
            Event::new("burn")
                .add_attribute("burner", burner.as_str())
                .add_attribute("amount", &amount),
        ])
    }
}
