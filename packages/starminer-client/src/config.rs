//! How to reach a chain: endpoints, chain id, address prefix, fee settings.

use std::str::FromStr;

use anyhow::{bail, Context, Result};
use cosmwasm_std::{Decimal, Uint128};
use serde::{Deserialize, Serialize};

/// Everything a client needs to know about one chain. Serialized as JSON in
/// the CLI's config; `gas_price` is a decimal string (`"0.0025"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChainConfig {
    pub chain_id: String,
    /// CometBFT JSON-RPC, e.g. `http://127.0.0.1:26657`.
    pub rpc: String,
    /// More RPC endpoints of the same chain (other nodes), tried in order
    /// when the current one cannot be reached.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rpc_fallbacks: Vec<String>,
    /// Cosmos gRPC endpoint, when the chain has one (unused by this client,
    /// recorded for tools that want it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grpc: Option<String>,
    /// Cosmos REST (LCD) endpoint, when the chain has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest: Option<String>,
    /// Bech32 prefix of account addresses.
    pub prefix: String,
    /// Denom fees are paid in.
    pub fee_denom: String,
    /// Price per gas unit in `fee_denom`.
    pub gas_price: Decimal,
    /// Simulated gas is multiplied by this before signing.
    #[serde(default = "default_gas_adjustment")]
    pub gas_adjustment: f64,
}

fn default_gas_adjustment() -> f64 {
    1.3
}

/// The devnet's chain id (docs/protocol.md).
pub const DEVNET_CHAIN_ID: &str = "starminer-devnet-1";
/// The devnet's default RPC address.
pub const DEVNET_RPC: &str = "http://127.0.0.1:26657";

impl ChainConfig {
    /// The embedded devnet at its default address.
    pub fn devnet() -> Self {
        Self::devnet_at(DEVNET_RPC)
    }

    /// The embedded devnet at another RPC address.
    pub fn devnet_at(rpc: &str) -> Self {
        ChainConfig {
            chain_id: DEVNET_CHAIN_ID.to_string(),
            rpc: rpc.to_string(),
            rpc_fallbacks: Vec::new(),
            grpc: None,
            rest: None,
            prefix: "starminer".to_string(),
            fee_denom: "ustar".to_string(),
            gas_price: Decimal::from_str("0.0025").expect("literal decimal"),
            gas_adjustment: default_gas_adjustment(),
        }
    }

    /// Checks what a typo would otherwise turn into a confusing RPC error.
    pub fn validate(&self) -> Result<()> {
        if self.chain_id.is_empty() {
            bail!("chain_id is empty: set it to the chain's id (e.g. starminer-devnet-1)");
        }
        for rpc in self.rpc_endpoints() {
            if !(rpc.starts_with("http://") || rpc.starts_with("https://")) {
                bail!("rpc `{rpc}` must be an http:// or https:// URL of a CometBFT RPC endpoint");
            }
        }
        bech32::Hrp::parse(&self.prefix)
            .with_context(|| format!("prefix `{}` is not a valid bech32 prefix", self.prefix))?;
        if self.fee_denom.is_empty() {
            bail!("fee_denom is empty: set the denom fees are paid in (e.g. ustar)");
        }
        if !(self.gas_adjustment >= 1.0 && self.gas_adjustment <= 10.0) {
            bail!(
                "gas_adjustment {} is out of range: use a value between 1.0 and 10.0 (1.3 is usual)",
                self.gas_adjustment
            );
        }
        Ok(())
    }

    /// The fee for `gas` units at the gas price, rounded up.
    pub fn fee_for(&self, gas: u64) -> u128 {
        Uint128::from(gas).mul_ceil(self.gas_price).u128()
    }

    /// The gas limit to sign for a simulated `gas_used`.
    pub fn adjusted_gas(&self, gas_used: u64) -> u64 {
        ((gas_used as f64) * self.gas_adjustment).ceil() as u64
    }

    /// Every RPC endpoint: `rpc`, then the fallbacks.
    pub fn rpc_endpoints(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.rpc.as_str()).chain(self.rpc_fallbacks.iter().map(String::as_str))
    }

    /// The CometBFT WebSocket endpoint (`ws(s)://…/websocket`) of `rpc`.
    pub fn websocket_url(&self) -> String {
        websocket_url_of(&self.rpc)
    }
}

/// The CometBFT WebSocket endpoint (`ws(s)://…/websocket`) of an RPC URL.
pub fn websocket_url_of(rpc: &str) -> String {
    let base = rpc.trim_end_matches('/');
    let ws = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        base.to_string()
    };
    format!("{ws}/websocket")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_round_up_and_gas_is_adjusted() {
        let c = ChainConfig::devnet();
        assert_eq!(c.fee_for(200_000), 500);
        assert_eq!(c.fee_for(1), 1);
        assert_eq!(c.adjusted_gas(100_000), 130_000);
        c.validate().unwrap();
    }

    #[test]
    fn websocket_url_follows_the_rpc_scheme() {
        assert_eq!(
            ChainConfig::devnet().websocket_url(),
            "ws://127.0.0.1:26657/websocket"
        );
        let c = ChainConfig::devnet_at("https://rpc.example.org/");
        assert_eq!(c.websocket_url(), "wss://rpc.example.org/websocket");
    }

    #[test]
    fn bad_configs_say_what_to_fix() {
        let mut c = ChainConfig::devnet();
        c.rpc = "127.0.0.1:26657".into();
        assert!(c.validate().unwrap_err().to_string().contains("http://"));
        let mut c = ChainConfig::devnet();
        c.gas_adjustment = 0.5;
        assert!(c.validate().is_err());
        let mut c = ChainConfig::devnet();
        c.rpc_fallbacks = vec![
            "http://127.0.0.1:26667".into(),
            "tcp://127.0.0.1:26677".into(),
        ];
        let e = c.validate().unwrap_err().to_string();
        assert!(e.contains("tcp://127.0.0.1:26677"), "{e}");
    }

    #[test]
    fn json_round_trip_keeps_the_gas_price_exact() {
        let c = ChainConfig::devnet();
        let text = serde_json::to_string(&c).unwrap();
        assert!(text.contains("\"gas_price\":\"0.0025\""));
        assert_eq!(serde_json::from_str::<ChainConfig>(&text).unwrap(), c);
    }
}
