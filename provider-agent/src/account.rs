//! The agent's on-chain account, on the SDK (`starminer-client`): its
//! signing wallet, the typed contract clients of the deployment named by the
//! manifest, and the few queries and messages the agent sends. Nothing here
//! signs or encodes a transaction itself; the RPC client, pagination and
//! block following are the SDK's.

use std::path::Path;

use anyhow::{Context, Result};
use starminer_client::{
    collect_pages, ChainClient, Key, Keystore, Manifest, Page, Starminer, TxOutcome, Wallet,
    MAX_PAGE,
};
use starminer_interfaces::job_market::{self as jm, Job, JobStatus};
use starminer_interfaces::market::VerificationMode;
use starminer_interfaces::registry::{self as reg, Provider};

use crate::config::AgentConfig;

/// A connected, signing agent.
#[derive(Clone)]
pub struct AgentAccount {
    pub sm: Starminer,
    pub wallet: Wallet,
}

/// The environment variable the agent's key passphrase is read from;
/// [`CLI_PASSPHRASE_ENV`] (the CLI's) when it is not set, then a prompt on
/// the terminal.
pub const PASSPHRASE_ENV: &str = "STARMINER_AGENT_PASSPHRASE";
/// The CLI's passphrase variable, the agent's second choice.
pub const CLI_PASSPHRASE_ENV: &str = "STARMINER_PASSPHRASE";

/// The keystore passphrase: `$STARMINER_AGENT_PASSPHRASE`, else
/// `$STARMINER_PASSPHRASE`, else asked on the terminal (twice when
/// `confirm`).
pub fn passphrase(prompt: &str, confirm: bool) -> Result<String> {
    for var in [PASSPHRASE_ENV, CLI_PASSPHRASE_ENV] {
        if let Ok(p) = std::env::var(var) {
            return Ok(p);
        }
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        anyhow::bail!(
            "the agent's key is encrypted and a passphrase is needed: set {PASSPHRASE_ENV} (or {CLI_PASSPHRASE_ENV}) or run in a terminal"
        );
    }
    let first = rpassword::prompt_password(prompt)?;
    if confirm && rpassword::prompt_password("Repeat the passphrase: ")? != first {
        anyhow::bail!("the passphrases differ: try again");
    }
    Ok(first)
}

/// The SDK keystore holding `key_file` (`DIR/NAME.json`) and the key's name.
pub fn keystore_of(key_file: &Path) -> Result<(Keystore, String)> {
    let name = key_file
        .file_stem()
        .and_then(|s| s.to_str())
        .with_context(|| format!("the key file {} has no name", key_file.display()))?;
    let dir = key_file.parent().unwrap_or(Path::new("."));
    Ok((Keystore::open(dir)?, name.to_string()))
}

/// Fails when `path` can be read or written by anyone but its owner.
pub fn check_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).with_context(|| {
        format!(
            "reading the key {} (create it with `starminer-agent init`)",
            path.display()
        )
    })?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        anyhow::bail!(
            "the key file {} can be read by other users (mode {mode:o}): refusing to use it; make it private with `chmod 600 {}`",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

/// The key of the agent's account, from `key_file`: an SDK keystore file
/// (`*.json`, encrypted; what `init` writes), decrypted with the
/// [`passphrase`], or a plain mnemonic (older homes; a warning says how to
/// encrypt it). Either must be private to its owner.
pub fn load_key(config: &AgentConfig) -> Result<Key> {
    let path = &config.provider.key_file;
    check_private(path)?;
    if path.extension().is_some_and(|e| e == "json") {
        let (store, name) = keystore_of(path)?;
        let pass = passphrase(
            &format!("Passphrase of the agent key {}: ", path.display()),
            false,
        )?;
        return store
            .load(&name, &pass)
            .with_context(|| format!("the key in {}", path.display()));
    }
    tracing::warn!(
        "{} holds the mnemonic in plain text: encrypt it with `starminer-agent init --home DIR --mnemonic-file {} --force` (it writes an encrypted keystore file and points provider.key_file at it)",
        path.display(),
        path.display()
    );
    let mnemonic = std::fs::read_to_string(path)
        .with_context(|| format!("reading the key {}", path.display()))?;
    Key::from_mnemonic(mnemonic.trim()).with_context(|| format!("the key in {}", path.display()))
}

impl AgentAccount {
    pub fn connect(config: &AgentConfig) -> Result<AgentAccount> {
        let chain = ChainClient::new(config.chain.client.clone())?;
        let manifest = Manifest::load(&config.chain.manifest).with_context(|| {
            format!(
                "the deployment manifest {} (chain.manifest)",
                config.chain.manifest.display()
            )
        })?;
        let sm = Starminer::from_manifest(chain.clone(), &manifest)?;
        let wallet = Wallet::new(chain, load_key(config)?)?;
        Ok(AgentAccount { sm, wallet })
    }

    pub fn address(&self) -> &str {
        self.wallet.address()
    }

    /// The SDK's RPC client of the chain.
    pub fn client(&self) -> &ChainClient {
        self.sm.chain()
    }

    pub async fn market(&self, msg: &jm::ExecuteMsg) -> Result<TxOutcome> {
        self.sm.job_market().execute(&self.wallet, msg).await
    }

    pub async fn registry(&self, msg: &reg::ExecuteMsg) -> Result<TxOutcome> {
        self.sm.registry().execute(&self.wallet, msg).await
    }

    pub async fn job(&self, job_id: u64) -> Result<Job> {
        Ok(self.sm.job_market().job(job_id).await?.job)
    }

    /// The market's lease rule (urgency factors, shortest lease).
    pub async fn lease_rule(&self) -> Result<crate::filter::LeaseRule> {
        let params = self.sm.job_market().config().await?.params;
        Ok(crate::filter::LeaseRule {
            factors: params.lease_factors,
            min_seconds: params.min_lease_seconds,
        })
    }

    pub async fn template(&self, id: &str) -> Result<Option<jm::Template>> {
        self.sm.job_market().template(id).await
    }

    /// This agent's registry record (`None`: not registered).
    pub async fn me(&self) -> Result<Option<Provider>> {
        self.sm.registry().provider(self.address()).await
    }

    /// Open jobs, oldest first, at most `max`.
    pub async fn open_jobs(&self, max: usize) -> Result<Vec<Job>> {
        self.jobs(Some(max), |start_after| jm::QueryMsg::JobsByStatus {
            status: JobStatus::Open,
            start_after,
            limit: Some(MAX_PAGE),
        })
        .await
    }

    /// Jobs the market indexes under this agent's address
    /// (`JobsByProvider`), in every status.
    pub async fn my_jobs(&self) -> Result<Vec<Job>> {
        self.jobs(None, |start_after| jm::QueryMsg::JobsByProvider {
            provider: self.address().to_string(),
            start_after,
            limit: Some(MAX_PAGE),
        })
        .await
    }

    /// Every page (up to `max` jobs) of a job list query that `query`
    /// builds for a `start_after` job id, with `MAX_PAGE` as its limit.
    async fn jobs(
        &self,
        max: Option<usize>,
        query: impl Fn(Option<u64>) -> jm::QueryMsg,
    ) -> Result<Vec<Job>> {
        let query = &query;
        collect_pages(max, |start_after| async move {
            let page: jm::JobsResponse = self.sm.job_market().query(&query(start_after)).await?;
            Ok(Page::after_last(page.jobs, MAX_PAGE, |j| j.id))
        })
        .await
    }

    /// Routes that let this agent's zone take other zones' jobs.
    pub async fn spill_routes(&self, zone: &str) -> Result<Vec<jm::SpilloverEntry>> {
        collect_pages(None, |start_after| async move {
            let page: jm::SpilloverResponse = self
                .sm
                .job_market()
                .query(&jm::QueryMsg::Spillover {
                    to: zone.to_string(),
                    start_after,
                    limit: Some(MAX_PAGE),
                })
                .await?;
            Ok(Page::after_last(page.routes, MAX_PAGE, |r| r.from.clone()))
        })
        .await
    }

    /// Jobs where this agent is a verifier or dispute voter and still owes
    /// a verdict.
    pub async fn pending_verifier_tasks(&self) -> Result<Vec<jm::VerifierTask>> {
        let tasks = collect_pages(None, |start_after| async move {
            let page: jm::VerifierTasksResponse = self
                .sm
                .job_market()
                .query(&jm::QueryMsg::VerifierTasks {
                    address: self.address().to_string(),
                    start_after,
                    limit: Some(MAX_PAGE),
                })
                .await?;
            Ok(Page::after_last(page.tasks, MAX_PAGE, |t| t.job_id))
        })
        .await?;
        Ok(tasks.into_iter().filter(|t| t.pending).collect())
    }

    /// Every registered address with the provider role active.
    pub async fn providers(&self) -> Result<Vec<Provider>> {
        self.with_role(reg::Role::Provider).await
    }

    /// Every registered address with the validator role active (seated or
    /// not).
    pub async fn validators(&self) -> Result<Vec<Provider>> {
        self.with_role(reg::Role::Validator).await
    }

    /// Every registered address with `role` active.
    async fn with_role(&self, role: reg::Role) -> Result<Vec<Provider>> {
        collect_pages(None, |start_after| async move {
            let page: reg::ProvidersResponse = self
                .sm
                .registry()
                .query(&reg::QueryMsg::ProvidersByRole {
                    role,
                    start_after,
                    limit: Some(MAX_PAGE),
                })
                .await?;
            Ok(Page::after_last(page.providers, MAX_PAGE, |p| {
                p.address.to_string()
            }))
        })
        .await
    }

    pub async fn benchmark_challenge(&self, id: u64) -> Result<reg::Challenge> {
        self.sm
            .registry()
            .query(&reg::QueryMsg::Challenge { challenge_id: id })
            .await
    }

    /// Latest height and block time (unix seconds).
    pub async fn head(&self) -> Result<(u64, u64)> {
        let s = self.client().status().await?;
        Ok((s.height, s.time))
    }

    /// A registry heartbeat, if this agent is registered.
    pub async fn heartbeat(&self) -> Result<()> {
        if self.me().await?.is_some() {
            self.registry(&reg::ExecuteMsg::Heartbeat {}).await?;
        }
        Ok(())
    }

    /// Claims this agent's pending incentive rewards, if any; the amount
    /// claimed (uagpu, 0: none were pending).
    pub async fn claim_rewards(&self) -> Result<u128> {
        let inc = self.sm.incentives();
        let pending = inc.pending_rewards(self.address()).await?;
        if pending.amount.is_zero() {
            return Ok(0);
        }
        inc.claim(&self.wallet).await?;
        Ok(pending.amount.u128())
    }

    /// This agent's slot of `job`, if it holds one.
    pub fn my_slot<'a>(&self, job: &'a Job) -> Option<&'a jm::Slot> {
        job.slots
            .iter()
            .find(|s| s.provider.as_str() == self.address())
    }

    /// Whether `job` is still waiting for this agent's result: it holds a
    /// slot with nothing sent, and the job takes results (Assigned; a
    /// replicated job also while Open, before all its slots are taken).
    pub fn holds_unsent_slot(&self, job: &Job) -> bool {
        let replicated = matches!(job.spec.verification, VerificationMode::Replicated { .. });
        let status_ok =
            job.status == JobStatus::Assigned || (replicated && job.status == JobStatus::Open);
        status_ok
            && job.slots.iter().any(|s| {
                s.provider.as_str() == self.address()
                    && s.commitment.is_none()
                    && s.result.is_none()
            })
    }

    /// Whether this agent waits in `job`'s replica application round.
    pub fn is_applicant(&self, job: &Job) -> bool {
        job.replica_draw.as_ref().is_some_and(|d| {
            d.applicants
                .iter()
                .any(|a| a.provider.as_str() == self.address())
        })
    }
}
