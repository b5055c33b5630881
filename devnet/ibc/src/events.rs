//! IBC events and errors in the form the node emits them: ABCI events with
//! ibc-go's types and attributes (which relayers parse), and refusals with
//! ibc-go's codespaces.

use ibc::apps::transfer::types::error::TokenTransferError;
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

/// A core handler's refusal, under the codespace of ibc-go's module.
pub(crate) fn handler_error(e: HandlerError) -> IbcError {
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
