//! Reading a call's outcome: the contract error it failed with, event
//! attributes.

use std::error::Error;
use std::fmt::{Debug, Display};

use cw_multi_test::AppResponse;

use crate::Res;

/// The contract error of type `E` inside `error`. cw-multi-test wraps a
/// contract's error as an ad-hoc error under contexts; anyhow downcasts
/// through both.
pub fn contract_error<E: Error + Send + Sync + 'static>(error: &anyhow::Error) -> Option<&E> {
    error
        .downcast_ref::<E>()
        .or_else(|| error.chain().find_map(|e| e.downcast_ref::<E>()))
}

/// Asserts that the call failed with exactly the contract error `expected`.
#[track_caller]
pub fn assert_contract_err<E: Error + PartialEq + Send + Sync + 'static>(res: Res, expected: E) {
    let error = res.expect_err("the call should have failed");
    assert_eq!(
        contract_error::<E>(&error),
        Some(&expected),
        "full error: {error:?}"
    );
}

/// Asserts that the call failed and its root cause reads as `expected`
/// (for errors that reached the contract through another one, e.g. a
/// token's `Send`, where only the message survives).
#[track_caller]
pub fn assert_err_message<T: Debug>(res: anyhow::Result<T>, expected: impl Display) {
    let error = res.expect_err("the call should have failed");
    assert_eq!(
        error.root_cause().to_string(),
        expected.to_string(),
        "full error: {error:?}"
    );
}

/// Asserts that the call failed with `expected` somewhere in its error.
#[track_caller]
pub fn assert_err_contains<T: Debug>(res: anyhow::Result<T>, expected: &str) {
    let error = res.expect_err("the call should have failed");
    let text = format!("{error:#}");
    assert!(text.contains(expected), "expected `{expected}` in `{text}`");
}

/// The first attribute `key` of any event of `res`.
#[track_caller]
pub fn attr(res: &AppResponse, key: &str) -> String {
    res.events
        .iter()
        .flat_map(|e| e.attributes.iter())
        .find(|a| a.key == key)
        .map(|a| a.value.clone())
        .unwrap_or_else(|| panic!("no attribute {key}"))
}
