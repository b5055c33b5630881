//! IBC events and errors in the form the node emits them: ABCI events with
//! ibc-go's types and attributes (which relayers parse), and refusals with
//! ibc-go's codespaces.

use ibc::apps::transfer::types::error::TokenTransferError;
use ibc::core::channel::types::error::ChannelError;
use ibc::core::client::types::error::ClientError;
use ibc::core::connection::types::error::ConnectionError;
use ibc::core::handler::types::error::HandlerError;
use ibc::core::handler::types::events::IbcEvent;
use ibc::core::host::types::error::HostError;

use crate::IbcError;

/// An ABCI event: type and (key, value) attributes.
pub type AbciEvent = (String, Vec<(String, String)>);

/// ibc-rs' event as an ABCI event (ibc-rs builds it with its own
/// tendermint version; the node has another, so only strings cross).
pub(crate) fn abci_event(event: IbcEvent) -> Option<AbciEvent> {
    let ev = tm40::abci::Event::try_from(event).ok()?;
    let attrs = ev
        .attributes
        .iter()
        .map(|a| {
            (
                String::from_utf8_lossy(a.key_bytes()).into_owned(),
                String::from_utf8_lossy(a.value_bytes()).into_owned(),
            )
        })
        .collect();
    Some((ev.kind, attrs))
}

/// ibc-go's code of a light-client refusal (`02-client`'s errors).
fn client_code(e: &ClientError) -> u32 {
    match e {
        ClientError::Host(HostError::MissingState { .. }) => 4, // light client not found
        ClientError::DuplicateClientState(_) => 2,
        ClientError::InvalidStatus(_) => 29, // client state is not active (frozen, expired)
        ClientError::InsufficientProofHeight { .. } | ClientError::InvalidHeight => 26,
        ClientError::MissingLocalConsensusState(_) => 22,
        ClientError::InvalidUpdateClientMessage
        | ClientError::InvalidHeaderType(_)
        | ClientError::FailedToVerifyHeader { .. } => 12, // invalid client header
        ClientError::FailedToHandleMisbehaviour { .. } => 13,
        ClientError::FailedICS23Verification(_) => 30, // membership verification failed
        ClientError::InvalidClientStateType(_) => 10,
        ClientError::Upgrade(_) => 25,
        _ => 3, // light client is invalid
    }
}

/// ibc-go's code of a connection refusal (`03-connection`'s errors).
fn connection_code(e: &ConnectionError) -> u32 {
    match e {
        ConnectionError::Host(HostError::MissingState { .. }) => 3, // connection not found
        ConnectionError::InvalidState { .. }
        | ConnectionError::MismatchedConnectionStates { .. } => 6,
        ConnectionError::InvalidCounterparty | ConnectionError::MissingCounterparty => 7,
        ConnectionError::MissingCommonVersion | ConnectionError::MissingFeatures => 10,
        _ => 8, // invalid connection
    }
}

/// ibc-go's code of a channel or packet refusal (`04-channel`'s errors).
fn channel_code(e: &ChannelError) -> u32 {
    match e {
        ChannelError::Host(HostError::MissingState { description }) => {
            if description.contains("commitment") {
                20 // packet commitment not found
            } else if description.contains("sequence") {
                10
            } else {
                3 // channel not found
            }
        }
        ChannelError::InvalidState { .. } => 5,
        ChannelError::MismatchedCounterparty { .. } | ChannelError::MissingCounterparty => 7,
        ChannelError::InvalidConnectionHopsLength { .. } => 15,
        ChannelError::DuplicateAcknowledgment(_) => 17,
        ChannelError::InsufficientPacketHeight { .. } | ChannelError::ExpiredPacketTimestamp => 14,
        ChannelError::InsufficientPacketTimeout { .. } => 39, // timeout not reached
        ChannelError::UnsupportedVersion { .. } => 24,
        ChannelError::MismatchedPacketSequence { .. } => 21,
        _ => 13, // invalid packet
    }
}

/// The client error inside a core handler's refusal, if that is what it is.
fn client_error(e: &HandlerError) -> Option<&ClientError> {
    match e {
        HandlerError::Client(c) => Some(c),
        HandlerError::Connection(ConnectionError::Client(c)) => Some(c),
        HandlerError::Channel(ChannelError::Client(c)) => Some(c),
        _ => None,
    }
}

/// A core handler's refusal, under the codespace of ibc-go's module.
///
/// Relayers read some refusals by their ibc-go wording. A proof newer than
/// the client (a relayer's second transaction of a batch, simulated before
/// the first, which updates the client, is committed) is one: Hermes
/// recognizes ibc-go's "client state height < proof height" under
/// "verification failed" and goes on, where any other text fails its batch.
pub(crate) fn handler_error(e: HandlerError) -> IbcError {
    if let Some(ClientError::InsufficientProofHeight { expected, actual }) = client_error(&e) {
        return IbcError {
            codespace: "client",
            code: 26,
            log: format!(
                "client state height < proof height ({actual} < {expected}), please ensure the \
                 client has been updated: verification failed"
            ),
        };
    }
    // A light client's refusal inside a connection or channel step is the
    // client module's, as in ibc-go (proofs are verified by the client).
    let (codespace, code) = match (&e, client_error(&e)) {
        (_, Some(c)) => ("client", client_code(c)),
        (HandlerError::Connection(c), None) => ("connection", connection_code(c)),
        (HandlerError::Channel(c), None) => ("channel", channel_code(c)),
        (HandlerError::Router(_), None) => ("port", 4), // invalid port
        (HandlerError::Client(_), None) => unreachable!("a client error is matched above"),
    };
    IbcError {
        codespace,
        code,
        log: e.to_string(),
    }
}

/// A channel step's refusal (a contract's `IbcMsg`), as [`handler_error`] words it.
pub(crate) fn channel_error(e: ChannelError) -> IbcError {
    handler_error(HandlerError::Channel(e))
}

/// An ICS-20 refusal: ibc-go's transfer codes where the cause is the
/// transfer's, the core's codes where a channel step refused it.
pub(crate) fn transfer_error(e: TokenTransferError) -> IbcError {
    let (codespace, code) = match &e {
        TokenTransferError::Channel(c) => ("channel", channel_code(c)),
        TokenTransferError::Host(HostError::MissingState { description })
            if description.contains("channel") =>
        {
            ("channel", 3)
        }
        TokenTransferError::Host(HostError::Other { description })
            if description.contains("insufficient funds") =>
        {
            ("sdk", 5)
        }
        TokenTransferError::Decoding(_) => ("transfer", 3), // invalid denomination
        _ => ("transfer", 1),
    };
    IbcError {
        codespace,
        code,
        log: e.to_string(),
    }
}
