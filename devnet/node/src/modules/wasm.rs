//! The wasm module: wasmd's `cosmwasm.wasm.v1` messages, run on the
//! contracts of the wasm host, and its queries. The host keeps contracts,
//! codes and their state under `wasm/`; the module keeps each code's
//! uploaded bytes under `wasmcode/` (for the `Code` query).

use std::io::Read;

use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    AbsoluteTxPosition, AccessConfig, AccessType, CodeInfoResponse, ContractInfo, MsgClearAdmin,
    MsgClearAdminResponse, MsgExecuteContract, MsgExecuteContractResponse, MsgInstantiateContract,
    MsgInstantiateContract2, MsgInstantiateContract2Response, MsgInstantiateContractResponse,
    MsgMigrateContract, MsgMigrateContractResponse, MsgStoreCode, MsgStoreCodeResponse,
    MsgUpdateAdmin, MsgUpdateAdminResponse, QueryCodeRequest, QueryCodeResponse, QueryCodesRequest,
    QueryCodesResponse, QueryContractInfoRequest, QueryContractInfoResponse,
    QueryContractsByCodeRequest, QueryContractsByCodeResponse, QueryRawContractStateRequest,
    QueryRawContractStateResponse, QuerySmartContractStateRequest, QuerySmartContractStateResponse,
};
use cosmos_sdk_proto::Any;
use cosmwasm_std::{Addr, Binary};
use prost::{Message, Name};
use sha2::{Digest, Sha256};
use starminer_wasm_host::{HostError, HostMsg, KeyRange, KvStore};

use super::host;
use super::module::{Ctx, Delivered, Gas, Module, Msg};
use super::sdk::{
    any, bech32_error, coins_valid, decode, host_event, host_query_error, invalid_argument,
    paginate, parse_coins, unregistered, wasm_description, wasm_error, TxError,
};

/// The wasm module.
pub struct Wasm;

/// A wasm message, decoded.
#[derive(Debug)]
enum WasmMsg {
    StoreCode(MsgStoreCode),
    Instantiate(MsgInstantiateContract),
    Instantiate2(MsgInstantiateContract2),
    Execute(MsgExecuteContract),
    Migrate(MsgMigrateContract),
    UpdateAdmin(MsgUpdateAdmin),
    ClearAdmin(MsgClearAdmin),
}

/// The queries the module answers.
const QUERIES: &[&str] = &[
    "/cosmwasm.wasm.v1.Query/SmartContractState",
    "/cosmwasm.wasm.v1.Query/RawContractState",
    "/cosmwasm.wasm.v1.Query/ContractInfo",
    "/cosmwasm.wasm.v1.Query/Code",
    "/cosmwasm.wasm.v1.Query/Codes",
    "/cosmwasm.wasm.v1.Query/ContractsByCode",
];

impl Module for Wasm {
    fn name(&self) -> &'static str {
        "wasm"
    }

    fn decode(&self, any: &Any) -> Option<Result<Msg, TxError>> {
        fn dec<M: Message + Default>(any: &Any) -> Result<M, TxError> {
            M::decode(any.value.as_slice()).map_err(|e| TxError::sdk(2, e.to_string()))
        }
        fn msg(any: &Any, signer: &str, m: WasmMsg) -> Result<Msg, TxError> {
            Ok(Msg::new(any.type_url.clone(), signer, m))
        }
        let url = any.type_url.as_str();
        Some(if url == MsgStoreCode::type_url() {
            dec(any).and_then(|m: MsgStoreCode| msg(any, &m.sender.clone(), WasmMsg::StoreCode(m)))
        } else if url == MsgInstantiateContract::type_url() {
            dec(any).and_then(|m: MsgInstantiateContract| {
                msg(any, &m.sender.clone(), WasmMsg::Instantiate(m))
            })
        } else if url == MsgInstantiateContract2::type_url() {
            dec(any).and_then(|m: MsgInstantiateContract2| {
                msg(any, &m.sender.clone(), WasmMsg::Instantiate2(m))
            })
        } else if url == MsgExecuteContract::type_url() {
            dec(any)
                .and_then(|m: MsgExecuteContract| msg(any, &m.sender.clone(), WasmMsg::Execute(m)))
        } else if url == MsgMigrateContract::type_url() {
            dec(any)
                .and_then(|m: MsgMigrateContract| msg(any, &m.sender.clone(), WasmMsg::Migrate(m)))
        } else if url == MsgUpdateAdmin::type_url() {
            dec(any)
                .and_then(|m: MsgUpdateAdmin| msg(any, &m.sender.clone(), WasmMsg::UpdateAdmin(m)))
        } else if url == MsgClearAdmin::type_url() {
            dec(any)
                .and_then(|m: MsgClearAdmin| msg(any, &m.sender.clone(), WasmMsg::ClearAdmin(m)))
        } else {
            return None;
        })
    }

    /// wasmd's `ValidateBasic` (`x/wasm/types/tx.go`), with its codes and
    /// logs. wasmd returns the address errors of `sdk.AccAddressFromBech32`
    /// unregistered, so a node reports them as codespace `undefined`, code 1.
    fn validate_basic(&self, msg: &Msg) -> Result<(), TxError> {
        match msg.expect::<WasmMsg>()? {
            WasmMsg::StoreCode(m) => {
                if let Some(e) = bech32_error(&m.sender) {
                    return Err(unregistered(e));
                }
                let len = m.wasm_byte_code.len();
                if len == 0 {
                    return Err(TxError::sdk(18, "code bytes is required: empty"));
                }
                if len > MAX_WASM_SIZE {
                    return Err(TxError::sdk(
                        18,
                        format!(
                            "code bytes cannot be longer than {MAX_WASM_SIZE} bytes: exceeds limit"
                        ),
                    ));
                }
            }
            WasmMsg::Instantiate(m) => {
                validate_instantiate(&m.sender, m.code_id, &m.label, &m.funds, &m.admin, &m.msg)?
            }
            WasmMsg::Instantiate2(m) => {
                validate_instantiate(&m.sender, m.code_id, &m.label, &m.funds, &m.admin, &m.msg)?;
                if m.salt.is_empty() {
                    return Err(wasm_error(12, "salt: is required"));
                }
                if m.salt.len() > MAX_SALT_SIZE {
                    return Err(wasm_error(
                        13,
                        format!("salt: cannot be longer than {MAX_SALT_SIZE} bytes"),
                    ));
                }
            }
            WasmMsg::Execute(m) => {
                sender_and_contract(&m.sender, &m.contract)?;
                if !coins_valid(&m.funds) {
                    return Err(TxError::sdk(10, "sentFunds"));
                }
                payload(&m.msg)?;
            }
            WasmMsg::Migrate(m) => {
                if m.code_id == 0 {
                    return Err(TxError::sdk(18, "code id is required"));
                }
                sender_and_contract(&m.sender, &m.contract)?;
                payload(&m.msg)?;
            }
            WasmMsg::UpdateAdmin(m) => {
                sender_and_contract(&m.sender, &m.contract)?;
                if let Some(e) = bech32_error(&m.new_admin) {
                    return Err(unregistered(format!("new admin: {e}")));
                }
                if m.sender.eq_ignore_ascii_case(&m.new_admin) {
                    return Err(wasm_error(14, "new admin is the same as the old"));
                }
            }
            WasmMsg::ClearAdmin(m) => sender_and_contract(&m.sender, &m.contract)?,
        }
        Ok(())
    }

    fn deliver(&self, ctx: &Ctx<'_>, msg: &Msg, gas: &mut Gas) -> Result<Delivered, TxError> {
        let index = msg.index;
        let sender = ctx.addr(&msg.signer, "sender")?;
        let optional_admin = |admin: &str| -> Result<Option<Addr>, TxError> {
            if admin.is_empty() {
                Ok(None)
            } else {
                ctx.addr(admin, "admin").map(Some)
            }
        };
        let wasm_msg = msg.expect::<WasmMsg>()?;
        let host_msg = match wasm_msg {
            WasmMsg::StoreCode(m) => HostMsg::StoreCode {
                sender: sender.clone(),
                wasm: uncompress_wasm(&m.wasm_byte_code)?,
            },
            WasmMsg::Instantiate(m) => HostMsg::Instantiate {
                sender: sender.clone(),
                code_id: m.code_id,
                msg: Binary::from(m.msg.clone()),
                funds: parse_coins(&m.funds)?,
                label: m.label.clone(),
                admin: optional_admin(&m.admin)?,
            },
            WasmMsg::Instantiate2(m) => {
                if m.fix_msg {
                    return Err(TxError {
                        codespace: "wasm".to_string(),
                        code: 14,
                        log: format!(
                            "failed to execute message; message index: {index}: fix msg is not supported: {}",
                            wasm_description(14)
                        ),
                    });
                }
                HostMsg::Instantiate2 {
                    sender: sender.clone(),
                    code_id: m.code_id,
                    msg: Binary::from(m.msg.clone()),
                    funds: parse_coins(&m.funds)?,
                    label: m.label.clone(),
                    admin: optional_admin(&m.admin)?,
                    salt: Binary::from(m.salt.clone()),
                }
            }
            WasmMsg::Execute(m) => HostMsg::Execute {
                sender: sender.clone(),
                contract: ctx.addr(&m.contract, "contract")?,
                msg: Binary::from(m.msg.clone()),
                funds: parse_coins(&m.funds)?,
            },
            WasmMsg::Migrate(m) => HostMsg::Migrate {
                sender: sender.clone(),
                contract: ctx.addr(&m.contract, "contract")?,
                code_id: m.code_id,
                msg: Binary::from(m.msg.clone()),
            },
            WasmMsg::UpdateAdmin(m) => HostMsg::UpdateAdmin {
                sender: sender.clone(),
                contract: ctx.addr(&m.contract, "contract")?,
                new_admin: ctx.addr(&m.new_admin, "new admin")?,
            },
            WasmMsg::ClearAdmin(m) => HostMsg::ClearAdmin {
                sender: sender.clone(),
                contract: ctx.addr(&m.contract, "contract")?,
            },
        };
        let stored_wasm = match &host_msg {
            HostMsg::StoreCode { wasm, .. } => Some(wasm.clone()),
            _ => None,
        };
        let result = host::apply(ctx, index, host_msg, gas)?;
        let data = result.data.as_ref().map(|d| d.to_vec()).unwrap_or_default();
        let contract = || {
            result
                .contract
                .as_ref()
                .map(|a| a.to_string())
                .unwrap_or_default()
        };
        let response = match wasm_msg {
            WasmMsg::StoreCode(_) => {
                let code_id = result.code_id.unwrap_or_default();
                let wasm = stored_wasm.unwrap_or_default();
                let checksum = Sha256::digest(&wasm).to_vec();
                let mut store = ctx.state.clone();
                store.set(&code_bytes_key(code_id), &wasm);
                any(MsgStoreCodeResponse { code_id, checksum })
            }
            WasmMsg::Instantiate(_) => any(MsgInstantiateContractResponse {
                address: contract(),
                data,
            }),
            WasmMsg::Instantiate2(_) => any(MsgInstantiateContract2Response {
                address: contract(),
                data,
            }),
            WasmMsg::Execute(_) => any(MsgExecuteContractResponse { data }),
            WasmMsg::Migrate(_) => any(MsgMigrateContractResponse { data }),
            WasmMsg::UpdateAdmin(_) => any(MsgUpdateAdminResponse {}),
            WasmMsg::ClearAdmin(_) => any(MsgClearAdminResponse {}),
        };
        Ok(Delivered {
            response,
            events: result
                .events
                .iter()
                .map(|e| host_event(e, Some(index)))
                .collect(),
        })
    }

    fn query(&self, ctx: &Ctx<'_>, path: &str, data: &[u8]) -> Option<Result<Vec<u8>, TxError>> {
        QUERIES.contains(&path).then(|| query(ctx, path, data))
    }
}

fn query(ctx: &Ctx<'_>, path: &str, data: &[u8]) -> Result<Vec<u8>, TxError> {
    match path {
        "/cosmwasm.wasm.v1.Query/SmartContractState" => {
            let req: QuerySmartContractStateRequest = decode(data)?;
            let addr = ctx
                .host
                .addr_validate(&req.address)
                .map_err(|e| invalid_argument(format!("invalid address: {e}")))?;
            let data = ctx
                .host
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
            let addr = ctx
                .host
                .addr_validate(&req.address)
                .map_err(|e| invalid_argument(format!("invalid address: {e}")))?;
            let value = ctx
                .host
                .query_raw(&addr, &req.query_data)
                .map_err(host_query_error)?;
            Ok(QueryRawContractStateResponse {
                data: value.unwrap_or_default(),
            }
            .encode_to_vec())
        }
        "/cosmwasm.wasm.v1.Query/ContractInfo" => {
            let req: QueryContractInfoRequest = decode(data)?;
            let addr = ctx
                .host
                .addr_validate(&req.address)
                .map_err(|e| invalid_argument(format!("invalid address: {e}")))?;
            let info = ctx.host.contract_info(&addr).map_err(host_query_error)?;
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
            let info = ctx.host.code_info(req.code_id).map_err(|_| TxError {
                codespace: "wasm".to_string(),
                code: 8,
                log: format!("no such code: {}: not found", req.code_id),
            })?;
            let wasm = ctx
                .state
                .get(&code_bytes_key(req.code_id))
                .unwrap_or_default();
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
            while let Ok(info) = ctx.host.code_info(id) {
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
            let contracts: Vec<starminer_wasm_host::ContractInfo> = ctx
                .state
                .range(
                    &KeyRange::prefix(b"wasm/\x02"),
                    cosmwasm_std::Order::Ascending,
                )
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
                        &ctx.host
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
        other => Err(TxError::sdk(6, format!("unknown query path {other}"))),
    }
}

/// Where the node keeps a stored code's Wasm bytes (for the `Code` query).
pub fn code_bytes_key(code_id: u64) -> Vec<u8> {
    let mut k = b"wasmcode/".to_vec();
    k.extend_from_slice(&code_id.to_be_bytes());
    k
}

/// wasmd's `MaxLabelSize`.
pub const MAX_LABEL_SIZE: usize = 128;
/// wasmd's `MaxSaltSize`.
pub const MAX_SALT_SIZE: usize = 64;

fn sender_and_contract(sender: &str, contract: &str) -> Result<(), TxError> {
    if let Some(e) = bech32_error(sender) {
        return Err(unregistered(format!("sender: {e}")));
    }
    if let Some(e) = bech32_error(contract) {
        return Err(unregistered(format!("contract: {e}")));
    }
    Ok(())
}

/// `RawContractMessage.ValidateBasic`: the contract message must be JSON.
fn payload(msg: &[u8]) -> Result<(), TxError> {
    if serde_json::from_slice::<serde::de::IgnoredAny>(msg).is_err() {
        return Err(wasm_error(14, "payload msg"));
    }
    Ok(())
}

/// What MsgInstantiateContract and MsgInstantiateContract2 check alike.
fn validate_instantiate(
    sender: &str,
    code_id: u64,
    label: &str,
    funds: &[cosmos_sdk_proto::cosmos::base::v1beta1::Coin],
    admin: &str,
    msg: &[u8],
) -> Result<(), TxError> {
    if let Some(e) = bech32_error(sender) {
        return Err(unregistered(format!("sender: {e}")));
    }
    if code_id == 0 {
        return Err(TxError::sdk(18, "code id is required"));
    }
    if label.is_empty() {
        return Err(wasm_error(12, "label: is required"));
    }
    if label.len() > MAX_LABEL_SIZE {
        return Err(wasm_error(
            13,
            format!("label: cannot be longer than {MAX_LABEL_SIZE} characters"),
        ));
    }
    if label.trim() != label {
        return Err(wasm_error(
            14,
            "label: label must not start/end with whitespaces",
        ));
    }
    if !coins_valid(funds) {
        return Err(TxError::sdk(10, ""));
    }
    if !admin.is_empty() {
        if let Some(e) = bech32_error(admin) {
            return Err(unregistered(format!("admin: {e}")));
        }
    }
    payload(msg)
}

/// wasmd's limit on uncompressed code.
pub const MAX_WASM_SIZE: usize = 800 * 1024;

/// Uncompresses gzip'ed Wasm (CosmJS uploads gzip'ed code), as wasmd does.
pub fn uncompress_wasm(code: &[u8]) -> Result<Vec<u8>, TxError> {
    const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];
    if !code.starts_with(&GZIP_MAGIC) {
        return Ok(code.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(code)
        .take(MAX_WASM_SIZE as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| TxError {
            codespace: "wasm".to_string(),
            code: 2,
            log: format!("uncompress wasm archive: {e}: {}", wasm_description(2)),
        })?;
    if out.len() > MAX_WASM_SIZE {
        return Err(TxError {
            codespace: "wasm".to_string(),
            code: 13,
            log: format!(
                "uncompress wasm archive: max {MAX_WASM_SIZE} bytes: {}",
                wasm_description(13)
            ),
        });
    }
    Ok(out)
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
