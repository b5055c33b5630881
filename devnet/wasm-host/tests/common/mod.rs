//! Shared set-up for the wasm-level tests: artifacts, accounts, token deployment.
#![allow(dead_code)] // each test binary uses a different part

use std::path::PathBuf;

use cosmwasm_std::{Addr, Uint128};
use cw20::{BalanceResponse, Cw20Coin};
use starminer_interfaces::{agpu, amax};
use starminer_wasm_host::{CodeId, WasmHost};

/// Reads `artifacts/<name>.wasm`, failing with the command that makes it.
pub fn artifact(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../artifacts")
        .join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "wasm artifact {} is missing ({e}): run scripts/build-wasm.sh",
            path.display()
        )
    })
}

pub const AGPU_CAP: u128 = 1_000_000_000_000_000;

/// A host with AGPU and AMAX deployed; alice holds both tokens.
pub struct Tokens {
    pub host: WasmHost,
    pub alice: Addr,
    pub bob: Addr,
    pub governance: Addr,
    pub agpu_code: CodeId,
    pub amax_code: CodeId,
    pub agpu: Addr,
    pub amax: Addr,
}

impl Tokens {
    pub fn deploy() -> Self {
        let host = WasmHost::new().expect("host starts");
        let alice = host.addr_make("alice");
        let bob = host.addr_make("bob");
        let governance = host.addr_make("governance");
        let agpu_code = host
            .store_code(&alice, &artifact("agpu_token"))
            .expect("AGPU stores");
        let amax_code = host
            .store_code(&alice, &artifact("amax_token"))
            .expect("AMAX stores");
        let (agpu, _) = host
            .instantiate(
                &alice,
                agpu_code,
                &agpu::InstantiateMsg {
                    name: "StarMiner GPU".to_string(),
                    symbol: "AGPU".to_string(),
                    initial_balances: vec![Cw20Coin {
                        address: alice.to_string(),
                        amount: Uint128::new(1_000_000_000),
                    }],
                    minter: governance.to_string(),
                    cap: Uint128::new(AGPU_CAP),
                    governance: governance.to_string(),
                    marketing: None,
                },
                &[],
                "AGPU",
                Some(&alice),
            )
            .expect("AGPU instantiates");
        let (amax, _) = host
            .instantiate(
                &alice,
                amax_code,
                &amax::InstantiateMsg {
                    name: "StarMiner Governance".to_string(),
                    symbol: "AMAX".to_string(),
                    initial_balances: vec![Cw20Coin {
                        address: alice.to_string(),
                        amount: Uint128::new(500_000_000),
                    }],
                    marketing: None,
                },
                &[],
                "AMAX",
                None,
            )
            .expect("AMAX instantiates");
        Tokens {
            host,
            alice,
            bob,
            governance,
            agpu_code,
            amax_code,
            agpu,
            amax,
        }
    }

    pub fn balance(&self, token: &Addr, who: &Addr) -> u128 {
        let r: BalanceResponse = self
            .host
            .query_smart(
                token,
                &agpu::QueryMsg::Balance {
                    address: who.to_string(),
                },
            )
            .expect("balance query");
        r.balance.u128()
    }
}
