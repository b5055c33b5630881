//! The wasm module's keeper: contract lifecycle, message dispatch with
//! submessages and replies, and contract queries, following wasmd's
//! `x/wasm/keeper` (keeper.go, msg_dispatcher.go, query_plugins.go).
//!
//! Everything runs against the newest branch of the state. A transaction
//! opens one branch; each submessage opens a nested one that is committed
//! when the submessage succeeds and discarded when it fails.

use std::cell::RefCell;
use std::rc::Rc;

use cosmos_sdk_proto::cosmos::bank::v1beta1::MsgSendResponse;
use cosmos_sdk_proto::cosmwasm::wasm::v1::{
    MsgClearAdminResponse, MsgExecuteContractResponse, MsgInstantiateContract2Response,
    MsgInstantiateContractResponse, MsgMigrateContractResponse, MsgUpdateAdminResponse,
};
use cosmos_sdk_proto::prost::{Message, Name};
use cosmwasm_std::{
    to_json_binary, Addr, AllBalanceResponse, AllDelegationsResponse, AllValidatorsResponse,
    BalanceResponse, BankMsg, BankQuery, Binary, BlockInfo, Checksum, CodeInfoResponse, Coin,
    ContractInfoResponse, ContractResult, CosmosMsg, DelegationResponse, Empty, Env, Event,
    MessageInfo, MigrateInfo, MsgResponse, QueryRequest, Reply, ReplyOn, Response, StakingQuery,
    SubMsg, SubMsgResponse, SubMsgResult, SupplyResponse, SystemError, SystemResult, Timestamp,
    TransactionInfo, ValidatorResponse, WasmMsg, WasmQuery,
};
use cosmwasm_vm::{
    call_execute_raw, call_ibc_channel_close_raw, call_ibc_channel_connect_raw,
    call_ibc_channel_open_raw, call_ibc_packet_ack_raw, call_ibc_packet_receive_raw,
    call_ibc_packet_timeout_raw, call_instantiate_raw, call_migrate_with_info_raw, call_query_raw,
    call_reply_raw, from_slice, to_vec, Backend, Cache, Instance, InstanceOptions, VmError,
    VmResult,
};

use crate::address::{AddressCodec, HostApi};
use crate::backend::{ContractStorage, HostQuerier, HostRouter};
use crate::bank::Bank;
use crate::error::HostError;
use crate::events;
use crate::gas::{GasConfig, GasMeter, GasUsage, KvGasConfig, OutOfGas};
use crate::ibc::{BranchStore, BridgeCall, IbcBridge, IbcEntry, IbcOutcome};
use crate::metered::{ModuleStore, BANK_STORE, WASM_STORE};
use crate::records::{CodeId, CodeInfo, ContractInfo, TxPosition, WasmRecords};
use crate::store::StateStack;

pub(crate) type VmCache = Cache<HostApi, ContractStorage, HostQuerier>;
type VmInstance = Instance<HostApi, ContractStorage, HostQuerier>;

/// Limits the host enforces, with wasmd's values as defaults where wasmd has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted Wasm code, in bytes (wasmd `MaxWasmSize`, 800 KiB).
    pub max_code_size: usize,
    /// Longest contract label (wasmd `MaxLabelSize`).
    pub max_label_size: usize,
    /// Deepest nesting of messages dispatched by contracts. wasmd bounds
    /// recursion through gas only; the host also caps the depth so a runaway
    /// contract fails fast with a clear error.
    pub max_call_depth: u32,
    /// Deepest nesting of contract-to-contract smart queries (wasmd `DefaultMaxQueryStackSize`).
    pub max_query_depth: u32,
    /// SDK gas limit of a query from outside (wasmd `DefaultSmartQueryGasLimit`).
    pub query_gas_limit: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_code_size: 800 * 1024,
            max_label_size: 128,
            max_call_depth: 64,
            max_query_depth: 10,
            query_gas_limit: 3_000_000,
        }
    }
}

/// The block the host is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockContext {
    pub chain_id: String,
    pub height: u64,
    pub time: Timestamp,
    /// Index of the next transaction in this block.
    pub tx_index: u32,
}

/// One contract call's gas meter and nesting depth.
#[derive(Clone)]
pub(crate) struct CallCtx {
    pub meter: Rc<GasMeter>,
    pub depth: u32,
}

/// What a call left behind: its events in emission order and its result data.
#[derive(Debug, Default)]
pub(crate) struct CallOutcome {
    pub events: Vec<Event>,
    pub data: Option<Binary>,
}

/// What a dispatched message returns to the dispatcher (wasmd's `DispatchMsg`).
struct Dispatched {
    events: Vec<Event>,
    data: Option<Binary>,
    msg_responses: Vec<MsgResponse>,
}

/// The contract a VM call runs: its raw address, address and code checksum.
#[derive(Clone, Copy)]
struct Target<'a> {
    raw: &'a [u8],
    addr: &'a Addr,
    checksum: &'a Checksum,
}

/// How a new contract's address is chosen.
pub(crate) enum AddressMode<'a> {
    /// wasmd's classic address: code id and a global instance counter.
    Classic,
    /// instantiate2: checksum, creator and salt.
    Predictable { salt: &'a [u8] },
}

/// Everything `instantiate` needs.
pub(crate) struct InstantiateRequest<'a> {
    pub sender: &'a Addr,
    pub code_id: CodeId,
    pub msg: &'a [u8],
    pub funds: &'a [Coin],
    pub label: &'a str,
    pub admin: Option<Addr>,
    pub address: AddressMode<'a>,
}

pub(crate) struct Engine {
    pub cache: VmCache,
    pub state: RefCell<StateStack>,
    pub codec: AddressCodec,
    pub api: HostApi,
    pub gas: GasConfig,
    pub limits: Limits,
    pub block: RefCell<BlockContext>,
    pub bond_denom: String,
    /// The chain's IBC module, once the chain installs it.
    pub ibc: RefCell<Option<Rc<dyn IbcBridge>>>,
}

impl HostRouter for Engine {
    fn state(&self) -> &RefCell<StateStack> {
        &self.state
    }

    fn kv_gas(&self) -> &KvGasConfig {
        &self.gas.kv
    }

    fn route_query(
        self: Rc<Self>,
        meter: &Rc<GasMeter>,
        caller: &Addr,
        query_depth: u32,
        request: &[u8],
        vm_gas_limit: u64,
    ) -> Result<SystemResult<ContractResult<Binary>>, OutOfGas> {
        self.handle_contract_query(meter, caller, query_depth, request, vm_gas_limit)
    }
}

fn proto_response<M: Message + Name>(msg: &M) -> (Option<Binary>, Vec<MsgResponse>) {
    let bytes = msg.encode_to_vec();
    let response = MsgResponse {
        type_url: M::type_url(),
        value: Binary::from(bytes.clone()),
    };
    // An empty protobuf is omitted from the JSON wasmd hands to the contract.
    let data = (!bytes.is_empty()).then(|| Binary::from(bytes));
    (data, vec![response])
}

/// A `Response` carrying an IBC entry point's messages, attributes and events.
fn basic_response(
    messages: Vec<SubMsg<Empty>>,
    attributes: Vec<cosmwasm_std::Attribute>,
    events: Vec<Event>,
) -> Response<Empty> {
    let mut r = Response::new();
    r.messages = messages;
    r.attributes = attributes;
    r.events = events;
    r
}

fn binary_to_vec(data: &Option<Binary>) -> Vec<u8> {
    data.as_ref().map(|d| d.to_vec()).unwrap_or_default()
}

impl Engine {
    pub fn records<'a>(&'a self, meter: &'a GasMeter) -> WasmRecords<'a> {
        WasmRecords::new(ModuleStore::new(
            &self.state,
            meter,
            &self.gas.kv,
            WASM_STORE,
        ))
    }

    pub fn bank<'a>(&'a self, meter: &'a GasMeter) -> Bank<'a> {
        Bank::new(
            ModuleStore::new(&self.state, meter, &self.gas.kv, BANK_STORE),
            &self.codec,
        )
    }

    fn env(&self, contract: &Addr, in_tx: bool) -> Env {
        let block = self.block.borrow();
        Env {
            block: BlockInfo {
                height: block.height,
                time: block.time,
                chain_id: block.chain_id.clone(),
            },
            transaction: in_tx.then_some(TransactionInfo {
                index: block.tx_index,
            }),
            contract: cosmwasm_std::ContractInfo {
                address: contract.clone(),
            },
        }
    }

    /// Charges `meter` wasmd's setup cost for loading code `code_id`
    /// (`checksum`) to run a message of `msg_len` bytes: discounted when
    /// the code is pinned or already loaded in the transaction.
    fn charge_setup(
        &self,
        meter: &GasMeter,
        code_id: CodeId,
        checksum: &Checksum,
        msg_len: usize,
    ) -> Result<(), HostError> {
        let pinned = self.records(meter).is_pinned(code_id)?;
        let discount = meter.discount(checksum.as_slice(), pinned);
        meter.consume(self.gas.instance_costs(discount, msg_len))?;
        Ok(())
    }

    fn check_depth(&self, ctx: &CallCtx) -> Result<(), HostError> {
        if ctx.depth > self.limits.max_call_depth {
            return Err(HostError::MaxCallDepth(self.limits.max_call_depth));
        }
        Ok(())
    }

    /// Loads a contract's record and its code's record.
    fn contract_instance(
        &self,
        meter: &GasMeter,
        contract: &Addr,
    ) -> Result<(Vec<u8>, ContractInfo, CodeInfo), HostError> {
        let raw = self
            .codec
            .canonicalize(contract.as_str())
            .map_err(|_| HostError::NoSuchContract(contract.to_string()))?;
        let records = self.records(meter);
        let info = records.contract_info(&raw, contract)?;
        let code = records.code_info(info.code_id)?;
        Ok((raw, info, code))
    }

    /// Runs one entry point of `contract` in a fresh instance of its code,
    /// with the VM gas limit the meter has left, and charges the VM gas used
    /// plus wasmvm's JSON deserialization cost of the result (1 SDK gas per byte).
    fn call_vm<T: serde::de::DeserializeOwned>(
        self: &Rc<Self>,
        meter: &Rc<GasMeter>,
        query_depth: u32,
        target: Target<'_>,
        entry_point: &'static str,
        call: impl FnOnce(&mut VmInstance) -> VmResult<Vec<u8>>,
    ) -> Result<T, HostError> {
        let Target {
            raw: contract_raw,
            addr: contract,
            checksum,
        } = target;
        let backend = Backend {
            api: self.api.clone(),
            storage: ContractStorage::new(self.clone(), meter.clone(), contract_raw),
            querier: HostQuerier::new(self.clone(), meter.clone(), contract.clone(), query_depth),
        };
        let gas_limit = self.gas.to_vm_gas(meter.remaining());
        let mut instance = self
            .cache
            .get_instance(checksum, backend, InstanceOptions { gas_limit })
            .map_err(|e| HostError::Cache(e.to_string()))?;
        let raw_result = call(&mut instance);
        let report = instance.create_gas_report();
        drop(instance);
        meter.add_vm_gas(report.used_internally);
        let deserialization = raw_result.as_ref().map_or(0, |bytes| {
            self.gas.to_vm_gas(
                self.gas
                    .deserialization_cost_per_byte
                    .saturating_mul(bytes.len() as u64),
            )
        });
        let charged = meter.consume(
            self.gas
                .from_vm_gas(report.used_internally.saturating_add(deserialization)),
        );
        let result = raw_result
            .and_then(|bytes| from_slice::<ContractResult<T>>(&bytes, bytes.len().max(1)));
        let out_of_gas = || {
            // The VM stopped at its limit: the meter is spent.
            let _ = meter.consume(meter.remaining());
            HostError::OutOfGas(OutOfGas {
                limit: meter.limit(),
                needed: meter.limit().saturating_add(1),
            })
        };
        match result {
            Err(VmError::GasDepletion { .. }) => Err(out_of_gas()),
            Err(e) => {
                charged?;
                Err(HostError::VmFailed {
                    contract: contract.to_string(),
                    entry_point,
                    message: e.to_string(),
                })
            }
            Ok(ContractResult::Err(message)) => {
                charged?;
                Err(HostError::ContractFailed {
                    contract: contract.to_string(),
                    entry_point,
                    message,
                })
            }
            Ok(ContractResult::Ok(value)) => {
                charged?;
                if meter.is_out_of_gas() {
                    return Err(out_of_gas());
                }
                Ok(value)
            }
        }
    }

    // ---- contract lifecycle -------------------------------------------------

    pub fn instantiate(
        self: &Rc<Self>,
        ctx: &CallCtx,
        req: InstantiateRequest<'_>,
    ) -> Result<(Addr, CallOutcome), HostError> {
        self.check_depth(ctx)?;
        let records = self.records(&ctx.meter);
        let code = records.code_info(req.code_id)?;
        self.charge_setup(&ctx.meter, req.code_id, &code.checksum, req.msg.len())?;
        if req.label.trim().is_empty() || req.label.len() > self.limits.max_label_size {
            return Err(HostError::InvalidRequest(format!(
                "label must be 1..={} bytes and not blank",
                self.limits.max_label_size
            )));
        }
        let address = match req.address {
            AddressMode::Classic => {
                let instance_id = records.next_instance_id()?;
                self.codec
                    .classic_contract_address(req.code_id, instance_id)
            }
            AddressMode::Predictable { salt } => {
                if salt.is_empty() || salt.len() > 64 {
                    return Err(HostError::InvalidRequest(
                        "salt must be 1..=64 bytes".to_string(),
                    ));
                }
                self.codec.instantiate2_contract_address(
                    code.checksum.as_slice(),
                    req.sender,
                    salt,
                )?
            }
        };
        let raw = self.codec.canonicalize(address.as_str())?;
        if records.has_contract(&raw)? {
            return Err(HostError::DuplicateContract(address.to_string()));
        }

        let mut events = self
            .bank(&ctx.meter)
            .send(req.sender, &address, req.funds)?;
        let env = self.env(&address, true);
        let info = MessageInfo {
            sender: req.sender.clone(),
            funds: crate::bank::normalize_coins(req.funds)?,
        };
        let response: Response<Empty> = self.call_vm(
            &ctx.meter,
            0,
            Target {
                raw: &raw,
                addr: &address,
                checksum: &code.checksum,
            },
            "instantiate",
            |instance| call_instantiate_raw(instance, &to_vec(&env)?, &to_vec(&info)?, req.msg),
        )?;

        // Stored before dispatch, so the contract can be called back by its own messages.
        let block = self.block.borrow().clone();
        let contract_info = ContractInfo {
            address: address.clone(),
            code_id: req.code_id,
            creator: req.sender.clone(),
            admin: req.admin,
            label: req.label.to_string(),
            created: TxPosition {
                block_height: block.height,
                tx_index: u64::from(block.tx_index),
            },
        };
        self.records(&ctx.meter)
            .save_contract_info(&raw, &contract_info)?;
        events.push(events::instantiate_event(&address, req.code_id));
        let outcome = self.handle_response(ctx, &address, response)?;
        events.extend(outcome.events);
        Ok((
            address,
            CallOutcome {
                events,
                data: outcome.data,
            },
        ))
    }

    pub fn execute(
        self: &Rc<Self>,
        ctx: &CallCtx,
        sender: &Addr,
        contract: &Addr,
        msg: &[u8],
        funds: &[Coin],
    ) -> Result<CallOutcome, HostError> {
        self.check_depth(ctx)?;
        let (raw, info, code) = self.contract_instance(&ctx.meter, contract)?;
        self.charge_setup(&ctx.meter, info.code_id, &code.checksum, msg.len())?;
        let mut events = self.bank(&ctx.meter).send(sender, contract, funds)?;
        let env = self.env(contract, true);
        let msg_info = MessageInfo {
            sender: sender.clone(),
            funds: crate::bank::normalize_coins(funds)?,
        };
        let response: Response<Empty> = self.call_vm(
            &ctx.meter,
            0,
            Target {
                raw: &raw,
                addr: contract,
                checksum: &code.checksum,
            },
            "execute",
            |instance| call_execute_raw(instance, &to_vec(&env)?, &to_vec(&msg_info)?, msg),
        )?;
        events.push(events::execute_event(contract));
        let outcome = self.handle_response(ctx, contract, response)?;
        events.extend(outcome.events);
        Ok(CallOutcome {
            events,
            data: outcome.data,
        })
    }

    pub fn migrate(
        self: &Rc<Self>,
        ctx: &CallCtx,
        sender: &Addr,
        contract: &Addr,
        new_code_id: CodeId,
        msg: &[u8],
    ) -> Result<CallOutcome, HostError> {
        self.check_depth(ctx)?;
        let records = self.records(&ctx.meter);
        let new_code = records.code_info(new_code_id)?;
        self.charge_setup(&ctx.meter, new_code_id, &new_code.checksum, msg.len())?;
        let (raw, mut info, old_code) = self.contract_instance(&ctx.meter, contract)?;
        if info.admin.as_ref() != Some(sender) {
            return Err(HostError::Unauthorized {
                sender: sender.to_string(),
                action: "migrate",
                contract: contract.to_string(),
            });
        }
        let old_migrate_version = self
            .cache
            .analyze(&old_code.checksum)
            .map_err(|e| HostError::Cache(e.to_string()))?
            .contract_migrate_version;
        let env = self.env(contract, true);
        let migrate_info = MigrateInfo {
            sender: sender.clone(),
            old_migrate_version,
        };
        let response: Response<Empty> = self.call_vm(
            &ctx.meter,
            0,
            Target {
                raw: &raw,
                addr: contract,
                checksum: &new_code.checksum,
            },
            "migrate",
            |instance| {
                call_migrate_with_info_raw(instance, &to_vec(&env)?, msg, &to_vec(&migrate_info)?)
            },
        )?;
        info.code_id = new_code_id;
        self.records(&ctx.meter).save_contract_info(&raw, &info)?;
        let mut events = vec![events::migrate_event(contract, new_code_id)];
        let outcome = self.handle_response(ctx, contract, response)?;
        events.extend(outcome.events);
        Ok(CallOutcome {
            events,
            data: outcome.data,
        })
    }

    /// Sets (`Some`) or clears (`None`) a contract's admin; only the current admin may.
    pub fn set_admin(
        &self,
        ctx: &CallCtx,
        sender: &Addr,
        contract: &Addr,
        new_admin: Option<Addr>,
    ) -> Result<CallOutcome, HostError> {
        let (raw, mut info, _) = self.contract_instance(&ctx.meter, contract)?;
        if info.admin.as_ref() != Some(sender) {
            return Err(HostError::Unauthorized {
                sender: sender.to_string(),
                action: "modify contract",
                contract: contract.to_string(),
            });
        }
        let event = events::update_admin_event(contract, new_admin.as_ref());
        info.admin = new_admin;
        self.records(&ctx.meter).save_contract_info(&raw, &info)?;
        Ok(CallOutcome {
            events: vec![event],
            data: None,
        })
    }

    fn reply(
        self: &Rc<Self>,
        ctx: &CallCtx,
        contract: &Addr,
        reply: Reply,
    ) -> Result<CallOutcome, HostError> {
        let (raw, _, code) = self.contract_instance(&ctx.meter, contract)?;
        // wasmd charges a reply the discounted instance cost (the contract
        // ran earlier in the transaction), plus the result's events.
        let event_gas = match &reply.result {
            SubMsgResult::Ok(r) => {
                let type_bytes: u64 = r.events.iter().map(|e| e.ty.len() as u64).sum();
                let attrs = r.events.iter().flat_map(|e| {
                    e.attributes
                        .iter()
                        .map(|a| (a.key.as_str(), a.value.as_str()))
                });
                type_bytes * self.gas.event_attribute_data_cost + self.gas.event_costs(attrs, &[])
            }
            SubMsgResult::Err(_) => 0,
        };
        ctx.meter
            .consume(event_gas.saturating_add(self.gas.instance_costs(true, 0)))?;
        let env = self.env(contract, true);
        let response: Response<Empty> = self.call_vm(
            &ctx.meter,
            0,
            Target {
                raw: &raw,
                addr: contract,
                checksum: &code.checksum,
            },
            "reply",
            |instance| call_reply_raw(instance, &to_vec(&env)?, &to_vec(&reply)?),
        )?;
        let mut events = vec![events::reply_event(contract)];
        let outcome = self.handle_response(ctx, contract, response)?;
        events.extend(outcome.events);
        Ok(CallOutcome {
            events,
            data: outcome.data,
        })
    }

    /// wasmd `handleContractResponse`: charge and emit the response's events,
    /// dispatch its submessages; a reply's data replaces the contract's data.
    fn handle_response(
        self: &Rc<Self>,
        ctx: &CallCtx,
        contract: &Addr,
        response: Response<Empty>,
    ) -> Result<CallOutcome, HostError> {
        let attrs = response
            .attributes
            .iter()
            .map(|a| (a.key.as_str(), a.value.as_str()));
        ctx.meter
            .consume(self.gas.event_costs(attrs, &response.events))?;
        let mut events = Vec::with_capacity(1 + response.events.len());
        if !response.attributes.is_empty() {
            events.push(events::wasm_event(contract, &response.attributes)?);
        }
        for e in &response.events {
            events.push(events::custom_event(contract, e)?);
        }
        let (sub_events, reply_data) =
            self.dispatch_submessages(ctx, contract, response.messages)?;
        events.extend(sub_events);
        Ok(CallOutcome {
            events,
            data: reply_data.or(response.data),
        })
    }

    /// wasmd `DispatchSubmessages`.
    fn dispatch_submessages(
        self: &Rc<Self>,
        ctx: &CallCtx,
        contract: &Addr,
        messages: Vec<SubMsg<Empty>>,
    ) -> Result<(Vec<Event>, Option<Binary>), HostError> {
        let mut events = Vec::new();
        let mut reply_data = None;
        for sub in messages {
            let limited = sub.gas_limit.filter(|limit| *limit < ctx.meter.remaining());
            let sub_meter = match limited {
                Some(limit) => Rc::new(ctx.meter.child(limit)),
                None => ctx.meter.clone(),
            };
            let sub_ctx = CallCtx {
                meter: sub_meter.clone(),
                depth: ctx.depth + 1,
            };
            let before = ctx.meter.consumed();

            self.state.borrow_mut().branch();
            let mut result = self.dispatch_msg(&sub_ctx, contract, &sub.msg);
            match &result {
                Ok(_) => self.state.borrow_mut().commit_branch(),
                Err(_) => self.state.borrow_mut().discard_branch(),
            }

            let gas_used = match limited {
                Some(limit) => {
                    // Charge the parent what the limited submessage spent; all of it on out of gas.
                    ctx.meter.add_vm_gas(sub_meter.vm_gas());
                    let spent = if sub_meter.is_out_of_gas()
                        || matches!(&result, Err(e) if e.is_out_of_gas())
                    {
                        limit
                    } else {
                        sub_meter.consumed()
                    };
                    ctx.meter.consume(spent)?;
                    spent
                }
                None => {
                    // Without its own limit, running out of gas aborts everything, reply or not.
                    if let Err(e) = &result {
                        if e.is_out_of_gas() || ctx.meter.is_out_of_gas() {
                            return Err(HostError::OutOfGas(OutOfGas {
                                limit: ctx.meter.limit(),
                                needed: ctx.meter.consumed(),
                            }));
                        }
                    }
                    ctx.meter.consumed() - before
                }
            };

            let catches_error = matches!(sub.reply_on, ReplyOn::Error | ReplyOn::Always);
            let replies_success = matches!(sub.reply_on, ReplyOn::Success | ReplyOn::Always);
            let sub_result = match result {
                Err(e) if !catches_error => {
                    return Err(HostError::SubMessageFailed {
                        contract: contract.to_string(),
                        source: Box::new(e),
                    })
                }
                Err(e) => SubMsgResult::Err(e.reply_error_string()),
                Ok(ref mut dispatched) => {
                    let mut sub_events = std::mem::take(&mut dispatched.events);
                    // A wasm message's events come back from wasmd's message
                    // router with each event's attributes ordered by key
                    // (equal keys keep their order): so they are emitted, and
                    // so they reach the reply. The top-level message's own
                    // events keep the contract's order. Found by
                    // cli/tests/differential.rs (docs/devnet-vs-wasmd.md).
                    let is_wasm = matches!(sub.msg, CosmosMsg::Wasm(_));
                    if is_wasm {
                        for e in &mut sub_events {
                            e.attributes.sort_by(|a, b| a.key.cmp(&b.key));
                        }
                    }
                    events.extend(sub_events.iter().cloned());
                    if !replies_success {
                        continue;
                    }
                    // Only wasm messages pass their events into the reply.
                    let reply_events = if is_wasm { sub_events } else { Vec::new() };
                    #[allow(deprecated)] // `data` is still filled by wasmd 0.5x
                    let response = SubMsgResponse {
                        events: reply_events,
                        data: dispatched.data.take(),
                        msg_responses: std::mem::take(&mut dispatched.msg_responses),
                    };
                    SubMsgResult::Ok(response)
                }
            };
            let reply = Reply {
                id: sub.id,
                payload: sub.payload,
                gas_used,
                result: sub_result,
            };
            let outcome = self
                .reply(
                    &CallCtx {
                        meter: ctx.meter.clone(),
                        depth: ctx.depth + 1,
                    },
                    contract,
                    reply,
                )
                .map_err(|e| HostError::ReplyFailed {
                    contract: contract.to_string(),
                    source: Box::new(e),
                })?;
            events.extend(outcome.events);
            if outcome.data.is_some() {
                reply_data = outcome.data;
            }
        }
        Ok((events, reply_data))
    }

    /// Executes one message sent by `contract` (wasmd's message handler chain).
    fn dispatch_msg(
        self: &Rc<Self>,
        ctx: &CallCtx,
        contract: &Addr,
        msg: &CosmosMsg<Empty>,
    ) -> Result<Dispatched, HostError> {
        self.check_depth(ctx)?;
        match msg {
            CosmosMsg::Bank(BankMsg::Send { to_address, amount }) => {
                let to = self.codec.validate(to_address)?;
                if amount.is_empty() {
                    return Err(HostError::InvalidCoins("empty amount".to_string()));
                }
                let events = self.bank(&ctx.meter).send(contract, &to, amount)?;
                let (data, msg_responses) = proto_response(&MsgSendResponse {});
                Ok(Dispatched {
                    events,
                    data,
                    msg_responses,
                })
            }
            CosmosMsg::Bank(BankMsg::Burn { amount }) => {
                if amount.is_empty() {
                    return Err(HostError::InvalidCoins("empty burn amount".to_string()));
                }
                // wasmd sends the coins to its module account and burns them there.
                let module = self.codec.module_account("wasm");
                let bank = self.bank(&ctx.meter);
                let mut events = bank.send(contract, &module, amount)?;
                events.extend(bank.burn(&module, amount)?);
                Ok(Dispatched {
                    events,
                    data: None,
                    msg_responses: Vec::new(),
                })
            }
            CosmosMsg::Wasm(WasmMsg::Execute {
                contract_addr,
                msg,
                funds,
            }) => {
                let target = self.codec.validate(contract_addr)?;
                let outcome = self.execute(ctx, contract, &target, msg.as_slice(), funds)?;
                let (data, msg_responses) = proto_response(&MsgExecuteContractResponse {
                    data: binary_to_vec(&outcome.data),
                });
                Ok(Dispatched {
                    events: outcome.events,
                    data,
                    msg_responses,
                })
            }
            CosmosMsg::Wasm(WasmMsg::Instantiate {
                admin,
                code_id,
                msg,
                funds,
                label,
            }) => {
                let admin = admin
                    .as_deref()
                    .map(|a| self.codec.validate(a))
                    .transpose()?;
                let (address, outcome) = self.instantiate(
                    ctx,
                    InstantiateRequest {
                        sender: contract,
                        code_id: *code_id,
                        msg: msg.as_slice(),
                        funds,
                        label,
                        admin,
                        address: AddressMode::Classic,
                    },
                )?;
                let (data, msg_responses) = proto_response(&MsgInstantiateContractResponse {
                    address: address.to_string(),
                    data: binary_to_vec(&outcome.data),
                });
                Ok(Dispatched {
                    events: outcome.events,
                    data,
                    msg_responses,
                })
            }
            CosmosMsg::Wasm(WasmMsg::Instantiate2 {
                admin,
                code_id,
                label,
                msg,
                funds,
                salt,
            }) => {
                let admin = admin
                    .as_deref()
                    .map(|a| self.codec.validate(a))
                    .transpose()?;
                let (address, outcome) = self.instantiate(
                    ctx,
                    InstantiateRequest {
                        sender: contract,
                        code_id: *code_id,
                        msg: msg.as_slice(),
                        funds,
                        label,
                        admin,
                        address: AddressMode::Predictable {
                            salt: salt.as_slice(),
                        },
                    },
                )?;
                let (data, msg_responses) = proto_response(&MsgInstantiateContract2Response {
                    address: address.to_string(),
                    data: binary_to_vec(&outcome.data),
                });
                Ok(Dispatched {
                    events: outcome.events,
                    data,
                    msg_responses,
                })
            }
            CosmosMsg::Wasm(WasmMsg::Migrate {
                contract_addr,
                new_code_id,
                msg,
            }) => {
                let target = self.codec.validate(contract_addr)?;
                let outcome = self.migrate(ctx, contract, &target, *new_code_id, msg.as_slice())?;
                let (data, msg_responses) = proto_response(&MsgMigrateContractResponse {
                    data: binary_to_vec(&outcome.data),
                });
                Ok(Dispatched {
                    events: outcome.events,
                    data,
                    msg_responses,
                })
            }
            CosmosMsg::Wasm(WasmMsg::UpdateAdmin {
                contract_addr,
                admin,
            }) => {
                let target = self.codec.validate(contract_addr)?;
                let new_admin = self.codec.validate(admin)?;
                let outcome = self.set_admin(ctx, contract, &target, Some(new_admin))?;
                let (data, msg_responses) = proto_response(&MsgUpdateAdminResponse {});
                Ok(Dispatched {
                    events: outcome.events,
                    data,
                    msg_responses,
                })
            }
            CosmosMsg::Wasm(WasmMsg::ClearAdmin { contract_addr }) => {
                let target = self.codec.validate(contract_addr)?;
                let outcome = self.set_admin(ctx, contract, &target, None)?;
                let (data, msg_responses) = proto_response(&MsgClearAdminResponse {});
                Ok(Dispatched {
                    events: outcome.events,
                    data,
                    msg_responses,
                })
            }
            CosmosMsg::Ibc(msg) => {
                let bridge = self.ibc_bridge(|| format!("{msg:?}"))?;
                let out = bridge.execute(&self.bridge_call(&ctx.meter, contract), msg)?;
                let data = out.response.as_ref().map(|r| r.value.clone());
                Ok(Dispatched {
                    events: out.events,
                    data,
                    msg_responses: out.response.into_iter().collect(),
                })
            }
            other => Err(HostError::UnsupportedMessage(format!("{other:?}"))),
        }
    }

    /// The chain's IBC module; without one, IBC messages are unsupported.
    fn ibc_bridge(&self, what: impl FnOnce() -> String) -> Result<Rc<dyn IbcBridge>, HostError> {
        self.ibc.borrow().clone().ok_or_else(|| {
            HostError::UnsupportedMessage(format!("{}: this chain has no IBC module", what()))
        })
    }

    fn bridge_call<'a>(
        self: &'a Rc<Self>,
        meter: &'a GasMeter,
        contract: &'a Addr,
    ) -> BridgeCall<'a> {
        BridgeCall {
            contract,
            store: BranchStore::new(self.clone()),
            bank: self.bank(meter),
            codec: &self.codec,
            block: self.block.borrow().clone(),
            meter,
        }
    }

    // ---- IBC entry points ---------------------------------------------------

    /// Calls one of `contract`'s IBC entry points and runs the messages it
    /// returns (wasmd's `OnOpenChannel` … `OnTimeoutPacket`).
    pub fn ibc_entry(
        self: &Rc<Self>,
        ctx: &CallCtx,
        contract: &Addr,
        entry: IbcEntry,
    ) -> Result<IbcOutcome, HostError> {
        self.check_depth(ctx)?;
        let (raw, info, code) = self.contract_instance(&ctx.meter, contract)?;
        let env = serde_json::to_vec(&self.env(contract, true))?;
        let name = entry.name();
        let msg = match &entry {
            IbcEntry::ChannelOpen(m) => serde_json::to_vec(m),
            IbcEntry::ChannelConnect(m) => serde_json::to_vec(m),
            IbcEntry::ChannelClose(m) => serde_json::to_vec(m),
            IbcEntry::PacketReceive(m) => serde_json::to_vec(m),
            IbcEntry::PacketAck(m) => serde_json::to_vec(m),
            IbcEntry::PacketTimeout(m) => serde_json::to_vec(m),
        }?;
        self.charge_setup(&ctx.meter, info.code_id, &code.checksum, msg.len())?;
        let target = Target {
            raw: &raw,
            addr: contract,
            checksum: &code.checksum,
        };
        let meter = &ctx.meter;
        let mut outcome = IbcOutcome::default();
        let response: Response<Empty> = match entry {
            IbcEntry::ChannelOpen(_) => {
                let r: Option<cosmwasm_std::Ibc3ChannelOpenResponse> =
                    self.call_vm(meter, 0, target, name, |i| {
                        call_ibc_channel_open_raw(i, &env, &msg)
                    })?;
                outcome.version = r.map(|r| r.version);
                Response::new()
            }
            IbcEntry::PacketReceive(_) => {
                let r: cosmwasm_std::IbcReceiveResponse =
                    self.call_vm(meter, 0, target, name, |i| {
                        call_ibc_packet_receive_raw(i, &env, &msg)
                    })?;
                outcome.acknowledgement = r.acknowledgement;
                basic_response(r.messages, r.attributes, r.events)
            }
            other => {
                let r: cosmwasm_std::IbcBasicResponse =
                    self.call_vm(meter, 0, target, name, |i| match other {
                        IbcEntry::ChannelConnect(_) => call_ibc_channel_connect_raw(i, &env, &msg),
                        IbcEntry::ChannelClose(_) => call_ibc_channel_close_raw(i, &env, &msg),
                        IbcEntry::PacketAck(_) => call_ibc_packet_ack_raw(i, &env, &msg),
                        _ => call_ibc_packet_timeout_raw(i, &env, &msg),
                    })?;
                basic_response(r.messages, r.attributes, r.events)
            }
        };
        let handled = self.handle_response(ctx, contract, response)?;
        outcome.events = handled.events;
        Ok(outcome)
    }

    // ---- queries ------------------------------------------------------------

    /// A smart query of `contract` under `meter`, `query_depth` queries deep.
    pub fn query_smart(
        self: &Rc<Self>,
        meter: &Rc<GasMeter>,
        query_depth: u32,
        contract: &Addr,
        msg: &[u8],
    ) -> Result<Binary, HostError> {
        if query_depth >= self.limits.max_query_depth {
            return Err(HostError::MaxQueryDepth(self.limits.max_query_depth));
        }
        let (raw, info, code) = self.contract_instance(meter, contract)?;
        self.charge_setup(meter, info.code_id, &code.checksum, msg.len())?;
        let env = self.env(contract, false);
        let target = Target {
            raw: &raw,
            addr: contract,
            checksum: &code.checksum,
        };
        self.call_vm(meter, query_depth + 1, target, "query", |instance| {
            call_query_raw(instance, &to_vec(&env)?, msg)
        })
    }

    /// Answers a query a contract made through its querier. `Err` only when
    /// gas ran out, which aborts the querying contract.
    pub fn handle_contract_query(
        self: &Rc<Self>,
        meter: &Rc<GasMeter>,
        caller: &Addr,
        query_depth: u32,
        request: &[u8],
        vm_gas_limit: u64,
    ) -> Result<SystemResult<ContractResult<Binary>>, OutOfGas> {
        let request_value: QueryRequest<Empty> = match cosmwasm_std::from_json(request) {
            Ok(r) => r,
            Err(e) => {
                return Ok(SystemResult::Err(SystemError::InvalidRequest {
                    error: e.to_string(),
                    request: Binary::from(request),
                }))
            }
        };
        // Like wasmd, the query runs under its own meter limited by what the
        // VM allows, and its consumption is charged to the caller afterwards.
        let sub_limit = self.gas.from_vm_gas(vm_gas_limit).min(meter.remaining());
        let sub_meter = Rc::new(meter.child(sub_limit));
        let answer = self.answer_query(&sub_meter, caller, query_depth, request_value);
        meter.add_vm_gas(sub_meter.vm_gas());
        meter.consume(sub_meter.consumed())?;
        match answer {
            Err(e) if e.is_out_of_gas() => Err(OutOfGas {
                limit: meter.limit(),
                needed: meter.consumed(),
            }),
            Err(HostError::NoSuchContract(addr)) => {
                Ok(SystemResult::Err(SystemError::NoSuchContract { addr }))
            }
            Err(HostError::NoSuchCode(code_id)) => {
                Ok(SystemResult::Err(SystemError::NoSuchCode { code_id }))
            }
            Err(HostError::UnsupportedQuery(kind)) => {
                Ok(SystemResult::Err(SystemError::UnsupportedRequest { kind }))
            }
            Err(HostError::ContractFailed { message, .. }) => Ok(SystemResult::Ok(
                ContractResult::Err(format!("{message}: query wasm contract failed")),
            )),
            Err(e) => Ok(SystemResult::Ok(ContractResult::Err(e.to_string()))),
            Ok(bin) => Ok(SystemResult::Ok(ContractResult::Ok(bin))),
        }
    }

    fn answer_query(
        self: &Rc<Self>,
        meter: &Rc<GasMeter>,
        caller: &Addr,
        query_depth: u32,
        request: QueryRequest<Empty>,
    ) -> Result<Binary, HostError> {
        match request {
            QueryRequest::Bank(q) => self.answer_bank_query(meter, q),
            QueryRequest::Wasm(q) => self.answer_wasm_query(meter, query_depth, q),
            QueryRequest::Staking(q) => self.answer_staking_query(q),
            QueryRequest::Ibc(q) => {
                let bridge = self
                    .ibc_bridge(|| format!("{q:?}"))
                    .map_err(|_| HostError::UnsupportedQuery(format!("{q:?}")))?;
                bridge.query(&self.bridge_call(meter, caller), &q)
            }
            other => Err(HostError::UnsupportedQuery(format!("{other:?}"))),
        }
    }

    #[allow(deprecated)] // AllBalances is deprecated in cosmwasm-std but still answered by wasmd
    fn answer_bank_query(&self, meter: &GasMeter, q: BankQuery) -> Result<Binary, HostError> {
        let bank = self.bank(meter);
        match q {
            BankQuery::Balance { address, denom } => {
                let addr = self.codec.validate(&address)?;
                let amount = bank.balance(&addr, &denom)?;
                Ok(to_json_binary(&BalanceResponse::new(Coin::new(
                    amount, denom,
                )))?)
            }
            BankQuery::AllBalances { address } => {
                let addr = self.codec.validate(&address)?;
                Ok(to_json_binary(&AllBalanceResponse::new(
                    bank.all_balances(&addr)?,
                ))?)
            }
            BankQuery::Supply { denom } => {
                let amount = bank.supply(&denom)?;
                Ok(to_json_binary(&SupplyResponse::new(Coin::new(
                    amount, denom,
                )))?)
            }
            other => Err(HostError::UnsupportedQuery(format!("{other:?}"))),
        }
    }

    fn answer_wasm_query(
        self: &Rc<Self>,
        meter: &Rc<GasMeter>,
        query_depth: u32,
        q: WasmQuery,
    ) -> Result<Binary, HostError> {
        match q {
            WasmQuery::Smart { contract_addr, msg } => {
                let contract = self
                    .codec
                    .validate(&contract_addr)
                    .map_err(|_| HostError::NoSuchContract(contract_addr.clone()))?;
                self.query_smart(meter, query_depth, &contract, msg.as_slice())
            }
            WasmQuery::Raw { contract_addr, key } => {
                let raw = self
                    .codec
                    .canonicalize(&contract_addr)
                    .map_err(|_| HostError::NoSuchContract(contract_addr.clone()))?;
                let value = self.records(meter).contract_state(&raw, key.as_slice())?;
                Ok(Binary::from(value.unwrap_or_default()))
            }
            WasmQuery::ContractInfo { contract_addr } => {
                let contract = self
                    .codec
                    .validate(&contract_addr)
                    .map_err(|_| HostError::NoSuchContract(contract_addr.clone()))?;
                let (_, info, _) = self.contract_instance(meter, &contract)?;
                let pinned = self.records(meter).is_pinned(info.code_id)?;
                Ok(to_json_binary(&ContractInfoResponse::new(
                    info.code_id,
                    info.creator,
                    info.admin,
                    pinned,
                    None,
                ))?)
            }
            WasmQuery::CodeInfo { code_id } => {
                let code = self.records(meter).code_info(code_id)?;
                Ok(to_json_binary(&CodeInfoResponse::new(
                    code.code_id,
                    code.creator,
                    code.checksum,
                ))?)
            }
            other => Err(HostError::UnsupportedQuery(format!("{other:?}"))),
        }
    }

    /// The devnet has no staking module yet: one bonded denom, no validators, no delegations.
    fn answer_staking_query(&self, q: StakingQuery) -> Result<Binary, HostError> {
        match q {
            StakingQuery::BondedDenom {} => Ok(to_json_binary(
                &cosmwasm_std::BondedDenomResponse::new(self.bond_denom.clone()),
            )?),
            StakingQuery::AllValidators {} => {
                Ok(to_json_binary(&AllValidatorsResponse::new(vec![]))?)
            }
            StakingQuery::Validator { .. } => Ok(to_json_binary(&ValidatorResponse::new(None))?),
            StakingQuery::AllDelegations { .. } => {
                Ok(to_json_binary(&AllDelegationsResponse::new(vec![]))?)
            }
            StakingQuery::Delegation { .. } => Ok(to_json_binary(&DelegationResponse::new(None))?),
            other => Err(HostError::UnsupportedQuery(format!("{other:?}"))),
        }
    }

    // ---- transactions -------------------------------------------------------

    /// Runs `f` as one transaction: in a fresh branch under a fresh meter,
    /// committed only when it succeeds within its gas.
    pub fn run_tx<T>(
        self: &Rc<Self>,
        gas_limit: u64,
        f: impl FnOnce(&CallCtx) -> Result<T, HostError>,
    ) -> (Result<T, HostError>, GasUsage) {
        let outcome = self.run_atomic(gas_limit, f);
        self.block.borrow_mut().tx_index += 1;
        outcome
    }

    /// Runs `f` atomically (commit on success, discard on failure) without
    /// counting it as a transaction of the block: genesis and admin actions.
    pub fn run_atomic<T>(
        self: &Rc<Self>,
        gas_limit: u64,
        f: impl FnOnce(&CallCtx) -> Result<T, HostError>,
    ) -> (Result<T, HostError>, GasUsage) {
        let ctx = CallCtx {
            meter: Rc::new(GasMeter::for_tx(gas_limit)),
            depth: 0,
        };
        let depth_before = self.state.borrow().depth();
        self.state.borrow_mut().branch();
        let result = match f(&ctx) {
            Ok(_) if ctx.meter.is_out_of_gas() => Err(HostError::OutOfGas(OutOfGas {
                limit: ctx.meter.limit(),
                needed: ctx.meter.consumed(),
            })),
            other => other,
        };
        {
            let mut state = self.state.borrow_mut();
            if result.is_ok() {
                state.commit_branch();
            } else {
                state.discard_branch();
            }
            debug_assert_eq!(state.depth(), depth_before, "a branch was left open");
        }
        (result, ctx.meter.usage())
    }
}
