//! Transactions: Cosmos SDK `TxRaw` bytes decoded as the SDK's default tx
//! decoder does, each message decoded by the module that routes its type.

use cosmos_sdk_proto::cosmos::tx::v1beta1::{AuthInfo, TxBody, TxRaw};
use cosmos_sdk_proto::Any;
use prost::Message;

use crate::modules::sdk::TxError;
use crate::modules::{Module, Msg, ALL};

/// A message and the module that decoded it (and runs it).
#[derive(Clone)]
pub struct RoutedMsg {
    pub module: &'static dyn Module,
    pub msg: Msg,
}

impl std::fmt::Debug for RoutedMsg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoutedMsg")
            .field("module", &self.module.name())
            .field("msg", &self.msg)
            .finish()
    }
}

impl RoutedMsg {
    /// The message's `ValidateBasic`, which the SDK runs before the ante
    /// handler (in CheckTx and DeliverTx).
    pub fn validate_basic(&self) -> Result<(), TxError> {
        self.module.validate_basic(&self.msg)
    }
}

/// The message at `index` of a transaction, decoded by the first module
/// that knows its type.
fn route(index: usize, any: &Any) -> Result<RoutedMsg, TxError> {
    for &module in ALL {
        if let Some(msg) = module.decode(any) {
            let mut msg = msg?;
            msg.index = index;
            return Ok(RoutedMsg { module, msg });
        }
    }
    Err(TxError::sdk(
        2,
        format!("unable to resolve type URL {}", any.type_url),
    ))
}

/// A decoded transaction.
#[derive(Clone, Debug)]
pub struct DecodedTx {
    pub body: TxBody,
    pub auth_info: AuthInfo,
    pub body_bytes: Vec<u8>,
    pub auth_info_bytes: Vec<u8>,
    pub signatures: Vec<Vec<u8>>,
    pub msgs: Vec<RoutedMsg>,
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
            .enumerate()
            .map(|(index, any)| route(index, any))
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
            if !out.contains(&m.msg.signer) {
                out.push(m.msg.signer.clone());
            }
        }
        out
    }
}
