//! AMAX token stories: the supply is fixed forever.

use amax_token::contract::{execute, instantiate, query};
use amax_token::ContractError;
use cosmwasm_std::{Addr, Empty, Uint128};
use cw20::{Cw20Coin, TokenInfoResponse};
use cw_multi_test::{App, Contract, ContractWrapper, Executor};
use starminer_interfaces::amax::{ExecuteMsg, InstantiateMsg, QueryMsg};

fn amax_code() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query))
}

/// Stores AMAX's code and has `alice` instantiate it with `initial_balances`.
fn instantiate_amax(
    app: &mut App,
    alice: &Addr,
    initial_balances: Vec<Cw20Coin>,
) -> cw_multi_test::error::AnyResult<Addr> {
    let code = app.store_code(amax_code());
    let msg = InstantiateMsg {
        name: "StarMiner Governance".into(),
        symbol: "AMAX".into(),
        initial_balances,
        marketing: None,
    };
    app.instantiate_contract(code, alice.clone(), &msg, &[], "amax", None)
}

/// An app with AMAX, all 1,000,000 held by alice.
fn setup() -> (App, Addr, Addr) {
    let mut app = App::default();
    let alice = app.api().addr_make("alice");
    let balance = Cw20Coin {
        address: alice.to_string(),
        amount: Uint128::new(1_000_000),
    };
    let token = instantiate_amax(&mut app, &alice, vec![balance]).unwrap();
    (app, token, alice)
}

fn supply(app: &App, token: &Addr) -> TokenInfoResponse {
    app.wrap()
        .query_wasm_smart(token, &QueryMsg::TokenInfo {})
        .unwrap()
}

#[test]
fn supply_is_fixed_at_instantiation() {
    let (app, token, _) = setup();
    let info = supply(&app, &token);
    assert_eq!(info.decimals, 6);
    assert_eq!(info.total_supply, Uint128::new(1_000_000));
    let minter: Option<cw20::MinterResponse> = app
        .wrap()
        .query_wasm_smart(&token, &QueryMsg::Minter {})
        .unwrap();
    assert!(minter.is_none());
}

#[test]
fn mint_attempt_is_refused_for_everyone() {
    let (mut app, token, alice) = setup();
    for msg in [
        ExecuteMsg::Mint {
            recipient: alice.to_string(),
            amount: Uint128::new(1),
        },
        ExecuteMsg::UpdateMinter {
            new_minter: Some(alice.to_string()),
        },
    ] {
        let err = app
            .execute_contract(alice.clone(), token.clone(), &msg, &[])
            .unwrap_err();
        assert_eq!(
            err.downcast::<ContractError>().unwrap(),
            ContractError::FixedSupply {}
        );
    }
    assert_eq!(supply(&app, &token).total_supply, Uint128::new(1_000_000));
}

#[test]
fn empty_supply_is_rejected() {
    let mut app = App::default();
    let alice = app.api().addr_make("alice");
    let err = instantiate_amax(&mut app, &alice, vec![]).unwrap_err();
    assert_eq!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::EmptySupply {}
    );
}

#[test]
fn burn_lowers_the_supply_and_transfer_conserves_it() {
    let (mut app, token, alice) = setup();
    let bob = app.api().addr_make("bob");
    app.execute_contract(
        alice.clone(),
        token.clone(),
        &ExecuteMsg::Transfer {
            recipient: bob.to_string(),
            amount: Uint128::new(400),
        },
        &[],
    )
    .unwrap();
    assert_eq!(supply(&app, &token).total_supply, Uint128::new(1_000_000));
    app.execute_contract(
        bob,
        token.clone(),
        &ExecuteMsg::Burn {
            amount: Uint128::new(100),
        },
        &[],
    )
    .unwrap();
    assert_eq!(supply(&app, &token).total_supply, Uint128::new(999_900));
}
