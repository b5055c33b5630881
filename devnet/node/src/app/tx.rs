//! Transactions: decoding Cosmos SDK `TxRaw` bytes, the messages the devnet
//! routes, and the SDK's error codes and logs.

use std::io::Read;

use cosmos_sdk_proto::cosmos::bank::v1beta1::MsgSend;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{AuthInfo, TxBody, TxRaw};
use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    MsgClearAdmin, MsgExecuteContract, MsgInstantiateContract, MsgInstantiateContract2,
    MsgMigrateContract, MsgStoreCode, MsgUpdateAdmin,
};
use cosmos_sdk_proto::Any;
use prost::{Message, Name};

/// An SDK error as an ABCI result carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxError {
    pub codespace: String,
    pub code: u32,
    pub log: String,
}

impl TxError {
    /// An `sdk` codespace error, logged as the SDK wraps it: `"{context}: {description}"`.
    pub fn sdk(code: u32, context: impl Into<String>) -> Self {
        let context = context.into();
        let desc = sdk_description(code);
        TxError {
            codespace: "sdk".to_string(),
            code,
            log: if context.is_empty() {
                desc.to_string()
            } else {
                format!("{context}: {desc}")
            },
        }
    }
}

/// The description the Cosmos SDK registers for its `sdk` codespace codes.
pub fn sdk_description(code: u32) -> &'static str {
    match code {
        1 => "internal",
        2 => "tx parse error",
        3 => "invalid sequence",
        4 => "unauthorized",
        5 => "insufficient funds",
        6 => "unknown request",
        7 => "invalid address",
        8 => "invalid pubkey",
        9 => "unknown address",
        10 => "invalid coins",
        11 => "out of gas",
        12 => "memo too large",
        13 => "insufficient fee",
        15 => "no signatures supplied",
        18 => "invalid request",
        19 => "tx already in mempool",
        21 => "tx too large",
        22 => "key not found",
        28 => "invalid chain-id",
        30 => "tx timeout height",
        32 => "incorrect account sequence",
        38 => "not found",
        _ => "error",
    }
}

/// The description wasmd registers for its `wasm` codespace codes.
pub fn wasm_description(code: u32) -> &'static str {
    match code {
        2 => "create wasm contract failed",
        3 => "instantiate wasm contract failed",
        4 => "instantiate wasm contract failed",
        5 => "execute wasm contract failed",
        6 => "gas limit exceeded",
        7 => "invalid genesis",
        8 => "not found",
        9 => "query wasm contract failed",
        10 => "invalid msg",
        11 => "migrate wasm contract failed",
        12 => "empty",
        13 => "exceeds limit",
        14 => "invalid",
        15 => "duplicate",
        16 => "max transfer channels",
        17 => "unsupported for contract",
        18 => "pinning contract failed",
        19 => "unpinning contract failed",
        20 => "unknown message from the contract",
        21 => "invalid event",
        22 => "no such contract",
        27 => "max query stack size exceeded",
        28 => "no such code",
        29 => "wasmvm error",
        _ => "error",
    }
}

/// A message the devnet routes.
#[derive(Clone, Debug)]
pub enum NodeMsg {
    Send(MsgSend),
    StoreCode(MsgStoreCode),
    Instantiate(MsgInstantiateContract),
    Instantiate2(MsgInstantiateContract2),
    Execute(MsgExecuteContract),
    Migrate(MsgMigrateContract),
    UpdateAdmin(MsgUpdateAdmin),
    ClearAdmin(MsgClearAdmin),
    /// An IBC message (`/ibc.core.*` or ICS-20's `MsgTransfer`), run by `starminer-ibc`.
    Ibc(IbcMsg),
}

/// An IBC message as it arrived, with its signer.
#[derive(Clone, Debug)]
pub struct IbcMsg {
    pub any: Any,
    pub signer: String,
}

impl NodeMsg {
    fn from_any(any: &Any) -> Result<Self, TxError> {
        fn dec<M: Message + Default>(any: &Any) -> Result<M, TxError> {
            M::decode(any.value.as_slice()).map_err(|e| TxError::sdk(2, e.to_string()))
        }
        let url = any.type_url.as_str();
        Ok(if url == MsgSend::type_url() {
            NodeMsg::Send(dec(any)?)
        } else if url == MsgStoreCode::type_url() {
            NodeMsg::StoreCode(dec(any)?)
        } else if url == MsgInstantiateContract::type_url() {
            NodeMsg::Instantiate(dec(any)?)
        } else if url == MsgInstantiateContract2::type_url() {
            NodeMsg::Instantiate2(dec(any)?)
        } else if url == MsgExecuteContract::type_url() {
            NodeMsg::Execute(dec(any)?)
        } else if url == MsgMigrateContract::type_url() {
            NodeMsg::Migrate(dec(any)?)
        } else if url == MsgUpdateAdmin::type_url() {
            NodeMsg::UpdateAdmin(dec(any)?)
        } else if url == MsgClearAdmin::type_url() {
            NodeMsg::ClearAdmin(dec(any)?)
        } else if starminer_ibc::handles(url) {
            let signer = starminer_ibc::signer(url, &any.value).map_err(|e| TxError {
                codespace: e.codespace.to_string(),
                code: e.code,
                log: e.log,
            })?;
            NodeMsg::Ibc(IbcMsg {
                any: any.clone(),
                signer,
            })
        } else {
            return Err(TxError::sdk(2, format!("unable to resolve type URL {url}")));
        })
    }

    pub fn type_url(&self) -> String {
        match self {
            NodeMsg::Send(_) => MsgSend::type_url(),
            NodeMsg::StoreCode(_) => MsgStoreCode::type_url(),
            NodeMsg::Instantiate(_) => MsgInstantiateContract::type_url(),
            NodeMsg::Instantiate2(_) => MsgInstantiateContract2::type_url(),
            NodeMsg::Execute(_) => MsgExecuteContract::type_url(),
            NodeMsg::Migrate(_) => MsgMigrateContract::type_url(),
            NodeMsg::UpdateAdmin(_) => MsgUpdateAdmin::type_url(),
            NodeMsg::ClearAdmin(_) => MsgClearAdmin::type_url(),
            NodeMsg::Ibc(m) => m.any.type_url.clone(),
        }
    }

    /// The message's `ValidateBasic`, which the SDK runs before the ante
    /// handler (in CheckTx and DeliverTx), with the SDK's and wasmd's checks,
    /// codes and logs (`x/bank/types/msgs.go`, `x/wasm/types/tx.go`).
    ///
    /// wasmd returns the address errors of `sdk.AccAddressFromBech32`
    /// unregistered, so a node reports them as codespace `undefined`, code 1.
    pub fn validate_basic(&self) -> Result<(), TxError> {
        match self {
            NodeMsg::Send(m) => {
                if let Some(e) = bech32_error(&m.from_address) {
                    return Err(TxError::sdk(7, format!("invalid from address: {e}")));
                }
                if let Some(e) = bech32_error(&m.to_address) {
                    return Err(TxError::sdk(7, format!("invalid to address: {e}")));
                }
                if !coins_valid(&m.amount) || m.amount.is_empty() {
                    // errorsmod.Wrap(ErrInvalidCoins, amount.String()), even when that is empty.
                    return Err(TxError {
                        codespace: "sdk".to_string(),
                        code: 10,
                        log: format!("{}: {}", coins_text(&m.amount), sdk_description(10)),
                    });
                }
            }
            NodeMsg::StoreCode(m) => {
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
            NodeMsg::Instantiate(m) => {
                validate_instantiate(&m.sender, m.code_id, &m.label, &m.funds, &m.admin, &m.msg)?
            }
            NodeMsg::Instantiate2(m) => {
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
            NodeMsg::Execute(m) => {
                sender_and_contract(&m.sender, &m.contract)?;
                if !coins_valid(&m.funds) {
                    return Err(TxError::sdk(10, "sentFunds"));
                }
                payload(&m.msg)?;
            }
            NodeMsg::Migrate(m) => {
                if m.code_id == 0 {
                    return Err(TxError::sdk(18, "code id is required"));
                }
                sender_and_contract(&m.sender, &m.contract)?;
                payload(&m.msg)?;
            }
            NodeMsg::UpdateAdmin(m) => {
                sender_and_contract(&m.sender, &m.contract)?;
                if let Some(e) = bech32_error(&m.new_admin) {
                    return Err(unregistered(format!("new admin: {e}")));
                }
                if m.sender.eq_ignore_ascii_case(&m.new_admin) {
                    return Err(wasm_error(14, "new admin is the same as the old"));
                }
            }
            NodeMsg::ClearAdmin(m) => sender_and_contract(&m.sender, &m.contract)?,
            NodeMsg::Ibc(m) => {
                if let Some(e) = bech32_error(&m.signer) {
                    return Err(TxError::sdk(7, format!("invalid signer address: {e}")));
                }
            }
        }
        Ok(())
    }

    /// The address that must sign the message.
    pub fn signer(&self) -> &str {
        match self {
            NodeMsg::Send(m) => &m.from_address,
            NodeMsg::StoreCode(m) => &m.sender,
            NodeMsg::Instantiate(m) => &m.sender,
            NodeMsg::Instantiate2(m) => &m.sender,
            NodeMsg::Execute(m) => &m.sender,
            NodeMsg::Migrate(m) => &m.sender,
            NodeMsg::UpdateAdmin(m) => &m.sender,
            NodeMsg::ClearAdmin(m) => &m.sender,
            NodeMsg::Ibc(m) => &m.signer,
        }
    }

    /// The module that handles the message (the `message.module` attribute).
    pub fn module(&self) -> &'static str {
        match self {
            NodeMsg::Send(_) => "bank",
            NodeMsg::Ibc(_) => "ibc",
            _ => "wasm",
        }
    }
}

/// A decoded transaction.
#[derive(Clone, Debug)]
pub struct DecodedTx {
    pub body: TxBody,
    pub auth_info: AuthInfo,
    pub body_bytes: Vec<u8>,
    pub auth_info_bytes: Vec<u8>,
    pub signatures: Vec<Vec<u8>>,
    pub msgs: Vec<NodeMsg>,
}

impl DecodedTx {
    /// Decodes `TxRaw` bytes as the SDK's default tx decoder does.
    pub fn decode(bytes: &[u8]) -> Result<Self, TxError> {
        if bytes.is_empty() {
            return Err(TxError::sdk(2, "tx bytes are empty"));
        }
        let raw = TxRaw::decode(bytes).map_err(|e| TxError::sdk(2, e.to_string()))?;
        let body = TxBody::decode(raw.body_bytes.as_slice())
            .map_err(|e| TxError::sdk(2, e.to_string()))?;
        let auth_info = AuthInfo::decode(raw.auth_info_bytes.as_slice())
            .map_err(|e| TxError::sdk(2, e.to_string()))?;
        let msgs = body
            .messages
            .iter()
            .map(NodeMsg::from_any)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(DecodedTx {
            body,
            auth_info,
            body_bytes: raw.body_bytes,
            auth_info_bytes: raw.auth_info_bytes,
            signatures: raw.signatures,
            msgs,
        })
    }

    /// The distinct signers in order of first appearance (the SDK's `GetSigners`).
    pub fn signers(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for m in &self.msgs {
            if !out.iter().any(|s| s == m.signer()) {
                out.push(m.signer().to_string());
            }
        }
        out
    }
}

/// wasmd's `MaxLabelSize`.
pub const MAX_LABEL_SIZE: usize = 128;
/// wasmd's `MaxSaltSize`.
pub const MAX_SALT_SIZE: usize = 64;

/// An error the SDK does not know the code of (a plain Go error): ABCI
/// reports it as codespace `undefined`, code 1.
fn unregistered(log: String) -> TxError {
    TxError {
        codespace: "undefined".to_string(),
        code: 1,
        log,
    }
}

/// A `wasm` codespace error, logged as `"{context}: {description}"`.
pub fn wasm_error(code: u32, context: impl Into<String>) -> TxError {
    TxError {
        codespace: "wasm".to_string(),
        code,
        log: format!("{}: {}", context.into(), wasm_description(code)),
    }
}

/// What `sdk.AccAddressFromBech32` says about an address, `None` when it is valid.
pub fn bech32_error(address: &str) -> Option<String> {
    if address.trim().is_empty() {
        return Some("empty address string is not allowed".to_string());
    }
    match bech32::decode(address) {
        Err(e) => Some(format!("decoding bech32 failed: {e}")),
        Ok((hrp, _)) if !hrp.as_str().eq_ignore_ascii_case(crate::app::BECH32_PREFIX) => {
            Some(format!(
                "invalid Bech32 prefix; expected {}, got {}",
                crate::app::BECH32_PREFIX,
                hrp.as_str().to_lowercase()
            ))
        }
        Ok((_, data)) if data.is_empty() => Some("addresses cannot be empty".to_string()),
        Ok((_, data)) if data.len() > 255 => {
            Some(format!("address max length is 255, got {}", data.len()))
        }
        Ok(_) => None,
    }
}

/// The SDK's denom rule: `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`.
fn denom_valid(denom: &str) -> bool {
    let b = denom.as_bytes();
    (3..=128).contains(&b.len())
        && b[0].is_ascii_alphabetic()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"/:._-".contains(c))
}

/// `sdk.Coins.IsValid`: valid denoms in strictly ascending order, each amount positive.
pub fn coins_valid(coins: &[cosmos_sdk_proto::cosmos::base::v1beta1::Coin]) -> bool {
    coins.iter().all(|c| {
        denom_valid(&c.denom)
            && c.amount.bytes().all(|d| d.is_ascii_digit())
            && c.amount.parse::<u128>().is_ok_and(|a| a > 0)
    }) && coins.windows(2).all(|w| w[0].denom < w[1].denom)
}

/// `sdk.Coins.String`.
pub fn coins_text(coins: &[cosmos_sdk_proto::cosmos::base::v1beta1::Coin]) -> String {
    coins
        .iter()
        .map(|c| format!("{}{}", c.amount, c.denom))
        .collect::<Vec<_>>()
        .join(",")
}

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
