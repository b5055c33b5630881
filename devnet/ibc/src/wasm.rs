//! CosmWasm contracts on IBC, with wasmd's semantics (`x/wasm/ibc.go` and
//! its `IBCRawPacketHandler`).
//!
//! - [`WasmModule`] is the ICS-26 application of every `wasm.<address>`
//!   port: each channel step and packet callback calls the contract's
//!   entry point through [`Contracts`]. A failed receive is reverted and
//!   becomes an error acknowledgement; a receive without an
//!   acknowledgement is remembered until the contract writes one.
//! - [`ContractIbc`] is the other direction, the bridge the wasm host
//!   calls for what contracts send (`IbcMsg::{SendPacket, Transfer,
//!   WriteAcknowledgement, CloseChannel}`) and ask
//!   (`IbcQuery::{PortId, ListChannels, Channel}`).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use cosmwasm_std::{
    to_json_binary, Addr, Binary, ChannelResponse, Event, IbcAcknowledgement, IbcChannel,
    IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg, IbcEndpoint, IbcMsg, IbcOrder,
    IbcPacket, IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg, IbcQuery, IbcTimeout,
    IbcTimeoutBlock, ListChannelsResponse, MsgResponse, PortIdResponse, Timestamp as CwTimestamp,
    Uint128,
};
use ibc::core::channel::handler::{
    chan_close_init_execute, chan_close_init_validate, commit_packet_acknowledgment,
    emit_packet_acknowledgement_event, send_packet,
};
use ibc::core::channel::types::acknowledgement::{
    Acknowledgement, AcknowledgementStatus, StatusValue,
};
use ibc::core::channel::types::channel::{ChannelEnd, Counterparty, Order, State};
use ibc::core::channel::types::error::ChannelError;
use ibc::core::channel::types::msgs::MsgChannelCloseInit;
use ibc::core::channel::types::packet::Packet;
use ibc::core::channel::types::timeout::{TimeoutHeight, TimeoutTimestamp};
use ibc::core::channel::types::Version;
use ibc::core::client::types::Height;
use ibc::core::host::types::identifiers::{ChannelId, ConnectionId, PortId, Sequence};
use ibc::core::host::types::path::{ChannelEndPath, SeqSendPath};
use ibc::core::host::ValidationContext;
use ibc::core::router::module::Module;
use ibc::core::router::types::event::ModuleEvent;
use ibc::core::router::types::module::ModuleExtras;
use ibc::primitives::proto::Protobuf;
use ibc::primitives::Signer;
use ibc_proto::ibc::apps::transfer::v1::{MsgTransfer as RawMsgTransfer, MsgTransferResponse};
use ibc_proto::ibc::core::channel::v1::Packet as RawPacket;
use prost::Message;
use starminer_wasm_host::bank::Bank as WasmBank;
use starminer_wasm_host::ibc::port_of;
use starminer_wasm_host::{
    AddressCodec, BridgeCall, HostError, IbcBridge, IbcDispatched, IbcEntry, IbcOutcome, KvStore,
    WasmHost,
};

use crate::bank::{BankAccess, HostBank};
use crate::context::{aux_key, path_key, scan, IbcContext, IbcStore, STORE_PREFIX};
use crate::gas::GasMetered;
use crate::{events, BlockEnv, HostChain, IbcError};

/// Where a received packet whose acknowledgement the contract deferred
/// waits (host bookkeeping, outside the proven substore).
fn deferred_key(port: &PortId, channel: &ChannelId, sequence: Sequence) -> Vec<u8> {
    let sequence = sequence.to_string();
    aux_key(&[
        b"deferred",
        port.as_str().as_bytes(),
        channel.as_str().as_bytes(),
        sequence.as_bytes(),
    ])
}

/// The state key of a channel end.
fn channel_end_key(port: &PortId, channel: &ChannelId) -> Vec<u8> {
    path_key(&ChannelEndPath::new(port, channel).into())
}

/// The chain's contracts, as the IBC module calls them.
pub trait Contracts {
    /// The contract bound to `port`, if any (`wasm.<address>` of a contract
    /// whose code exports the IBC entry points).
    fn port_contract(&self, port: &str) -> Option<Addr>;
    /// Calls an entry point of `contract` atomically under `gas_limit`;
    /// returns the outcome and the SDK gas used.
    fn call(
        &self,
        contract: &Addr,
        entry: IbcEntry,
        gas_limit: u64,
    ) -> (Result<IbcOutcome, HostError>, u64);
}

impl Contracts for WasmHost {
    fn port_contract(&self, port: &str) -> Option<Addr> {
        self.ibc_contract(port)
    }

    fn call(
        &self,
        contract: &Addr,
        entry: IbcEntry,
        gas_limit: u64,
    ) -> (Result<IbcOutcome, HostError>, u64) {
        let (result, usage) = self.ibc_call(contract, entry, gas_limit);
        (result, usage.sdk_gas)
    }
}

/// A chain with no contracts (the IBC module alone, in tests).
pub struct NoContracts;

impl Contracts for NoContracts {
    fn port_contract(&self, _port: &str) -> Option<Addr> {
        None
    }

    fn call(&self, contract: &Addr, _: IbcEntry, _: u64) -> (Result<IbcOutcome, HostError>, u64) {
        (Err(HostError::NoSuchContract(contract.to_string())), 0)
    }
}

/// The ICS-26 application of the `wasm.<address>` ports, for one message.
pub(crate) struct WasmModule<'b, S: IbcStore> {
    store: S,
    contracts: &'b dyn Contracts,
    /// SDK gas the contracts may still use in this message, and have used.
    gas_left: Cell<u64>,
    gas_used: Cell<u64>,
    /// The counterparty's channel id of a `ChanOpenAck` being handled: the
    /// contract sees it, but ibc-rs does not pass it to the callback.
    pub(crate) ack_counterparty: Option<ChannelId>,
    /// Ports looked up in this message and their contracts: ibc-rs asks the
    /// router for a port several times per message, and each lookup reads
    /// the contract's records and analyzes its code.
    owners: RefCell<BTreeMap<String, Option<Addr>>>,
}

impl<S: IbcStore> fmt::Debug for WasmModule<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WasmModule")
    }
}

fn app_error(e: impl fmt::Display) -> ChannelError {
    ChannelError::AppSpecific {
        description: e.to_string(),
    }
}

fn order_of(order: Order) -> IbcOrder {
    match order {
        Order::Ordered => IbcOrder::Ordered,
        _ => IbcOrder::Unordered,
    }
}

fn channel_of(
    port: &PortId,
    channel: &ChannelId,
    end: &ChannelEnd,
    counterparty_channel: Option<&ChannelId>,
) -> IbcChannel {
    let remote = end.counterparty();
    IbcChannel::new(
        IbcEndpoint {
            port_id: port.to_string(),
            channel_id: channel.to_string(),
        },
        IbcEndpoint {
            port_id: remote.port_id().to_string(),
            channel_id: counterparty_channel
                .or(remote.channel_id())
                .map(ToString::to_string)
                .unwrap_or_default(),
        },
        order_of(end.ordering),
        end.version().to_string(),
        end.connection_hops()
            .first()
            .map(ToString::to_string)
            .unwrap_or_default(),
    )
}

fn timeout_of(packet: &Packet) -> IbcTimeout {
    let block = match packet.timeout_height_on_b {
        TimeoutHeight::At(h) => Some(IbcTimeoutBlock {
            revision: h.revision_number(),
            height: h.revision_height(),
        }),
        TimeoutHeight::Never => None,
    };
    let timestamp = match packet.timeout_timestamp_on_b {
        TimeoutTimestamp::At(t) => Some(CwTimestamp::from_nanos(t.nanoseconds())),
        TimeoutTimestamp::Never => None,
    };
    match (block, timestamp) {
        (Some(b), Some(t)) => IbcTimeout::with_both(b, t),
        (Some(b), None) => IbcTimeout::with_block(b),
        (None, Some(t)) => IbcTimeout::with_timestamp(t),
        // ibc-rs refuses a packet without any timeout before it gets here.
        (None, None) => IbcTimeout::with_timestamp(CwTimestamp::from_nanos(0)),
    }
}

fn packet_of(packet: &Packet) -> IbcPacket {
    IbcPacket::new(
        Binary::from(packet.data.clone()),
        IbcEndpoint {
            port_id: packet.port_id_on_a.to_string(),
            channel_id: packet.chan_id_on_a.to_string(),
        },
        IbcEndpoint {
            port_id: packet.port_id_on_b.to_string(),
            channel_id: packet.chan_id_on_b.to_string(),
        },
        packet.seq_on_a.value(),
        timeout_of(packet),
    )
}

/// The events a contract call emitted, as ibc-rs module events.
fn extras_of(events: Vec<Event>) -> ModuleExtras {
    ModuleExtras {
        events: events
            .into_iter()
            .map(|e| ModuleEvent {
                kind: e.ty,
                attributes: e
                    .attributes
                    .into_iter()
                    .map(|a| (a.key, a.value).into())
                    .collect(),
            })
            .collect(),
        log: Vec::new(),
    }
}

/// ibc-go's error acknowledgement of a failed receive (its text is fixed:
/// error texts are not deterministic across nodes, so wasmd keeps only the
/// ABCI code).
fn error_acknowledgement(e: &HostError) -> Acknowledgement {
    let (_, code) = e.abci_code();
    let text = format!("ABCI code: {code}: error handling packet: see events for details");
    AcknowledgementStatus::error(StatusValue::new(text).expect("a non-empty status")).into()
}

impl<'b, S: IbcStore> WasmModule<'b, S> {
    pub(crate) fn new(store: S, contracts: &'b dyn Contracts, gas_limit: u64) -> Self {
        WasmModule {
            store,
            contracts,
            gas_left: Cell::new(gas_limit),
            gas_used: Cell::new(0),
            ack_counterparty: None,
            owners: RefCell::new(BTreeMap::new()),
        }
    }

    /// The SDK gas the contracts used.
    pub(crate) fn gas_used(&self) -> u64 {
        self.gas_used.get()
    }

    /// The contract bound to `port`, looked up once per message.
    fn owner(&self, port: &str) -> Option<Addr> {
        self.owners
            .borrow_mut()
            .entry(port.to_string())
            .or_insert_with(|| self.contracts.port_contract(port))
            .clone()
    }

    /// Whether `port` belongs to a contract.
    pub(crate) fn serves(&self, port: &str) -> bool {
        self.owner(port).is_some()
    }

    fn call(&self, port: &PortId, entry: IbcEntry) -> Result<IbcOutcome, HostError> {
        let contract = self
            .owner(port.as_str())
            .ok_or_else(|| HostError::NoSuchContract(port.to_string()))?;
        let (result, gas) = self.contracts.call(&contract, entry, self.gas_left.get());
        self.gas_left.set(self.gas_left.get().saturating_sub(gas));
        self.gas_used.set(self.gas_used.get().saturating_add(gas));
        result
    }

    fn channel_end(&self, port: &PortId, channel: &ChannelId) -> Result<ChannelEnd, ChannelError> {
        let bytes = self
            .store
            .get(&channel_end_key(port, channel))
            .ok_or_else(|| app_error(format!("channel {port}/{channel} not found")))?;
        ChannelEnd::decode_vec(&bytes).map_err(app_error)
    }

    /// `ibc_channel_open`; the version is the contract's choice, else the proposed one.
    #[allow(clippy::too_many_arguments)]
    fn open(
        &self,
        order: Order,
        hops: &[ConnectionId],
        port: &PortId,
        channel: &ChannelId,
        counterparty: &Counterparty,
        version: &Version,
        counterparty_version: Option<&Version>,
    ) -> Result<(ModuleExtras, Version), ChannelError> {
        let end = ChannelEnd::new(
            State::Init,
            order,
            counterparty.clone(),
            hops.to_vec(),
            version.clone(),
        )
        .map_err(app_error)?;
        let ibc_channel = channel_of(port, channel, &end, None);
        let msg = match counterparty_version {
            None => IbcChannelOpenMsg::new_init(ibc_channel),
            Some(v) => IbcChannelOpenMsg::new_try(ibc_channel, v.to_string()),
        };
        let outcome = self
            .call(port, IbcEntry::ChannelOpen(msg))
            .map_err(app_error)?;
        let chosen = outcome
            .version
            .filter(|v| !v.is_empty())
            .map_or_else(|| version.clone(), Version::new);
        Ok((extras_of(outcome.events), chosen))
    }

    fn basic(&self, port: &PortId, entry: IbcEntry) -> Result<ModuleExtras, ChannelError> {
        let outcome = self.call(port, entry).map_err(app_error)?;
        Ok(extras_of(outcome.events))
    }
}

impl<S: IbcStore> Module for WasmModule<'_, S> {
    fn on_chan_open_init_validate(
        &self,
        _order: Order,
        _hops: &[ConnectionId],
        _port: &PortId,
        _channel: &ChannelId,
        _counterparty: &Counterparty,
        version: &Version,
    ) -> Result<Version, ChannelError> {
        // The contract decides in execute (it runs once, as in wasmd).
        Ok(version.clone())
    }

    fn on_chan_open_init_execute(
        &mut self,
        order: Order,
        hops: &[ConnectionId],
        port: &PortId,
        channel: &ChannelId,
        counterparty: &Counterparty,
        version: &Version,
    ) -> Result<(ModuleExtras, Version), ChannelError> {
        self.open(order, hops, port, channel, counterparty, version, None)
    }

    fn on_chan_open_try_validate(
        &self,
        _order: Order,
        _hops: &[ConnectionId],
        _port: &PortId,
        _channel: &ChannelId,
        _counterparty: &Counterparty,
        counterparty_version: &Version,
    ) -> Result<Version, ChannelError> {
        Ok(counterparty_version.clone())
    }

    fn on_chan_open_try_execute(
        &mut self,
        order: Order,
        hops: &[ConnectionId],
        port: &PortId,
        channel: &ChannelId,
        counterparty: &Counterparty,
        counterparty_version: &Version,
    ) -> Result<(ModuleExtras, Version), ChannelError> {
        self.open(
            order,
            hops,
            port,
            channel,
            counterparty,
            counterparty_version,
            Some(counterparty_version),
        )
    }

    fn on_chan_open_ack_execute(
        &mut self,
        port: &PortId,
        channel: &ChannelId,
        counterparty_version: &Version,
    ) -> Result<ModuleExtras, ChannelError> {
        let mut end = self.channel_end(port, channel)?;
        end.version = counterparty_version.clone();
        let ibc_channel = channel_of(port, channel, &end, self.ack_counterparty.as_ref());
        let msg = IbcChannelConnectMsg::new_ack(ibc_channel, counterparty_version.to_string());
        self.basic(port, IbcEntry::ChannelConnect(msg))
    }

    fn on_chan_open_confirm_execute(
        &mut self,
        port: &PortId,
        channel: &ChannelId,
    ) -> Result<ModuleExtras, ChannelError> {
        let end = self.channel_end(port, channel)?;
        let msg = IbcChannelConnectMsg::new_confirm(channel_of(port, channel, &end, None));
        self.basic(port, IbcEntry::ChannelConnect(msg))
    }

    fn on_chan_close_init_execute(
        &mut self,
        port: &PortId,
        channel: &ChannelId,
    ) -> Result<ModuleExtras, ChannelError> {
        let end = self.channel_end(port, channel)?;
        let msg = IbcChannelCloseMsg::new_init(channel_of(port, channel, &end, None));
        self.basic(port, IbcEntry::ChannelClose(msg))
    }

    fn on_chan_close_confirm_execute(
        &mut self,
        port: &PortId,
        channel: &ChannelId,
    ) -> Result<ModuleExtras, ChannelError> {
        let end = self.channel_end(port, channel)?;
        let msg = IbcChannelCloseMsg::new_confirm(channel_of(port, channel, &end, None));
        self.basic(port, IbcEntry::ChannelClose(msg))
    }

    fn on_recv_packet_execute(
        &mut self,
        packet: &Packet,
        relayer: &Signer,
    ) -> (ModuleExtras, Option<Acknowledgement>) {
        let msg = IbcPacketReceiveMsg::new(packet_of(packet), Addr::unchecked(relayer.as_ref()));
        match self.call(&packet.port_id_on_b, IbcEntry::PacketReceive(msg)) {
            // The contract's writes were discarded with its call.
            Err(e) => {
                let event = ModuleEvent {
                    kind: "ibc_packet_received".to_string(),
                    attributes: vec![
                        ("module", "wasm").into(),
                        ("_contract_address", packet.port_id_on_b.as_str()).into(),
                        ("success", "false").into(),
                        ("error", e.to_string()).into(),
                    ],
                };
                let extras = ModuleExtras {
                    events: vec![event],
                    log: Vec::new(),
                };
                (extras, Some(error_acknowledgement(&e)))
            }
            Ok(outcome) => {
                let ack = match outcome.acknowledgement {
                    Some(data) => match Acknowledgement::try_from(data.to_vec()) {
                        Ok(ack) => Some(ack),
                        Err(e) => Some(error_acknowledgement(&HostError::InvalidRequest(
                            e.to_string(),
                        ))),
                    },
                    None => {
                        // Deferred: kept until the contract writes the acknowledgement.
                        let key = deferred_key(
                            &packet.port_id_on_b,
                            &packet.chan_id_on_b,
                            packet.seq_on_a,
                        );
                        self.store
                            .set(&key, &RawPacket::from(packet.clone()).encode_to_vec());
                        None
                    }
                };
                (extras_of(outcome.events), ack)
            }
        }
    }

    fn on_acknowledgement_packet_validate(
        &self,
        _packet: &Packet,
        _ack: &Acknowledgement,
        _relayer: &Signer,
    ) -> Result<(), ChannelError> {
        Ok(())
    }

    fn on_acknowledgement_packet_execute(
        &mut self,
        packet: &Packet,
        ack: &Acknowledgement,
        relayer: &Signer,
    ) -> (ModuleExtras, Result<(), ChannelError>) {
        let msg = IbcPacketAckMsg::new(
            IbcAcknowledgement::new(ack.as_bytes().to_vec()),
            packet_of(packet),
            Addr::unchecked(relayer.as_ref()),
        );
        match self.basic(&packet.port_id_on_a, IbcEntry::PacketAck(msg)) {
            Ok(extras) => (extras, Ok(())),
            Err(e) => (ModuleExtras::empty(), Err(e)),
        }
    }

    fn on_timeout_packet_validate(
        &self,
        _packet: &Packet,
        _relayer: &Signer,
    ) -> Result<(), ChannelError> {
        Ok(())
    }

    fn on_timeout_packet_execute(
        &mut self,
        packet: &Packet,
        relayer: &Signer,
    ) -> (ModuleExtras, Result<(), ChannelError>) {
        let msg = IbcPacketTimeoutMsg::new(packet_of(packet), Addr::unchecked(relayer.as_ref()));
        match self.basic(&packet.port_id_on_a, IbcEntry::PacketTimeout(msg)) {
            Ok(extras) => (extras, Ok(())),
            Err(e) => (ModuleExtras::empty(), Err(e)),
        }
    }
}

/// A contract's own close: ibc-go's `ChanCloseInit` keeper call, which (unlike
/// a relayer's `MsgChannelCloseInit`) does not call the contract back.
#[derive(Debug)]
struct SelfClose;

impl Module for SelfClose {
    fn on_chan_open_init_validate(
        &self,
        _: Order,
        _: &[ConnectionId],
        _: &PortId,
        _: &ChannelId,
        _: &Counterparty,
        _: &Version,
    ) -> Result<Version, ChannelError> {
        Err(app_error("not a channel opening"))
    }

    fn on_chan_open_init_execute(
        &mut self,
        _: Order,
        _: &[ConnectionId],
        _: &PortId,
        _: &ChannelId,
        _: &Counterparty,
        _: &Version,
    ) -> Result<(ModuleExtras, Version), ChannelError> {
        Err(app_error("not a channel opening"))
    }

    fn on_chan_open_try_validate(
        &self,
        _: Order,
        _: &[ConnectionId],
        _: &PortId,
        _: &ChannelId,
        _: &Counterparty,
        _: &Version,
    ) -> Result<Version, ChannelError> {
        Err(app_error("not a channel opening"))
    }

    fn on_chan_open_try_execute(
        &mut self,
        _: Order,
        _: &[ConnectionId],
        _: &PortId,
        _: &ChannelId,
        _: &Counterparty,
        _: &Version,
    ) -> Result<(ModuleExtras, Version), ChannelError> {
        Err(app_error("not a channel opening"))
    }

    fn on_recv_packet_execute(
        &mut self,
        _: &Packet,
        _: &Signer,
    ) -> (ModuleExtras, Option<Acknowledgement>) {
        (ModuleExtras::empty(), None)
    }

    fn on_acknowledgement_packet_validate(
        &self,
        _: &Packet,
        _: &Acknowledgement,
        _: &Signer,
    ) -> Result<(), ChannelError> {
        Err(app_error("not a packet step"))
    }

    fn on_acknowledgement_packet_execute(
        &mut self,
        _: &Packet,
        _: &Acknowledgement,
        _: &Signer,
    ) -> (ModuleExtras, Result<(), ChannelError>) {
        (ModuleExtras::empty(), Err(app_error("not a packet step")))
    }

    fn on_timeout_packet_validate(&self, _: &Packet, _: &Signer) -> Result<(), ChannelError> {
        Err(app_error("not a packet step"))
    }

    fn on_timeout_packet_execute(
        &mut self,
        _: &Packet,
        _: &Signer,
    ) -> (ModuleExtras, Result<(), ChannelError>) {
        (ModuleExtras::empty(), Err(app_error("not a packet step")))
    }
}

/// A contract's call reaches the bank directly: its operations are part of
/// the call's branch and meter.
impl BankAccess for &BridgeCall<'_> {
    fn codec(&self) -> &AddressCodec {
        self.codec
    }

    fn balance(&self, addr: &Addr, denom: &str) -> Result<Uint128, HostError> {
        self.bank.balance(addr, denom)
    }

    fn run(
        &mut self,
        op: &dyn Fn(&WasmBank) -> Result<Vec<Event>, HostError>,
    ) -> Result<Vec<Event>, HostError> {
        op(&self.bank)
    }
}

/// The IBC module as contracts reach it (installed in the wasm host).
pub struct ContractIbc {
    host: Rc<dyn HostChain>,
}

impl ContractIbc {
    pub fn new(host: Rc<dyn HostChain>) -> Self {
        ContractIbc { host }
    }

    fn context<S: IbcStore>(&self, store: S, call: &BridgeCall<'_>) -> IbcContext<S> {
        let env = BlockEnv {
            chain_id: call.block.chain_id.clone(),
            height: call.block.height,
            time_nanos: call.block.time.nanos(),
        };
        IbcContext::new(store, env, self.host.clone())
    }
}

fn refused(e: IbcError) -> HostError {
    HostError::Ibc {
        codespace: e.codespace,
        code: e.code,
        log: e.log,
    }
}

fn invalid(what: &str, e: impl fmt::Display) -> HostError {
    refused(IbcError {
        codespace: "sdk",
        code: 18, // invalid request
        log: format!("{what}: {e}"),
    })
}

fn cw_events(events: Vec<crate::AbciEvent>) -> Vec<Event> {
    events
        .into_iter()
        .map(|(kind, attrs)| Event::new(kind).add_attributes(attrs))
        .collect()
}

fn timeout_fields(timeout: &IbcTimeout) -> (TimeoutHeight, TimeoutTimestamp) {
    let height = timeout
        .block()
        .and_then(|b| Height::new(b.revision, b.height).ok())
        .map_or(TimeoutHeight::Never, TimeoutHeight::At);
    let timestamp = timeout.timestamp().map_or(TimeoutTimestamp::Never, |t| {
        TimeoutTimestamp::from_nanoseconds(t.nanos())
    });
    (height, timestamp)
}

impl IbcBridge for ContractIbc {
    fn execute(&self, call: &BridgeCall<'_>, msg: &IbcMsg) -> Result<IbcDispatched, HostError> {
        let store = GasMetered::new(call.store.clone());
        let mut ctx = self.context(store.clone(), call);
        let port: PortId = port_of(call.contract)
            .parse()
            .map_err(|e| invalid("contract port", e))?;
        let mut bank_events = Vec::new();
        let response = match msg {
            IbcMsg::SendPacket {
                channel_id,
                data,
                timeout,
            } => {
                let channel: ChannelId = channel_id.parse().map_err(|e| invalid("channel", e))?;
                let end = ctx
                    .channel_end(&ChannelEndPath::new(&port, &channel))
                    .map_err(|e| refused(events::channel_error(ChannelError::Host(e))))?;
                let remote = end.counterparty();
                let seq = ctx
                    .get_next_sequence_send(&SeqSendPath::new(&port, &channel))
                    .map_err(|e| refused(events::channel_error(ChannelError::Host(e))))?;
                let (timeout_height_on_b, timeout_timestamp_on_b) = timeout_fields(timeout);
                let packet = Packet {
                    seq_on_a: seq,
                    port_id_on_a: port.clone(),
                    chan_id_on_a: channel,
                    port_id_on_b: remote.port_id().clone(),
                    chan_id_on_b: remote
                        .channel_id()
                        .cloned()
                        .ok_or_else(|| invalid("channel", "the channel is not open"))?,
                    data: data.to_vec(),
                    timeout_height_on_b,
                    timeout_timestamp_on_b,
                };
                send_packet(&mut ctx, packet).map_err(|e| refused(events::channel_error(e)))?;
                let value = cosmos_sdk_proto::cosmwasm::wasm::v1::MsgIbcSendResponse {
                    sequence: seq.value(),
                }
                .encode_to_vec();
                Some(MsgResponse {
                    type_url: "/cosmwasm.wasm.v1.MsgIBCSendResponse".to_string(),
                    value: Binary::from(value),
                })
            }
            IbcMsg::Transfer {
                channel_id,
                to_address,
                amount,
                timeout,
                memo,
            } => {
                let (height, timestamp) = timeout_fields(timeout);
                let raw = RawMsgTransfer {
                    source_port: "transfer".to_string(),
                    source_channel: channel_id.clone(),
                    token: Some(ibc_proto::cosmos::base::v1beta1::Coin {
                        denom: amount.denom.clone(),
                        amount: amount.amount.to_string(),
                    }),
                    sender: call.contract.to_string(),
                    receiver: to_address.clone(),
                    timeout_height: match height {
                        TimeoutHeight::At(h) => Some(h.into()),
                        TimeoutHeight::Never => None,
                    },
                    timeout_timestamp: match timestamp {
                        TimeoutTimestamp::At(t) => t.nanoseconds(),
                        TimeoutTimestamp::Never => 0,
                    },
                    memo: memo.clone().unwrap_or_default(),
                };
                let mut bank = HostBank::new(call);
                let sequence =
                    crate::run_transfer(&mut ctx, &store, &mut bank, raw).map_err(refused)?;
                bank_events = bank.events;
                Some(MsgResponse {
                    type_url: "/ibc.applications.transfer.v1.MsgTransferResponse".to_string(),
                    value: Binary::from(MsgTransferResponse { sequence }.encode_to_vec()),
                })
            }
            IbcMsg::WriteAcknowledgement {
                channel_id,
                packet_sequence,
                ack,
            } => {
                let channel: ChannelId = channel_id.parse().map_err(|e| invalid("channel", e))?;
                let key = deferred_key(&port, &channel, Sequence::from(*packet_sequence));
                let mut raw_store = store.clone();
                let stored = raw_store.get(&key).ok_or_else(|| {
                    invalid(
                        "acknowledgement",
                        format!("no received packet {port}/{channel}/{packet_sequence} awaits one"),
                    )
                })?;
                let packet = RawPacket::decode(stored.as_slice())
                    .map_err(|e| invalid("deferred packet", e))
                    .and_then(|p| Packet::try_from(p).map_err(|e| invalid("deferred packet", e)))?;
                let ack = Acknowledgement::try_from(ack.data.to_vec())
                    .map_err(|e| invalid("acknowledgement", e))?;
                commit_packet_acknowledgment(&mut ctx, &packet, &ack)
                    .and_then(|()| emit_packet_acknowledgement_event(&mut ctx, packet, ack))
                    .map_err(|e| refused(events::channel_error(e)))?;
                raw_store.remove(&key);
                None
            }
            IbcMsg::CloseChannel { channel_id } => {
                let channel: ChannelId = channel_id.parse().map_err(|e| invalid("channel", e))?;
                let msg = MsgChannelCloseInit {
                    port_id_on_a: port,
                    chan_id_on_a: channel,
                    signer: Signer::from(call.contract.to_string()),
                };
                chan_close_init_validate(&ctx, &SelfClose, msg.clone())
                    .and_then(|()| chan_close_init_execute(&mut ctx, &mut SelfClose, msg))
                    .map_err(|e| refused(events::channel_error(e)))?;
                None
            }
            other => {
                return Err(HostError::UnsupportedMessage(format!("{other:?}")));
            }
        };
        let mut out = bank_events;
        out.extend(cw_events(
            ctx.take_events()
                .into_iter()
                .filter_map(events::abci_event)
                .collect(),
        ));
        call.charge(store.used())?;
        Ok(IbcDispatched {
            events: out,
            response,
        })
    }

    #[allow(deprecated)] // ListChannels, which wasmd still answers
    fn query(&self, call: &BridgeCall<'_>, query: &IbcQuery) -> Result<Binary, HostError> {
        let store = GasMetered::new(call.store.clone());
        let own_port = port_of(call.contract);
        // wasmd answers with open channels only.
        let open_channel = |port: &str, channel: &str, end: &[u8]| -> Option<IbcChannel> {
            let end = ChannelEnd::decode_vec(end).ok()?;
            if end.state != State::Open {
                return None;
            }
            Some(channel_of(
                &port.parse().ok()?,
                &channel.parse().ok()?,
                &end,
                None,
            ))
        };
        let answer = match query {
            IbcQuery::PortId {} => to_json_binary(&PortIdResponse::new(own_port.clone())),
            IbcQuery::Channel {
                channel_id,
                port_id,
            } => {
                let port = port_id.as_deref().unwrap_or(&own_port);
                let channel = match (port.parse::<PortId>(), channel_id.parse::<ChannelId>()) {
                    (Ok(p), Ok(c)) => store
                        .get(&channel_end_key(&p, &c))
                        .and_then(|end| open_channel(port, channel_id, &end)),
                    _ => None,
                };
                to_json_binary(&ChannelResponse::new(channel))
            }
            IbcQuery::ListChannels { port_id } => {
                let port = port_id.as_deref().unwrap_or(&own_port);
                let root = format!("{STORE_PREFIX}/channelEnds/ports/{port}/channels/");
                let channels = scan(&store, root.as_bytes())
                    .into_iter()
                    .filter_map(|(k, end)| {
                        let id = String::from_utf8(k[root.len()..].to_vec()).ok()?;
                        open_channel(port, &id, &end)
                    })
                    .collect();
                to_json_binary(&ListChannelsResponse::new(channels))
            }
            other => return Err(HostError::UnsupportedQuery(format!("{other:?}"))),
        };
        call.charge(store.used())?;
        Ok(answer?)
    }
}
