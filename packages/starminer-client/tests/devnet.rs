//! The SDK against a real devnet: keys, bank send, sequence recovery, the
//! full deployment from `artifacts/` (and its idempotence), typed queries of
//! every contract, a governance proposal, a job submitted and cancelled with
//! its lifecycle events decoded.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use cosmwasm_std::{Addr, Timestamp, Uint128, Uint64};
use cw20::Cw20Coin;
use starminer_client::deploy::{deploy_contracts, register_templates, DeployStep};
use starminer_client::interfaces::job_market as jm;
use starminer_client::interfaces::market::{
    Determinism, JobClass, UnitFormula, Urgency, VerificationMode,
};
use starminer_client::subscribe::JobEventSubscription;
use starminer_client::{JobAction, Key, Manifest, Starminer, TxError, Wallet};
use starminer_deploy::{Contract, DeployConfig, UNIT};

fn template() -> jm::Template {
    jm::Template {
        id: "render.test".into(),
        class: JobClass::Render,
        kernel_sha256: "ab".repeat(32),
        unit_formula: UnitFormula {
            params: vec!["width".into(), "height".into()],
            factor: 1,
            divisor: 100,
        },
        chunk_size: 256,
        determinism: Determinism::Exact,
        max_seconds_per_unit: "0.01".parse().unwrap(),
        min_hardware: jm::HardwareRequirements {
            min_tier: 1,
            min_device_memory: Uint64::new(1_000_000),
            min_compute_units: 1,
        },
        enabled: true,
    }
}

fn spec(deadline: u64) -> jm::JobSpec {
    jm::JobSpec {
        template: "render.test".into(),
        params: vec![
            jm::JobParam {
                name: "width".into(),
                value: 200,
            },
            jm::JobParam {
                name: "height".into(),
                value: 100,
            },
        ],
        input: jm::JobInput::Inline {
            data: Default::default(),
        },
        requirements: jm::JobRequirements {
            min_tier: 1,
            min_device_memory: Uint64::new(1_000_000),
            min_compute_units: 1,
            zone: "eu-west".into(),
            urgency: Urgency::Normal,
            latency: jm::LatencyClass::Regional,
        },
        max_price: Uint128::new(1_000 * UNIT),
        deadline: Timestamp::from_seconds(deadline),
        verification: VerificationMode::None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sdk_drives_a_devnet_from_keys_to_jobs() {
    let net = Devnet::start(3).await;
    let chain = net.client();
    assert_eq!(
        chain.check_chain_id().await.unwrap().chain_id,
        "starminer-devnet-1"
    );

    // Keys: our derivation gives the devnet's own addresses.
    for d in &net.devs {
        let key = Key::from_mnemonic(&d.mnemonic).unwrap();
        assert_eq!(key.address("starminer").unwrap(), d.address, "{}", d.name);
    }
    let deployer = Wallet::from_mnemonic(chain.clone(), &net.devs[0].mnemonic).unwrap();
    let requester = Wallet::from_mnemonic(chain.clone(), &net.devs[1].mnemonic).unwrap();

    // Bank send to a fresh key, which then exists and can send back.
    let (fresh_key, _) = Key::generate().unwrap();
    let fresh = Wallet::new(chain.clone(), fresh_key).unwrap();
    assert!(chain.account(fresh.address()).await.unwrap().is_none());
    let err = fresh
        .send(deployer.address(), 1, "ustar")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    let tx = deployer
        .send(fresh.address(), 5_000_000, "ustar")
        .await
        .unwrap();
    assert!(tx.height > 0 && tx.gas_used > 0 && tx.gas_used <= tx.gas_wanted);
    assert_eq!(
        chain.balance(fresh.address(), "ustar").await.unwrap(),
        5_000_000
    );
    fresh
        .send(deployer.address(), 1_000, "ustar")
        .await
        .unwrap();
    let left = chain.balance(fresh.address(), "ustar").await.unwrap();
    assert!(left < 5_000_000 - 1_000, "the fee was paid: {left}");

    // Sequence recovery: a second wallet on the same key holds a stale
    // sequence after the first one sends; its next send must still go through.
    let twin = Wallet::from_mnemonic(chain.clone(), &net.devs[2].mnemonic).unwrap();
    let first = Wallet::from_mnemonic(chain.clone(), &net.devs[2].mnemonic).unwrap();
    let seq = twin.next_sequence().await.unwrap();
    first.send(fresh.address(), 1, "ustar").await.unwrap();
    twin.send(fresh.address(), 1, "ustar").await.unwrap();
    let acc = chain.account(twin.address()).await.unwrap().unwrap();
    assert_eq!(acc.sequence, seq + 2);
    // Several transactions of one wallet in flight at once.
    let hashes = futures_join(&first, fresh.address()).await;
    for h in hashes {
        assert!(chain.wait_for_tx(&h).await.unwrap().is_ok());
    }

    // A failing transaction is a typed Deliver/CheckTx error, not a panic.
    let err = deployer
        .execute(deployer.address(), &serde_json::json!({"x": {}}), vec![])
        .await
        .unwrap_err();
    assert!(err.downcast_ref::<TxError>().is_some(), "{err:#}");

    // Deploy everything from artifacts/.
    let mut config = DeployConfig::devnet(
        &Addr::unchecked(deployer.address()),
        vec![Cw20Coin {
            address: deployer.address().into(),
            amount: Uint128::new(1_000_000 * UNIT),
        }],
        vec![
            Cw20Coin {
                address: deployer.address().into(),
                amount: Uint128::new(1_000_000 * UNIT),
            },
            Cw20Coin {
                address: requester.address().into(),
                amount: Uint128::new(10_000 * UNIT),
            },
        ],
    );
    config.governance.voting_period = 3;
    config.governance.timelock = 1;
    let dir = tempfile::tempdir().unwrap();
    let manifest_path = dir.path().join("manifest.json");
    let mut manifest = Manifest::default();
    let steps = Arc::new(Mutex::new(Vec::new()));
    let log = steps.clone();
    let deployment = deploy_contracts(
        &deployer,
        &artifacts_dir(),
        &config,
        &mut manifest,
        Some(&manifest_path),
        move |s| log.lock().unwrap().push(s),
    )
    .await
    .unwrap();
    let saved = Manifest::load(&manifest_path).unwrap();
    assert_eq!(saved, manifest);
    let d = saved.chain("starminer-devnet-1").unwrap();
    assert!(d.is_complete());
    assert_eq!(d.addresses().unwrap(), deployment.addresses);
    assert_eq!(d.codes.len(), 7);
    assert!(steps.lock().unwrap().iter().all(|s| !is_skipped(s)));

    // Deploying again does nothing and finds the same contracts.
    let again_steps = Arc::new(Mutex::new(Vec::new()));
    let log = again_steps.clone();
    let again = deploy_contracts(
        &deployer,
        &artifacts_dir(),
        &config,
        &mut manifest,
        Some(&manifest_path),
        move |s| log.lock().unwrap().push(s),
    )
    .await
    .unwrap();
    assert_eq!(again.addresses, deployment.addresses);
    let again_steps = again_steps.lock().unwrap().clone();
    assert_eq!(again_steps.len(), steps.lock().unwrap().len());
    assert!(again_steps.iter().all(is_skipped), "{again_steps:?}");

    // Typed queries of every contract.
    let sm = Starminer::from_manifest(chain.clone(), &manifest).unwrap();
    assert_eq!(sm.agpu().token_info().await.unwrap().symbol, "AGPU");
    assert_eq!(
        sm.amax().balance(deployer.address()).await.unwrap(),
        1_000_000 * UNIT
    );
    assert_eq!(
        sm.agpu().balance(requester.address()).await.unwrap(),
        10_000 * UNIT
    );
    assert_eq!(
        sm.governance().config().await.unwrap().params.voting_period,
        3
    );
    assert_eq!(
        sm.registry().config().await.unwrap().governance.as_str(),
        deployment.addresses.governance.as_str()
    );
    assert_eq!(sm.pricing().prices().await.unwrap().tiers.len(), 4);
    assert_eq!(sm.incentives().current_epoch().await.unwrap().epoch, 0);
    assert_eq!(sm.job_market().zones().await.unwrap().len(), 8);
    assert!(sm.job_market().templates().await.unwrap().is_empty());
    let admin = chain
        .contract_info(deployment.addresses.of(Contract::JobMarket).as_str())
        .await
        .unwrap()
        .unwrap()
        .admin;
    assert_eq!(admin, deployment.addresses.governance.as_str());

    // A template through the governance flow; a second run has nothing to do.
    let registered = register_templates(
        &sm,
        &deployer,
        &[template()],
        100_000 * UNIT,
        &mut manifest,
        Some(&manifest_path),
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(registered, ["render.test"]);
    assert_eq!(
        sm.job_market().template("render.test").await.unwrap(),
        Some(template())
    );
    let none = register_templates(
        &sm,
        &deployer,
        &[template()],
        0,
        &mut manifest,
        None,
        |_| {},
    )
    .await
    .unwrap();
    assert!(none.is_empty());
    assert!(Manifest::load(&manifest_path)
        .unwrap()
        .chain("starminer-devnet-1")
        .unwrap()
        .templates
        .contains("render.test"));

    // A job: too little AGPU says how much is missing; then submit, decode, cancel.
    let now = chain.status().await.unwrap().time;
    let poor = sm
        .submit_job(&fresh, 5 * UNIT, spec(now + 3600))
        .await
        .unwrap_err();
    assert!(poor.to_string().contains("5 AGPU is missing"), "{poor}");
    let mut live = JobEventSubscription::open(chain.config(), sm.addresses().job_market.as_str())
        .await
        .unwrap();
    let before = sm.agpu().balance(requester.address()).await.unwrap();
    let (job_id, tx) = sm
        .submit_job(&requester, 100 * UNIT, spec(now + 3600))
        .await
        .unwrap();
    let events = tx.job_events(Some(sm.addresses().job_market.as_str()));
    let submitted = events
        .iter()
        .find(|e| e.action == JobAction::Submitted)
        .expect("a job_submitted event");
    assert_eq!(submitted.job_id, job_id);
    assert_eq!(submitted.status, Some(jm::JobStatus::Open));
    assert_eq!(submitted.actor.as_deref(), Some(requester.address()));
    let batch = tokio::time::timeout(std::time::Duration::from_secs(20), live.next())
        .await
        .expect("the subscription delivers the submission")
        .unwrap()
        .unwrap();
    assert_eq!(batch.height, tx.height);
    assert_eq!(&batch.events, &events);
    live.close().await;
    let job = sm.job_market().job(job_id).await.unwrap();
    assert_eq!(job.job.status, jm::JobStatus::Open);
    assert_eq!(job.job.units, Uint128::new(200));
    assert_eq!(submitted.detail_u128("total"), Some(job.job.escrow.u128()));
    assert_eq!(
        sm.agpu().balance(requester.address()).await.unwrap(),
        before - job.job.escrow.u128(),
        "the excess over the quote is refunded at once"
    );
    let mine = sm
        .job_market()
        .jobs_by_requester(requester.address(), None, None)
        .await
        .unwrap();
    assert_eq!(mine.iter().map(|j| j.id).collect::<Vec<_>>(), [job_id]);

    let tx = sm.job_market().cancel(&requester, job_id).await.unwrap();
    let cancelled = tx.job_events(None);
    assert_eq!(cancelled.len(), 1);
    assert_eq!(cancelled[0].action, JobAction::Cancelled);
    assert_eq!(cancelled[0].status, Some(jm::JobStatus::Cancelled));
    // All comes back but the cancel fee (the deployment's rate of the
    // escrow, rounded up, kept by the treasury).
    let fee = job
        .job
        .escrow
        .mul_ceil(starminer_deploy::market_params().cancel_fee_rate)
        .u128();
    assert!(fee > 0);
    assert_eq!(
        sm.agpu().balance(requester.address()).await.unwrap(),
        before - fee
    );
    let history = sm.job_market().job(job_id).await.unwrap().history;
    let actions: Vec<_> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["job_submitted", "cancelled"]);
}

fn is_skipped(s: &DeployStep) -> bool {
    match s {
        DeployStep::Stored { skipped, .. }
        | DeployStep::Instantiated { skipped, .. }
        | DeployStep::Executed { skipped, .. } => *skipped,
    }
}

/// Broadcasts three sends from one wallet without waiting in between.
async fn futures_join(w: &Wallet, to: &str) -> Vec<String> {
    let send = |i: u128| {
        let w = w.clone();
        let to = to.to_string();
        async move {
            let msg = cosmrs::bank::MsgSend {
                from_address: w.account_id().clone(),
                to_address: to.parse().unwrap(),
                amount: vec![starminer_client::wallet::coin(i, "ustar").unwrap()],
            };
            use cosmrs::tx::Msg;
            w.broadcast(vec![msg.to_any().unwrap()], "").await.unwrap()
        }
    };
    let (a, b, c) = tokio::join!(send(1), send(2), send(3));
    vec![a, b, c]
}
