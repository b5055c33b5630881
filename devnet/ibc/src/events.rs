//! IBC events and errors in the form the node emits them: ABCI events with
//! ibc-go's types and attributes (which relayers parse), and refusals with
//! ibc-go's codespaces.

use ibc::apps::transfer::types::error::TokenTransferError;
use ibc::core::channel::types::error::ChannelError;
use ibc::core::client::types::error::ClientError;
use ibc::core::connection::types::error::ConnectionError;
use ibc::core::handler::types::error::HandlerError;
use ibc::core::handler::types::events::IbcEvent;

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
            code: 29,
            log: format!(
                "client state height < proof height ({actual} < {expected}), please ensure the \
                 client has been updated: verification failed"
            ),
        };
    }
    let codespace = match &e {
        HandlerError::Client(_) => "client",
        HandlerError::Connection(_) => "connection",
        HandlerError::Channel(_) => "channel",
        HandlerError::Router(_) => "port",
    };
    IbcError {
        codespace,
        code: 1,
        log: e.to_string(),
    }
}

pub(crate) fn transfer_error(e: TokenTransferError) -> IbcError {
    IbcError {
        codespace: "transfer",
        code: 1,
        log: e.to_string(),
    }
}
