//! The devnet's IBC module: ibc-rs (ICS-02 clients with 07-tendermint,
//! ICS-03 connections, ICS-04 channels and packets, ICS-26 routing) and
//! ICS-20 on port `transfer`, over the node's state.
//!
//! The node hands this crate what it owns and nothing more:
//! - a [`KvStore`](starminer_wasm_host::KvStore) handle on its working state,
//!   in which every ICS-24 path is the key `ibc/<path>` (the node commits
//!   those in its IBC substore, so they are proven under the prefix `ibc`);
//! - the block being executed ([`BlockEnv`]);
//! - its past headers and its proofs ([`HostChain`]);
//! - its bank ([`Bank`]), for ICS-20's escrow, mint and burn;
//! - its contracts ([`Contracts`]), the applications of the
//!   `wasm.<address>` ports (module [`wasm`], which also holds the bridge
//!   through which contracts send packets, [`ContractIbc`]).
//!
//! [`deliver`] runs one IBC message of a transaction, [`query`] answers the
//! `ibc.core.*` and `ibc.applications.transfer.v1` gRPC queries.

pub mod bank;
mod context;
mod events;
mod gas;
mod query;
mod router;
pub mod transfer;
pub mod wasm;

use std::rc::Rc;
use std::time::Duration;

pub use bank::{BankAccess, HostBank};
pub use context::{path_key, revision_number, IbcContext, IbcStore, STORE_PREFIX};
pub use events::AbciEvent;
pub use gas::GasMetered;
pub use query::query;
pub use wasm::{ContractIbc, Contracts, NoContracts};

use ibc::apps::transfer::handler::send_transfer;
use ibc::apps::transfer::types::msgs::transfer::MsgTransfer;
use ibc::core::channel::types::msgs::ChannelMsg;
use ibc::core::entrypoint::dispatch;
use ibc::core::handler::types::msgs::MsgEnvelope;
use ibc::core::host::types::identifiers::{ChannelId, PortId};
use ibc::core::host::types::path::SeqSendPath;
use ibc::core::host::ValidationContext;
use ibc::primitives::proto::Any;
use ibc_proto::ibc::apps::transfer::v1::MsgTransfer as RawMsgTransfer;
use prost::Message;

use crate::router::HostRouter;
use crate::transfer::TransferModule;
use crate::wasm::WasmModule;

/// The unbonding period the chain reports (staking `Params`), which a
/// client of this chain must carry.
pub const UNBONDING_PERIOD: Duration = Duration::from_secs(21 * 24 * 3600);
/// ibc-go's default `max_expected_time_per_block` (connection delays in blocks).
pub const MAX_EXPECTED_TIME_PER_BLOCK: Duration = Duration::from_secs(30);

/// Type URL of ICS-20's `MsgTransfer`.
pub const MSG_TRANSFER_URL: &str = "/ibc.applications.transfer.v1.MsgTransfer";

/// The proof specs of this chain's commitments: the IBC substore's Jellyfish
/// Merkle tree, then the main tree (published as `devnet/chain/proof-specs.json`).
pub fn proof_specs() -> Vec<ics23::ProofSpec> {
    vec![jmt::ics23_spec(), jmt::ics23_spec()]
}

/// Whether a message type belongs to this module.
pub fn handles(type_url: &str) -> bool {
    type_url == MSG_TRANSFER_URL || type_url.starts_with("/ibc.core.")
}

/// The block a message runs in (or, for a query, the height it reads).
#[derive(Clone, Debug)]
pub struct BlockEnv {
    pub chain_id: String,
    pub height: u64,
    /// Block time, nanoseconds since the Unix epoch.
    pub time_nanos: u64,
}

/// What a light client of this chain stores of one of its headers.
#[derive(Clone, Debug)]
pub struct HostHeader {
    pub time_nanos: u64,
    pub app_hash: Vec<u8>,
    pub next_validators_hash: Vec<u8>,
}

/// The node's chain, as the IBC module needs it.
pub trait HostChain {
    /// The committed header of `height`, if the node still has it.
    fn header(&self, height: u64) -> Option<HostHeader>;
    /// The protobuf `MerkleProof` of state key `key` at state version `version`.
    fn proof(&self, key: &[u8], version: u64) -> Option<Vec<u8>>;
}

/// The node's bank, for ICS-20. Amounts are in the denom's base unit.
pub trait Bank {
    fn balance(&self, addr: &str, denom: &str) -> u128;
    fn send(&mut self, from: &str, to: &str, denom: &str, amount: u128) -> Result<(), String>;
    fn mint(&mut self, to: &str, denom: &str, amount: u128) -> Result<(), String>;
    fn burn(&mut self, from: &str, denom: &str, amount: u128) -> Result<(), String>;
    /// Checks an account address (bech32 with the chain's prefix).
    fn validate_address(&self, addr: &str) -> Result<(), String>;
    /// The account address of raw address bytes.
    fn address_of(&self, raw: &[u8]) -> String;
}

/// A refused IBC message, with the codespace and code of ibc-go's module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IbcError {
    pub codespace: &'static str,
    pub code: u32,
    pub log: String,
}

impl std::fmt::Display for IbcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}/{})", self.log, self.codespace, self.code)
    }
}

impl std::error::Error for IbcError {}

/// What one IBC message did.
#[derive(Clone, Debug, Default)]
pub struct Delivered {
    pub events: Vec<AbciEvent>,
    /// The SDK's KV gas of the module's state access (the bank's is the bank's).
    pub gas_used: u64,
    /// The packet sequence a `MsgTransfer` sent.
    pub sequence: Option<u64>,
}

/// The applications a message may reach.
pub struct Apps<'a> {
    pub bank: &'a mut dyn Bank,
    pub contracts: &'a dyn Contracts,
    /// The SDK gas the message's contract calls may use.
    pub gas_limit: u64,
}

/// Runs one IBC message (`/ibc.core.*` or ICS-20's `MsgTransfer`) and
/// returns its events and gas. On an error the caller drops the message's writes.
pub fn deliver<S: IbcStore>(
    store: S,
    env: BlockEnv,
    host: Rc<dyn HostChain>,
    apps: Apps<'_>,
    type_url: &str,
    value: &[u8],
) -> Result<Delivered, IbcError> {
    let store = GasMetered::new(store);
    let mut ctx = IbcContext::new(store.clone(), env, host);
    let mut contract_gas = 0;
    let mut sequence = None;
    if type_url == MSG_TRANSFER_URL {
        let raw = RawMsgTransfer::decode(value).map_err(|e| IbcError {
            codespace: "sdk",
            code: 2,
            log: format!("decoding MsgTransfer: {e}"),
        })?;
        sequence = Some(run_transfer(&mut ctx, &store, apps.bank, raw)?);
    } else {
        let any = Any {
            type_url: type_url.to_string(),
            value: value.to_vec(),
        };
        let envelope = MsgEnvelope::try_from(any).map_err(|e| IbcError {
            codespace: "sdk",
            code: 2,
            log: e.to_string(),
        })?;
        let mut router = HostRouter {
            transfer: TransferModule::new(store.clone(), apps.bank),
            wasm: WasmModule::new(store.clone(), apps.contracts, apps.gas_limit),
        };
        if let MsgEnvelope::Channel(ChannelMsg::OpenAck(m)) = &envelope {
            router.wasm.ack_counterparty = Some(m.chan_id_on_b.clone());
        }
        let result = dispatch(&mut ctx, &mut router, envelope).map_err(events::handler_error);
        contract_gas = router.wasm.gas_used();
        result?;
    }
    let events: Vec<AbciEvent> = ctx
        .take_events()
        .into_iter()
        .filter_map(events::abci_event)
        .collect();
    Ok(Delivered {
        events,
        gas_used: store.used().saturating_add(contract_gas),
        sequence,
    })
}

/// Sends an ICS-20 transfer (a `MsgTransfer`, or a contract's
/// `IbcMsg::Transfer`); returns its packet's sequence.
pub(crate) fn run_transfer<S: IbcStore>(
    ctx: &mut IbcContext<S>,
    store: &S,
    bank: &mut dyn Bank,
    mut raw: RawMsgTransfer,
) -> Result<u64, IbcError> {
    // A voucher is named by its hash in wallets and in the bank;
    // ibc-rs works on its trace.
    if let Some(token) = raw.token.as_mut() {
        if let Some(hash) = token.denom.strip_prefix("ibc/") {
            token.denom = transfer::trace_of(store, hash).ok_or_else(|| IbcError {
                codespace: "transfer",
                code: 6, // denomination not found
                log: format!("denomination trace not found: {hash}"),
            })?;
        }
    }
    let msg = MsgTransfer::try_from(raw).map_err(|e| IbcError {
        codespace: "transfer",
        code: 2,
        log: e.to_string(),
    })?;
    let next = seq_send(ctx, &msg.port_id_on_a, &msg.chan_id_on_a);
    let mut transfer = TransferModule::new(store.clone(), bank);
    send_transfer(ctx, &mut transfer, msg).map_err(events::transfer_error)?;
    next.ok_or_else(|| IbcError {
        codespace: "channel",
        code: 3,
        log: "channel not found".to_string(),
    })
}

fn seq_send<S: IbcStore>(ctx: &IbcContext<S>, port: &PortId, channel: &ChannelId) -> Option<u64> {
    ctx.get_next_sequence_send(&SeqSendPath::new(port, channel))
        .ok()
        .map(|s| s.value())
}

fn decode_error(e: impl std::fmt::Display) -> IbcError {
    IbcError {
        codespace: "sdk",
        code: 2,
        log: e.to_string(),
    }
}

/// The address that must sign an IBC message (its `signer`, or a
/// transfer's `sender`), for the ante handler.
pub fn signer(type_url: &str, value: &[u8]) -> Result<String, IbcError> {
    use ibc::core::channel::types::msgs::{ChannelMsg, PacketMsg};
    use ibc::core::client::types::msgs::ClientMsg;
    use ibc::core::connection::types::msgs::ConnectionMsg;

    if type_url == MSG_TRANSFER_URL {
        return RawMsgTransfer::decode(value)
            .map(|m| m.sender)
            .map_err(decode_error);
    }
    let any = Any {
        type_url: type_url.to_string(),
        value: value.to_vec(),
    };
    let envelope = MsgEnvelope::try_from(any).map_err(decode_error)?;
    let signer = match envelope {
        MsgEnvelope::Client(m) => match m {
            ClientMsg::CreateClient(m) => m.signer,
            ClientMsg::UpdateClient(m) => m.signer,
            #[allow(deprecated)]
            ClientMsg::Misbehaviour(m) => m.signer,
            ClientMsg::UpgradeClient(m) => m.signer,
            ClientMsg::RecoverClient(m) => m.signer,
        },
        MsgEnvelope::Connection(m) => match m {
            ConnectionMsg::OpenInit(m) => m.signer,
            ConnectionMsg::OpenTry(m) => m.signer,
            ConnectionMsg::OpenAck(m) => m.signer,
            ConnectionMsg::OpenConfirm(m) => m.signer,
        },
        MsgEnvelope::Channel(m) => match m {
            ChannelMsg::OpenInit(m) => m.signer,
            ChannelMsg::OpenTry(m) => m.signer,
            ChannelMsg::OpenAck(m) => m.signer,
            ChannelMsg::OpenConfirm(m) => m.signer,
            ChannelMsg::CloseInit(m) => m.signer,
            ChannelMsg::CloseConfirm(m) => m.signer,
        },
        MsgEnvelope::Packet(m) => match m {
            PacketMsg::Recv(m) => m.signer,
            PacketMsg::Ack(m) => m.signer,
            PacketMsg::Timeout(m) => m.signer,
            PacketMsg::TimeoutOnClose(m) => m.signer,
        },
    };
    Ok(signer.to_string())
}
