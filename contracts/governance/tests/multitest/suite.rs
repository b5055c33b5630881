//! Test harness: a cw-multi-test chain with the real AMAX token, a second
//! cw20 (listed in the treasury, and used as a "foreign" token), governance,
//! and funded users. Helpers read like the actions of a story.

#![allow(dead_code)]

use anyhow::Result as AnyResult;
use cosmwasm_std::{
    coins, to_json_binary, Addr, Coin, CosmosMsg, Decimal, Empty, Uint128, WasmMsg,
};
use cw20::{BalanceResponse, Cw20Coin, Cw20ExecuteMsg, Cw20QueryMsg};
use cw_multi_test::{App, AppBuilder, AppResponse, Contract, ContractWrapper, Executor};
use governance::ContractError;
use starminer_interfaces::governance::{
    ClaimsResponse, ConfigResponse, ExecuteMsg, GovernanceParams, InstantiateMsg, ProposalResponse,
    ProposalStatusKind, ProposalsResponse, QueryMsg, ReceiveMsg, StakedResponse,
    TotalPowerResponse, TreasuryResponse, VoteHistoryResponse, VoteOption, VotesResponse,
    VotingPowerResponse,
};

pub const NATIVE_DENOM: &str = "ustar";
/// AMAX each user starts with.
pub const USER_AMAX: u128 = 1_000_000;
/// AMAX the treasury starts with (sent by the deployer after instantiation).
pub const TREASURY_AMAX: u128 = 500_000;
/// The second cw20 the treasury starts with.
pub const TREASURY_OTHER: u128 = 70_000;
pub const TREASURY_NATIVE: u128 = 9_000;
pub const MIN_DEPOSIT: u128 = 1_000;
pub const VOTING_PERIOD: u64 = 3_600;
pub const TIMELOCK: u64 = 600;
pub const UNBONDING: u64 = 7_200;

pub const USERS: [&str; 4] = ["alice", "bob", "carol", "dave"];

pub fn governance_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            governance::contract::execute,
            governance::contract::instantiate,
            governance::contract::query,
        )
        .with_reply(governance::contract::reply)
        .with_migrate(governance::contract::migrate),
    )
}

pub fn amax_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(
        amax_token::contract::execute,
        amax_token::contract::instantiate,
        amax_token::contract::query,
    ))
}

pub fn cw20_contract() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(
        cw20_base::contract::execute,
        cw20_base::contract::instantiate,
        cw20_base::contract::query,
    ))
}

pub fn default_params() -> GovernanceParams {
    GovernanceParams {
        quorum: Decimal::percent(40),
        threshold: Decimal::percent(50),
        veto_threshold: Decimal::permille(334),
        voting_period: VOTING_PERIOD,
        timelock: TIMELOCK,
        unbonding_period: UNBONDING,
        min_deposit: Uint128::new(MIN_DEPOSIT),
        max_messages: 16,
    }
}

pub struct SuiteBuilder {
    pub params: GovernanceParams,
}

impl Default for SuiteBuilder {
    fn default() -> Self {
        Self {
            params: default_params(),
        }
    }
}

impl SuiteBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_params(mut self, f: impl FnOnce(&mut GovernanceParams)) -> Self {
        f(&mut self.params);
        self
    }

    pub fn build(self) -> Suite {
        let mut app = AppBuilder::new().build(|_, _, _| {});
        let deployer = app.api().addr_make("deployer");
        let users: Vec<Addr> = USERS.iter().map(|u| app.api().addr_make(u)).collect();

        let amax_code = app.store_code(amax_contract());
        let cw20_code = app.store_code(cw20_contract());
        let gov_code = app.store_code(governance_contract());

        let mut balances: Vec<Cw20Coin> = users
            .iter()
            .map(|u| Cw20Coin {
                address: u.to_string(),
                amount: Uint128::new(USER_AMAX),
            })
            .collect();
        balances.push(Cw20Coin {
            address: deployer.to_string(),
            amount: Uint128::new(TREASURY_AMAX),
        });
        let amax = app
            .instantiate_contract(
                amax_code,
                deployer.clone(),
                &starminer_interfaces::amax::InstantiateMsg {
                    name: "StarMiner Governance".into(),
                    symbol: "AMAX".into(),
                    initial_balances: balances.clone(),
                    marketing: None,
                },
                &[],
                "amax",
                None,
            )
            .unwrap();
        let other = app
            .instantiate_contract(
                cw20_code,
                deployer.clone(),
                &cw20_base::msg::InstantiateMsg {
                    name: "Other token".into(),
                    symbol: "OTHER".into(),
                    decimals: 6,
                    initial_balances: balances,
                    mint: None,
                    marketing: None,
                },
                &[],
                "other",
                None,
            )
            .unwrap();
        let gov = app
            .instantiate_contract(
                gov_code,
                deployer.clone(),
                &InstantiateMsg {
                    amax_token: amax.to_string(),
                    params: self.params,
                    treasury_cw20s: vec![other.to_string()],
                },
                &[],
                "governance",
                Some(deployer.to_string()),
            )
            .unwrap();

        // Seed the treasury: AMAX and OTHER by transfer, native coins by bank.
        for (token, amount) in [(&amax, TREASURY_AMAX), (&other, TREASURY_OTHER)] {
            app.execute_contract(
                deployer.clone(),
                token.clone(),
                &Cw20ExecuteMsg::Transfer {
                    recipient: gov.to_string(),
                    amount: Uint128::new(amount),
                },
                &[],
            )
            .unwrap();
        }
        app.init_modules(|router, _, storage| {
            router
                .bank
                .init_balance(storage, &gov, coins(TREASURY_NATIVE, NATIVE_DENOM))
        })
        .unwrap();
        app.init_modules(|router, _, storage| {
            router
                .bank
                .init_balance(storage, &users[0], coins(1_000, NATIVE_DENOM))
        })
        .unwrap();

        let mut suite = Suite {
            app,
            gov,
            amax,
            other,
            deployer,
            users,
        };
        suite.next_block();
        suite
    }
}

pub struct Suite {
    pub app: App,
    pub gov: Addr,
    pub amax: Addr,
    pub other: Addr,
    pub deployer: Addr,
    pub users: Vec<Addr>,
}

/// The message of the error behind a failed call. cw-multi-test turns
/// contract errors into plain messages, so errors are compared by message:
/// `assert_eq!(gov_err(&err), &ContractError::X {})`.
pub fn gov_err(err: &anyhow::Error) -> GovErr {
    GovErr(err.root_cause().to_string())
}

#[derive(Debug)]
pub struct GovErr(pub String);

impl GovErr {
    /// Whether the message contains `fragment` (for errors whose fields the
    /// test does not pin down).
    pub fn has(&self, fragment: &str) -> bool {
        self.0.contains(fragment)
    }
}

impl PartialEq<&ContractError> for GovErr {
    fn eq(&self, other: &&ContractError) -> bool {
        self.0 == other.to_string()
    }
}

fn attr(res: &AppResponse, key: &str) -> Option<String> {
    res.events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
}

impl Suite {
    pub fn user(&self, name: &str) -> Addr {
        self.app.api().addr_make(name)
    }

    /// One block later, five seconds on.
    pub fn next_block(&mut self) {
        self.app.update_block(|b| {
            b.height += 1;
            b.time = b.time.plus_seconds(5);
        });
    }

    /// A new block `seconds` later.
    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.height += 1;
            b.time = b.time.plus_seconds(seconds);
        });
    }

    pub fn height(&self) -> u64 {
        self.app.block_info().height
    }

    // ---- actions ----

    pub fn send_amax(
        &mut self,
        who: &Addr,
        amount: u128,
        msg: &ReceiveMsg,
    ) -> AnyResult<AppResponse> {
        self.app.execute_contract(
            who.clone(),
            self.amax.clone(),
            &Cw20ExecuteMsg::Send {
                contract: self.gov.to_string(),
                amount: Uint128::new(amount),
                msg: to_json_binary(msg)?,
            },
            &[],
        )
    }

    pub fn stake(&mut self, who: &Addr, amount: u128) -> AnyResult<AppResponse> {
        self.send_amax(who, amount, &ReceiveMsg::Stake {})
    }

    pub fn transfer_amax(
        &mut self,
        from: &Addr,
        to: &Addr,
        amount: u128,
    ) -> AnyResult<AppResponse> {
        self.app.execute_contract(
            from.clone(),
            self.amax.clone(),
            &Cw20ExecuteMsg::Transfer {
                recipient: to.to_string(),
                amount: Uint128::new(amount),
            },
            &[],
        )
    }

    pub fn propose_with(
        &mut self,
        who: &Addr,
        deposit: u128,
        title: &str,
        msgs: Vec<CosmosMsg>,
    ) -> AnyResult<u64> {
        let res = self.send_amax(
            who,
            deposit,
            &ReceiveMsg::Propose {
                title: title.to_string(),
                description: format!("{title}: described"),
                msgs,
            },
        )?;
        Ok(attr(&res, "proposal_id")
            .expect("propose emits proposal_id")
            .parse()?)
    }

    pub fn propose(&mut self, who: &Addr, msgs: Vec<CosmosMsg>) -> AnyResult<u64> {
        self.propose_with(who, MIN_DEPOSIT, "a proposal", msgs)
    }

    pub fn exec(&mut self, who: &Addr, msg: &ExecuteMsg) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(who.clone(), self.gov.clone(), msg, &[])
    }

    pub fn unstake(&mut self, who: &Addr, amount: u128) -> AnyResult<AppResponse> {
        self.exec(
            who,
            &ExecuteMsg::Unstake {
                amount: Uint128::new(amount),
            },
        )
    }

    pub fn claim(&mut self, who: &Addr) -> AnyResult<AppResponse> {
        self.exec(who, &ExecuteMsg::Claim {})
    }

    pub fn vote(
        &mut self,
        who: &Addr,
        proposal_id: u64,
        vote: VoteOption,
    ) -> AnyResult<AppResponse> {
        self.exec(who, &ExecuteMsg::Vote { proposal_id, vote })
    }

    pub fn close(&mut self, who: &Addr, proposal_id: u64) -> AnyResult<AppResponse> {
        self.exec(who, &ExecuteMsg::Close { proposal_id })
    }

    pub fn execute(&mut self, who: &Addr, proposal_id: u64) -> AnyResult<AppResponse> {
        self.exec(who, &ExecuteMsg::Execute { proposal_id })
    }

    /// Stakes for every user, then moves to the next block so the stake counts.
    pub fn everyone_stakes(&mut self, amount: u128) {
        for u in self.users.clone() {
            self.stake(&u, amount).unwrap();
        }
        self.next_block();
    }

    /// Proposes `msgs`, has every user vote Yes, waits out voting and timelock.
    pub fn pass_proposal(&mut self, msgs: Vec<CosmosMsg>) -> u64 {
        let proposer = self.users[0].clone();
        let id = self.propose(&proposer, msgs).unwrap();
        for u in self.users.clone() {
            self.vote(&u, id, VoteOption::Yes).unwrap();
        }
        self.advance(VOTING_PERIOD + TIMELOCK);
        id
    }

    /// A message the contract sends to itself.
    pub fn self_msg(&self, msg: &ExecuteMsg) -> CosmosMsg {
        WasmMsg::Execute {
            contract_addr: self.gov.to_string(),
            msg: to_json_binary(msg).unwrap(),
            funds: vec![],
        }
        .into()
    }

    /// A cw20 transfer out of the treasury.
    pub fn cw20_transfer_msg(&self, token: &Addr, to: &Addr, amount: u128) -> CosmosMsg {
        WasmMsg::Execute {
            contract_addr: token.to_string(),
            msg: to_json_binary(&Cw20ExecuteMsg::Transfer {
                recipient: to.to_string(),
                amount: Uint128::new(amount),
            })
            .unwrap(),
            funds: vec![],
        }
        .into()
    }

    // ---- queries ----

    pub fn q<T: cosmwasm_schema::serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app.wrap().query_wasm_smart(&self.gov, msg).unwrap()
    }

    pub fn cw20_balance(&self, token: &Addr, who: &Addr) -> u128 {
        let res: BalanceResponse = self
            .app
            .wrap()
            .query_wasm_smart(
                token,
                &Cw20QueryMsg::Balance {
                    address: who.to_string(),
                },
            )
            .unwrap();
        res.balance.u128()
    }

    pub fn amax_balance(&self, who: &Addr) -> u128 {
        self.cw20_balance(&self.amax, who)
    }

    pub fn native_balance(&self, who: &Addr) -> u128 {
        self.app
            .wrap()
            .query_balance(who, NATIVE_DENOM)
            .unwrap()
            .amount
            .u128()
    }

    pub fn proposal(&self, proposal_id: u64) -> ProposalResponse {
        self.q(&QueryMsg::Proposal { proposal_id })
    }

    pub fn proposals(
        &self,
        status: Option<ProposalStatusKind>,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Vec<u64> {
        let res: ProposalsResponse = self.q(&QueryMsg::Proposals {
            status,
            start_after,
            limit,
        });
        res.proposals.iter().map(|p| p.id).collect()
    }

    pub fn config(&self) -> ConfigResponse {
        self.q(&QueryMsg::Config {})
    }

    pub fn staked(&self, who: &Addr) -> u128 {
        let res: StakedResponse = self.q(&QueryMsg::Staked {
            address: who.to_string(),
        });
        res.staked.u128()
    }

    pub fn voting_power(&self, who: &Addr, height: Option<u64>) -> u128 {
        let res: VotingPowerResponse = self.q(&QueryMsg::VotingPower {
            address: who.to_string(),
            height,
        });
        res.power.u128()
    }

    pub fn total_power(&self, height: Option<u64>) -> u128 {
        let res: TotalPowerResponse = self.q(&QueryMsg::TotalPower { height });
        res.power.u128()
    }

    pub fn claims(&self, who: &Addr) -> ClaimsResponse {
        self.q(&QueryMsg::Claims {
            address: who.to_string(),
        })
    }

    pub fn treasury(&self) -> TreasuryResponse {
        self.q(&QueryMsg::Treasury {})
    }

    pub fn votes(
        &self,
        proposal_id: u64,
        start_after: Option<String>,
        limit: Option<u32>,
    ) -> VotesResponse {
        self.q(&QueryMsg::Votes {
            proposal_id,
            start_after,
            limit,
        })
    }

    pub fn voter_votes(
        &self,
        voter: &Addr,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> VotesResponse {
        self.q(&QueryMsg::VoterVotes {
            voter: voter.to_string(),
            start_after,
            limit,
        })
    }

    pub fn vote_history(&self, proposal_id: u64) -> VoteHistoryResponse {
        self.q(&QueryMsg::VoteHistory {
            proposal_id,
            start_after: None,
            limit: Some(100),
        })
    }

    pub fn native(amount: u128) -> Vec<Coin> {
        coins(amount, NATIVE_DENOM)
    }
}
