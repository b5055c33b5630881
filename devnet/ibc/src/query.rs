//! The gRPC queries of ibc-go's core and transfer modules, answered from
//! the state at one height through ibc-query's handlers (the core) and this
//! crate's transfer records.

use std::fmt::Display;
use std::rc::Rc;

use ibc::core::host::types::identifiers::{ChannelId, PortId};
use ibc_proto::ibc::apps::transfer::v1 as rt;
use ibc_proto::ibc::core::channel::v1 as rch;
use ibc_proto::ibc::core::client::v1 as rcl;
use ibc_proto::ibc::core::connection::v1 as rco;
use ibc_query::core::{channel as qch, client as qcl, connection as qco};
use ibc_query::error::QueryError;
use prost::Message;

use crate::context::{IbcContext, IbcStore};
use crate::transfer::{escrow_address, trace_hash, trace_of, traces};
use crate::{Bank, BlockEnv, HostChain};

fn decode<R: Message + Default>(data: &[u8]) -> Result<R, String> {
    R::decode(data).map_err(|e| format!("decoding the request: {e}"))
}

/// Decodes the request, converts it to ibc-query's type, runs `f` and
/// encodes the answer.
fn run<Raw, Req, Resp, RawResp>(
    data: &[u8],
    f: impl FnOnce(&Req) -> Result<Resp, QueryError>,
) -> Result<Vec<u8>, String>
where
    Raw: Message + Default,
    Req: TryFrom<Raw>,
    <Req as TryFrom<Raw>>::Error: Display,
    Resp: Into<RawResp>,
    RawResp: Message,
{
    let req = Req::try_from(decode::<Raw>(data)?).map_err(|e| e.to_string())?;
    let resp = f(&req).map_err(|e| e.to_string())?;
    Ok(resp.into().encode_to_vec())
}

/// Answers an IBC gRPC query (`/ibc.core.client.v1.Query/ClientState`, …)
/// on the state of `env.height`; `None` for a path of another module.
pub fn query<S: IbcStore>(
    store: S,
    env: BlockEnv,
    host: Rc<dyn HostChain>,
    bank: &dyn Bank,
    path: &str,
    data: &[u8],
) -> Option<Result<Vec<u8>, String>> {
    let (service, method) = path.strip_prefix('/')?.split_once("/")?;
    let ctx = IbcContext::new(store.clone(), env, host);
    let c = &ctx;
    Some(match (service, method) {
        ("ibc.core.client.v1.Query", m) => match m {
            "ClientState" => {
                run::<rcl::QueryClientStateRequest, _, _, rcl::QueryClientStateResponse>(
                    data,
                    |r| qcl::query_client_state(c, r),
                )
            }
            "ClientStates" => {
                run::<rcl::QueryClientStatesRequest, _, _, rcl::QueryClientStatesResponse>(
                    data,
                    |r| qcl::query_client_states(c, r),
                )
            }
            "ConsensusState" => {
                run::<rcl::QueryConsensusStateRequest, _, _, rcl::QueryConsensusStateResponse>(
                    data,
                    |r| qcl::query_consensus_state(c, r),
                )
            }
            "ConsensusStates" => {
                run::<rcl::QueryConsensusStatesRequest, _, _, rcl::QueryConsensusStatesResponse>(
                    data,
                    |r| qcl::query_consensus_states(c, r),
                )
            }
            "ConsensusStateHeights" => {
                run::<
                    rcl::QueryConsensusStateHeightsRequest,
                    _,
                    _,
                    rcl::QueryConsensusStateHeightsResponse,
                >(data, |r| qcl::query_consensus_state_heights(c, r))
            }
            "ClientStatus" => {
                run::<rcl::QueryClientStatusRequest, _, _, rcl::QueryClientStatusResponse>(
                    data,
                    |r| qcl::query_client_status(c, r),
                )
            }
            "ClientParams" => Ok(rcl::QueryClientParamsResponse {
                params: Some(rcl::Params {
                    allowed_clients: vec!["07-tendermint".to_string()],
                }),
            }
            .encode_to_vec()),
            _ => return None,
        },
        ("ibc.core.connection.v1.Query", m) => match m {
            "Connection" => {
                run::<rco::QueryConnectionRequest, _, _, rco::QueryConnectionResponse>(data, |r| {
                    qco::query_connection(c, r)
                })
            }
            "Connections" => {
                run::<rco::QueryConnectionsRequest, _, _, rco::QueryConnectionsResponse>(
                    data,
                    |r| qco::query_connections(c, r),
                )
            }
            "ClientConnections" => {
                run::<rco::QueryClientConnectionsRequest, _, _, rco::QueryClientConnectionsResponse>(
                    data,
                    |r| qco::query_client_connections(c, r),
                )
            }
            "ConnectionClientState" => {
                run::<
                    rco::QueryConnectionClientStateRequest,
                    _,
                    _,
                    rco::QueryConnectionClientStateResponse,
                >(data, |r| qco::query_connection_client_state(c, r))
            }
            "ConnectionConsensusState" => {
                run::<
                    rco::QueryConnectionConsensusStateRequest,
                    _,
                    _,
                    rco::QueryConnectionConsensusStateResponse,
                >(data, |r| qco::query_connection_consensus_state(c, r))
            }
            // ibc-go's parameter is in nanoseconds (ibc-query answers seconds,
            // which relayers read as a 0 s block time).
            "ConnectionParams" => Ok(rco::QueryConnectionParamsResponse {
                params: Some(rco::Params {
                    max_expected_time_per_block: crate::MAX_EXPECTED_TIME_PER_BLOCK.as_nanos()
                        as u64,
                }),
            }
            .encode_to_vec()),
            _ => return None,
        },
        ("ibc.core.channel.v1.Query", m) => match m {
            "Channel" => {
                run::<rch::QueryChannelRequest, _, _, rch::QueryChannelResponse>(data, |r| {
                    qch::query_channel(c, r)
                })
            }
            "Channels" => {
                run::<rch::QueryChannelsRequest, _, _, rch::QueryChannelsResponse>(data, |r| {
                    qch::query_channels(c, r)
                })
            }
            "ConnectionChannels" => {
                run::<rch::QueryConnectionChannelsRequest, _, _, rch::QueryConnectionChannelsResponse>(
                    data,
                    |r| qch::query_connection_channels(c, r),
                )
            }
            "ChannelClientState" => {
                run::<rch::QueryChannelClientStateRequest, _, _, rch::QueryChannelClientStateResponse>(
                    data,
                    |r| qch::query_channel_client_state(c, r),
                )
            }
            "ChannelConsensusState" => {
                run::<
                    rch::QueryChannelConsensusStateRequest,
                    _,
                    _,
                    rch::QueryChannelConsensusStateResponse,
                >(data, |r| qch::query_channel_consensus_state(c, r))
            }
            "PacketCommitment" => {
                run::<rch::QueryPacketCommitmentRequest, _, _, rch::QueryPacketCommitmentResponse>(
                    data,
                    |r| qch::query_packet_commitment(c, r),
                )
            }
            "PacketCommitments" => {
                run::<rch::QueryPacketCommitmentsRequest, _, _, rch::QueryPacketCommitmentsResponse>(
                    data,
                    |r| qch::query_packet_commitments(c, r),
                )
            }
            "PacketReceipt" => {
                run::<rch::QueryPacketReceiptRequest, _, _, rch::QueryPacketReceiptResponse>(
                    data,
                    |r| qch::query_packet_receipt(c, r),
                )
            }
            "PacketAcknowledgement" => {
                run::<
                    rch::QueryPacketAcknowledgementRequest,
                    _,
                    _,
                    rch::QueryPacketAcknowledgementResponse,
                >(data, |r| qch::query_packet_acknowledgement(c, r))
            }
            "PacketAcknowledgements" => {
                run::<
                    rch::QueryPacketAcknowledgementsRequest,
                    _,
                    _,
                    rch::QueryPacketAcknowledgementsResponse,
                >(data, |r| qch::query_packet_acknowledgements(c, r))
            }
            "UnreceivedPackets" => {
                run::<rch::QueryUnreceivedPacketsRequest, _, _, rch::QueryUnreceivedPacketsResponse>(
                    data,
                    |r| qch::query_unreceived_packets(c, r),
                )
            }
            "UnreceivedAcks" => {
                run::<rch::QueryUnreceivedAcksRequest, _, _, rch::QueryUnreceivedAcksResponse>(
                    data,
                    |r| qch::query_unreceived_acks(c, r),
                )
            }
            "NextSequenceReceive" => {
                run::<
                    rch::QueryNextSequenceReceiveRequest,
                    _,
                    _,
                    rch::QueryNextSequenceReceiveResponse,
                >(data, |r| qch::query_next_sequence_receive(c, r))
            }
            "NextSequenceSend" => {
                run::<rch::QueryNextSequenceSendRequest, _, _, rch::QueryNextSequenceSendResponse>(
                    data,
                    |r| qch::query_next_sequence_send(c, r),
                )
            }
            _ => return None,
        },
        ("ibc.applications.transfer.v1.Query", m) => transfer_query(&store, bank, m, data)?,
        _ => return None,
    })
}

fn denom_trace(full: &str) -> rt::DenomTrace {
    // The trace is `port/channel/…/base`; the base denom may itself hold
    // slashes, so split by prefix pairs as ibc-rs parses it.
    let parsed: Result<ibc::apps::transfer::types::PrefixedDenom, _> = full.parse();
    match parsed {
        Ok(d) => rt::DenomTrace {
            path: d.trace_path.to_string(),
            base_denom: d.base_denom.to_string(),
        },
        Err(_) => rt::DenomTrace {
            path: String::new(),
            base_denom: full.to_string(),
        },
    }
}

fn transfer_query<S: IbcStore>(
    store: &S,
    bank: &dyn Bank,
    method: &str,
    data: &[u8],
) -> Option<Result<Vec<u8>, String>> {
    const METHODS: [&str; 5] = [
        "DenomTrace",
        "DenomTraces",
        "DenomHash",
        "EscrowAddress",
        "Params",
    ];
    if !METHODS.contains(&method) {
        return None;
    }
    let answer = || -> Result<Vec<u8>, String> {
        Ok(match method {
            "DenomTrace" => {
                let r: rt::QueryDenomTraceRequest = decode(data)?;
                let full = trace_of(store, &r.hash)
                    .ok_or_else(|| format!("denomination trace not found: {}", r.hash))?;
                rt::QueryDenomTraceResponse {
                    denom_trace: Some(denom_trace(&full)),
                }
                .encode_to_vec()
            }
            "DenomTraces" => {
                let _: rt::QueryDenomTracesRequest = decode(data)?;
                let denom_traces: Vec<rt::DenomTrace> =
                    traces(store).iter().map(|t| denom_trace(t)).collect();
                rt::QueryDenomTracesResponse {
                    pagination: Some(ibc_proto::cosmos::base::query::v1beta1::PageResponse {
                        next_key: Vec::new(),
                        total: denom_traces.len() as u64,
                    }),
                    denom_traces,
                }
                .encode_to_vec()
            }
            "DenomHash" => {
                let r: rt::QueryDenomHashRequest = decode(data)?;
                let d: ibc::apps::transfer::types::PrefixedDenom = r
                    .trace
                    .parse()
                    .map_err(|e| format!("invalid denom trace: {e}"))?;
                if d.trace_path.is_empty() {
                    return Err(format!("{} is not a trace of a voucher", r.trace));
                }
                rt::QueryDenomHashResponse {
                    hash: trace_hash(&d.to_string()),
                }
                .encode_to_vec()
            }
            "EscrowAddress" => {
                let r: rt::QueryEscrowAddressRequest = decode(data)?;
                let port: PortId = r.port_id.parse().map_err(|e| format!("port: {e}"))?;
                let channel: ChannelId =
                    r.channel_id.parse().map_err(|e| format!("channel: {e}"))?;
                rt::QueryEscrowAddressResponse {
                    escrow_address: bank.address_of(&escrow_address(&port, &channel)),
                }
                .encode_to_vec()
            }
            "Params" => rt::QueryParamsResponse {
                params: Some(rt::Params {
                    send_enabled: true,
                    receive_enabled: true,
                }),
            }
            .encode_to_vec(),
            _ => unreachable!("{method} is not in METHODS"),
        })
    };
    Some(answer())
}
