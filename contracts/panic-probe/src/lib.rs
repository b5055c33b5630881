//! A contract that aborts on request, for tests that compare how chains
//! report a contract panic (the devnet-vs-wasmd differential test). It is
//! built with the other artifacts but never deployed by `starminer deploy`.
//!
//! - instantiate `{}`; stores nothing.
//! - execute `{"panic":{}}` panics (the VM aborts the call); `{"noop":{}}`
//!   succeeds with an `action=noop` attribute.
//! - query `{"panic":{}}` panics; `{"ping":{}}` answers `"ok"`.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    entry_point, to_json_binary, Binary, Deps, DepsMut, Empty, Env, MessageInfo, Response,
    StdResult,
};

#[cw_serde]
pub enum ExecuteMsg {
    Panic {},
    Noop {},
}

#[cw_serde]
pub enum QueryMsg {
    Panic {},
    Ping {},
}

#[entry_point]
pub fn instantiate(_: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    Ok(Response::new().add_attribute("action", "instantiate"))
}

#[entry_point]
pub fn execute(_: DepsMut, _: Env, _: MessageInfo, msg: ExecuteMsg) -> StdResult<Response> {
    match msg {
        ExecuteMsg::Panic {} => panic!("the panic probe was asked to panic"),
        ExecuteMsg::Noop {} => Ok(Response::new().add_attribute("action", "noop")),
    }
}

#[entry_point]
pub fn query(_: Deps, _: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Panic {} => panic!("the panic probe was asked to panic in a query"),
        QueryMsg::Ping {} => to_json_binary("ok"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};

    #[test]
    fn only_the_panic_message_panics() {
        let mut deps = mock_dependencies();
        let info = message_info(&deps.api.addr_make("anyone"), &[]);
        let noop = execute(deps.as_mut(), mock_env(), info.clone(), ExecuteMsg::Noop {});
        assert_eq!(noop.unwrap().attributes[0].value, "noop");
        let panicked = std::panic::catch_unwind(move || {
            let mut deps = mock_dependencies();
            execute(deps.as_mut(), mock_env(), info, ExecuteMsg::Panic {})
        });
        assert!(panicked.is_err());
        let pong = query(deps.as_ref(), mock_env(), QueryMsg::Ping {}).unwrap();
        assert_eq!(pong, to_json_binary("ok").unwrap());
    }
}
