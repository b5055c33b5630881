//! Contracts on IBC, as wasmd runs them: a contract whose code exports the
//! six IBC entry points owns the port `wasm.<address>`, and the chain's IBC
//! module calls those entry points ([`IbcEntry`]) through
//! [`WasmHost::ibc_call`](crate::WasmHost::ibc_call). What a contract sends
//! (`IbcMsg`) and asks (`IbcQuery`) goes the other way, through the
//! [`IbcBridge`] the chain installs: the wasm host knows nothing of
//! channels, and the IBC module nothing of the VM.

use std::rc::Rc;

use cosmwasm_std::{
    Addr, Binary, Event, IbcChannelCloseMsg, IbcChannelConnectMsg, IbcChannelOpenMsg, IbcMsg,
    IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg, IbcQuery, MsgResponse, Order,
    Record,
};

use crate::address::AddressCodec;
use crate::bank::Bank;
use crate::engine::{BlockContext, Engine};
use crate::error::HostError;
use crate::gas::GasMeter;
use crate::store::{KeyRange, KvStore};

/// The prefix of a contract's port id; the rest is the contract's address.
pub const PORT_PREFIX: &str = "wasm.";

/// The port a contract is bound to.
pub fn port_of(contract: &Addr) -> String {
    format!("{PORT_PREFIX}{contract}")
}

/// One call of a contract's IBC entry points.
#[derive(Clone, Debug)]
pub enum IbcEntry {
    ChannelOpen(IbcChannelOpenMsg),
    ChannelConnect(IbcChannelConnectMsg),
    ChannelClose(IbcChannelCloseMsg),
    PacketReceive(IbcPacketReceiveMsg),
    PacketAck(IbcPacketAckMsg),
    PacketTimeout(IbcPacketTimeoutMsg),
}

impl IbcEntry {
    /// The entry point's export name.
    pub fn name(&self) -> &'static str {
        match self {
            IbcEntry::ChannelOpen(_) => "ibc_channel_open",
            IbcEntry::ChannelConnect(_) => "ibc_channel_connect",
            IbcEntry::ChannelClose(_) => "ibc_channel_close",
            IbcEntry::PacketReceive(_) => "ibc_packet_receive",
            IbcEntry::PacketAck(_) => "ibc_packet_ack",
            IbcEntry::PacketTimeout(_) => "ibc_packet_timeout",
        }
    }
}

/// What an IBC entry point returned, after its messages ran.
#[derive(Clone, Debug, Default)]
pub struct IbcOutcome {
    pub events: Vec<Event>,
    /// `ibc_channel_open`: the version the contract chose, if it chose one.
    pub version: Option<String>,
    /// `ibc_packet_receive`: the acknowledgement; `None` when the contract
    /// will write it later (`IbcMsg::WriteAcknowledgement`).
    pub acknowledgement: Option<Binary>,
}

/// A handle on the state a contract call runs against (its newest
/// branch): what the IBC module writes through it is kept or dropped with
/// the contract's own writes.
#[derive(Clone)]
pub struct BranchStore {
    engine: Rc<Engine>,
}

impl BranchStore {
    pub(crate) fn new(engine: Rc<Engine>) -> Self {
        BranchStore { engine }
    }
}

impl KvStore for BranchStore {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.engine.state.borrow().get(key)
    }

    fn set(&mut self, key: &[u8], value: &[u8]) {
        self.engine.state.borrow_mut().set(key, value)
    }

    fn remove(&mut self, key: &[u8]) {
        self.engine.state.borrow_mut().remove(key)
    }

    fn next_after(&self, range: &KeyRange, cursor: Option<&[u8]>, order: Order) -> Option<Record> {
        self.engine.state.borrow().next_after(range, cursor, order)
    }
}

/// Everything the IBC module gets for one contract's message or query.
pub struct BridgeCall<'a> {
    /// The contract that sends or asks (its port is [`port_of`] it).
    pub contract: &'a Addr,
    pub store: BranchStore,
    /// The bank, for ICS-20 transfers a contract sends.
    pub bank: Bank<'a>,
    pub codec: &'a AddressCodec,
    pub block: BlockContext,
    pub(crate) meter: &'a GasMeter,
}

impl BridgeCall<'_> {
    /// Charges the contract's call `gas` (the IBC module's own KV gas).
    pub fn charge(&self, gas: u64) -> Result<(), HostError> {
        self.meter.consume(gas).map_err(HostError::from)
    }
}

/// What an `IbcMsg` did: its events and its `MsgResponse` (wasmd answers a
/// `SendPacket` with `MsgIBCSendResponse`, a `Transfer` with ICS-20's
/// `MsgTransferResponse`).
#[derive(Clone, Debug, Default)]
pub struct IbcDispatched {
    pub events: Vec<Event>,
    pub response: Option<MsgResponse>,
}

/// The chain's IBC module, as contracts reach it.
pub trait IbcBridge {
    /// Runs `msg`, sent by `call.contract`.
    fn execute(&self, call: &BridgeCall<'_>, msg: &IbcMsg) -> Result<IbcDispatched, HostError>;
    /// Answers `query`, asked by `call.contract`.
    fn query(&self, call: &BridgeCall<'_>, query: &IbcQuery) -> Result<Binary, HostError>;
}
