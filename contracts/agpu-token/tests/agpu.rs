//! AGPU token stories: cap, minter hand-over by governance, funds checks,
//! migration guard.

use agpu_token::contract::{execute, instantiate, migrate, query};
use agpu_token::ContractError;
use cosmwasm_std::{coins, Addr, Empty, Uint128};
use cw20::{BalanceResponse, Cw20Coin, MinterResponse, TokenInfoResponse};
use cw_multi_test::{App, AppBuilder, Contract, ContractWrapper, Executor};
use starminer_interfaces::agpu::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

const CAP: u128 = 1_000_000_000_000;

fn agpu_code() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query).with_migrate(migrate))
}

struct Suite {
    app: App,
    token: Addr,
    governance: Addr,
    minter: Addr,
    alice: Addr,
    bob: Addr,
}

fn init_msg(governance: &Addr, minter: &Addr, alice: &Addr) -> InstantiateMsg {
    InstantiateMsg {
        name: "StarMiner GPU".into(),
        symbol: "AGPU".into(),
        initial_balances: vec![Cw20Coin {
            address: alice.to_string(),
            amount: Uint128::new(1_000),
        }],
        minter: minter.to_string(),
        cap: Uint128::new(CAP),
        governance: governance.to_string(),
        marketing: None,
    }
}

fn suite() -> Suite {
    let mut app = AppBuilder::new().build(|router, api, storage| {
        let rich = api.addr_make("rich");
        router
            .bank
            .init_balance(storage, &rich, coins(1_000, "ustar"))
            .unwrap();
    });
    let governance = app.api().addr_make("governance");
    let minter = app.api().addr_make("minter");
    let alice = app.api().addr_make("alice");
    let bob = app.api().addr_make("bob");
    let code = app.store_code(agpu_code());
    let token = app
        .instantiate_contract(
            code,
            governance.clone(),
            &init_msg(&governance, &minter, &alice),
            &[],
            "agpu",
            Some(governance.to_string()),
        )
        .unwrap();
    Suite {
        app,
        token,
        governance,
        minter,
        alice,
        bob,
    }
}

impl Suite {
    fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Result<(), ContractError> {
        self.app
            .execute_contract(sender.clone(), self.token.clone(), msg, &[])
            .map(|_| ())
            .map_err(|e| e.downcast().unwrap())
    }

    fn balance(&self, who: &Addr) -> u128 {
        let r: BalanceResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                &self.token,
                &QueryMsg::Balance {
                    address: who.to_string(),
                },
            )
            .unwrap();
        r.balance.u128()
    }

    fn minter(&self) -> Option<MinterResponse> {
        self.app
            .wrap()
            .query_wasm_smart(&self.token, &QueryMsg::Minter {})
            .unwrap()
    }

    fn mint(&mut self, sender: &Addr, to: &Addr, amount: u128) -> Result<(), ContractError> {
        let sender = sender.clone();
        self.exec(
            &sender,
            &ExecuteMsg::Mint {
                recipient: to.to_string(),
                amount: Uint128::new(amount),
            },
        )
    }
}

#[test]
fn instantiates_with_six_decimals_and_the_cap() {
    let s = suite();
    let info: TokenInfoResponse = s
        .app
        .wrap()
        .query_wasm_smart(&s.token, &QueryMsg::TokenInfo {})
        .unwrap();
    assert_eq!(info.decimals, 6);
    assert_eq!(info.symbol, "AGPU");
    assert_eq!(info.total_supply, Uint128::new(1_000));
    let m = s.minter().unwrap();
    assert_eq!(m.minter, s.minter.to_string());
    assert_eq!(m.cap, Some(Uint128::new(CAP)));
    let version = cw2::query_contract_info(&s.app.wrap(), s.token.to_string()).unwrap();
    assert_eq!(version.contract, "crates.io:starminer-agpu-token");
}

#[test]
fn zero_cap_is_rejected() {
    let mut app = App::default();
    let gov = app.api().addr_make("gov");
    let code = app.store_code(agpu_code());
    let mut msg = init_msg(&gov, &gov, &gov);
    msg.cap = Uint128::zero();
    let err = app
        .instantiate_contract(code, gov.clone(), &msg, &[], "agpu", None)
        .unwrap_err();
    assert_eq!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::ZeroCap {}
    );
}

#[test]
fn initial_supply_above_cap_is_rejected() {
    let mut app = App::default();
    let gov = app.api().addr_make("gov");
    let code = app.store_code(agpu_code());
    let mut msg = init_msg(&gov, &gov, &gov);
    msg.initial_balances[0].amount = Uint128::new(CAP + 1);
    let err = app
        .instantiate_contract(code, gov.clone(), &msg, &[], "agpu", None)
        .unwrap_err();
    assert_eq!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::InitialSupplyAboveCap {
            initial: Uint128::new(CAP + 1),
            cap: Uint128::new(CAP)
        }
    );
}

#[test]
fn invalid_governance_address_is_rejected() {
    let mut app = App::default();
    let gov = app.api().addr_make("gov");
    let code = app.store_code(agpu_code());
    let mut msg = init_msg(&gov, &gov, &gov);
    msg.governance = "not-an-address".into();
    app.instantiate_contract(code, gov.clone(), &msg, &[], "agpu", None)
        .unwrap_err();
}

#[test]
fn minter_mints_up_to_the_cap_and_no_further() {
    let mut s = suite();
    let (minter, bob) = (s.minter.clone(), s.bob.clone());
    s.mint(&minter, &bob, CAP - 1_000).unwrap();
    assert_eq!(s.balance(&bob), CAP - 1_000);
    let err = s.mint(&minter, &bob, 1).unwrap_err();
    assert_eq!(
        err,
        ContractError::Base(cw20_base::ContractError::CannotExceedCap {})
    );
}

#[test]
fn only_the_minter_can_mint() {
    let mut s = suite();
    let (alice, governance, bob) = (s.alice.clone(), s.governance.clone(), s.bob.clone());
    for sender in [alice, governance] {
        let err = s.mint(&sender, &bob, 1).unwrap_err();
        assert_eq!(
            err,
            ContractError::Base(cw20_base::ContractError::Unauthorized {})
        );
    }
}

#[test]
fn governance_reassigns_the_minter_and_the_cap_survives() {
    let mut s = suite();
    let (gov, bob, old) = (s.governance.clone(), s.bob.clone(), s.minter.clone());
    let incentives = s.app.api().addr_make("incentives");
    s.exec(
        &gov,
        &ExecuteMsg::UpdateMinter {
            new_minter: Some(incentives.to_string()),
        },
    )
    .unwrap();
    assert_eq!(s.minter().unwrap().minter, incentives.to_string());
    assert_eq!(s.minter().unwrap().cap, Some(Uint128::new(CAP)));
    s.mint(&old, &bob, 1).unwrap_err();
    s.mint(&incentives, &bob, 5).unwrap();
    assert_eq!(s.balance(&bob), 5);
}

#[test]
fn disabled_minting_can_be_restored_by_governance_with_the_same_cap() {
    let mut s = suite();
    let (gov, minter, bob) = (s.governance.clone(), s.minter.clone(), s.bob.clone());
    s.exec(&minter, &ExecuteMsg::UpdateMinter { new_minter: None })
        .unwrap();
    assert!(s.minter().is_none());
    s.mint(&minter, &bob, 1).unwrap_err();
    s.exec(
        &gov,
        &ExecuteMsg::UpdateMinter {
            new_minter: Some(minter.to_string()),
        },
    )
    .unwrap();
    assert_eq!(s.minter().unwrap().cap, Some(Uint128::new(CAP)));
    s.mint(&minter, &bob, CAP - 1_000).unwrap();
    s.mint(&minter, &bob, 1).unwrap_err();
}

#[test]
fn stranger_cannot_change_the_minter() {
    let mut s = suite();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    let err = s
        .exec(
            &alice,
            &ExecuteMsg::UpdateMinter {
                new_minter: Some(bob.to_string()),
            },
        )
        .unwrap_err();
    assert_eq!(err, ContractError::UnauthorizedMinterChange {});
}

#[test]
fn native_funds_are_rejected_on_every_execute() {
    let mut s = suite();
    let rich = s.app.api().addr_make("rich");
    let err = s
        .app
        .execute_contract(
            rich.clone(),
            s.token.clone(),
            &ExecuteMsg::Transfer {
                recipient: s.bob.to_string(),
                amount: Uint128::zero(),
            },
            &coins(10, "ustar"),
        )
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::Payment(_)
    ));
    // The coins went back: nothing was lost.
    assert_eq!(
        s.app.wrap().query_balance(&rich, "ustar").unwrap().amount,
        Uint128::new(1_000)
    );
}

#[test]
fn transfer_and_allowances_follow_cw20() {
    let mut s = suite();
    let (alice, bob) = (s.alice.clone(), s.bob.clone());
    s.exec(
        &alice,
        &ExecuteMsg::Transfer {
            recipient: bob.to_string(),
            amount: Uint128::new(100),
        },
    )
    .unwrap();
    s.exec(
        &alice,
        &ExecuteMsg::IncreaseAllowance {
            spender: bob.to_string(),
            amount: Uint128::new(50),
            expires: None,
        },
    )
    .unwrap();
    s.exec(
        &bob,
        &ExecuteMsg::TransferFrom {
            owner: alice.to_string(),
            recipient: bob.to_string(),
            amount: Uint128::new(50),
        },
    )
    .unwrap();
    assert_eq!(s.balance(&alice), 850);
    assert_eq!(s.balance(&bob), 150);
    s.exec(
        &bob,
        &ExecuteMsg::TransferFrom {
            owner: alice.to_string(),
            recipient: bob.to_string(),
            amount: Uint128::new(1),
        },
    )
    .unwrap_err();
}

#[test]
fn migration_from_another_contract_is_refused() {
    let mut s = suite();
    let gov = s.governance.clone();
    // Pretend the stored contract is something else: migrate must refuse.
    let code = s.app.store_code(agpu_code());
    s.app
        .migrate_contract(gov.clone(), s.token.clone(), &MigrateMsg {}, code)
        .unwrap();
    let other = s.app.store_code(Box::new(
        ContractWrapper::new(execute, instantiate, query).with_migrate(
            |deps: cosmwasm_std::DepsMut,
             _env,
             _msg: MigrateMsg|
             -> Result<cosmwasm_std::Response, ContractError> {
                cw2::set_contract_version(deps.storage, "crates.io:something-else", "9.9.9")?;
                Ok(cosmwasm_std::Response::new())
            },
        ),
    ));
    s.app
        .migrate_contract(gov.clone(), s.token.clone(), &MigrateMsg {}, other)
        .unwrap();
    let err = s
        .app
        .migrate_contract(gov, s.token.clone(), &MigrateMsg {}, code)
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::Migration(_)
    ));
}
