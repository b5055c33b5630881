//! The ibc-rs host contexts over the node's key-value state.
//!
//! Every ICS-24 path lives at the state key `ibc/<path>`, which the node
//! commits in its IBC substore (proven under the commitment prefix `ibc`),
//! with the value encodings of ibc-go, because a counterparty verifies
//! them byte for byte: client and consensus states as protobuf `Any`s,
//! connection and channel ends as protobuf, packet commitments and
//! acknowledgement commitments as their 32-byte hashes, a receipt as the
//! byte `1`, next sequences as 8-byte big-endian numbers.
//!
//! What no counterparty reads lives outside the substore, under `ibcx/`:
//! an index of each client's consensus-state heights in numeric order (so
//! the previous or next consensus state of a height is one ordered read,
//! however many the client has), and the per-client processed-height and
//! processed-time of each update.

use std::rc::Rc;
use std::time::Duration;

use cosmwasm_std::Order;
use ibc::clients::tendermint::client_state::ClientState as TmClientState;
use ibc::clients::tendermint::consensus_state::ConsensusState as TmConsensusState;
use ibc::clients::tendermint::types::{
    ClientState as TmClientStateType, ConsensusState as TmConsensusStateType,
    TENDERMINT_CLIENT_STATE_TYPE_URL, TENDERMINT_CONSENSUS_STATE_TYPE_URL,
};
use ibc::core::channel::types::channel::{ChannelEnd, IdentifiedChannelEnd};
use ibc::core::channel::types::commitment::{AcknowledgementCommitment, PacketCommitment};
use ibc::core::channel::types::packet::{PacketState, Receipt};
use ibc::core::client::context::{
    ClientExecutionContext, ClientValidationContext, ExtClientValidationContext,
};
use ibc::core::client::types::error::ClientError;
use ibc::core::client::types::Height;
use ibc::core::commitment_types::commitment::{CommitmentPrefix, CommitmentRoot};
use ibc::core::connection::types::{ConnectionEnd, IdentifiedConnectionEnd};
use ibc::core::handler::types::events::IbcEvent;
use ibc::core::host::types::error::{DecodingError, HostError};
use ibc::core::host::types::identifiers::{
    ChainId, ChannelId, ClientId, ConnectionId, PortId, Sequence,
};
use ibc::core::host::types::path::{
    AckPath, ChannelEndPath, ClientConnectionPath, ClientConsensusStatePath, ClientStatePath,
    CommitmentPath, ConnectionPath, NextChannelSequencePath, NextClientSequencePath,
    NextConnectionSequencePath, Path, ReceiptPath, SeqAckPath, SeqRecvPath, SeqSendPath,
};
use ibc::core::host::{ClientStateRef, ConsensusStateRef, ExecutionContext, ValidationContext};
use ibc::derive::{ClientState, ConsensusState};
use ibc::primitives::proto::{Any, Protobuf};
use ibc::primitives::{Signer, Timestamp};
use ibc_proto::ibc::core::connection::v1::ClientPaths;
use ibc_query::core::context::{ProvableContext, QueryContext};
use prost::Message;
use starminer_wasm_host::{KeyRange, KvStore};

use crate::{BlockEnv, HostChain};

/// The state a context reads and writes: the node's working state (or a
/// handle to it), cloned cheaply.
pub trait IbcStore: KvStore + Clone {}
impl<T: KvStore + Clone> IbcStore for T {}

/// Prefix of the committed IBC keys (the commitment prefix of the chain).
pub const STORE_PREFIX: &str = "ibc";
/// Prefix of the host's own bookkeeping, outside the proven substore.
const AUX_PREFIX: &str = "ibcx";

/// The revision of the chain id (`name-N`), 0 without one.
pub fn revision_number(chain_id: &str) -> u64 {
    ChainId::new(chain_id)
        .map(|id| id.revision_number())
        .unwrap_or(0)
}

/// The state key of an ICS-24 path.
pub fn path_key(path: &Path) -> Vec<u8> {
    format!("{STORE_PREFIX}/{path}").into_bytes()
}

pub(crate) fn aux_key(parts: &[&[u8]]) -> Vec<u8> {
    let mut k = AUX_PREFIX.as_bytes().to_vec();
    for p in parts {
        k.push(b'/');
        k.extend_from_slice(p);
    }
    k
}

fn height_bytes(h: &Height) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&h.revision_number().to_be_bytes());
    b[8..].copy_from_slice(&h.revision_height().to_be_bytes());
    b
}

fn height_from_bytes(b: &[u8]) -> Option<Height> {
    let rev = u64::from_be_bytes(b.get(..8)?.try_into().ok()?);
    let h = u64::from_be_bytes(b.get(8..16)?.try_into().ok()?);
    Height::new(rev, h).ok()
}

/// Every record under `prefix`, in key order.
pub(crate) fn scan(store: &impl KvStore, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let range = KeyRange::prefix(prefix);
    let mut out = Vec::new();
    let mut cursor: Option<Vec<u8>> = None;
    while let Some((k, v)) = store.next_after(&range, cursor.as_deref(), Order::Ascending) {
        cursor = Some(k.clone());
        out.push((k, v));
    }
    out
}

/// The light clients this host runs: 07-tendermint.
#[derive(Clone, Debug, ClientState)]
#[validation(IbcContext<S: IbcStore>)]
#[execution(IbcContext<S: IbcStore>)]
pub enum AnyClientState {
    Tendermint(TmClientState),
}

impl From<TmClientStateType> for AnyClientState {
    fn from(v: TmClientStateType) -> Self {
        Self::Tendermint(v.into())
    }
}

impl TryFrom<AnyClientState> for TmClientStateType {
    type Error = ClientError;
    fn try_from(v: AnyClientState) -> Result<Self, Self::Error> {
        match v {
            AnyClientState::Tendermint(cs) => Ok(cs.inner().clone()),
        }
    }
}

impl From<AnyClientState> for Any {
    fn from(v: AnyClientState) -> Self {
        match v {
            AnyClientState::Tendermint(cs) => cs.into(),
        }
    }
}

impl TryFrom<Any> for AnyClientState {
    type Error = DecodingError;
    fn try_from(raw: Any) -> Result<Self, Self::Error> {
        if raw.type_url == TENDERMINT_CLIENT_STATE_TYPE_URL {
            Ok(Self::Tendermint(raw.try_into()?))
        } else {
            Err(DecodingError::UnknownTypeUrl(raw.type_url))
        }
    }
}

impl Protobuf<Any> for AnyClientState {}

#[derive(Clone, Debug, ConsensusState)]
pub enum AnyConsensusState {
    Tendermint(TmConsensusState),
}

impl From<TmConsensusStateType> for AnyConsensusState {
    fn from(v: TmConsensusStateType) -> Self {
        Self::Tendermint(v.into())
    }
}

impl From<TmConsensusState> for AnyConsensusState {
    fn from(v: TmConsensusState) -> Self {
        Self::Tendermint(v)
    }
}

impl TryFrom<AnyConsensusState> for TmConsensusStateType {
    type Error = DecodingError;
    fn try_from(v: AnyConsensusState) -> Result<Self, Self::Error> {
        match v {
            AnyConsensusState::Tendermint(cs) => Ok(cs.inner().clone()),
        }
    }
}

impl From<AnyConsensusState> for Any {
    fn from(v: AnyConsensusState) -> Self {
        match v {
            AnyConsensusState::Tendermint(cs) => cs.into(),
        }
    }
}

impl TryFrom<Any> for AnyConsensusState {
    type Error = DecodingError;
    fn try_from(raw: Any) -> Result<Self, Self::Error> {
        if raw.type_url == TENDERMINT_CONSENSUS_STATE_TYPE_URL {
            Ok(Self::Tendermint(raw.try_into()?))
        } else {
            Err(DecodingError::UnknownTypeUrl(raw.type_url))
        }
    }
}

impl Protobuf<Any> for AnyConsensusState {}

/// ibc-rs' view of the host: the state, the block being executed, and the
/// chain's past headers and proofs.
#[derive(Clone)]
pub struct IbcContext<S: IbcStore> {
    pub(crate) store: S,
    pub(crate) env: BlockEnv,
    pub(crate) host: Rc<dyn HostChain>,
    pub(crate) events: Vec<IbcEvent>,
    pub(crate) logs: Vec<String>,
}

impl<S: IbcStore> IbcContext<S> {
    pub fn new(store: S, env: BlockEnv, host: Rc<dyn HostChain>) -> Self {
        IbcContext {
            store,
            env,
            host,
            events: Vec::new(),
            logs: Vec::new(),
        }
    }

    fn get(&self, path: impl Into<Path>) -> Option<Vec<u8>> {
        self.store.get(&path_key(&path.into()))
    }

    fn set(&mut self, path: impl Into<Path>, value: &[u8]) {
        self.store.set(&path_key(&path.into()), value)
    }

    fn remove(&mut self, path: impl Into<Path>) {
        self.store.remove(&path_key(&path.into()))
    }

    fn get_proto<T, R>(&self, path: impl Into<Path>, what: &str) -> Result<T, HostError>
    where
        T: Protobuf<R> + TryFrom<R>,
        R: Message + Default + From<T>,
        <T as TryFrom<R>>::Error: std::fmt::Display,
    {
        let bytes = self
            .get(path)
            .ok_or_else(|| HostError::missing_state(what))?;
        T::decode_vec(&bytes).map_err(|e| HostError::invalid_state(format!("{what}: {e}")))
    }

    fn get_u64(&self, path: impl Into<Path>, what: &str) -> Result<u64, HostError> {
        let bytes = self
            .get(path)
            .ok_or_else(|| HostError::missing_state(what))?;
        let arr: [u8; 8] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| HostError::invalid_state(format!("{what}: not 8 bytes")))?;
        Ok(u64::from_be_bytes(arr))
    }

    /// A counter that starts at 0 (ibc-go writes them at genesis).
    fn counter(&self, path: impl Into<Path>, what: &str) -> Result<u64, HostError> {
        let path = path.into();
        if self.get(path.clone()).is_none() {
            return Ok(0);
        }
        self.get_u64(path, what)
    }

    fn bump(&mut self, path: impl Into<Path> + Clone, what: &str) -> Result<(), HostError> {
        let n = self.counter(path.clone(), what)?;
        let next = n
            .checked_add(1)
            .ok_or_else(|| HostError::invalid_state(format!("{what} overflows")))?;
        self.set(path, &next.to_be_bytes());
        Ok(())
    }

    fn consensus_index_prefix(client_id: &ClientId) -> Vec<u8> {
        let mut k = aux_key(&[b"cs", client_id.as_str().as_bytes()]);
        k.push(b'/');
        k
    }

    fn consensus_at(
        &self,
        client_id: &ClientId,
        h: &Height,
    ) -> Result<AnyConsensusState, HostError> {
        let path = ClientConsensusStatePath::new(
            client_id.clone(),
            h.revision_number(),
            h.revision_height(),
        );
        self.get_proto::<AnyConsensusState, Any>(
            path,
            &format!("consensus state of client {client_id} at height {h}"),
        )
    }

    /// The neighbouring consensus-state height of `h` (exclusive) in `order`.
    fn neighbour_height(&self, client_id: &ClientId, h: &Height, order: Order) -> Option<Height> {
        let prefix = Self::consensus_index_prefix(client_id);
        let range = KeyRange::prefix(&prefix);
        let mut cursor = prefix.clone();
        cursor.extend_from_slice(&height_bytes(h));
        self.store
            .next_after(&range, Some(&cursor), order)
            .and_then(|(k, _)| height_from_bytes(&k[prefix.len()..]))
    }

    /// The heights of the client's consensus states, in order.
    fn heights_of(&self, client_id: &ClientId) -> Vec<Height> {
        let prefix = Self::consensus_index_prefix(client_id);
        scan(&self.store, &prefix)
            .into_iter()
            .filter_map(|(k, _)| height_from_bytes(&k[prefix.len()..]))
            .collect()
    }

    pub fn take_events(&mut self) -> Vec<IbcEvent> {
        std::mem::take(&mut self.events)
    }
}

impl<S: IbcStore> ClientValidationContext for IbcContext<S> {
    type ClientStateRef = AnyClientState;
    type ConsensusStateRef = AnyConsensusState;

    fn client_state(&self, client_id: &ClientId) -> Result<Self::ClientStateRef, HostError> {
        self.get_proto::<AnyClientState, Any>(
            ClientStatePath::new(client_id.clone()),
            &format!("client {client_id}"),
        )
    }

    fn consensus_state(
        &self,
        path: &ClientConsensusStatePath,
    ) -> Result<Self::ConsensusStateRef, HostError> {
        self.get_proto::<AnyConsensusState, Any>(
            path.clone(),
            &format!(
                "consensus state of client {} at height {}-{}",
                path.client_id, path.revision_number, path.revision_height
            ),
        )
    }

    fn client_update_meta(
        &self,
        client_id: &ClientId,
        height: &Height,
    ) -> Result<(Timestamp, Height), HostError> {
        let key = aux_key(&[
            b"update",
            client_id.as_str().as_bytes(),
            &height_bytes(height),
        ]);
        let v = self.store.get(&key).ok_or_else(|| {
            HostError::missing_state(format!("update of client {client_id} at height {height}"))
        })?;
        if v.len() != 24 {
            return Err(HostError::invalid_state("update record is not 24 bytes"));
        }
        let time = u64::from_be_bytes(v[..8].try_into().expect("8 bytes"));
        let host_height = height_from_bytes(&v[8..])
            .ok_or_else(|| HostError::invalid_state("update record height"))?;
        Ok((Timestamp::from_nanoseconds(time), host_height))
    }
}

impl<S: IbcStore> ClientExecutionContext for IbcContext<S> {
    type ClientStateMut = AnyClientState;

    fn store_client_state(
        &mut self,
        path: ClientStatePath,
        client_state: Self::ClientStateMut,
    ) -> Result<(), HostError> {
        self.set(path, &client_state.encode_vec());
        Ok(())
    }

    fn store_consensus_state(
        &mut self,
        path: ClientConsensusStatePath,
        consensus_state: Self::ConsensusStateRef,
    ) -> Result<(), HostError> {
        let h = Height::new(path.revision_number, path.revision_height)
            .map_err(HostError::invalid_state)?;
        let mut index = Self::consensus_index_prefix(&path.client_id);
        index.extend_from_slice(&height_bytes(&h));
        self.store.set(&index, &[]);
        self.set(path, &consensus_state.encode_vec());
        Ok(())
    }

    fn delete_consensus_state(&mut self, path: ClientConsensusStatePath) -> Result<(), HostError> {
        let h = Height::new(path.revision_number, path.revision_height)
            .map_err(HostError::invalid_state)?;
        let mut index = Self::consensus_index_prefix(&path.client_id);
        index.extend_from_slice(&height_bytes(&h));
        self.store.remove(&index);
        self.remove(path);
        Ok(())
    }

    fn store_update_meta(
        &mut self,
        client_id: ClientId,
        height: Height,
        host_timestamp: Timestamp,
        host_height: Height,
    ) -> Result<(), HostError> {
        let key = aux_key(&[
            b"update",
            client_id.as_str().as_bytes(),
            &height_bytes(&height),
        ]);
        let mut v = host_timestamp.nanoseconds().to_be_bytes().to_vec();
        v.extend_from_slice(&height_bytes(&host_height));
        self.store.set(&key, &v);
        Ok(())
    }

    fn delete_update_meta(&mut self, client_id: ClientId, height: Height) -> Result<(), HostError> {
        let key = aux_key(&[
            b"update",
            client_id.as_str().as_bytes(),
            &height_bytes(&height),
        ]);
        self.store.remove(&key);
        Ok(())
    }
}

impl<S: IbcStore> ExtClientValidationContext for IbcContext<S> {
    fn host_timestamp(&self) -> Result<Timestamp, HostError> {
        ValidationContext::host_timestamp(self)
    }

    fn host_height(&self) -> Result<Height, HostError> {
        ValidationContext::host_height(self)
    }

    fn consensus_state_heights(&self, client_id: &ClientId) -> Result<Vec<Height>, HostError> {
        Ok(self.heights_of(client_id))
    }

    fn next_consensus_state(
        &self,
        client_id: &ClientId,
        height: &Height,
    ) -> Result<Option<Self::ConsensusStateRef>, HostError> {
        match self.neighbour_height(client_id, height, Order::Ascending) {
            Some(h) => self.consensus_at(client_id, &h).map(Some),
            None => Ok(None),
        }
    }

    fn prev_consensus_state(
        &self,
        client_id: &ClientId,
        height: &Height,
    ) -> Result<Option<Self::ConsensusStateRef>, HostError> {
        match self.neighbour_height(client_id, height, Order::Descending) {
            Some(h) => self.consensus_at(client_id, &h).map(Some),
            None => Ok(None),
        }
    }
}

impl<S: IbcStore> ValidationContext for IbcContext<S> {
    type V = Self;
    type HostClientState = AnyClientState;
    type HostConsensusState = AnyConsensusState;

    fn get_client_validation_context(&self) -> &Self::V {
        self
    }

    fn host_height(&self) -> Result<Height, HostError> {
        Height::new(revision_number(&self.env.chain_id), self.env.height)
            .map_err(HostError::invalid_state)
    }

    fn host_timestamp(&self) -> Result<Timestamp, HostError> {
        Ok(Timestamp::from_nanoseconds(self.env.time_nanos))
    }

    fn host_consensus_state(&self, height: &Height) -> Result<Self::HostConsensusState, HostError> {
        if height.revision_number() != revision_number(&self.env.chain_id) {
            return Err(HostError::invalid_state(format!(
                "height {height} is not of this chain's revision"
            )));
        }
        let header = self
            .host
            .header(height.revision_height())
            .ok_or_else(|| HostError::missing_state(format!("this chain's header at {height}")))?;
        let time = tm40::Time::from_unix_timestamp(
            (header.time_nanos / 1_000_000_000) as i64,
            (header.time_nanos % 1_000_000_000) as u32,
        )
        .map_err(HostError::invalid_state)?;
        let next_vals =
            tm40::Hash::from_bytes(tm40::hash::Algorithm::Sha256, &header.next_validators_hash)
                .map_err(HostError::invalid_state)?;
        Ok(TmConsensusStateType::new(
            CommitmentRoot::from_bytes(&header.app_hash),
            time,
            next_vals,
        )
        .into())
    }

    fn client_counter(&self) -> Result<u64, HostError> {
        self.counter(NextClientSequencePath, "client counter")
    }

    fn connection_end(&self, conn_id: &ConnectionId) -> Result<ConnectionEnd, HostError> {
        self.get_proto(
            ConnectionPath::new(conn_id),
            &format!("connection {conn_id}"),
        )
    }

    fn validate_self_client(&self, client_state: Self::HostClientState) -> Result<(), HostError> {
        let AnyClientState::Tendermint(cs) = client_state;
        let cs = cs.inner();
        let invalid = |what: String| Err(HostError::invalid_state(what));
        if cs.frozen_height.is_some() {
            return invalid("the client of this chain is frozen".into());
        }
        if cs.chain_id.as_str() != self.env.chain_id {
            return invalid(format!(
                "the client's chain id {} is not this chain's {}",
                cs.chain_id, self.env.chain_id
            ));
        }
        let host = ValidationContext::host_height(self)?;
        if cs.latest_height.revision_number() != host.revision_number() {
            return invalid(format!(
                "the client's revision {} is not this chain's {}",
                cs.latest_height.revision_number(),
                host.revision_number()
            ));
        }
        if cs.latest_height >= host {
            return invalid(format!(
                "the client's latest height {} is not below this chain's height {host}",
                cs.latest_height
            ));
        }
        let ours = crate::proof_specs();
        let theirs: Vec<ibc_proto::ics23::ProofSpec> = cs.proof_specs.clone().into();
        if ours != theirs {
            return invalid("the client's proof specs are not this chain's".into());
        }
        if cs.unbonding_period != crate::UNBONDING_PERIOD {
            return invalid(format!(
                "the client's unbonding period {:?} is not this chain's {:?}",
                cs.unbonding_period,
                crate::UNBONDING_PERIOD
            ));
        }
        if !cs.upgrade_path.is_empty()
            && cs.upgrade_path != ["upgrade".to_string(), "upgradedIBCState".to_string()]
        {
            return invalid(format!(
                "the client's upgrade path {:?} is not this chain's",
                cs.upgrade_path
            ));
        }
        Ok(())
    }

    fn commitment_prefix(&self) -> CommitmentPrefix {
        CommitmentPrefix::from_bytes(STORE_PREFIX.as_bytes())
    }

    fn connection_counter(&self) -> Result<u64, HostError> {
        self.counter(NextConnectionSequencePath, "connection counter")
    }

    fn channel_end(&self, path: &ChannelEndPath) -> Result<ChannelEnd, HostError> {
        self.get_proto(
            path.clone(),
            &format!("channel {} on port {}", path.1, path.0),
        )
    }

    fn get_next_sequence_send(&self, path: &SeqSendPath) -> Result<Sequence, HostError> {
        self.get_u64(path.clone(), "next sequence send")
            .map(Sequence::from)
    }

    fn get_next_sequence_recv(&self, path: &SeqRecvPath) -> Result<Sequence, HostError> {
        self.get_u64(path.clone(), "next sequence receive")
            .map(Sequence::from)
    }

    fn get_next_sequence_ack(&self, path: &SeqAckPath) -> Result<Sequence, HostError> {
        self.get_u64(path.clone(), "next sequence ack")
            .map(Sequence::from)
    }

    fn get_packet_commitment(&self, path: &CommitmentPath) -> Result<PacketCommitment, HostError> {
        self.get(path.clone())
            .map(PacketCommitment::from)
            .ok_or_else(|| HostError::missing_state(format!("packet commitment {}", path.sequence)))
    }

    fn get_packet_receipt(&self, path: &ReceiptPath) -> Result<Receipt, HostError> {
        Ok(match self.get(path.clone()) {
            Some(_) => Receipt::Ok,
            None => Receipt::None,
        })
    }

    fn get_packet_acknowledgement(
        &self,
        path: &AckPath,
    ) -> Result<AcknowledgementCommitment, HostError> {
        self.get(path.clone())
            .map(AcknowledgementCommitment::from)
            .ok_or_else(|| {
                HostError::missing_state(format!("packet acknowledgement {}", path.sequence))
            })
    }

    fn channel_counter(&self) -> Result<u64, HostError> {
        self.counter(NextChannelSequencePath, "channel counter")
    }

    fn max_expected_time_per_block(&self) -> Duration {
        crate::MAX_EXPECTED_TIME_PER_BLOCK
    }

    fn validate_message_signer(&self, signer: &Signer) -> Result<(), HostError> {
        if signer.as_ref().is_empty() {
            return Err(HostError::invalid_state("empty signer"));
        }
        Ok(())
    }
}

impl<S: IbcStore> ExecutionContext for IbcContext<S> {
    type E = Self;

    fn get_client_execution_context(&mut self) -> &mut Self::E {
        self
    }

    fn increase_client_counter(&mut self) -> Result<(), HostError> {
        self.bump(NextClientSequencePath, "client counter")
    }

    fn store_connection(
        &mut self,
        path: &ConnectionPath,
        end: ConnectionEnd,
    ) -> Result<(), HostError> {
        self.set(path.clone(), &end.encode_vec());
        Ok(())
    }

    fn store_connection_to_client(
        &mut self,
        path: &ClientConnectionPath,
        conn_id: ConnectionId,
    ) -> Result<(), HostError> {
        let mut paths = match self.get(path.clone()) {
            Some(b) => ClientPaths::decode(b.as_slice())
                .map_err(|e| HostError::invalid_state(format!("client connections: {e}")))?,
            None => ClientPaths::default(),
        };
        paths.paths.push(conn_id.to_string());
        self.set(path.clone(), &paths.encode_to_vec());
        Ok(())
    }

    fn increase_connection_counter(&mut self) -> Result<(), HostError> {
        self.bump(NextConnectionSequencePath, "connection counter")
    }

    fn store_packet_commitment(
        &mut self,
        path: &CommitmentPath,
        commitment: PacketCommitment,
    ) -> Result<(), HostError> {
        self.set(path.clone(), &commitment.into_vec());
        Ok(())
    }

    fn delete_packet_commitment(&mut self, path: &CommitmentPath) -> Result<(), HostError> {
        self.remove(path.clone());
        Ok(())
    }

    fn store_packet_receipt(
        &mut self,
        path: &ReceiptPath,
        _receipt: Receipt,
    ) -> Result<(), HostError> {
        self.set(path.clone(), &[1]);
        Ok(())
    }

    fn store_packet_acknowledgement(
        &mut self,
        path: &AckPath,
        commitment: AcknowledgementCommitment,
    ) -> Result<(), HostError> {
        self.set(path.clone(), &commitment.into_vec());
        Ok(())
    }

    fn delete_packet_acknowledgement(&mut self, path: &AckPath) -> Result<(), HostError> {
        self.remove(path.clone());
        Ok(())
    }

    fn store_channel(&mut self, path: &ChannelEndPath, end: ChannelEnd) -> Result<(), HostError> {
        self.set(path.clone(), &end.encode_vec());
        Ok(())
    }

    fn store_next_sequence_send(
        &mut self,
        path: &SeqSendPath,
        seq: Sequence,
    ) -> Result<(), HostError> {
        self.set(path.clone(), &u64::from(seq).to_be_bytes());
        Ok(())
    }

    fn store_next_sequence_recv(
        &mut self,
        path: &SeqRecvPath,
        seq: Sequence,
    ) -> Result<(), HostError> {
        self.set(path.clone(), &u64::from(seq).to_be_bytes());
        Ok(())
    }

    fn store_next_sequence_ack(
        &mut self,
        path: &SeqAckPath,
        seq: Sequence,
    ) -> Result<(), HostError> {
        self.set(path.clone(), &u64::from(seq).to_be_bytes());
        Ok(())
    }

    fn increase_channel_counter(&mut self) -> Result<(), HostError> {
        self.bump(NextChannelSequencePath, "channel counter")
    }

    fn emit_ibc_event(&mut self, event: IbcEvent) -> Result<(), HostError> {
        self.events.push(event);
        Ok(())
    }

    fn log_message(&mut self, message: String) -> Result<(), HostError> {
        self.logs.push(message);
        Ok(())
    }
}

// ---- the queries relayers make (ibc-query) ------------------------------------

/// Parses the sequence at the end of a packet key.
fn trailing_sequence(key: &[u8]) -> Option<Sequence> {
    let s = std::str::from_utf8(key).ok()?;
    s.rsplit('/')
        .next()?
        .parse::<u64>()
        .ok()
        .map(Sequence::from)
}

impl<S: IbcStore> ProvableContext for IbcContext<S> {
    fn get_proof(&self, height: Height, path: &Path) -> Option<Vec<u8>> {
        self.host.proof(&path_key(path), height.revision_height())
    }
}

impl<S: IbcStore> QueryContext for IbcContext<S> {
    fn client_states(&self) -> Result<Vec<(ClientId, ClientStateRef<Self>)>, HostError> {
        // `ibc/clients/`: every client's keys, of which the client states.
        let root = format!("{STORE_PREFIX}/clients/").into_bytes();
        scan(&self.store, &root)
            .into_iter()
            .filter(|(k, _)| k.ends_with(b"/clientState"))
            .map(|(k, v)| {
                let s = String::from_utf8_lossy(&k[root.len()..]).to_string();
                let id = s.trim_end_matches("/clientState");
                let id: ClientId = id.parse().map_err(HostError::invalid_state)?;
                let cs = AnyClientState::decode_vec(&v).map_err(HostError::invalid_state)?;
                Ok((id, cs))
            })
            .collect()
    }

    fn consensus_states(
        &self,
        client_id: &ClientId,
    ) -> Result<Vec<(Height, ConsensusStateRef<Self>)>, HostError> {
        self.heights_of(client_id)
            .into_iter()
            .map(|h| Ok((h, self.consensus_at(client_id, &h)?)))
            .collect()
    }

    fn consensus_state_heights(&self, client_id: &ClientId) -> Result<Vec<Height>, HostError> {
        Ok(self.heights_of(client_id))
    }

    fn connection_ends(&self) -> Result<Vec<IdentifiedConnectionEnd>, HostError> {
        let root = format!("{STORE_PREFIX}/connections/").into_bytes();
        scan(&self.store, &root)
            .into_iter()
            .map(|(k, v)| {
                let id: ConnectionId = String::from_utf8_lossy(&k[root.len()..])
                    .parse()
                    .map_err(HostError::invalid_state)?;
                let end = ConnectionEnd::decode_vec(&v).map_err(HostError::invalid_state)?;
                Ok(IdentifiedConnectionEnd::new(id, end))
            })
            .collect()
    }

    fn client_connection_ends(&self, client_id: &ClientId) -> Result<Vec<ConnectionId>, HostError> {
        let Some(b) = self.get(ClientConnectionPath::new(client_id.clone())) else {
            return Ok(Vec::new());
        };
        let paths = ClientPaths::decode(b.as_slice()).map_err(HostError::invalid_state)?;
        paths
            .paths
            .iter()
            .map(|p| p.parse().map_err(HostError::invalid_state))
            .collect()
    }

    fn channel_ends(&self) -> Result<Vec<IdentifiedChannelEnd>, HostError> {
        let root = format!("{STORE_PREFIX}/channelEnds/ports/").into_bytes();
        scan(&self.store, &root)
            .into_iter()
            .map(|(k, v)| {
                let rest = String::from_utf8_lossy(&k[root.len()..]).to_string();
                let (port, chan) = rest
                    .split_once("/channels/")
                    .ok_or_else(|| HostError::invalid_state(format!("channel key {rest}")))?;
                let port: PortId = port.parse().map_err(HostError::invalid_state)?;
                let chan: ChannelId = chan.parse().map_err(HostError::invalid_state)?;
                let end = ChannelEnd::decode_vec(&v).map_err(HostError::invalid_state)?;
                Ok(IdentifiedChannelEnd::new(port, chan, end))
            })
            .collect()
    }

    fn packet_commitments(&self, path: &ChannelEndPath) -> Result<Vec<PacketState>, HostError> {
        let root = format!(
            "{STORE_PREFIX}/commitments/ports/{}/channels/{}/sequences/",
            path.0, path.1
        )
        .into_bytes();
        let mut out: Vec<PacketState> = scan(&self.store, &root)
            .into_iter()
            .filter_map(|(k, v)| {
                Some(PacketState {
                    port_id: path.0.clone(),
                    chan_id: path.1.clone(),
                    seq: trailing_sequence(&k)?,
                    data: v,
                })
            })
            .collect();
        out.sort_by_key(|p| u64::from(p.seq));
        Ok(out)
    }

    fn packet_acknowledgements(
        &self,
        path: &ChannelEndPath,
        sequences: impl ExactSizeIterator<Item = Sequence>,
    ) -> Result<Vec<PacketState>, HostError> {
        let wanted: Vec<Sequence> = sequences.collect();
        let seqs: Vec<Sequence> = if wanted.is_empty() {
            let root = format!(
                "{STORE_PREFIX}/acks/ports/{}/channels/{}/sequences/",
                path.0, path.1
            )
            .into_bytes();
            let mut s: Vec<Sequence> = scan(&self.store, &root)
                .into_iter()
                .filter_map(|(k, _)| trailing_sequence(&k))
                .collect();
            s.sort_by_key(|s| u64::from(*s));
            s
        } else {
            wanted
        };
        Ok(seqs
            .into_iter()
            .filter_map(|seq| {
                let data = self.get(AckPath::new(&path.0, &path.1, seq))?;
                Some(PacketState {
                    port_id: path.0.clone(),
                    chan_id: path.1.clone(),
                    seq,
                    data,
                })
            })
            .collect())
    }

    fn unreceived_packets(
        &self,
        path: &ChannelEndPath,
        sequences: impl ExactSizeIterator<Item = Sequence>,
    ) -> Result<Vec<Sequence>, HostError> {
        let channel = self.channel_end(path)?;
        if channel.ordering == ibc::core::channel::types::channel::Order::Ordered {
            let next = self.get_next_sequence_recv(&SeqRecvPath::new(&path.0, &path.1))?;
            return Ok(sequences.filter(|s| *s >= next).collect());
        }
        Ok(sequences
            .filter(|seq| self.get(ReceiptPath::new(&path.0, &path.1, *seq)).is_none())
            .collect())
    }

    fn unreceived_acks(
        &self,
        path: &ChannelEndPath,
        sequences: impl ExactSizeIterator<Item = Sequence>,
    ) -> Result<Vec<Sequence>, HostError> {
        let wanted: Vec<Sequence> = sequences.collect();
        let seqs = if wanted.is_empty() {
            self.packet_commitments(path)?
                .into_iter()
                .map(|p| p.seq)
                .collect()
        } else {
            wanted
        };
        Ok(seqs
            .into_iter()
            .filter(|seq| {
                self.get(CommitmentPath::new(&path.0, &path.1, *seq))
                    .is_some()
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use starminer_wasm_host::MemStore;

    /// A chain with no past headers or proofs: the client bookkeeping
    /// below needs neither.
    struct NoChain;
    impl HostChain for NoChain {
        fn header(&self, _: u64) -> Option<crate::HostHeader> {
            None
        }
        fn proof(&self, _: &[u8], _: u64) -> Option<Vec<u8>> {
            None
        }
    }

    fn ctx() -> IbcContext<MemStore> {
        let env = BlockEnv {
            chain_id: "starminer-a-1".into(),
            height: 500,
            time_nanos: 1_700_000_000_000_000_000,
        };
        IbcContext::new(MemStore::default(), env, Rc::new(NoChain))
    }

    fn cs(secs: i64) -> AnyConsensusState {
        let time = tm40::Time::from_unix_timestamp(secs, 0).unwrap();
        TmConsensusStateType::new(
            CommitmentRoot::from_bytes(&[7; 32]),
            time,
            tm40::Hash::Sha256([1; 32]),
        )
        .into()
    }

    fn secs(c: Option<AnyConsensusState>) -> Option<u64> {
        c.map(|c| match c {
            AnyConsensusState::Tendermint(t) => t.inner().timestamp.unix_timestamp() as u64,
        })
    }

    #[test]
    fn neighbouring_consensus_states_are_found_in_numeric_height_order() {
        let mut c = ctx();
        let id = ClientId::new("07-tendermint", 0).unwrap();
        // Stored out of order; 100 sorts before 12 and 5 as a string.
        for (h, t) in [(100u64, 1_000), (5, 50), (12, 120)] {
            let path = ClientConsensusStatePath::new(id.clone(), 1, h);
            c.store_consensus_state(path, cs(t)).unwrap();
        }
        let h = |n| Height::new(1, n).unwrap();
        assert_eq!(
            QueryContext::consensus_state_heights(&c, &id).unwrap(),
            vec![h(5), h(12), h(100)]
        );
        assert_eq!(secs(c.prev_consensus_state(&id, &h(12)).unwrap()), Some(50));
        assert_eq!(
            secs(c.next_consensus_state(&id, &h(12)).unwrap()),
            Some(1_000)
        );
        assert_eq!(
            secs(c.next_consensus_state(&id, &h(50)).unwrap()),
            Some(1_000)
        );
        assert_eq!(secs(c.prev_consensus_state(&id, &h(5)).unwrap()), None);
        assert_eq!(secs(c.next_consensus_state(&id, &h(100)).unwrap()), None);
        // Another client's states are not neighbours.
        let other = ClientId::new("07-tendermint", 1).unwrap();
        assert_eq!(secs(c.next_consensus_state(&other, &h(1)).unwrap()), None);
        c.delete_consensus_state(ClientConsensusStatePath::new(id.clone(), 1, 12))
            .unwrap();
        assert_eq!(
            secs(c.next_consensus_state(&id, &h(5)).unwrap()),
            Some(1_000)
        );
        assert_eq!(
            QueryContext::consensus_state_heights(&c, &id).unwrap(),
            vec![h(5), h(100)]
        );
    }

    #[test]
    fn counters_start_at_zero_and_values_use_ibc_go_encodings() {
        let mut c = ctx();
        assert_eq!(c.client_counter().unwrap(), 0);
        c.increase_client_counter().unwrap();
        c.increase_client_counter().unwrap();
        assert_eq!(c.client_counter().unwrap(), 2);
        assert_eq!(
            c.store.get(b"ibc/nextClientSequence"),
            Some(2u64.to_be_bytes().to_vec())
        );
        let port = PortId::transfer();
        let chan = ChannelId::new(0);
        c.store_packet_receipt(&ReceiptPath::new(&port, &chan, 3.into()), Receipt::Ok)
            .unwrap();
        assert_eq!(
            c.store
                .get(b"ibc/receipts/ports/transfer/channels/channel-0/sequences/3"),
            Some(vec![1])
        );
        c.store_next_sequence_send(&SeqSendPath::new(&port, &chan), 9.into())
            .unwrap();
        assert_eq!(
            c.store
                .get(b"ibc/nextSequenceSend/ports/transfer/channels/channel-0"),
            Some(9u64.to_be_bytes().to_vec())
        );
        assert_eq!(revision_number("starminer-a-1"), 1);
        assert_eq!(
            ValidationContext::host_height(&c).unwrap(),
            Height::new(1, 500).unwrap()
        );
    }
}
