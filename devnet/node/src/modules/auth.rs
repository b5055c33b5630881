//! The auth module: accounts with numbers, sequences and public keys, kept as
//! `cosmos.auth.v1beta1.BaseAccount` protobufs in the `acc/` store.
//!
//! | key (inside `acc/`)  | value                         |
//! |----------------------|-------------------------------|
//! | `0x01 ‖ address`     | `BaseAccount` protobuf        |
//! | `0x00 ‖ "next"`      | next account number (u64 BE)  |

use cosmos_sdk_proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse,
};
use cosmos_sdk_proto::cosmos::crypto::secp256k1::PubKey;
use cosmos_sdk_proto::Any;
use prost::{Message, Name};
use starminer_wasm_host::KvStore;

use super::module::{Ctx, Module};
use super::sdk::{decode, grpc_error, invalid_argument, TxError};

/// The auth module. It routes no message (the ante handler reads and
/// writes accounts through this file's functions) and answers `Account`.
pub struct Auth;

impl Module for Auth {
    fn name(&self) -> &'static str {
        "auth"
    }

    fn query(&self, ctx: &Ctx<'_>, path: &str, data: &[u8]) -> Option<Result<Vec<u8>, TxError>> {
        (path == "/cosmos.auth.v1beta1.Query/Account").then(|| query_account(ctx, data))
    }
}

fn query_account(ctx: &Ctx<'_>, data: &[u8]) -> Result<Vec<u8>, TxError> {
    let req: QueryAccountRequest = decode(data)?;
    let addr = ctx
        .host
        .addr_validate(&req.address)
        .map_err(|e| invalid_argument(format!("invalid address: {e}")))?;
    let raw = ctx
        .host
        .address_codec()
        .canonicalize(addr.as_str())
        .map_err(|e| invalid_argument(e.to_string()))?;
    let account = account(ctx.state, &raw)
        .ok_or_else(|| grpc_error(22, "NotFound", format!("account {} not found", req.address)))?;
    Ok(QueryAccountResponse {
        account: Some(account_any(&account)),
    }
    .encode_to_vec())
}

/// The namespace of the auth store.
pub const AUTH_STORE: &[u8] = b"acc/";

fn account_key(addr: &[u8]) -> Vec<u8> {
    let mut k = AUTH_STORE.to_vec();
    k.push(0x01);
    k.extend_from_slice(addr);
    k
}

fn next_number_key() -> Vec<u8> {
    let mut k = AUTH_STORE.to_vec();
    k.push(0x00);
    k.extend_from_slice(b"next");
    k
}

/// Full key of an account record, for `store/acc/key` queries and gas.
pub fn account_store_key(addr: &[u8]) -> Vec<u8> {
    account_key(addr)
}

pub fn account(store: &dyn KvStore, addr: &[u8]) -> Option<BaseAccount> {
    let raw = store.get(&account_key(addr))?;
    BaseAccount::decode(raw.as_slice()).ok()
}

pub fn set_account(store: &mut dyn KvStore, addr: &[u8], account: &BaseAccount) {
    store.set(&account_key(addr), &account.encode_to_vec());
}

/// Creates the account of `address` with the next account number.
pub fn create_account(store: &mut dyn KvStore, addr: &[u8], address: &str) -> BaseAccount {
    let key = next_number_key();
    let number = store
        .get(&key)
        .and_then(|v| v.try_into().ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0);
    store.set(&key, &(number + 1).to_be_bytes());
    let account = BaseAccount {
        address: address.to_string(),
        pub_key: None,
        account_number: number,
        sequence: 0,
    };
    set_account(store, addr, &account);
    account
}

/// The account, created if it does not exist (what the SDK does when an
/// address first receives coins).
pub fn ensure_account(store: &mut dyn KvStore, addr: &[u8], address: &str) -> BaseAccount {
    match account(store, addr) {
        Some(a) => a,
        None => create_account(store, addr, address),
    }
}

/// A secp256k1 public key as the `Any` an account carries.
pub fn pubkey_any(compressed: &[u8]) -> Any {
    Any {
        type_url: PubKey::type_url(),
        value: PubKey {
            key: compressed.to_vec(),
        }
        .encode_to_vec(),
    }
}

/// A `BaseAccount` as the `Any` the account query returns.
pub fn account_any(account: &BaseAccount) -> Any {
    Any {
        type_url: BaseAccount::type_url(),
        value: account.encode_to_vec(),
    }
}
