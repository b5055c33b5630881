use cosmwasm_schema::{export_schema, schema_for, write_api};
use starminer_interfaces::governance::{
    ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, ReceiveMsg,
};

fn main() {
    write_api! {
        instantiate: InstantiateMsg,
        execute: ExecuteMsg,
        query: QueryMsg,
        migrate: MigrateMsg,
    }
    // The cw20 hook: what a token `Send` to this contract carries (base64
    // JSON in its `msg`). write_api! has no slot for it, so it goes beside the
    // raw message schemas as raw/receive_msg.json.
    export_schema(&schema_for!(ReceiveMsg), std::path::Path::new("schema/raw"));
}
