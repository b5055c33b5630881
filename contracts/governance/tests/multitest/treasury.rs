//! The treasury: balances it reports and spends through proposals.

use cosmwasm_std::{BankMsg, Uint128};
use starminer_interfaces::governance::ProposalStatus;

use crate::suite::{
    Suite, SuiteBuilder, MIN_DEPOSIT, NATIVE_DENOM, TREASURY_AMAX, TREASURY_NATIVE, TREASURY_OTHER,
};

#[test]
fn treasury_reports_every_listed_balance_and_amax_spendable() {
    let mut s = SuiteBuilder::new().build();
    let (alice, bob) = (s.users[0].clone(), s.users[1].clone());
    s.stake(&alice, 2_000).unwrap();
    s.stake(&bob, 1_000).unwrap();
    s.unstake(&bob, 400).unwrap();
    s.propose(&alice, vec![]).unwrap();
    let t = s.treasury();
    assert_eq!(t.native, Suite::native(TREASURY_NATIVE));
    assert_eq!(t.amax.token, s.amax);
    assert_eq!(t.amax.staked, Uint128::new(2_600));
    assert_eq!(t.amax.unbonding, Uint128::new(400));
    assert_eq!(t.amax.held_deposits, Uint128::new(MIN_DEPOSIT));
    assert_eq!(
        t.amax.balance,
        Uint128::new(TREASURY_AMAX + 3_000 + MIN_DEPOSIT)
    );
    assert_eq!(t.amax.spendable, Uint128::new(TREASURY_AMAX));
    assert_eq!(t.cw20s.len(), 1);
    assert_eq!(t.cw20s[0].token, s.other);
    assert_eq!(t.cw20s[0].balance, Uint128::new(TREASURY_OTHER));
}

#[test]
fn executed_proposal_spends_native_and_cw20_treasury() {
    let mut s = SuiteBuilder::new().build();
    s.everyone_stakes(1_000);
    let grantee = s.user("grantee");
    let native = BankMsg::Send {
        to_address: grantee.to_string(),
        amount: cosmwasm_std::coins(TREASURY_NATIVE, NATIVE_DENOM),
    };
    let other = s.cw20_transfer_msg(&s.other.clone(), &grantee, 20_000);
    let id = s.pass_proposal(vec![native.into(), other]);
    s.execute(&grantee, id).unwrap();
    assert_eq!(s.proposal(id).status, ProposalStatus::Executed);
    assert_eq!(s.native_balance(&grantee), TREASURY_NATIVE);
    assert_eq!(s.cw20_balance(&s.other.clone(), &grantee), 20_000);
    let t = s.treasury();
    assert!(t.native.is_empty());
    assert_eq!(t.cw20s[0].balance, Uint128::new(TREASURY_OTHER - 20_000));
}
