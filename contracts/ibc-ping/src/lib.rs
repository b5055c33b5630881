//! A test contract for the devnet's CosmWasm IBC module, never deployed by
//! `starminer deploy`. It exercises every entry point and IBC message a
//! contract can use:
//!
//! - the handshake accepts only unordered `ping-1` channels and records
//!   each connected channel (closing forgets it);
//! - `Ping` sends a packet; the receiving side counts it and acknowledges
//!   with its new count, so each side can check the other's state;
//! - a ping with `fail` makes the receiver return an error after writing
//!   to its state: the host must revert that write and turn the error into
//!   an error acknowledgement;
//! - a ping with `defer` is received without an acknowledgement, which the
//!   receiver writes later (`AckDeferred`, `IbcMsg::WriteAcknowledgement`);
//! - `Transfer` sends the attached coins over ICS-20 (`IbcMsg::Transfer`),
//!   `Close` closes a channel (`IbcMsg::CloseChannel`);
//! - the `PortId` and `Channels` queries answer from `IbcQuery`.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    entry_point, from_json, to_json_binary, Binary, ChannelResponse, Deps, DepsMut, Env,
    Ibc3ChannelOpenResponse, IbcAcknowledgement, IbcBasicResponse, IbcChannel, IbcChannelCloseMsg,
    IbcChannelConnectMsg, IbcChannelOpenMsg, IbcChannelOpenResponse, IbcMsg, IbcOrder,
    IbcPacketAckMsg, IbcPacketReceiveMsg, IbcPacketTimeoutMsg, IbcQuery, IbcReceiveResponse,
    IbcTimeout, ListChannelsResponse, MessageInfo, PortIdResponse, QueryRequest, Response,
    StdError, StdResult,
};
use cw_storage_plus::{Item, Map};

/// The channel version both ends must agree on.
pub const VERSION: &str = "ping-1";

/// Pings received (over all channels).
const RECEIVED: Item<u64> = Item::new("received");
/// The last acknowledgement this side's pings got back, as raw JSON.
const LAST_ACK: Item<String> = Item::new("last_ack");
/// Pings of this side that timed out.
const TIMEOUTS: Item<u64> = Item::new("timeouts");
/// Connected channels: id -> counterparty channel id.
const CHANNELS: Map<&str, String> = Map::new("channels");
/// Received packets whose acknowledgement is deferred: (channel, sequence).
const DEFERRED: Map<(&str, u64), ()> = Map::new("deferred");

#[cw_serde]
pub struct InstantiateMsg {}

#[cw_serde]
pub enum ExecuteMsg {
    /// Sends a ping over `channel`, timing out after `timeout_seconds`.
    Ping {
        channel: String,
        timeout_seconds: u64,
        #[serde(default)]
        fail: bool,
        #[serde(default)]
        defer: bool,
    },
    /// Writes the acknowledgement of a received ping that was deferred.
    AckDeferred { channel: String, sequence: u64 },
    /// Sends the attached coin to `to` on the chain across `channel` (ICS-20).
    Transfer {
        channel: String,
        to: String,
        timeout_seconds: u64,
    },
    /// Closes `channel` from this end.
    Close { channel: String },
}

#[cw_serde]
pub enum QueryMsg {
    /// This side's counters: `{received, timeouts, last_ack}`.
    State {},
    /// The contract's IBC port, from the host (`IbcQuery::PortId`).
    PortId {},
    /// The channels of the contract's port, from the host (`IbcQuery::ListChannels`).
    Channels {},
    /// One channel, from the host (`IbcQuery::Channel`).
    Channel { channel: String },
}

#[cw_serde]
pub struct StateResponse {
    pub received: u64,
    pub timeouts: u64,
    pub last_ack: Option<String>,
    pub channels: Vec<String>,
    pub deferred: Vec<(String, u64)>,
}

/// The packet this contract sends.
#[cw_serde]
pub struct PingPacket {
    pub fail: bool,
    pub defer: bool,
}

/// The acknowledgement of a ping: the receiver's count after it.
#[cw_serde]
pub enum PingAck {
    Pong { count: u64 },
}

#[entry_point]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    _info: MessageInfo,
    _msg: InstantiateMsg,
) -> StdResult<Response> {
    RECEIVED.save(deps.storage, &0)?;
    TIMEOUTS.save(deps.storage, &0)?;
    Ok(Response::new())
}

#[entry_point]
pub fn execute(deps: DepsMut, env: Env, info: MessageInfo, msg: ExecuteMsg) -> StdResult<Response> {
    match msg {
        ExecuteMsg::Ping {
            channel,
            timeout_seconds,
            fail,
            defer,
        } => {
            known_channel(deps.as_ref(), &channel)?;
            let packet = IbcMsg::SendPacket {
                channel_id: channel,
                data: to_json_binary(&PingPacket { fail, defer })?,
                timeout: IbcTimeout::with_timestamp(env.block.time.plus_seconds(timeout_seconds)),
            };
            Ok(Response::new()
                .add_message(packet)
                .add_attribute("action", "ping"))
        }
        ExecuteMsg::AckDeferred { channel, sequence } => {
            let key = (channel.as_str(), sequence);
            if !DEFERRED.has(deps.storage, key) {
                return Err(StdError::generic_err(format!(
                    "no deferred acknowledgement for {channel}/{sequence}"
                )));
            }
            DEFERRED.remove(deps.storage, key);
            let count = RECEIVED.load(deps.storage)?;
            let ack = IbcMsg::WriteAcknowledgement {
                channel_id: channel,
                packet_sequence: sequence,
                ack: IbcAcknowledgement::new(to_json_binary(&PingAck::Pong { count })?),
            };
            Ok(Response::new().add_message(ack))
        }
        ExecuteMsg::Transfer {
            channel,
            to,
            timeout_seconds,
        } => {
            let [amount] = info.funds.as_slice() else {
                return Err(StdError::generic_err("attach exactly one coin to transfer"));
            };
            Ok(Response::new().add_message(IbcMsg::Transfer {
                channel_id: channel,
                to_address: to,
                amount: amount.clone(),
                timeout: IbcTimeout::with_timestamp(env.block.time.plus_seconds(timeout_seconds)),
                memo: None,
            }))
        }
        ExecuteMsg::Close { channel } => {
            known_channel(deps.as_ref(), &channel)?;
            Ok(Response::new().add_message(IbcMsg::CloseChannel {
                channel_id: channel,
            }))
        }
    }
}

fn known_channel(deps: Deps, channel: &str) -> StdResult<()> {
    if CHANNELS.has(deps.storage, channel) {
        Ok(())
    } else {
        Err(StdError::generic_err(format!(
            "channel {channel} is not a connected ping channel"
        )))
    }
}

#[entry_point]
#[allow(deprecated)] // ListChannels: the contract's own port has a handful of channels
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::State {} => {
            let channels = CHANNELS
                .keys(deps.storage, None, None, cosmwasm_std::Order::Ascending)
                .collect::<StdResult<Vec<_>>>()?;
            let deferred = DEFERRED
                .keys(deps.storage, None, None, cosmwasm_std::Order::Ascending)
                .collect::<StdResult<Vec<_>>>()?;
            to_json_binary(&StateResponse {
                received: RECEIVED.load(deps.storage)?,
                timeouts: TIMEOUTS.load(deps.storage)?,
                last_ack: LAST_ACK.may_load(deps.storage)?,
                channels,
                deferred,
            })
        }
        QueryMsg::PortId {} => {
            let r: PortIdResponse = deps
                .querier
                .query(&QueryRequest::Ibc(IbcQuery::PortId {}))?;
            to_json_binary(&r)
        }
        QueryMsg::Channels {} => {
            let r: ListChannelsResponse = deps
                .querier
                .query(&QueryRequest::Ibc(IbcQuery::ListChannels { port_id: None }))?;
            to_json_binary(&r)
        }
        QueryMsg::Channel { channel } => {
            let r: ChannelResponse = deps.querier.query(&QueryRequest::Ibc(IbcQuery::Channel {
                channel_id: channel,
                port_id: None,
            }))?;
            to_json_binary(&r)
        }
    }
}

fn check_channel(channel: &IbcChannel, counterparty_version: Option<&str>) -> StdResult<()> {
    if channel.order != IbcOrder::Unordered {
        return Err(StdError::generic_err("ping channels are unordered"));
    }
    if channel.version != VERSION {
        return Err(StdError::generic_err(format!(
            "channel version must be {VERSION}, not {}",
            channel.version
        )));
    }
    match counterparty_version {
        Some(v) if v != VERSION => Err(StdError::generic_err(format!(
            "counterparty version must be {VERSION}, not {v}"
        ))),
        _ => Ok(()),
    }
}

#[entry_point]
pub fn ibc_channel_open(
    _deps: DepsMut,
    _env: Env,
    msg: IbcChannelOpenMsg,
) -> StdResult<IbcChannelOpenResponse> {
    check_channel(msg.channel(), msg.counterparty_version())?;
    Ok(Some(Ibc3ChannelOpenResponse {
        version: VERSION.to_string(),
    }))
}

#[entry_point]
pub fn ibc_channel_connect(
    deps: DepsMut,
    _env: Env,
    msg: IbcChannelConnectMsg,
) -> StdResult<IbcBasicResponse> {
    check_channel(msg.channel(), msg.counterparty_version())?;
    let channel = msg.channel();
    CHANNELS.save(
        deps.storage,
        &channel.endpoint.channel_id,
        &channel.counterparty_endpoint.channel_id,
    )?;
    Ok(IbcBasicResponse::new()
        .add_attribute("action", "connect")
        .add_attribute("channel", &channel.endpoint.channel_id))
}

#[entry_point]
pub fn ibc_channel_close(
    deps: DepsMut,
    _env: Env,
    msg: IbcChannelCloseMsg,
) -> StdResult<IbcBasicResponse> {
    CHANNELS.remove(deps.storage, &msg.channel().endpoint.channel_id);
    Ok(IbcBasicResponse::new().add_attribute("action", "close"))
}

#[entry_point]
pub fn ibc_packet_receive(
    deps: DepsMut,
    _env: Env,
    msg: IbcPacketReceiveMsg,
) -> StdResult<IbcReceiveResponse> {
    let packet: PingPacket = from_json(&msg.packet.data)?;
    let count = RECEIVED.load(deps.storage)? + 1;
    RECEIVED.save(deps.storage, &count)?;
    if packet.fail {
        // Written above, so a host that does not revert a failed receive shows it.
        return Err(StdError::generic_err(format!(
            "ping {} asked to fail",
            msg.packet.sequence
        )));
    }
    if packet.defer {
        let channel = msg.packet.dest.channel_id.as_str();
        DEFERRED.save(deps.storage, (channel, msg.packet.sequence), &())?;
        return Ok(IbcReceiveResponse::without_ack().add_attribute("action", "defer"));
    }
    Ok(
        IbcReceiveResponse::new(to_json_binary(&PingAck::Pong { count })?)
            .add_attribute("action", "pong")
            .add_attribute("count", count.to_string()),
    )
}

#[entry_point]
pub fn ibc_packet_ack(
    deps: DepsMut,
    _env: Env,
    msg: IbcPacketAckMsg,
) -> StdResult<IbcBasicResponse> {
    let ack = String::from_utf8_lossy(msg.acknowledgement.data.as_slice()).into_owned();
    LAST_ACK.save(deps.storage, &ack)?;
    Ok(IbcBasicResponse::new().add_attribute("action", "ack"))
}

#[entry_point]
pub fn ibc_packet_timeout(
    deps: DepsMut,
    _env: Env,
    _msg: IbcPacketTimeoutMsg,
) -> StdResult<IbcBasicResponse> {
    TIMEOUTS.update(deps.storage, |n| StdResult::Ok(n + 1))?;
    Ok(IbcBasicResponse::new().add_attribute("action", "timeout"))
}
