//! The wasm host as the bank and wasm modules use it: a [`HostMsg`] run
//! under the transaction's gas, its errors in wasmd's words, and the
//! accounts it creates.

use starminer_wasm_host::{ExecResult, HostError, HostMsg};

use super::auth;
use super::module::{Ctx, Gas};
use super::sdk::{sdk_description, wasm_description, TxError};

/// Runs `msg` (the message at `index` of its transaction) on the wasm host
/// with the gas left, then creates the accounts it brought into being.
pub fn apply(
    ctx: &Ctx<'_>,
    index: usize,
    msg: HostMsg,
    gas: &mut Gas,
) -> Result<ExecResult, TxError> {
    let outcome = ctx.host.apply(msg, gas.remaining());
    gas.used = gas.used.saturating_add(outcome.gas.sdk_gas);
    let result = outcome.result.map_err(|e| host_error(&e, index, gas))?;
    gas.check("wasm contract")?;
    // Accounts, in the order the message created them: the SDK's bank
    // creates an account for an address that first receives coins, and
    // wasmd one for every new contract (nested instantiations included).
    for e in &result.events {
        let key = match e.ty.as_str() {
            "transfer" => "recipient",
            "instantiate" => "_contract_address",
            _ => continue,
        };
        for a in e.attributes.iter().filter(|a| a.key == key) {
            let raw = ctx
                .host
                .address_codec()
                .canonicalize(&a.value)
                .map_err(|e| TxError::sdk(7, e.to_string()))?;
            let mut store = ctx.state.clone();
            auth::ensure_account(&mut store, &raw, &a.value);
        }
    }
    Ok(result)
}

/// A host error of the message at `msg_index` as wasmd reports it.
fn host_error(e: &HostError, msg_index: usize, gas: &Gas) -> TxError {
    let (codespace, code) = e.abci_code();
    if e.is_out_of_gas() {
        return TxError::sdk(
            11,
            format!(
                "out of gas in location: wasm contract; gasWanted: {}, gasUsed: {}",
                gas.limit, gas.used
            ),
        );
    }
    let inner = e.wasmd_message();
    let desc = if codespace == "wasm" {
        wasm_description(code)
    } else {
        sdk_description(code)
    };
    TxError {
        codespace: codespace.to_string(),
        code,
        log: format!("failed to execute message; message index: {msg_index}: {inner}: {desc}"),
    }
}
