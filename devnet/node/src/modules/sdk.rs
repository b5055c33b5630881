//! The Cosmos SDK's vocabulary that every module speaks: the chain's denom
//! and address prefix, the SDK's and wasmd's error codes ([`TxError`]),
//! ABCI events, coins, addresses and query pagination.

use std::str::FromStr;

use cosmos_sdk_proto::cosmos::base::query::v1beta1::{PageRequest, PageResponse};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmos_sdk_proto::Any;
use cosmwasm_std::{Coin, Uint128};
use prost::{Message, Name};
use starminer_wasm_host::HostError;
use tendermint::abci;

/// The fee and staking denom.
pub const DENOM: &str = "ustar";
/// Bech32 prefix of account addresses.
pub const BECH32_PREFIX: &str = "starminer";

/// An SDK error as an ABCI result carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxError {
    pub codespace: String,
    pub code: u32,
    pub log: String,
}

impl TxError {
    /// An `sdk` codespace error, logged as the SDK wraps it: `"{context}: {description}"`.
    pub fn sdk(code: u32, context: impl Into<String>) -> Self {
        let context = context.into();
        let desc = sdk_description(code);
        TxError {
            codespace: "sdk".to_string(),
            code,
            log: if context.is_empty() {
                desc.to_string()
            } else {
                format!("{context}: {desc}")
            },
        }
    }
}

/// The description the Cosmos SDK registers for its `sdk` codespace codes.
pub fn sdk_description(code: u32) -> &'static str {
    match code {
        1 => "internal",
        2 => "tx parse error",
        3 => "invalid sequence",
        4 => "unauthorized",
        5 => "insufficient funds",
        6 => "unknown request",
        7 => "invalid address",
        8 => "invalid pubkey",
        9 => "unknown address",
        10 => "invalid coins",
        11 => "out of gas",
        12 => "memo too large",
        13 => "insufficient fee",
        15 => "no signatures supplied",
        18 => "invalid request",
        19 => "tx already in mempool",
        21 => "tx too large",
        22 => "key not found",
        28 => "invalid chain-id",
        30 => "tx timeout height",
        32 => "incorrect account sequence",
        38 => "not found",
        _ => "error",
    }
}

/// The description wasmd registers for its `wasm` codespace codes.
pub fn wasm_description(code: u32) -> &'static str {
    match code {
        2 => "create wasm contract failed",
        3 => "instantiate wasm contract failed",
        4 => "instantiate wasm contract failed",
        5 => "execute wasm contract failed",
        6 => "gas limit exceeded",
        7 => "invalid genesis",
        8 => "not found",
        9 => "query wasm contract failed",
        10 => "invalid msg",
        11 => "migrate wasm contract failed",
        12 => "empty",
        13 => "exceeds limit",
        14 => "invalid",
        15 => "duplicate",
        16 => "max transfer channels",
        17 => "unsupported for contract",
        18 => "pinning contract failed",
        19 => "unpinning contract failed",
        20 => "unknown message from the contract",
        21 => "invalid event",
        22 => "no such contract",
        27 => "max query stack size exceeded",
        28 => "no such code",
        29 => "wasmvm error",
        _ => "error",
    }
}

/// An error the SDK does not know the code of (a plain Go error): ABCI
/// reports it as codespace `undefined`, code 1.
pub fn unregistered(log: String) -> TxError {
    TxError {
        codespace: "undefined".to_string(),
        code: 1,
        log,
    }
}

/// A `wasm` codespace error, logged as `"{context}: {description}"`.
pub fn wasm_error(code: u32, context: impl Into<String>) -> TxError {
    TxError {
        codespace: "wasm".to_string(),
        code,
        log: format!("{}: {}", context.into(), wasm_description(code)),
    }
}

/// What `sdk.AccAddressFromBech32` says about an address, `None` when it is valid.
pub fn bech32_error(address: &str) -> Option<String> {
    if address.trim().is_empty() {
        return Some("empty address string is not allowed".to_string());
    }
    match bech32::decode(address) {
        Err(e) => Some(format!("decoding bech32 failed: {e}")),
        Ok((hrp, _)) if !hrp.as_str().eq_ignore_ascii_case(BECH32_PREFIX) => Some(format!(
            "invalid Bech32 prefix; expected {}, got {}",
            BECH32_PREFIX,
            hrp.as_str().to_lowercase()
        )),
        Ok((_, data)) if data.is_empty() => Some("addresses cannot be empty".to_string()),
        Ok((_, data)) if data.len() > 255 => {
            Some(format!("address max length is 255, got {}", data.len()))
        }
        Ok(_) => None,
    }
}

/// The SDK's denom rule: `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`.
fn denom_valid(denom: &str) -> bool {
    let b = denom.as_bytes();
    (3..=128).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"/:._-".contains(c))
}

/// `sdk.Coins.IsValid`: valid denoms in strictly ascending order, each amount positive.
pub fn coins_valid(coins: &[cosmos_sdk_proto::cosmos::base::v1beta1::Coin]) -> bool {
    coins.iter().all(|c| {
        denom_valid(&c.denom)
            && c.amount.bytes().all(|d| d.is_ascii_digit())
            && c.amount.parse::<u128>().is_ok_and(|a| a > 0)
    }) && coins.windows(2).all(|w| w[0].denom < w[1].denom)
}

/// `sdk.Coins.String`.
pub fn coins_text(coins: &[cosmos_sdk_proto::cosmos::base::v1beta1::Coin]) -> String {
    coins
        .iter()
        .map(|c| format!("{}{}", c.amount, c.denom))
        .collect::<Vec<_>>()
        .join(",")
}

// ---- events and coins ----------------------------------------------------

pub fn abci_event(kind: &str, attrs: Vec<(String, String)>) -> abci::Event {
    abci::Event::new(kind, attrs.into_iter().map(|(k, v)| (k, v, true)))
}

pub fn host_event(e: &cosmwasm_std::Event, msg_index: Option<usize>) -> abci::Event {
    let mut attrs: Vec<(String, String)> = e
        .attributes
        .iter()
        .map(|a| (a.key.clone(), a.value.clone()))
        .collect();
    if let Some(i) = msg_index {
        attrs.push(("msg_index".to_string(), i.to_string()));
    }
    abci_event(&e.ty, attrs)
}

pub fn parse_coins(coins: &[ProtoCoin]) -> Result<Vec<Coin>, TxError> {
    coins
        .iter()
        .map(|c| {
            Uint128::from_str(&c.amount)
                .map(|amount| Coin::new(amount, c.denom.clone()))
                .map_err(|_| TxError::sdk(10, format!("invalid coin amount {}", c.amount)))
        })
        .collect()
}

/// A message as an `Any`.
pub fn any<M: Message + Name>(m: M) -> Any {
    Any {
        type_url: M::type_url(),
        value: m.encode_to_vec(),
    }
}

// ---- queries -------------------------------------------------------------

/// Decodes a query request.
pub fn decode<M: Message + Default>(data: &[u8]) -> Result<M, TxError> {
    M::decode(data).map_err(|e| TxError::sdk(2, format!("failed to decode query request: {e}")))
}

/// A gRPC status error as the SDK reports it through ABCI.
pub fn grpc_error(code: u32, grpc_code: &str, desc: String) -> TxError {
    TxError::sdk(code, format!("rpc error: code = {grpc_code} desc = {desc}"))
}

pub fn invalid_argument(desc: impl Into<String>) -> TxError {
    grpc_error(18, "InvalidArgument", desc.into())
}

/// A wasm host error as wasmd's query router answers it.
pub fn host_query_error(e: HostError) -> TxError {
    let (codespace, code) = e.abci_code();
    let inner = e.wasmd_message();
    if codespace == "wasm" && (code == 9 || code == 29) {
        // A contract's failed (9) or aborted (29) query: wasmd's query
        // router answers a keeper error over ABCI as sdk/6 (unknown
        // request) wrapping it.
        TxError::sdk(6, format!("{inner}: {}", wasm_description(code)))
    } else if codespace == "wasm" {
        TxError {
            codespace: codespace.to_string(),
            code,
            log: format!("{inner}: {}", wasm_description(code)),
        }
    } else {
        TxError::sdk(code, inner)
    }
}

/// The SDK's `query.Paginate` over `items` sorted by their store key: a page
/// starts at `key` (inclusive) or after `offset` items, holds `limit` items
/// (default 100), and `next_key` is the key of the item after it. The total
/// is counted when asked for, or when no limit was given, and never when
/// paging by key.
pub fn paginate<T>(
    items: Vec<(Vec<u8>, T)>,
    page: Option<PageRequest>,
) -> Result<(Vec<T>, PageResponse), TxError> {
    const DEFAULT_LIMIT: u64 = 100;
    let page = page.unwrap_or_default();
    if page.offset > 0 && !page.key.is_empty() {
        return Err(invalid_argument(
            "paginate: invalid request, either offset or key is expected, got both",
        ));
    }
    let (limit, count_total) = if page.limit == 0 {
        (DEFAULT_LIMIT, true)
    } else {
        (page.limit, page.count_total)
    };
    let mut items = items;
    if page.reverse {
        items.reverse();
    }
    let total = items.len() as u64;
    let start = if page.key.is_empty() {
        page.offset.min(total) as usize
    } else if page.reverse {
        items.partition_point(|(k, _)| k.as_slice() > page.key.as_slice())
    } else {
        items.partition_point(|(k, _)| k.as_slice() < page.key.as_slice())
    };
    let end = start.saturating_add(limit as usize).min(items.len());
    let next_key = items.get(end).map(|(k, _)| k.clone()).unwrap_or_default();
    let by_key = !page.key.is_empty();
    let page_items = items
        .into_iter()
        .skip(start)
        .take(end - start)
        .map(|(_, v)| v)
        .collect();
    Ok((
        page_items,
        PageResponse {
            next_key,
            total: if count_total && !by_key { total } else { 0 },
        },
    ))
}
