//! The host's errors: one variant per failure a caller can hit, carrying the
//! contract's own error message where there is one.

use cosmwasm_std::Coin;

use crate::gas::OutOfGas;

#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The contract returned an error (`ContractResult::Err`) from an entry point.
    #[error("{entry_point} of {contract} failed: {message}")]
    ContractFailed {
        contract: String,
        entry_point: &'static str,
        /// The contract's error message, verbatim.
        message: String,
    },

    /// The VM aborted the call: a trap, a panic in the contract, memory or result limits.
    #[error("{entry_point} of {contract} aborted in the VM: {message}")]
    VmFailed {
        contract: String,
        entry_point: &'static str,
        message: String,
    },

    #[error(transparent)]
    OutOfGas(#[from] OutOfGas),

    #[error("the code was rejected: {0}")]
    InvalidCode(String),

    #[error("code size {size} bytes exceeds the limit of {limit} bytes")]
    CodeTooLarge { size: usize, limit: usize },

    #[error("no such code: {0}")]
    NoSuchCode(u64),

    #[error("no such contract: {0}")]
    NoSuchContract(String),

    #[error("contract address {0} already exists: use another salt")]
    DuplicateContract(String),

    #[error("invalid address {address}: {reason}")]
    InvalidAddress { address: String, reason: String },

    /// Worded as wasmd's keeper words it (`can not migrate`, `can not
    /// modify contract`; the ABCI layer appends `: unauthorized`).
    #[error("can not {action}")]
    Unauthorized {
        sender: String,
        action: &'static str,
        contract: String,
    },

    /// Worded as the SDK's bank module words it (the ABCI layer appends
    /// the code's description, `: insufficient funds`).
    #[error("spendable balance {available} is smaller than {needed}")]
    InsufficientFunds { available: Coin, needed: Coin },

    #[error("invalid coins: {0}")]
    InvalidCoins(String),

    #[error("invalid event from {contract}: {reason}")]
    InvalidEvent { contract: String, reason: String },

    #[error("message nesting exceeds the maximum depth of {0}")]
    MaxCallDepth(u32),

    #[error("query nesting exceeds the maximum depth of {0}")]
    MaxQueryDepth(u32),

    #[error("unsupported message: {0}")]
    UnsupportedMessage(String),

    #[error("unsupported query: {0}")]
    UnsupportedQuery(String),

    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// A submessage failed and its `reply_on` did not catch the error.
    #[error("submessage of {contract} failed: {source}")]
    SubMessageFailed {
        contract: String,
        #[source]
        source: Box<HostError>,
    },

    /// The reply entry point failed.
    #[error("reply of {contract} failed: {source}")]
    ReplyFailed {
        contract: String,
        #[source]
        source: Box<HostError>,
    },

    #[error("serialization: {0}")]
    Serialization(String),

    #[error("wasm cache: {0}")]
    Cache(String),

    /// The chain's IBC module refused a contract's IBC message, with the
    /// codespace and code of the ibc-go module that would refuse it.
    #[error("{log}")]
    Ibc {
        codespace: &'static str,
        code: u32,
        log: String,
    },
}

impl HostError {
    /// The innermost contract error message, if the failure came from a contract.
    pub fn contract_message(&self) -> Option<&str> {
        match self {
            HostError::ContractFailed { message, .. } => Some(message),
            HostError::SubMessageFailed { source, .. } | HostError::ReplyFailed { source, .. } => {
                source.contract_message()
            }
            _ => None,
        }
    }

    /// The VM's own error text when the VM aborted the call (at any nesting level).
    pub fn vm_message(&self) -> Option<&str> {
        match self {
            HostError::VmFailed { message, .. } => Some(message),
            HostError::SubMessageFailed { source, .. } | HostError::ReplyFailed { source, .. } => {
                source.vm_message()
            }
            _ => None,
        }
    }

    /// The text a wasmd chain puts before the code's description: the
    /// contract's own message, the VM's error as wasmvm's Go wrapper words
    /// it (`Error calling the VM: …`), else this error's display.
    pub fn wasmd_message(&self) -> String {
        match (self.contract_message(), self.vm_message()) {
            (Some(m), _) => m.to_string(),
            (None, Some(m)) => format!("Error calling the VM: {m}"),
            (None, None) => self.to_string(),
        }
    }

    /// True when the failure is running out of gas, at any nesting level.
    pub fn is_out_of_gas(&self) -> bool {
        match self {
            HostError::OutOfGas(_) => true,
            HostError::SubMessageFailed { source, .. } | HostError::ReplyFailed { source, .. } => {
                source.is_out_of_gas()
            }
            _ => false,
        }
    }

    /// The Cosmos SDK codespace and code a wasmd chain reports for this error.
    pub fn abci_code(&self) -> (&'static str, u32) {
        match self {
            // wasmd ≥ 0.51 wraps every error of the VM itself (a trap, a
            // panic in the contract, a missing export) in ErrVMError.
            HostError::VmFailed { .. } => ("wasm", 29),
            HostError::ContractFailed { entry_point, .. } => match *entry_point {
                "instantiate" => ("wasm", 4),
                "migrate" => ("wasm", 11),
                "query" => ("wasm", 9),
                _ => ("wasm", 5),
            },
            HostError::OutOfGas(_) => ("sdk", 11),
            HostError::InvalidCode(_) => ("wasm", 2),
            HostError::CodeTooLarge { .. } | HostError::MaxCallDepth(_) => ("wasm", 13),
            HostError::NoSuchContract(_) => ("wasm", 22),
            HostError::NoSuchCode(_) => ("wasm", 28),
            HostError::DuplicateContract(_) => ("wasm", 15),
            HostError::InvalidEvent { .. } => ("wasm", 21),
            HostError::MaxQueryDepth(_) => ("wasm", 9),
            HostError::UnsupportedMessage(_) => ("wasm", 20),
            HostError::UnsupportedQuery(_) => ("wasm", 9),
            HostError::Serialization(_) => ("wasm", 10),
            HostError::Unauthorized { .. } => ("sdk", 4),
            HostError::InsufficientFunds { .. } => ("sdk", 5),
            HostError::InvalidAddress { .. } => ("sdk", 7),
            HostError::InvalidCoins(_) => ("sdk", 10),
            HostError::InvalidRequest(_) => ("sdk", 18),
            HostError::Cache(_) => ("sdk", 1),
            HostError::Ibc {
                codespace, code, ..
            } => (codespace, *code),
            HostError::SubMessageFailed { source, .. } | HostError::ReplyFailed { source, .. } => {
                source.abci_code()
            }
        }
    }

    /// The error string a contract sees in a failed submessage's reply.
    ///
    /// wasmd redacts every error that is not a wasmvm system error to
    /// "codespace: …, code: …", because SDK error texts are not part of
    /// consensus; this host does the same so contracts see what they will see
    /// on chain.
    pub(crate) fn reply_error_string(&self) -> String {
        let (codespace, code) = self.abci_code();
        format!("codespace: {codespace}, code: {code}")
    }
}

impl From<serde_json::Error> for HostError {
    fn from(e: serde_json::Error) -> Self {
        HostError::Serialization(e.to_string())
    }
}

impl From<cosmwasm_std::StdError> for HostError {
    fn from(e: cosmwasm_std::StdError) -> Self {
        HostError::Serialization(e.to_string())
    }
}
