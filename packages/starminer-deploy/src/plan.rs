//! The deployment plan: contracts in order, their addresses, and every
//! message a deployment sends, as pure functions of addresses and config.

use anyhow::{bail, Context, Result};
use bech32::{Bech32, Hrp};
use cosmwasm_std::{
    instantiate2_address, to_json_binary, Addr, Binary, CanonicalAddr, Checksum, CosmosMsg,
    Uint128, WasmMsg,
};
use cw20::Cw20Coin;
use serde::Serialize;
use starminer_interfaces::governance::GovernanceParams;
use starminer_interfaces::incentives::IncentivesParams;
use starminer_interfaces::job_market::{
    ExecuteMsg as MarketMsg, LatencyClass, MarketParams, SpillRoute, SpillUpdate, Template,
    ZoneUpdate,
};
use starminer_interfaces::pricing::PricingParams;
use starminer_interfaces::registry::Params as RegistryParams;
use starminer_interfaces::{agpu, amax, governance, incentives, job_market, pricing, registry};

use crate::params::{self, continent};

/// The contracts of a deployment, in instantiation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Contract {
    Amax,
    Governance,
    Agpu,
    Registry,
    Pricing,
    Incentives,
    JobMarket,
}

impl Contract {
    /// Deployment order: each contract's instantiate message only names
    /// contracts before it, or after it through their predicted addresses.
    pub const ORDER: [Contract; 7] = [
        Contract::Amax,
        Contract::Governance,
        Contract::Agpu,
        Contract::Registry,
        Contract::Pricing,
        Contract::Incentives,
        Contract::JobMarket,
    ];

    /// File stem of the artifact `scripts/build-wasm.sh` writes
    /// (`artifacts/<stem>.wasm`).
    pub fn artifact(self) -> &'static str {
        match self {
            Contract::Amax => "amax_token",
            Contract::Governance => "governance",
            Contract::Agpu => "agpu_token",
            Contract::Registry => "registry",
            Contract::Pricing => "pricing",
            Contract::Incentives => "incentives",
            Contract::JobMarket => "job_market",
        }
    }

    /// The on-chain label.
    pub fn label(self) -> &'static str {
        match self {
            Contract::Amax => "starminer-amax",
            Contract::Governance => "starminer-governance",
            Contract::Agpu => "starminer-agpu",
            Contract::Registry => "starminer-registry",
            Contract::Pricing => "starminer-pricing",
            Contract::Incentives => "starminer-incentives",
            Contract::JobMarket => "starminer-job-market",
        }
    }

    /// instantiate2 salt: the deployment's namespace and the contract's label,
    /// so one deployer can make several deployments of the same codes.
    pub fn salt(self, namespace: &str) -> Vec<u8> {
        format!("{namespace}/{}", self.label()).into_bytes()
    }
}

/// The address of every contract of a deployment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addresses {
    pub amax: Addr,
    pub governance: Addr,
    pub agpu: Addr,
    pub registry: Addr,
    pub pricing: Addr,
    pub incentives: Addr,
    pub job_market: Addr,
}

impl Addresses {
    pub fn of(&self, contract: Contract) -> &Addr {
        match contract {
            Contract::Amax => &self.amax,
            Contract::Governance => &self.governance,
            Contract::Agpu => &self.agpu,
            Contract::Registry => &self.registry,
            Contract::Pricing => &self.pricing,
            Contract::Incentives => &self.incentives,
            Contract::JobMarket => &self.job_market,
        }
    }

    /// wasmd's instantiate2 addresses (without the fixed-message option) of
    /// the contracts that `deployer` instantiates from the codes with
    /// `checksums`, under `namespace`. The bech32 prefix is the deployer's.
    pub fn predict(
        deployer: &Addr,
        checksums: impl Fn(Contract) -> Checksum,
        namespace: &str,
    ) -> Result<Self> {
        let (hrp, creator) = bech32::decode(deployer.as_str())
            .with_context(|| format!("deployer {deployer} is not a bech32 address"))?;
        let creator = CanonicalAddr::from(creator);
        let predict = |c: Contract| -> Result<Addr> {
            let raw = instantiate2_address(checksums(c).as_slice(), &creator, &c.salt(namespace))
                .with_context(|| format!("instantiate2 address of {}", c.label()))?;
            humanize(hrp, raw.as_slice())
        };
        Ok(Addresses {
            amax: predict(Contract::Amax)?,
            governance: predict(Contract::Governance)?,
            agpu: predict(Contract::Agpu)?,
            registry: predict(Contract::Registry)?,
            pricing: predict(Contract::Pricing)?,
            incentives: predict(Contract::Incentives)?,
            job_market: predict(Contract::JobMarket)?,
        })
    }
}

fn humanize(hrp: Hrp, raw: &[u8]) -> Result<Addr> {
    Ok(Addr::unchecked(bech32::encode::<Bech32>(hrp, raw)?))
}

/// Everything a deployment is made of besides addresses: genesis balances,
/// zones, oracles and every contract's parameters.
#[derive(Clone, Debug)]
pub struct DeployConfig {
    /// Prefix of every instantiate2 salt (see [`Contract::salt`]).
    pub namespace: String,
    /// AMAX's fixed supply, as genesis balances.
    pub amax_balances: Vec<Cw20Coin>,
    /// AGPU's genesis balances; later AGPU is minted only by incentives.
    pub agpu_balances: Vec<Cw20Coin>,
    pub agpu_cap: Uint128,
    /// Zones of the registry and of the market.
    pub zones: Vec<String>,
    /// Latency oracles of the market (may post the zone table and the
    /// spillover matrix besides governance).
    pub oracles: Vec<String>,
    pub governance: GovernanceParams,
    pub registry: RegistryParams,
    pub pricing: PricingParams,
    pub incentives: IncentivesParams,
    pub market: MarketParams,
    /// Spillover delays of the matrix the latency oracle posts at deployment.
    pub spill: SpillDelays,
}

/// How long a job waits before providers of another zone may claim it:
/// `regional` within a continent, `global` across continents (seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpillDelays {
    pub regional: u64,
    pub global: u64,
}

impl Default for SpillDelays {
    fn default() -> Self {
        SpillDelays {
            regional: params::SPILL_DELAY_REGIONAL,
            global: params::SPILL_DELAY_GLOBAL,
        }
    }
}

impl DeployConfig {
    /// The devnet defaults of [`crate::params`]: the eight devnet zones,
    /// `deployer` as the latency oracle, and the given genesis balances.
    pub fn devnet(
        deployer: &Addr,
        amax_balances: Vec<Cw20Coin>,
        agpu_balances: Vec<Cw20Coin>,
    ) -> Self {
        DeployConfig {
            namespace: "starminer".into(),
            amax_balances,
            agpu_balances,
            agpu_cap: Uint128::new(params::AGPU_CAP),
            zones: params::DEVNET_ZONES.iter().map(|z| z.to_string()).collect(),
            oracles: vec![deployer.to_string()],
            governance: params::governance_params(),
            registry: params::registry_params(),
            pricing: params::pricing_params(),
            incentives: params::incentives_params(),
            market: params::market_params(),
            spill: SpillDelays::default(),
        }
    }
}

fn json<T: Serialize>(msg: &T) -> Binary {
    to_json_binary(msg).expect("StarMiner messages serialize")
}

pub fn amax_instantiate(config: &DeployConfig) -> amax::InstantiateMsg {
    amax::InstantiateMsg {
        name: "StarMiner Governance".into(),
        symbol: "AMAX".into(),
        initial_balances: config.amax_balances.clone(),
        marketing: None,
    }
}

pub fn governance_instantiate(a: &Addresses, config: &DeployConfig) -> governance::InstantiateMsg {
    governance::InstantiateMsg {
        amax_token: a.amax.to_string(),
        params: config.governance.clone(),
        // The treasury reports the AGPU it collects (fees, slashes).
        treasury_cw20s: vec![a.agpu.to_string()],
    }
}

pub fn agpu_instantiate(a: &Addresses, config: &DeployConfig) -> agpu::InstantiateMsg {
    agpu::InstantiateMsg {
        name: "StarMiner GPU".into(),
        symbol: "AGPU".into(),
        initial_balances: config.agpu_balances.clone(),
        minter: a.incentives.to_string(),
        cap: config.agpu_cap,
        governance: a.governance.to_string(),
        marketing: None,
    }
}

pub fn registry_instantiate(a: &Addresses, config: &DeployConfig) -> registry::InstantiateMsg {
    registry::InstantiateMsg {
        governance: a.governance.to_string(),
        agpu_token: a.agpu.to_string(),
        authorized: vec![a.job_market.to_string(), a.incentives.to_string()],
        zones: config.zones.clone(),
        params: config.registry.clone(),
        // The market reads its oracles from the registry: the deployer (or
        // whoever the config names) posts the first zone table.
        oracles: config.oracles.clone(),
    }
}

pub fn pricing_instantiate(a: &Addresses, config: &DeployConfig) -> pricing::InstantiateMsg {
    pricing::InstantiateMsg {
        governance: a.governance.to_string(),
        registry: a.registry.to_string(),
        reporters: vec![a.job_market.to_string()],
        params: config.pricing.clone(),
    }
}

pub fn incentives_instantiate(a: &Addresses, config: &DeployConfig) -> incentives::InstantiateMsg {
    incentives::InstantiateMsg {
        governance: a.governance.to_string(),
        agpu_token: a.agpu.to_string(),
        registry: a.registry.to_string(),
        reporters: vec![a.job_market.to_string()],
        params: config.incentives.clone(),
    }
}

pub fn market_instantiate(a: &Addresses, config: &DeployConfig) -> job_market::InstantiateMsg {
    job_market::InstantiateMsg {
        governance: a.governance.to_string(),
        agpu_token: a.agpu.to_string(),
        registry: a.registry.to_string(),
        pricing: a.pricing.to_string(),
        incentives: a.incentives.to_string(),
        oracles: config.oracles.clone(),
        params: config.market.clone(),
    }
}

/// The instantiate message of `contract`, serialized.
pub fn instantiate_msg(contract: Contract, a: &Addresses, config: &DeployConfig) -> Binary {
    match contract {
        Contract::Amax => json(&amax_instantiate(config)),
        Contract::Governance => json(&governance_instantiate(a, config)),
        Contract::Agpu => json(&agpu_instantiate(a, config)),
        Contract::Registry => json(&registry_instantiate(a, config)),
        Contract::Pricing => json(&pricing_instantiate(a, config)),
        Contract::Incentives => json(&incentives_instantiate(a, config)),
        Contract::JobMarket => json(&market_instantiate(a, config)),
    }
}

/// The wasm admin of every contract: governance (migrations go through
/// proposals), governance included.
pub fn admin(a: &Addresses) -> &Addr {
    &a.governance
}

/// The spillover route from zone `from` to zone `to` in the default matrix:
/// within a continent after [`params::SPILL_DELAY_REGIONAL`], across
/// continents after [`params::SPILL_DELAY_GLOBAL`] for jobs that accept
/// `Global` latency.
pub fn default_route(from: &str, to: &str, delays: &SpillDelays) -> SpillRoute {
    if continent(from) == continent(to) {
        SpillRoute {
            delay: delays.regional,
            latency: LatencyClass::Regional,
        }
    } else {
        SpillRoute {
            delay: delays.global,
            latency: LatencyClass::Global,
        }
    }
}

/// The market's zone table (every zone at [`params::ZONE_CAPACITY_THRESHOLD`])
/// and the full spillover matrix between them: what the latency oracle sends
/// right after deployment. Both are `SetZones` / `SetSpillover` executes on
/// the job market, accepted from governance or an oracle.
pub fn market_zone_msgs(zones: &[String], delays: &SpillDelays) -> Vec<MarketMsg> {
    let set_zones = MarketMsg::SetZones {
        zones: zones
            .iter()
            .map(|z| ZoneUpdate {
                zone: z.clone(),
                capacity_threshold: params::ZONE_CAPACITY_THRESHOLD,
            })
            .collect(),
    };
    let routes = zones
        .iter()
        .flat_map(|from| {
            zones
                .iter()
                .filter(move |to| *to != from)
                .map(move |to| SpillUpdate {
                    from: from.clone(),
                    to: to.clone(),
                    route: Some(default_route(from, to, delays)),
                })
        })
        .collect();
    vec![set_zones, MarketMsg::SetSpillover { routes }]
}

/// Proposal messages registering `templates` in the job market (templates
/// are governance-only).
pub fn register_templates_msgs(a: &Addresses, templates: &[Template]) -> Vec<CosmosMsg> {
    templates
        .iter()
        .map(|t| {
            wasm_execute(
                &a.job_market,
                &MarketMsg::RegisterTemplate {
                    template: t.clone(),
                },
            )
        })
        .collect()
}

/// A `CosmosMsg` executing `msg` on `contract` without funds (for proposals).
pub fn wasm_execute<T: Serialize>(contract: &Addr, msg: &T) -> CosmosMsg {
    CosmosMsg::Wasm(WasmMsg::Execute {
        contract_addr: contract.to_string(),
        msg: json(msg),
        funds: vec![],
    })
}

/// Checks a deployment's addresses against the plan: each instantiate2
/// result must be the predicted address.
pub fn check_address(contract: Contract, predicted: &Addr, got: &Addr) -> Result<()> {
    if predicted != got {
        bail!(
            "{} was instantiated at {got}, not at its predicted address {predicted}",
            contract.label()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(seed: u8) -> Addr {
        humanize(Hrp::parse("starminer").unwrap(), &[seed; 32]).unwrap()
    }

    #[test]
    fn addresses_are_distinct_and_carry_the_deployers_prefix() {
        let deployer = humanize(Hrp::parse("starminer").unwrap(), &[9; 20]).unwrap();
        let a = Addresses::predict(&deployer, |c| Checksum::generate(c.label().as_bytes()), "t")
            .unwrap();
        let all: Vec<_> = Contract::ORDER.iter().map(|c| a.of(*c).clone()).collect();
        for (i, x) in all.iter().enumerate() {
            assert!(x.as_str().starts_with("starminer1"));
            assert!(!all[i + 1..].contains(x), "{x} repeats");
        }
        // Another namespace, other addresses.
        let b = Addresses::predict(&deployer, |c| Checksum::generate(c.label().as_bytes()), "u")
            .unwrap();
        assert_ne!(a.registry, b.registry);
    }

    #[test]
    fn wiring_names_the_right_peers() {
        let a = Addresses {
            amax: addr(1),
            governance: addr(2),
            agpu: addr(3),
            registry: addr(4),
            pricing: addr(5),
            incentives: addr(6),
            job_market: addr(7),
        };
        let c = DeployConfig::devnet(&addr(8), vec![], vec![]);
        assert_eq!(agpu_instantiate(&a, &c).minter, a.incentives.as_str());
        assert_eq!(
            registry_instantiate(&a, &c).authorized,
            [a.job_market.to_string(), a.incentives.to_string()]
        );
        assert_eq!(
            pricing_instantiate(&a, &c).reporters,
            [a.job_market.to_string()]
        );
        assert_eq!(
            incentives_instantiate(&a, &c).reporters,
            [a.job_market.to_string()]
        );
        assert_eq!(market_instantiate(&a, &c).governance, a.governance.as_str());
        assert_eq!(admin(&a), &a.governance);
        // 8 zones: the table and 56 routes, 8 of them regional.
        let msgs = market_zone_msgs(&c.zones, &c.spill);
        let MarketMsg::SetSpillover { routes } = &msgs[1] else {
            panic!("second message sets the spillover")
        };
        assert_eq!(routes.len(), 56);
        let regional = routes
            .iter()
            .filter(|r| r.route.as_ref().unwrap().latency == LatencyClass::Regional)
            .count();
        assert_eq!(regional, 8);
    }
}
