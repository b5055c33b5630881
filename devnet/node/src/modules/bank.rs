//! The bank module: `MsgSend` and the bank queries. Balances and supplies
//! are kept by the wasm host's bank (the bank contracts move funds
//! through), under `bank/`.

use cosmos_sdk_proto::cosmos::bank::v1beta1::{
    MsgSend, MsgSendResponse, QueryAllBalancesRequest, QueryAllBalancesResponse,
    QueryBalanceRequest, QueryBalanceResponse,
};
use cosmos_sdk_proto::cosmos::base::query::v1beta1::PageResponse;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmos_sdk_proto::Any;
use prost::{Message, Name};
use starminer_wasm_host::{HostMsg, KeyRange, KvStore};

use super::host;
use super::module::{Ctx, Delivered, Gas, Module, Msg};
use super::sdk::{
    abci_event, any, bech32_error, coins_text, coins_valid, decode, host_event, host_query_error,
    invalid_argument, paginate, parse_coins, sdk_description, TxError,
};

/// The bank module.
pub struct Bank;

/// The queries the module answers.
const QUERIES: &[&str] = &[
    "/cosmos.bank.v1beta1.Query/Balance",
    "/cosmos.bank.v1beta1.Query/AllBalances",
    "/cosmos.bank.v1beta1.Query/SpendableBalances",
    "/cosmos.bank.v1beta1.Query/TotalSupply",
    "/cosmos.bank.v1beta1.Query/SupplyOf",
];

impl Module for Bank {
    fn name(&self) -> &'static str {
        "bank"
    }

    fn decode(&self, any: &Any) -> Option<Result<Msg, TxError>> {
        if any.type_url != MsgSend::type_url() {
            return None;
        }
        Some(
            MsgSend::decode(any.value.as_slice())
                .map_err(|e| TxError::sdk(2, e.to_string()))
                .map(|m| Msg::new(any.type_url.clone(), m.from_address.clone(), m)),
        )
    }

    /// `MsgSend.ValidateBasic` (`x/bank/types/msgs.go`).
    fn validate_basic(&self, msg: &Msg) -> Result<(), TxError> {
        let m = msg.expect::<MsgSend>()?;
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
        Ok(())
    }

    fn deliver(&self, ctx: &Ctx<'_>, msg: &Msg, gas: &mut Gas) -> Result<Delivered, TxError> {
        let m = msg.expect::<MsgSend>()?;
        let sender = ctx.addr(&msg.signer, "sender")?;
        let send = HostMsg::BankSend {
            from: sender.clone(),
            to: ctx.addr(&m.to_address, "to address")?,
            amount: parse_coins(&m.amount)?,
        };
        let result = host::apply(ctx, msg.index, send, gas)?;
        let mut events: Vec<_> = result
            .events
            .iter()
            .map(|e| host_event(e, Some(msg.index)))
            .collect();
        events.push(abci_event(
            "message",
            vec![
                ("sender".to_string(), sender.to_string()),
                ("msg_index".to_string(), msg.index.to_string()),
            ],
        ));
        Ok(Delivered {
            response: any(MsgSendResponse {}),
            events,
        })
    }

    fn query(&self, ctx: &Ctx<'_>, path: &str, data: &[u8]) -> Option<Result<Vec<u8>, TxError>> {
        QUERIES.contains(&path).then(|| query(ctx, path, data))
    }
}

fn query(ctx: &Ctx<'_>, path: &str, data: &[u8]) -> Result<Vec<u8>, TxError> {
    match path {
        "/cosmos.bank.v1beta1.Query/Balance" => {
            let req: QueryBalanceRequest = decode(data)?;
            let addr = ctx
                .host
                .addr_validate(&req.address)
                .map_err(|e| invalid_argument(format!("invalid address: {e}")))?;
            if req.denom.is_empty() {
                return Err(invalid_argument("invalid denom"));
            }
            let amount = ctx
                .host
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
            let addr = ctx
                .host
                .addr_validate(&req.address)
                .map_err(|e| invalid_argument(format!("invalid address: {e}")))?;
            let mut balances: Vec<(Vec<u8>, ProtoCoin)> = ctx
                .host
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
        "/cosmos.bank.v1beta1.Query/SpendableBalances" => {
            // No vesting or locks on the devnet: everything held is spendable.
            let req: cosmos_sdk_proto::cosmos::bank::v1beta1::QuerySpendableBalancesRequest =
                decode(data)?;
            let all = query(
                ctx,
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
            let supply: Vec<ProtoCoin> = ctx
                .state
                .range(
                    &KeyRange::prefix(b"bank/\x00"),
                    cosmwasm_std::Order::Ascending,
                )
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
        other => Err(TxError::sdk(6, format!("unknown query path {other}"))),
    }
}
