//! The router: each message of a transaction runs on the module that
//! decoded it, and a query goes to the modules until one answers. The app
//! itself answers only what needs the whole state machine: tx simulation
//! and `store/<module>/key` reads.

use cosmos_sdk_proto::cosmos::base::abci::v1beta1::{GasInfo, Result as AbciResult};
use cosmos_sdk_proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use cosmos_sdk_proto::tendermint::abci as pb_abci;
use cosmos_sdk_proto::Any;
use cosmwasm_std::Timestamp;
use prost::Message;
use tendermint::abci;

use super::tx::RoutedMsg;
use super::{App, QueryAnswer};
use crate::modules::sdk::{abci_event, decode, invalid_argument, TxError};
use crate::modules::{Gas, ALL};

/// The tx service's `Simulate`, which the app answers.
const SIMULATE: &str = "/cosmos.tx.v1beta1.Service/Simulate";

impl App {
    /// Runs one message on its module under the gas left; returns its `Any`
    /// response and events, led by the `message` event of every message.
    pub(super) fn run_msg(
        &mut self,
        routed: &RoutedMsg,
        gas: &mut Gas,
    ) -> Result<(Any, Vec<abci::Event>), TxError> {
        let msg = &routed.msg;
        let ctx = self.ctx();
        let sender = ctx.addr(&msg.signer, "sender")?;
        let delivered = routed.module.deliver(&ctx, msg, gas)?;
        let mut events = vec![abci_event(
            "message",
            vec![
                ("action".to_string(), msg.type_url.clone()),
                ("sender".to_string(), sender.to_string()),
                ("module".to_string(), routed.module.name().to_string()),
                ("msg_index".to_string(), msg.index.to_string()),
            ],
        )];
        events.extend(delivered.events);
        Ok((delivered.response, events))
    }

    /// Answers the gRPC method `path` with the protobuf request `data`:
    /// simulation here, anything else by the module that knows it.
    fn route_query(&mut self, path: &str, data: &[u8]) -> Result<Vec<u8>, TxError> {
        if path == SIMULATE {
            return self.simulate_query(data);
        }
        let ctx = self.ctx();
        ALL.iter()
            .find_map(|m| m.query(&ctx, path, data))
            .unwrap_or_else(|| Err(TxError::sdk(
                6,
                format!("unknown query path {path}: this devnet answers auth Account, bank Balance/AllBalances, tx Simulate, the wasm queries and the ibc.core and ICS-20 queries"),
            )))
    }

    fn simulate_query(&mut self, data: &[u8]) -> Result<Vec<u8>, TxError> {
        let req: SimulateRequest = decode(data)?;
        #[allow(deprecated)]
        let tx_bytes = if !req.tx_bytes.is_empty() {
            req.tx_bytes
        } else if let Some(tx) = req.tx {
            cosmos_sdk_proto::cosmos::tx::v1beta1::TxRaw {
                body_bytes: tx.body.map(|b| b.encode_to_vec()).unwrap_or_default(),
                auth_info_bytes: tx.auth_info.map(|a| a.encode_to_vec()).unwrap_or_default(),
                signatures: tx.signatures,
            }
            .encode_to_vec()
        } else {
            return Err(invalid_argument("empty txBytes is not allowed"));
        };
        let r = self.simulate(&tx_bytes);
        if !r.is_ok() {
            // As the SDK answers it: its tx service wraps the failure in
            // a gRPC `Unknown` status with the gas, and the ABCI query
            // router turns that into sdk/6 (unknown request), so the
            // message's own codespace and code survive only in the log.
            return Err(TxError {
                codespace: "sdk".into(),
                code: 6,
                log: format!(
                    "rpc error: code = Unknown desc = {} With gas wanted: '{}' and gas used: '{}' : unknown request",
                    r.log, r.gas_wanted, r.gas_used
                ),
            });
        }
        #[allow(deprecated)]
        let response = SimulateResponse {
            gas_info: Some(GasInfo {
                gas_wanted: r.gas_wanted,
                gas_used: r.gas_used,
            }),
            result: Some(AbciResult {
                data: Vec::new(),
                log: r.log,
                events: r
                    .events
                    .iter()
                    .map(|e| pb_abci::Event {
                        r#type: e.kind.clone(),
                        attributes: e
                            .attributes
                            .iter()
                            .map(|a| pb_abci::EventAttribute {
                                key: a.key_str().unwrap_or_default().to_string(),
                                value: a.value_str().unwrap_or_default().to_string(),
                                index: a.index(),
                            })
                            .collect(),
                    })
                    .collect(),
                msg_responses: r.msg_responses,
            }),
        };
        Ok(response.encode_to_vec())
    }

    /// An ABCI query (`path` is a gRPC method or `store/<module>/key`).
    pub fn query(&mut self, path: &str, data: &[u8], height: u64) -> QueryAnswer {
        let latest = self.height;
        let at = if height == 0 { latest } else { height };
        if at > latest {
            return QueryAnswer::err(
                TxError::sdk(
                    26,
                    "cannot query with height in the future; please provide a valid height"
                        .to_string(),
                ),
                latest,
            );
        }
        if let Some(rest) = path.strip_prefix("store/") {
            return self.query_store(rest, data, at);
        }
        let answer = if at == latest {
            self.route_query(path, data)
        } else {
            // Every handler reads through the working state: point it at the
            // tree version of that height, and contracts at that block.
            let time = match self.db.block(at) {
                Ok(Some(b)) => {
                    Timestamp::from_nanos(b.block.header.time.unix_timestamp_nanos().max(0) as u64)
                }
                _ => self.time,
            };
            self.set_block_context(at, time, 0);
            let state = self.state.clone();
            let answer = state.at_version(at, || self.route_query(path, data));
            self.set_block_context(self.height, self.time, 0);
            answer
        };
        match answer {
            Ok(value) => QueryAnswer::ok(value, at),
            Err(e) => QueryAnswer::err(e, at),
        }
    }

    fn query_store(&self, rest: &str, key: &[u8], at: u64) -> QueryAnswer {
        let Some(module) = rest.strip_suffix("/key") else {
            return QueryAnswer::err(
                TxError::sdk(
                    6,
                    format!("unknown query path store/{rest}; use store/<module>/key"),
                ),
                at,
            );
        };
        let Some(full) = crate::store::proofs::store_key(&format!("store/{rest}"), key) else {
            return QueryAnswer::err(TxError::sdk(6, format!("no such store: {module}")), at);
        };
        let value = match self.db.reader() {
            Ok(r) => r.get(&full, at).unwrap_or_default(),
            Err(e) => return QueryAnswer::err(TxError::sdk(1, e.to_string()), at),
        };
        QueryAnswer {
            key: key.to_vec(),
            value,
            height: at,
            ..Default::default()
        }
    }
}
