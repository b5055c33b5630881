//! Validators' beacon hash chains and the reveals that move the registry's
//! beacon, so that draws waiting for a later seq can happen.

use std::collections::HashMap;

use anyhow::anyhow;
use cosmwasm_std::Addr;
use cw_multi_test::{App, Executor};
use sha2::{Digest, Sha256};
use starminer_interfaces::registry::{BeaconResponse, ExecuteMsg, QueryMsg};

use crate::harness::advance;
use crate::Res;

/// A beacon hash chain: link 0 is sha256(secret), each further link the
/// sha256 of the one before; the last link is the anchor, and reveals go
/// down from the link below it.
#[derive(Clone, Debug)]
pub struct HashChain {
    links: Vec<[u8; 32]>,
    next: usize,
}

impl HashChain {
    /// A chain of `len` reveals.
    pub fn new(secret: &str, len: usize) -> Self {
        let mut links: Vec<[u8; 32]> = Vec::with_capacity(len + 1);
        links.push(Sha256::digest(secret.as_bytes()).into());
        while links.len() <= len {
            let link = Sha256::digest(links[links.len() - 1]).into();
            links.push(link);
        }
        HashChain { links, next: len }
    }

    /// The current head (the anchor before any reveal), hex.
    pub fn anchor(&self) -> String {
        hex::encode(self.links[self.next])
    }

    /// The next preimage, without using it up.
    pub fn peek(&self) -> String {
        hex::encode(self.links[self.next - 1])
    }

    /// The next preimage to reveal.
    pub fn pop(&mut self) -> String {
        let preimage = self.peek();
        self.next -= 1;
        preimage
    }
}

/// The hash chains of the validators a suite anchored, by address.
#[derive(Default)]
pub struct Beacon {
    chains: HashMap<Addr, HashChain>,
}

impl Beacon {
    pub fn has_chain(&self, validator: &Addr) -> bool {
        self.chains.contains_key(validator)
    }

    /// `validator` anchors `chain` in the registry; the chain is kept only if
    /// the registry took the anchor.
    pub fn anchor(
        &mut self,
        app: &mut App,
        registry: &Addr,
        validator: &Addr,
        chain: HashChain,
    ) -> Res {
        let msg = ExecuteMsg::SetBeaconAnchor {
            anchor: chain.anchor(),
        };
        let res = app.execute_contract(validator.clone(), registry.clone(), &msg, &[])?;
        self.chains.insert(validator.clone(), chain);
        Ok(res)
    }

    /// `validator` reveals its next link; the link is used up only if the
    /// registry took it.
    pub fn reveal(&mut self, app: &mut App, registry: &Addr, validator: &Addr) -> Res {
        let chain = self
            .chains
            .get_mut(validator)
            .ok_or_else(|| anyhow!("{validator} has no beacon hash chain"))?;
        let msg = ExecuteMsg::RevealBeacon {
            preimage: chain.peek(),
        };
        let res = app.execute_contract(validator.clone(), registry.clone(), &msg, &[])?;
        chain.pop();
        Ok(res)
    }

    /// Moves the beacon on to seq `target`: rounds in which each validator of
    /// `among` in turn tries to reveal, and `idle_step` seconds of clock
    /// whenever a whole round moved nothing (twenty such rounds: stuck).
    pub fn reveal_until(
        &mut self,
        app: &mut App,
        registry: &Addr,
        among: &[Addr],
        target: u64,
        idle_step: u64,
    ) {
        let seq = |app: &App| -> u64 {
            let head: BeaconResponse = app
                .wrap()
                .query_wasm_smart(registry, &QueryMsg::Beacon {})
                .unwrap();
            head.seq
        };
        let mut idle_rounds = 0;
        while seq(app) < target {
            let mut moved = false;
            for validator in among {
                if seq(app) >= target {
                    break;
                }
                if self.reveal(app, registry, validator).is_ok() {
                    moved = true;
                }
            }
            if !moved {
                idle_rounds += 1;
                assert!(idle_rounds < 20, "the beacon does not move");
                advance(app, idle_step);
            }
        }
    }
}
