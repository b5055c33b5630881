//! The gRPC query services CosmJS reaches through `abci_query`: auth, bank,
//! tx simulation and wasm. Requests and responses are the SDK's and wasmd's
//! protobufs; errors are what the SDK's gRPC router turns them into.

use cosmos_sdk_proto::cosmos::auth::v1beta1::{QueryAccountRequest, QueryAccountResponse};
use cosmos_sdk_proto::cosmos::bank::v1beta1::{
    QueryAllBalancesRequest, QueryAllBalancesResponse, QueryBalanceRequest, QueryBalanceResponse,
};
use cosmos_sdk_proto::cosmos::base::abci::v1beta1::{GasInfo, Result as AbciResult};
use cosmos_sdk_proto::cosmos::base::query::v1beta1::{PageRequest, PageResponse};
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    AbsoluteTxPosition, AccessConfig, AccessType, CodeInfoResponse, ContractInfo, QueryCodeRequest,
    QueryCodeResponse, QueryCodesRequest, QueryCodesResponse, QueryContractInfoRequest,
    QueryContractInfoResponse, QueryContractsByCodeRequest, QueryContractsByCodeResponse,
    QueryRawContractStateRequest, QueryRawContractStateResponse, QuerySmartContractStateRequest,
    QuerySmartContractStateResponse,
};
use cosmos_sdk_proto::tendermint::abci as pb_abci;
use prost::Message;
use starminer_wasm_host::{HostError, KeyRange, KvStore};

use crate::app::{code_bytes_key, App};
use crate::modules::auth;
use crate::app::tx::{wasm_description, TxError};

fn decode<M: Message + Default>(data: &[u8]) -> Result<M, TxError> {
    M::decode(data).map_err(|e| TxError::sdk(2, format!("failed to decode query request: {e}")))
}

/// A gRPC status error as the SDK reports it through ABCI.
fn grpc_error(code: u32, grpc_code: &str, desc: String) -> TxError {
    TxError::sdk(code, format!("rpc error: code = {grpc_code} desc = {desc}"))
}

fn invalid_argument(desc: impl Into<String>) -> TxError {
    grpc_error(18, "InvalidArgument", desc.into())
}

fn host_query_error(e: HostError) -> TxError {
    let (codespace, code) = e.abci_code();
    let inner = e.wasmd_message();
    if codespace == "wasm" && (code == 9 || code == 29) {
        // A contract's failed (9) or aborted (29) query: wasmd's query
        // router answers a keeper error over ABCI as sdk/6 (unknown
        // request) wrapping it.
        TxError::sdk(6, format!("{inner}: {}", wasm_description(code)))
    } else if codespace == "wasm" {
        TxError {
            codespace: codespace.to_string(),
            code,
            log: format!("{inner}: {}", wasm_description(code)),
        }
    } else {
        TxError::sdk(code, inner)
    }
}

/// Answers the gRPC method `path` with the protobuf request `data`.
pub fn handle(app: &mut App, path: &str, data: &[u8]) -> Result<Vec<u8>, TxError> {
    match path {
        "/cosmos.auth.v1beta1.Query/Account" => {
            let req: QueryAccountRequest = decode(data)?;
            let addr = app
                .host()
                .addr_validate(&req.address)
                .map_err(|e| invalid_argument(format!("invalid address: {e}")))?;
            let raw = app
                .host()
                .address_codec()
                .canonicalize(addr.as_str())
                .map_err(|e| invalid_argument(e.to_string()))?;
            let account = auth::account(app.state(), &raw).ok_or_else(|| {
                grpc_error(22, "NotFound", format!("account {} not found", req.address))
            })?;
            Ok(QueryAccountResponse {
                account: Some(auth::account_any(&account)),
            }
            .encode_to_vec())
        }
        "/cosmos.bank.v1beta1.Query/Balance" => {
            let req: QueryBalanceRequest = decode(data)?;
            let addr = app
                .host()
                .addr_validate(&req.address)
                .map_err(|e| invalid_argument(format!("invalid address: {e}")))?;
            if req.denom.is_empty() {
                return Err(invalid_argument("invalid denom"));
            }
            let amount = app
                .host()
                .bank_balance(&addr, &req.denom)
                .map_err(host_query_error)?;
            Ok(QueryBalanceResponse {
                balance: Some(ProtoCoin {
                    denom: req.denom,
                    amount: amount.to_string(),
                }),
            }
            .encode_to_vec())
        }
        "/cosmos.bank.v1beta1.Query/AllBalances" => {
            let req: QueryAllBalancesRequest = decode(data)?;
            let addr = app
                .host()
                .addr_validate(&req.address)
                .map_err(|e| invalid_argument(format!("invalid address: {e}")))?;
            let mut balances: Vec<(Vec<u8>, ProtoCoin)> = app
                .host()
                .bank_all_balances(&addr)
                .map_err(host_query_error)?
                .into_iter()
                .map(|c| {
                    (
                        c.denom.as_bytes().to_vec(),
                        ProtoCoin {
                            denom: c.denom,
                            amount: c.amount.to_string(),
                        },
                    )
                })
                .collect();
            balances.sort_by(|a, b| a.0.cmp(&b.0));
            let (balances, pagination) = paginate(balances, req.pagination)?;
            Ok(QueryAllBalancesResponse {
                balances,
                pagination: Some(pagination),
            }
            .encode_to_vec())
        }
        "/cosmos.tx.v1beta1.Service/Simulate" => {
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
            let r = app.simulate_bytes(&tx_bytes);
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
        "/cosmwasm.wasm.v1.Query/SmartContractState" => {
            let req: QuerySmartContractStateRequest = decode(data)?;
            let addr = app
                .host()
                .addr_validate(&req.address)
                .map_err(|e| invalid_argument(format!("invalid address: {e}")))?;
            let data = app
                .host()
                .query_smart_raw(&addr, &req.query_data)
                .map_err(|e| match e {
                    // wasmd's keeper: `address …: no such contract`, which
                    // the query router answers as sdk/6 like any keeper error.
                    HostError::NoSuchContract(_) => {
                        TxError::sdk(6, format!("address {addr}: no such contract"))
                    }
                    e => host_query_error(e),
                })?;
            Ok(QuerySmartContractStateResponse {
                data: data.to_vec(),
            }
            .encode_to_vec())
        }
        "/cosmwasm.wasm.v1.Query/RawContractState" => {
            let req: QueryRawContractStateRequest = decode(data)?;
            let addr = app
                .host()
                .addr_validate(&req.address)
                .map_err(|e| invalid_argument(format!("invalid address: {e}")))?;
            let value = app
                .host()
                .query_raw(&addr, &req.query_data)
                .map_err(host_query_error)?;
            Ok(QueryRawContractStateResponse {
                data: value.unwrap_or_default(),
            }
            .encode_to_vec())
        }
        "/cosmwasm.wasm.v1.Query/ContractInfo" => {
            let req: QueryContractInfoRequest = decode(data)?;
            let addr = app
                .host()
                .addr_validate(&req.address)
                .map_err(|e| invalid_argument(format!("invalid address: {e}")))?;
            let info = app.host().contract_info(&addr).map_err(host_query_error)?;
            Ok(QueryContractInfoResponse {
                address: info.address.to_string(),
                contract_info: Some(contract_info_proto(&info)),
            }
            .encode_to_vec())
        }
        "/cosmwasm.wasm.v1.Query/Code" => {
            let req: QueryCodeRequest = decode(data)?;
            if req.code_id == 0 {
                return Err(invalid_argument("code id: empty"));
            }
            let info = app.host().code_info(req.code_id).map_err(|_| TxError {
                codespace: "wasm".to_string(),
                code: 8,
                log: format!("no such code: {}: not found", req.code_id),
            })?;
            let wasm = app.state().get(&code_bytes_key(req.code_id)).unwrap_or_default();
            Ok(QueryCodeResponse {
                code_info: Some(code_info_proto(&info)),
                data: wasm,
            }
            .encode_to_vec())
        }
        "/cosmwasm.wasm.v1.Query/Codes" => {
            let req: QueryCodesRequest = decode(data)?;
            // Keyed as wasmd keys its code store: the code id, big-endian.
            let mut codes = Vec::new();
            let mut id = 1;
            while let Ok(info) = app.host().code_info(id) {
                codes.push((id.to_be_bytes().to_vec(), code_info_proto(&info)));
                id += 1;
            }
            let (code_infos, pagination) = paginate(codes, req.pagination)?;
            Ok(QueryCodesResponse {
                code_infos,
                pagination: Some(pagination),
            }
            .encode_to_vec())
        }
        "/cosmwasm.wasm.v1.Query/ContractsByCode" => {
            let req: QueryContractsByCodeRequest = decode(data)?;
            if req.code_id == 0 {
                return Err(invalid_argument("code id: empty"));
            }
            // Contract records live under `wasm/ 0x02`; a devnet holds few
            // contracts, so a scan stands in for wasmd's secondary index.
            let contracts: Vec<starminer_wasm_host::ContractInfo> = app
                .state()
                .range(&KeyRange::prefix(b"wasm/\x02"), cosmwasm_std::Order::Ascending)
                .into_iter()
                .filter_map(|(_, v)| serde_json::from_slice(&v).ok())
                .filter(|c: &starminer_wasm_host::ContractInfo| c.code_id == req.code_id)
                .collect();
            // Keyed as wasmd's secondary index: creation position, then address.
            let mut keyed: Vec<(Vec<u8>, String)> = contracts
                .into_iter()
                .map(|c| {
                    let mut key = c.created.block_height.to_be_bytes().to_vec();
                    key.extend_from_slice(&c.created.tx_index.to_be_bytes());
                    key.extend_from_slice(
                        &app.host()
                            .address_codec()
                            .canonicalize(c.address.as_str())
                            .unwrap_or_default(),
                    );
                    (key, c.address.to_string())
                })
                .collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0));
            let (contracts, pagination) = paginate(keyed, req.pagination)?;
            Ok(QueryContractsByCodeResponse {
                contracts,
                pagination: Some(pagination),
            }
            .encode_to_vec())
        }
        "/cosmos.bank.v1beta1.Query/SpendableBalances" => {
            // No vesting or locks on the devnet: everything held is spendable.
            let req: cosmos_sdk_proto::cosmos::bank::v1beta1::QuerySpendableBalancesRequest =
                decode(data)?;
            let all = handle(
                app,
                "/cosmos.bank.v1beta1.Query/AllBalances",
                &QueryAllBalancesRequest {
                    address: req.address,
                    pagination: req.pagination,
                    resolve_denom: false,
                }
                .encode_to_vec(),
            )?;
            let all: QueryAllBalancesResponse = decode(&all)?;
            Ok(
                cosmos_sdk_proto::cosmos::bank::v1beta1::QuerySpendableBalancesResponse {
                    balances: all.balances,
                    pagination: all.pagination,
                }
                .encode_to_vec(),
            )
        }
        "/cosmos.bank.v1beta1.Query/TotalSupply" | "/cosmos.bank.v1beta1.Query/SupplyOf" => {
            // The bank module keeps each denom's supply under `bank/ 0x00 ‖ denom`.
            let supply: Vec<ProtoCoin> = app
                .state()
                .range(&KeyRange::prefix(b"bank/\x00"), cosmwasm_std::Order::Ascending)
                .into_iter()
                .map(|(k, v)| ProtoCoin {
                    denom: String::from_utf8_lossy(&k[b"bank/\x00".len()..]).into_owned(),
                    amount: String::from_utf8_lossy(&v).into_owned(),
                })
                .collect();
            if path.ends_with("SupplyOf") {
                let req: cosmos_sdk_proto::cosmos::bank::v1beta1::QuerySupplyOfRequest =
                    decode(data)?;
                if req.denom.is_empty() {
                    return Err(invalid_argument("invalid denom"));
                }
                let amount = supply
                    .into_iter()
                    .find(|c| c.denom == req.denom)
                    .map(|c| c.amount)
                    .unwrap_or_else(|| "0".to_string());
                return Ok(
                    cosmos_sdk_proto::cosmos::bank::v1beta1::QuerySupplyOfResponse {
                        amount: Some(ProtoCoin {
                            denom: req.denom,
                            amount,
                        }),
                    }
                    .encode_to_vec(),
                );
            }
            let _req: cosmos_sdk_proto::cosmos::bank::v1beta1::QueryTotalSupplyRequest =
                decode(data)?;
            let total = supply.len() as u64;
            Ok(
                cosmos_sdk_proto::cosmos::bank::v1beta1::QueryTotalSupplyResponse {
                    supply,
                    pagination: Some(PageResponse {
                        next_key: Vec::new(),
                        total,
                    }),
                }
                .encode_to_vec(),
            )
        }
        ibc if ibc.starts_with("/ibc.") => app.ibc_query(path, data).unwrap_or_else(|| {
            Err(TxError::sdk(6, format!("unknown query path {ibc}")))
        }),
        other => Err(TxError::sdk(
            6,
            format!("unknown query path {other}: this devnet answers auth Account, bank Balance/AllBalances, tx Simulate, the wasm queries and the ibc.core and ICS-20 queries"),
        )),
    }
}

/// The SDK's `query.Paginate` over `items` sorted by their store key: a page
/// starts at `key` (inclusive) or after `offset` items, holds `limit` items
/// (default 100), and `next_key` is the key of the item after it. The total
/// is counted when asked for, or when no limit was given, and never when
/// paging by key.
pub fn paginate<T>(
    items: Vec<(Vec<u8>, T)>,
    page: Option<PageRequest>,
) -> Result<(Vec<T>, PageResponse), TxError> {
    const DEFAULT_LIMIT: u64 = 100;
    let page = page.unwrap_or_default();
    if page.offset > 0 && !page.key.is_empty() {
        return Err(invalid_argument(
            "paginate: invalid request, either offset or key is expected, got both",
        ));
    }
    let (limit, count_total) = if page.limit == 0 {
        (DEFAULT_LIMIT, true)
    } else {
        (page.limit, page.count_total)
    };
    let mut items = items;
    if page.reverse {
        items.reverse();
    }
    let total = items.len() as u64;
    let start = if page.key.is_empty() {
        page.offset.min(total) as usize
    } else if page.reverse {
        items.partition_point(|(k, _)| k.as_slice() > page.key.as_slice())
    } else {
        items.partition_point(|(k, _)| k.as_slice() < page.key.as_slice())
    };
    let end = start.saturating_add(limit as usize).min(items.len());
    let next_key = items.get(end).map(|(k, _)| k.clone()).unwrap_or_default();
    let by_key = !page.key.is_empty();
    let page_items = items
        .into_iter()
        .skip(start)
        .take(end - start)
        .map(|(_, v)| v)
        .collect();
    Ok((
        page_items,
        PageResponse {
            next_key,
            total: if count_total && !by_key { total } else { 0 },
        },
    ))
}

fn contract_info_proto(info: &starminer_wasm_host::ContractInfo) -> ContractInfo {
    ContractInfo {
        code_id: info.code_id,
        creator: info.creator.to_string(),
        admin: info
            .admin
            .as_ref()
            .map(|a| a.to_string())
            .unwrap_or_default(),
        label: info.label.clone(),
        created: Some(AbsoluteTxPosition {
            block_height: info.created.block_height,
            tx_index: info.created.tx_index,
        }),
        ibc_port_id: String::new(),
        extension: None,
    }
}

fn code_info_proto(info: &starminer_wasm_host::CodeInfo) -> CodeInfoResponse {
    CodeInfoResponse {
        code_id: info.code_id,
        creator: info.creator.to_string(),
        data_hash: info.checksum.as_slice().to_vec(),
        instantiate_permission: Some(AccessConfig {
            permission: AccessType::Everybody as i32,
            addresses: Vec::new(),
        }),
    }
}
