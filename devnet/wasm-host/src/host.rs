//! [`WasmHost`]: the public face of the wasm and bank modules.
//!
//! Transactions go through [`WasmHost::apply`], one [`HostMsg`] under one SDK
//! gas limit, which is what the devnet node's message router will call. The
//! convenience methods (`store_code`, `instantiate`, `execute`, …) wrap it with
//! the configured default gas limit for tests and tools.

use std::cell::RefCell;
use std::collections::HashSet;
use std::path::PathBuf;
use std::rc::Rc;

use cosmwasm_std::{from_json, to_json_vec, Addr, Binary, Coin, Event, Timestamp, Uint128};
use cosmwasm_vm::{Cache, CacheOptions, Size};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::address::{AddressCodec, HostApi};
use crate::engine::{AddressMode, BlockContext, CallCtx, Engine, InstantiateRequest, Limits};
use crate::error::HostError;
use crate::events;
use crate::gas::{GasConfig, GasMeter, GasUsage};
use crate::records::{CodeId, CodeInfo, ContractInfo};
use crate::store::{KvStore, MemStore, StateStack};

/// The capabilities wasmd 0.5x (wasmvm 2.2) offers contracts.
pub const CAPABILITIES: &[&str] = &[
    "iterator",
    "staking",
    "stargate",
    "cosmwasm_1_1",
    "cosmwasm_1_2",
    "cosmwasm_1_3",
    "cosmwasm_1_4",
    "cosmwasm_2_0",
    "cosmwasm_2_1",
    "cosmwasm_2_2",
];

/// How a host is set up.
#[derive(Clone, Debug)]
pub struct HostConfig {
    pub chain_id: String,
    pub bech32_prefix: String,
    /// The staking denom answered to `BondedDenom` queries (and the devnet's fee denom).
    pub bond_denom: String,
    /// Where compiled modules are cached; a fresh temporary directory when `None`.
    pub cache_dir: Option<PathBuf>,
    pub gas: GasConfig,
    pub limits: Limits,
    /// SDK gas limit of the convenience methods' transactions.
    pub default_gas_limit: u64,
    pub initial_height: u64,
    pub genesis_time: Timestamp,
    /// In-memory module cache size (wasmd default 100 MiB).
    pub memory_cache_mib: u32,
    /// Memory limit of one contract instance (wasmd default 32 MiB).
    pub instance_memory_mib: u32,
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig {
            chain_id: "starminer-devnet-1".to_string(),
            bech32_prefix: "starminer".to_string(),
            bond_denom: "ustar".to_string(),
            cache_dir: None,
            gas: GasConfig::default(),
            limits: Limits::default(),
            default_gas_limit: 100_000_000,
            initial_height: 1,
            // 2025-01-01T00:00:00Z
            genesis_time: Timestamp::from_seconds(1_735_689_600),
            memory_cache_mib: 100,
            instance_memory_mib: 32,
        }
    }
}

/// One message of the wasm or bank module, as a transaction carries it
/// (`cosmwasm.wasm.v1.Msg*`, `cosmos.bank.v1beta1.MsgSend`). Contract
/// messages are raw JSON.
#[derive(Clone, Debug)]
pub enum HostMsg {
    StoreCode {
        sender: Addr,
        wasm: Vec<u8>,
    },
    Instantiate {
        sender: Addr,
        code_id: CodeId,
        msg: Binary,
        funds: Vec<Coin>,
        label: String,
        admin: Option<Addr>,
    },
    Instantiate2 {
        sender: Addr,
        code_id: CodeId,
        msg: Binary,
        funds: Vec<Coin>,
        label: String,
        admin: Option<Addr>,
        salt: Binary,
    },
    Execute {
        sender: Addr,
        contract: Addr,
        msg: Binary,
        funds: Vec<Coin>,
    },
    Migrate {
        sender: Addr,
        contract: Addr,
        code_id: CodeId,
        msg: Binary,
    },
    UpdateAdmin {
        sender: Addr,
        contract: Addr,
        new_admin: Addr,
    },
    ClearAdmin {
        sender: Addr,
        contract: Addr,
    },
    BankSend {
        from: Addr,
        to: Addr,
        amount: Vec<Coin>,
    },
}

/// A successful message: its events in emission order and its result.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExecResult {
    pub events: Vec<Event>,
    /// The contract's result data (a reply's data when a reply set one).
    pub data: Option<Binary>,
    pub gas: GasUsage,
    /// Set by `StoreCode`.
    pub code_id: Option<CodeId>,
    /// Set by `Instantiate` / `Instantiate2`.
    pub contract: Option<Addr>,
}

impl ExecResult {
    /// Every event of type `ty`, in order.
    pub fn events_of<'a>(&'a self, ty: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
        self.events.iter().filter(move |e| e.ty == ty)
    }

    /// The value of `key` in the first event of type `ty` that has it.
    pub fn attribute<'a>(&'a self, ty: &str, key: &str) -> Option<&'a str> {
        self.events
            .iter()
            .filter(|e| e.ty == ty)
            .flat_map(|e| e.attributes.iter())
            .find(|a| a.key == key)
            .map(|a| a.value.as_str())
    }
}

/// The outcome of one transaction: success or failure, and the gas either spent.
#[derive(Debug)]
pub struct TxOutcome {
    pub result: Result<ExecResult, HostError>,
    pub gas: GasUsage,
}

/// Runs real CosmWasm contracts with wasmd's semantics over an in-memory state.
pub struct WasmHost {
    engine: Rc<Engine>,
    default_gas_limit: u64,
    // Kept alive for as long as the cache uses it.
    _cache_dir: Option<tempfile::TempDir>,
}

impl WasmHost {
    /// A host with the default configuration (`starminer-devnet-1`, prefix `starminer`).
    pub fn new() -> Result<Self, HostError> {
        Self::with_config(HostConfig::default())
    }

    pub fn with_config(config: HostConfig) -> Result<Self, HostError> {
        Self::with_store(config, Box::new(MemStore::new()))
    }

    /// A host over a given committed store (the node passes its persistent one).
    pub fn with_store(config: HostConfig, store: Box<dyn KvStore>) -> Result<Self, HostError> {
        let codec = AddressCodec::new(&config.bech32_prefix)?;
        let (cache_dir, temp) = match &config.cache_dir {
            Some(dir) => (dir.clone(), None),
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("starminer-wasm-cache-")
                    .tempdir()
                    .map_err(|e| HostError::Cache(e.to_string()))?;
                (temp.path().to_path_buf(), Some(temp))
            }
        };
        let capabilities: HashSet<String> = CAPABILITIES.iter().map(|c| c.to_string()).collect();
        let options = CacheOptions::new(
            cache_dir,
            capabilities,
            Size::mebi(config.memory_cache_mib as usize),
            Size::mebi(config.instance_memory_mib as usize),
        );
        // SAFETY: the cache directory is private to this host (a fresh temp dir,
        // or the node's own data dir), so the modules it loads are ones it compiled.
        let cache = unsafe { Cache::new(options) }.map_err(|e| HostError::Cache(e.to_string()))?;
        let engine = Engine {
            cache,
            state: RefCell::new(StateStack::new(store)),
            api: HostApi::new(codec.clone()),
            codec,
            gas: config.gas,
            limits: config.limits,
            block: RefCell::new(BlockContext {
                chain_id: config.chain_id,
                height: config.initial_height,
                time: config.genesis_time,
                tx_index: 0,
            }),
            bond_denom: config.bond_denom,
            ibc: RefCell::new(None),
        };
        Ok(WasmHost {
            engine: Rc::new(engine),
            default_gas_limit: config.default_gas_limit,
            _cache_dir: temp,
        })
    }

    // ---- chain context ------------------------------------------------------

    pub fn block(&self) -> BlockContext {
        self.engine.block.borrow().clone()
    }

    pub fn chain_id(&self) -> String {
        self.engine.block.borrow().chain_id.clone()
    }

    /// Sets the block context the next transactions run in. The devnet node
    /// drives heights, block times and transaction indexes itself.
    pub fn set_block(&self, block: BlockContext) {
        *self.engine.block.borrow_mut() = block;
    }

    /// Moves to the next block, `seconds` later.
    pub fn next_block(&self, seconds: u64) {
        let mut block = self.engine.block.borrow_mut();
        block.height += 1;
        block.time = block.time.plus_seconds(seconds);
        block.tx_index = 0;
    }

    /// Advances `blocks` blocks of `block_seconds` each.
    pub fn advance_blocks(&self, blocks: u64, block_seconds: u64) {
        for _ in 0..blocks {
            self.next_block(block_seconds);
        }
    }

    pub fn gas_config(&self) -> &GasConfig {
        &self.engine.gas
    }

    /// Read-only view of the committed state, e.g. for exports and proofs.
    pub fn with_committed_state<T>(&self, f: impl FnOnce(&dyn KvStore) -> T) -> T {
        f(self.engine.state.borrow().committed())
    }

    // ---- addresses ----------------------------------------------------------

    /// A deterministic account address for a name (sha256 of the name, 20 bytes).
    pub fn addr_make(&self, name: &str) -> Addr {
        self.engine.codec.account_from_seed(name)
    }

    pub fn addr_validate(&self, address: &str) -> Result<Addr, HostError> {
        self.engine.codec.validate(address)
    }

    pub fn address_codec(&self) -> &AddressCodec {
        &self.engine.codec
    }

    // ---- transactions -------------------------------------------------------

    /// Executes one message as a transaction under `gas_limit` SDK gas: all
    /// its state changes commit together, or none do.
    pub fn apply(&self, msg: HostMsg, gas_limit: u64) -> TxOutcome {
        let engine = &self.engine;
        let (result, gas) = engine.run_tx(gas_limit, |ctx| self.dispatch(ctx, msg));
        TxOutcome {
            result: result.map(|mut r| {
                r.gas = gas;
                r
            }),
            gas,
        }
    }

    fn dispatch(&self, ctx: &CallCtx, msg: HostMsg) -> Result<ExecResult, HostError> {
        let engine = &self.engine;
        let mut result = ExecResult::default();
        match msg {
            HostMsg::StoreCode { sender, wasm } => {
                let (code_id, event) = self.store_code_in(ctx, &sender, &wasm)?;
                result.code_id = Some(code_id);
                result.events.push(event);
            }
            HostMsg::Instantiate {
                sender,
                code_id,
                msg,
                funds,
                label,
                admin,
            } => {
                let (addr, outcome) = engine.instantiate(
                    ctx,
                    InstantiateRequest {
                        sender: &sender,
                        code_id,
                        msg: msg.as_slice(),
                        funds: &funds,
                        label: &label,
                        admin,
                        address: AddressMode::Classic,
                    },
                )?;
                result.contract = Some(addr);
                result.events = outcome.events;
                result.data = outcome.data;
            }
            HostMsg::Instantiate2 {
                sender,
                code_id,
                msg,
                funds,
                label,
                admin,
                salt,
            } => {
                let (addr, outcome) = engine.instantiate(
                    ctx,
                    InstantiateRequest {
                        sender: &sender,
                        code_id,
                        msg: msg.as_slice(),
                        funds: &funds,
                        label: &label,
                        admin,
                        address: AddressMode::Predictable {
                            salt: salt.as_slice(),
                        },
                    },
                )?;
                result.contract = Some(addr);
                result.events = outcome.events;
                result.data = outcome.data;
            }
            HostMsg::Execute {
                sender,
                contract,
                msg,
                funds,
            } => {
                let outcome = engine.execute(ctx, &sender, &contract, msg.as_slice(), &funds)?;
                result.events = outcome.events;
                result.data = outcome.data;
            }
            HostMsg::Migrate {
                sender,
                contract,
                code_id,
                msg,
            } => {
                let outcome = engine.migrate(ctx, &sender, &contract, code_id, msg.as_slice())?;
                result.events = outcome.events;
                result.data = outcome.data;
            }
            HostMsg::UpdateAdmin {
                sender,
                contract,
                new_admin,
            } => {
                result.events = engine
                    .set_admin(ctx, &sender, &contract, Some(new_admin))?
                    .events;
            }
            HostMsg::ClearAdmin { sender, contract } => {
                result.events = engine.set_admin(ctx, &sender, &contract, None)?.events;
            }
            HostMsg::BankSend { from, to, amount } => {
                if amount.is_empty() {
                    return Err(HostError::InvalidCoins("empty amount".to_string()));
                }
                result.events = engine.bank(&ctx.meter).send(&from, &to, &amount)?;
            }
        }
        Ok(result)
    }

    fn store_code_in(
        &self,
        ctx: &CallCtx,
        sender: &Addr,
        wasm: &[u8],
    ) -> Result<(CodeId, Event), HostError> {
        let engine = &self.engine;
        let limit = engine.limits.max_code_size;
        if wasm.len() > limit {
            return Err(HostError::CodeTooLarge {
                size: wasm.len(),
                limit,
            });
        }
        ctx.meter.consume(
            engine
                .gas
                .compile_cost_per_byte
                .saturating_mul(wasm.len() as u64),
        )?;
        // Static checks (imports, exports, capabilities, limits), compilation and persistence.
        let checksum = engine
            .cache
            .store_code(wasm, true, true)
            .map_err(|e| HostError::InvalidCode(e.to_string()))?;
        debug_assert_eq!(checksum.as_slice(), &Sha256::digest(wasm)[..]);
        let report = engine
            .cache
            .analyze(&checksum)
            .map_err(|e| HostError::Cache(e.to_string()))?;
        let records = engine.records(&ctx.meter);
        let code_id = records.next_code_id()?;
        records.save_code_info(&CodeInfo {
            code_id,
            checksum,
            creator: sender.clone(),
            size: wasm.len() as u64,
        })?;
        let capabilities: Vec<String> = report.required_capabilities.into_iter().collect();
        Ok((
            code_id,
            events::store_code_event(&checksum.to_hex(), code_id, &capabilities),
        ))
    }

    fn apply_default(&self, msg: HostMsg) -> Result<ExecResult, HostError> {
        self.apply(msg, self.default_gas_limit).result
    }

    /// Stores Wasm code; returns its code id.
    pub fn store_code(&self, sender: &Addr, wasm: &[u8]) -> Result<CodeId, HostError> {
        let r = self.apply_default(HostMsg::StoreCode {
            sender: sender.clone(),
            wasm: wasm.to_vec(),
        })?;
        Ok(r.code_id.expect("store code sets the code id"))
    }

    /// Instantiates `code_id` at wasmd's classic address.
    pub fn instantiate(
        &self,
        sender: &Addr,
        code_id: CodeId,
        msg: &impl Serialize,
        funds: &[Coin],
        label: &str,
        admin: Option<&Addr>,
    ) -> Result<(Addr, ExecResult), HostError> {
        let r = self.apply_default(HostMsg::Instantiate {
            sender: sender.clone(),
            code_id,
            msg: Binary::from(to_json_vec(msg)?),
            funds: funds.to_vec(),
            label: label.to_string(),
            admin: admin.cloned(),
        })?;
        let addr = r.contract.clone().expect("instantiate sets the contract");
        Ok((addr, r))
    }

    /// Instantiates `code_id` at the predictable instantiate2 address for `salt`.
    #[allow(clippy::too_many_arguments)]
    pub fn instantiate2(
        &self,
        sender: &Addr,
        code_id: CodeId,
        msg: &impl Serialize,
        funds: &[Coin],
        label: &str,
        admin: Option<&Addr>,
        salt: &[u8],
    ) -> Result<(Addr, ExecResult), HostError> {
        let r = self.apply_default(HostMsg::Instantiate2 {
            sender: sender.clone(),
            code_id,
            msg: Binary::from(to_json_vec(msg)?),
            funds: funds.to_vec(),
            label: label.to_string(),
            admin: admin.cloned(),
            salt: Binary::from(salt),
        })?;
        let addr = r.contract.clone().expect("instantiate2 sets the contract");
        Ok((addr, r))
    }

    /// Executes `msg` on `contract`, sending `funds` first.
    pub fn execute(
        &self,
        sender: &Addr,
        contract: &Addr,
        msg: &impl Serialize,
        funds: &[Coin],
    ) -> Result<ExecResult, HostError> {
        self.apply_default(HostMsg::Execute {
            sender: sender.clone(),
            contract: contract.clone(),
            msg: Binary::from(to_json_vec(msg)?),
            funds: funds.to_vec(),
        })
    }

    /// Migrates `contract` to `new_code_id`; only its admin may.
    pub fn migrate(
        &self,
        sender: &Addr,
        contract: &Addr,
        new_code_id: CodeId,
        msg: &impl Serialize,
    ) -> Result<ExecResult, HostError> {
        self.apply_default(HostMsg::Migrate {
            sender: sender.clone(),
            contract: contract.clone(),
            code_id: new_code_id,
            msg: Binary::from(to_json_vec(msg)?),
        })
    }

    pub fn update_admin(
        &self,
        sender: &Addr,
        contract: &Addr,
        new_admin: &Addr,
    ) -> Result<ExecResult, HostError> {
        self.apply_default(HostMsg::UpdateAdmin {
            sender: sender.clone(),
            contract: contract.clone(),
            new_admin: new_admin.clone(),
        })
    }

    pub fn clear_admin(&self, sender: &Addr, contract: &Addr) -> Result<ExecResult, HostError> {
        self.apply_default(HostMsg::ClearAdmin {
            sender: sender.clone(),
            contract: contract.clone(),
        })
    }

    /// A bank `MsgSend`.
    pub fn bank_send(
        &self,
        from: &Addr,
        to: &Addr,
        amount: &[Coin],
    ) -> Result<ExecResult, HostError> {
        self.apply_default(HostMsg::BankSend {
            from: from.clone(),
            to: to.clone(),
            amount: amount.to_vec(),
        })
    }

    /// Pins a code in the module cache: its instances then cost no instance gas.
    pub fn pin_code(&self, code_id: CodeId) -> Result<Event, HostError> {
        let engine = &self.engine;
        let (result, _) = engine.run_atomic(u64::MAX, |ctx| {
            let records = engine.records(&ctx.meter);
            let code = records.code_info(code_id)?;
            engine
                .cache
                .pin(&code.checksum)
                .map_err(|e| HostError::Cache(e.to_string()))?;
            records.set_pinned(code_id, true)?;
            Ok(events::pin_code_event(code_id))
        });
        result
    }

    // ---- IBC ----------------------------------------------------------------

    /// Installs the chain's IBC module, which runs contracts' `IbcMsg`s and
    /// answers their `IbcQuery`s (without one both are unsupported).
    pub fn set_ibc_bridge(&self, bridge: Rc<dyn crate::ibc::IbcBridge>) {
        *self.engine.ibc.borrow_mut() = Some(bridge);
    }

    /// The contract bound to `port` (`wasm.<address>`): one that exists and
    /// whose code exports the IBC entry points, as wasmd binds a port at
    /// instantiation.
    pub fn ibc_contract(&self, port: &str) -> Option<Addr> {
        let address = port.strip_prefix(crate::ibc::PORT_PREFIX)?;
        let engine = &self.engine;
        let meter = GasMeter::new(u64::MAX);
        let raw = engine.codec.canonicalize(address).ok()?;
        let addr = Addr::unchecked(address);
        let records = engine.records(&meter);
        let info = records.contract_info(&raw, &addr).ok()?;
        let code = records.code_info(info.code_id).ok()?;
        let report = engine.cache.analyze(&code.checksum).ok()?;
        report.has_ibc_entry_points.then_some(addr)
    }

    /// Calls one of `contract`'s IBC entry points under `gas_limit`: the
    /// contract's writes and those of the messages it returns commit
    /// together, or (on an error) none do.
    pub fn ibc_call(
        &self,
        contract: &Addr,
        entry: crate::ibc::IbcEntry,
        gas_limit: u64,
    ) -> (Result<crate::ibc::IbcOutcome, HostError>, GasUsage) {
        let engine = &self.engine;
        engine.run_atomic(gas_limit, |ctx| engine.ibc_entry(ctx, contract, entry))
    }

    /// Runs another module's bank operations (ICS-20's escrow, mint and
    /// burn) atomically under a gas meter of the bank's KV costs.
    pub fn bank_op<T>(
        &self,
        f: impl FnOnce(&crate::bank::Bank) -> Result<T, HostError>,
    ) -> (Result<T, HostError>, GasUsage) {
        let engine = &self.engine;
        engine.run_atomic(u64::MAX, |ctx| f(&engine.bank(&ctx.meter)))
    }

    /// Credits native coins out of thin air, increasing the supply: genesis funding.
    pub fn mint_native(&self, to: &Addr, coins: &[Coin]) -> Result<(), HostError> {
        let engine = &self.engine;
        let (result, _) = engine.run_atomic(u64::MAX, |ctx| {
            engine.bank(&ctx.meter).mint(to, coins).map(|_| ())
        });
        result
    }

    // ---- queries ------------------------------------------------------------

    fn query_meter(&self) -> Rc<GasMeter> {
        Rc::new(GasMeter::new(self.engine.limits.query_gas_limit))
    }

    /// A smart query with raw JSON in and out.
    pub fn query_smart_raw(&self, contract: &Addr, msg: &[u8]) -> Result<Binary, HostError> {
        self.engine
            .query_smart(&self.query_meter(), 0, contract, msg)
    }

    /// A smart query, typed.
    pub fn query_smart<T: DeserializeOwned>(
        &self,
        contract: &Addr,
        msg: &impl Serialize,
    ) -> Result<T, HostError> {
        let bin = self.query_smart_raw(contract, &to_json_vec(msg)?)?;
        Ok(from_json(&bin)?)
    }

    /// A raw read of a contract's storage (wasmd `RawContractState`).
    pub fn query_raw(&self, contract: &Addr, key: &[u8]) -> Result<Option<Vec<u8>>, HostError> {
        let raw = self
            .engine
            .codec
            .canonicalize(contract.as_str())
            .map_err(|_| HostError::NoSuchContract(contract.to_string()))?;
        let meter = GasMeter::new(u64::MAX);
        let records = self.engine.records(&meter);
        records.contract_info(&raw, contract)?;
        records.contract_state(&raw, key)
    }

    pub fn contract_info(&self, contract: &Addr) -> Result<ContractInfo, HostError> {
        let raw = self
            .engine
            .codec
            .canonicalize(contract.as_str())
            .map_err(|_| HostError::NoSuchContract(contract.to_string()))?;
        self.engine
            .records(&GasMeter::new(u64::MAX))
            .contract_info(&raw, contract)
    }

    pub fn code_info(&self, code_id: CodeId) -> Result<CodeInfo, HostError> {
        self.engine
            .records(&GasMeter::new(u64::MAX))
            .code_info(code_id)
    }

    pub fn bank_balance(&self, address: &Addr, denom: &str) -> Result<Uint128, HostError> {
        self.engine
            .bank(&GasMeter::new(u64::MAX))
            .balance(address, denom)
    }

    pub fn bank_all_balances(&self, address: &Addr) -> Result<Vec<Coin>, HostError> {
        self.engine
            .bank(&GasMeter::new(u64::MAX))
            .all_balances(address)
    }

    pub fn bank_supply(&self, denom: &str) -> Result<Uint128, HostError> {
        self.engine.bank(&GasMeter::new(u64::MAX)).supply(denom)
    }
}
