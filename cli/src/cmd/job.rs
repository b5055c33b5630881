//! `starminer job`: templates, quotes, submission and following a job to
//! its result.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use cosmwasm_std::{Timestamp, Uint128, Uint64};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use starminer_client::contracts::{format_token, format_unit_price, parse_units};
use starminer_client::events::JobEvent;
use starminer_client::interfaces::job_market::{self as jm, JobStatus, LatencyClass};
use starminer_client::interfaces::market::{Urgency, VerificationMode};
use starminer_client::interfaces::registry as reg;
use starminer_client::output::fetch_verified_output;
use starminer_client::Starminer;
use starminer_deploy::DEFAULT_SPOT_CHECK_VERIFIERS;

use crate::context::{table, Ctx};
use crate::templates::{job_params, params_text_from_file};
use crate::GlobalArgs;

#[derive(Subcommand)]
pub enum JobCmd {
    /// The registered templates, their parameters and unit formulas.
    Templates,
    /// The price of a job at the current prices.
    Quote(JobArgs),
    /// Submit a job paid in AGPU (the quote is escrowed; the excess over
    /// the quote is refunded at once).
    Submit(SubmitArgs),
    /// Jobs of a requester (default: the --from key), of a provider, or in a status.
    List {
        /// The requester whose jobs to list: a key name or an address.
        #[arg(long)]
        requester: Option<String>,
        /// List the jobs assigned to this provider (key name or address) instead.
        #[arg(long)]
        provider: Option<String>,
        /// open, assigned, submitted, revealing, disputed, settled, failed, expired, cancelled.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 30)]
        limit: u32,
        /// Key that signs (default: default_key of config.json).
        #[arg(long)]
        from: Option<String>,
    },
    /// A job with its full history.
    Show {
        /// The job's id (printed by `job submit`; see `job list`).
        id: u64,
    },
    /// Follow a job until it settles (or fails), printing each event.
    Watch {
        /// The job's id (printed by `job submit`; see `job list`).
        id: u64,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 1800)]
        timeout: u64,
    },
    /// Cancel a job nobody has claimed yet (full refund).
    Cancel {
        /// The job's id (printed by `job submit`; see `job list`).
        id: u64,
        /// Key that signs (default: default_key of config.json).
        #[arg(long)]
        from: Option<String>,
    },
    /// Download a job's output from its provider and verify it against the
    /// on-chain Merkle root; for render templates also write the image as
    /// <out>.png.
    Fetch {
        /// The job's id (printed by `job submit`; see `job list`).
        id: u64,
        /// Where to write the output.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Args, Clone)]
pub struct JobArgs {
    /// Template id (see `starminer job templates`).
    #[arg(long)]
    pub template: String,
    /// Parameters as name=value,... (integers).
    #[arg(long, conflicts_with = "params_file")]
    pub params: Option<String>,
    /// A file with the parameters: name=value lines, or a JSON object.
    #[arg(long)]
    pub params_file: Option<PathBuf>,
    /// Minimum tier 1-4 (at least the template's).
    #[arg(long, default_value_t = 1)]
    pub tier: u8,
    /// low, normal, high, realtime.
    #[arg(long, default_value = "normal")]
    pub urgency: String,
    /// none, spot[:VERIFIERS], replicated:K.
    #[arg(long, default_value = "none")]
    pub verification: String,
}

#[derive(Args, Clone)]
pub struct SubmitArgs {
    #[command(flatten)]
    pub job: JobArgs,
    /// Zone the job is submitted to.
    #[arg(long, default_value = "eu-west")]
    pub zone: String,
    /// How far it may spill: metro, regional, continental, global.
    #[arg(long, default_value = "regional")]
    pub latency: String,
    /// Seconds from now until the result is due.
    #[arg(long, default_value_t = 3600)]
    pub deadline: u64,
    /// Highest total price accepted, in AGPU (default: the quote).
    #[arg(long)]
    pub max_price: Option<String>,
    /// Small input carried on chain (at most the market's inline limit).
    #[arg(long)]
    pub input_file: Option<PathBuf>,
    /// Remote input: URI the provider fetches (with --input-sha256 and --input-size).
    #[arg(long, requires_all = ["input_sha256", "input_size"])]
    pub input_uri: Option<String>,
    /// SHA-256 of the remote input, 64 hex digits: the provider refuses
    /// bytes that do not hash to it.
    #[arg(long)]
    pub input_sha256: Option<String>,
    /// Size of the remote input in bytes (the provider stops reading past it).
    #[arg(long)]
    pub input_size: Option<u64>,
    /// Key that signs (default: default_key of config.json).
    #[arg(long)]
    pub from: Option<String>,
}

pub fn parse_urgency(s: &str) -> Result<Urgency> {
    Ok(match s.to_lowercase().as_str() {
        "low" => Urgency::Low,
        "normal" => Urgency::Normal,
        "high" => Urgency::High,
        "realtime" => Urgency::Realtime,
        _ => bail!("urgency `{s}`: use low, normal, high or realtime"),
    })
}

pub fn parse_verification(s: &str) -> Result<VerificationMode> {
    let lower = s.to_lowercase();
    let (kind, n) = match lower.split_once(':') {
        Some((k, n)) => (
            k.to_string(),
            Some(
                n.parse::<u8>()
                    .with_context(|| format!("verification `{s}`: the count must be 1-255"))?,
            ),
        ),
        None => (lower.clone(), None),
    };
    Ok(match (kind.as_str(), n) {
        ("none", None) => VerificationMode::None,
        ("spot" | "spotcheck", n) => VerificationMode::SpotCheck {
            verifiers: n.unwrap_or(DEFAULT_SPOT_CHECK_VERIFIERS),
        },
        ("replicated", Some(k)) => VerificationMode::Replicated { k },
        _ => bail!("verification `{s}`: use none, spot, spot:N or replicated:K"),
    })
}

fn parse_latency(s: &str) -> Result<LatencyClass> {
    Ok(match s.to_lowercase().as_str() {
        "metro" => LatencyClass::Metro,
        "regional" => LatencyClass::Regional,
        "continental" => LatencyClass::Continental,
        "global" => LatencyClass::Global,
        _ => bail!("latency `{s}`: use metro, regional, continental or global"),
    })
}

fn parse_status(s: &str) -> Result<JobStatus> {
    starminer_client::events::parse_status(s).with_context(|| {
        format!("status `{s}`: use open, assigned, submitted, revealing, disputed, settled, failed, expired or cancelled")
    })
}

fn status_name(s: &JobStatus) -> String {
    format!("{s:?}").to_lowercase()
}

/// The template (on chain) and the validated chain parameters of a job.
async fn resolve(
    sm: &Starminer,
    a: &JobArgs,
) -> Result<(jm::Template, Vec<jm::JobParam>, Uint128)> {
    let template = sm
        .job_market()
        .template(&a.template)
        .await?
        .with_context(|| {
            format!(
                "template `{}` is not registered on this chain: see `starminer job templates`",
                a.template
            )
        })?;
    let text = match (&a.params, &a.params_file) {
        (Some(p), _) => p.clone(),
        (None, Some(f)) => params_text_from_file(
            &std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?,
        )?,
        (None, None) => String::new(),
    };
    let params = match starminer_templates::by_id(&a.template) {
        Ok(t) => job_params(t.info(), &text)?,
        // A template this CLI does not know: integers as given.
        Err(_) => {
            text.split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|kv| {
                    let (k, v) = kv
                        .split_once('=')
                        .with_context(|| format!("parameter `{kv}`: expected name=value"))?;
                    Ok(jm::JobParam {
                        name: k.trim().to_string(),
                        value: v.trim().parse().with_context(|| {
                            format!("parameter `{k}`: job parameters are integers")
                        })?,
                    })
                })
                .collect::<Result<Vec<_>>>()?
        }
    };
    let pairs: Vec<(String, u64)> = params.iter().map(|p| (p.name.clone(), p.value)).collect();
    let units = template
        .unit_formula
        .units(&pairs)
        .map_err(|e| anyhow::anyhow!("computing the job's units: {e}"))?;
    Ok((template, params, units))
}

#[derive(Serialize)]
struct TemplateView {
    id: String,
    class: String,
    description: String,
    unit: String,
    units: String,
    chunk_size: u64,
    determinism: String,
    params: Vec<String>,
    kernel_sha256: String,
}

#[derive(Serialize)]
struct JobRow {
    id: u64,
    template: String,
    status: String,
    zone: String,
    provider_zone: Option<String>,
    units: String,
    /// The quoted total, in uagpu.
    price_uagpu: String,
    verification: String,
    root: Option<String>,
}

fn verification_name(v: &VerificationMode) -> String {
    match v {
        VerificationMode::None => "none".into(),
        VerificationMode::SpotCheck { verifiers } => format!("spot:{verifiers}"),
        VerificationMode::Replicated { k } => format!("replicated:{k}"),
    }
}

fn row(job: &jm::Job) -> JobRow {
    JobRow {
        id: job.id,
        template: job.spec.template.clone(),
        status: status_name(&job.status),
        zone: job.spec.requirements.zone.clone(),
        provider_zone: None,
        units: job.units.to_string(),
        price_uagpu: job.quote.total.to_string(),
        verification: verification_name(&job.spec.verification),
        root: job.result.as_ref().map(|r| r.root.clone()),
    }
}

pub async fn run(g: &GlobalArgs, cmd: JobCmd) -> Result<()> {
    let ctx = Ctx::new(g)?;
    let sm = ctx.starminer()?;
    match cmd {
        JobCmd::Templates => {
            let views: Vec<TemplateView> = sm
                .job_market()
                .templates()
                .await?
                .into_iter()
                .map(|t| {
                    let info = starminer_templates::by_id(&t.id).ok().map(|x| x.info());
                    TemplateView {
                        class: format!("{:?}", t.class).to_lowercase(),
                        description: info.map(|i| i.description.to_string()).unwrap_or_default(),
                        unit: info.map(|i| i.unit_name.to_string()).unwrap_or_default(),
                        units: format!(
                            "{}·{} / {}",
                            t.unit_formula.factor,
                            t.unit_formula.params.join("·"),
                            t.unit_formula.divisor
                        ),
                        chunk_size: t.chunk_size,
                        determinism: match &t.determinism {
                            starminer_client::interfaces::market::Determinism::Exact => {
                                "exact".into()
                            }
                            starminer_client::interfaces::market::Determinism::Tolerance {
                                eps,
                            } => {
                                format!("tolerance {eps}")
                            }
                        },
                        params: info
                            .map(|i| {
                                i.params
                                    .iter()
                                    .filter_map(|p| match p.kind {
                                        starminer_templates::ParamKind::Int {
                                            default,
                                            min,
                                            max,
                                        } => Some(format!("{}={default} ({min}..{max})", p.name)),
                                        // Chain parameters are integers: a decimal one is
                                        // shown, fixed at its default.
                                        starminer_templates::ParamKind::Float {
                                            default, ..
                                        } => Some(format!("{}={default} (fixed)", p.name)),
                                        starminer_templates::ParamKind::Hex32 { .. } => None,
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                        kernel_sha256: t.kernel_sha256.clone(),
                        id: t.id,
                    }
                })
                .collect();
            ctx.print(&views, |views| {
                if views.is_empty() {
                    println!(
                        "No templates registered: `starminer deploy` registers the built-in ones."
                    );
                    return;
                }
                let mut t = table(&[
                    "template",
                    "class",
                    "units",
                    "chunk",
                    "determinism",
                    "parameters (default, range)",
                ]);
                for v in views {
                    t.add_row(vec![
                        format!("{}\n{}", v.id, v.description),
                        v.class.clone(),
                        format!("{}\n({})", v.units, v.unit),
                        v.chunk_size.to_string(),
                        v.determinism.clone(),
                        v.params.join("\n"),
                    ]);
                }
                println!("{t}");
            })?;
        }
        JobCmd::Quote(a) => {
            let (template, _, units) = resolve(&sm, &a).await?;
            let tier = a.tier.max(template.min_hardware.min_tier);
            let q = sm
                .quote(
                    tier,
                    template.class,
                    units,
                    parse_urgency(&a.urgency)?,
                    parse_verification(&a.verification)?,
                )
                .await?;
            ctx.print(&q, |q| {
                let mut t = table(&["", ""]);
                t.add_row(vec!["template".into(), template.id.clone()]);
                t.add_row(vec!["tier".into(), q.tier.to_string()]);
                // What one compute unit of this template is, where this CLI
                // knows the template.
                let unit = starminer_templates::by_id(&template.id)
                    .map(|t| format!(" (1 unit = {})", t.info().unit_name))
                    .unwrap_or_default();
                t.add_row(vec!["units".into(), format!("{}{unit}", q.units)]);
                t.add_row(vec![
                    "unit price".into(),
                    format!("{} per unit", format_unit_price(q.unit_price, "AGPU")),
                ]);
                t.add_row(vec![
                    "compute cost".into(),
                    format_token(q.compute_cost.u128(), "AGPU"),
                ]);
                t.add_row(vec!["replication".into(), q.replication.to_string()]);
                t.add_row(vec![
                    "verifiers × fee".into(),
                    format!(
                        "{} × {}",
                        q.verifiers,
                        format_token(q.verifier_fee.u128(), "AGPU")
                    ),
                ]);
                t.add_row(vec!["total".into(), format_token(q.total.u128(), "AGPU")]);
                println!("{t}");
            })?;
        }
        JobCmd::Submit(a) => submit(&ctx, &sm, a).await?,
        JobCmd::List {
            requester,
            provider,
            status,
            limit,
            from,
        } => {
            let market = sm.job_market();
            let (jobs, whose) = if let Some(s) = status {
                let jobs = market
                    .jobs_by_status(parse_status(&s)?, None, Some(limit))
                    .await?;
                (jobs, format!("in status {s}"))
            } else if let Some(p) = provider {
                let address = ctx.resolve_address(&p)?;
                let jobs = market.jobs_by_provider(&address, None, Some(limit)).await?;
                (jobs, format!("assigned to provider {address}"))
            } else {
                let (who, named) = match requester {
                    Some(r) => (r, String::new()),
                    None => {
                        let key = ctx.key_name(&from)?;
                        (
                            key.clone(),
                            format!(" (key {key}; --requester for another)"),
                        )
                    }
                };
                let address = ctx.resolve_address(&who)?;
                let jobs = market
                    .jobs_by_requester(&address, None, Some(limit))
                    .await?;
                (jobs, format!("of requester {address}{named}"))
            };
            let rows: Vec<JobRow> = jobs.iter().map(row).collect();
            ctx.print(&rows, |rows| {
                if rows.is_empty() {
                    println!("No jobs {whose}.");
                    return;
                }
                println!("Jobs {whose}:");
                let mut t = table(&[
                    "job",
                    "template",
                    "status",
                    "zone",
                    "units",
                    "price",
                    "verification",
                    "root",
                ]);
                for r in rows {
                    t.add_row(vec![
                        r.id.to_string(),
                        r.template.clone(),
                        r.status.clone(),
                        r.zone.clone(),
                        r.units.clone(),
                        r.price_uagpu
                            .parse::<u128>()
                            .map(|p| format_token(p, "AGPU"))
                            .unwrap_or_default(),
                        r.verification.clone(),
                        r.root
                            .as_deref()
                            .map(|x| format!("{}…", &x[..x.len().min(12)]))
                            .unwrap_or_default(),
                    ]);
                }
                println!("{t}");
            })?;
        }
        JobCmd::Show { id } => {
            let r = sm.job_market().job(id).await?;
            let now = sm.chain().status().await?.time;
            ctx.print(&r, |r| {
                print_job(&sm, r);
                if let Some(next) = next_step(&r.job, now) {
                    println!("next: {next}");
                }
            })?;
        }
        JobCmd::Watch { id, timeout } => watch(&ctx, &sm, id, timeout).await?,
        JobCmd::Cancel { id, from } => {
            let wallet = ctx.wallet(&from)?;
            let job = sm.job_market().job(id).await?.job;
            if job.requester.as_str() != wallet.address() {
                bail!(
                    "job {id} belongs to {}, not to {}",
                    job.requester,
                    wallet.address()
                );
            }
            if job.status != JobStatus::Open || !job.slots.is_empty() {
                bail!(
                    "job {id} is {} with a claimed slot: only unclaimed open jobs can be cancelled",
                    status_name(&job.status)
                );
            }
            let tx = sm.job_market().cancel(&wallet, id).await?;
            let refund = tx
                .job_events(Some(sm.addresses().job_market.as_str()))
                .iter()
                .find_map(|e| e.detail_u128("refund"));
            ctx.print(&tx, |_| {
                println!(
                    "job {id} cancelled; refunded {}",
                    format_token(refund.unwrap_or_default(), "AGPU")
                )
            })?;
        }
        JobCmd::Fetch { id, out } => {
            let job = sm.job_market().job(id).await?.job;
            let template = sm
                .job_market()
                .template(&job.spec.template)
                .await?
                .with_context(|| format!("template {} is not registered", job.spec.template))?;
            let pb = ctx.spinner(format!("fetching the output of job {id}"));
            let verified = fetch_verified_output(&job, template.chunk_size).await;
            pb.finish_and_clear();
            let verified = verified?;
            std::fs::write(&out, &verified.bytes)
                .with_context(|| format!("writing {}", out.display()))?;
            // The output is verified either way; an image is a bonus, so a
            // layout it cannot be drawn from is a warning, not a failure.
            let png = write_preview(&job, &verified.bytes, &out).unwrap_or_else(|e| {
                eprintln!("warning: no image for job {id}: {e:#}");
                None
            });
            #[derive(Serialize)]
            struct Fetched<'a> {
                job: u64,
                path: String,
                /// The image of a render template's output.
                png: Option<String>,
                #[serde(flatten)]
                output: &'a starminer_client::output::VerifiedOutput,
            }
            let f = Fetched {
                job: id,
                path: out.display().to_string(),
                png: png.map(|p| p.display().to_string()),
                output: &verified,
            };
            ctx.print(&f, |f| {
                println!(
                    "wrote {} bytes to {}; Merkle root {} over {} chunks matches the chain",
                    f.output.size, f.path, f.output.root, f.output.chunk_count
                );
                if let Some(png) = &f.png {
                    println!("image: {png}");
                }
            })?;
        }
    }
    Ok(())
}

async fn submit(ctx: &Ctx, sm: &Starminer, a: SubmitArgs) -> Result<()> {
    let (template, params, units) = resolve(sm, &a.job).await?;
    let tier = a.job.tier.max(template.min_hardware.min_tier);
    let urgency = parse_urgency(&a.job.urgency)?;
    let verification = parse_verification(&a.job.verification)?;
    let quote = sm
        .quote(tier, template.class, units, urgency, verification.clone())
        .await?;
    let max_price = match &a.max_price {
        Some(p) => parse_units(p)?,
        None => quote.total.u128(),
    };
    if max_price < quote.total.u128() {
        bail!(
            "the quote is {}, above --max-price {}: raise --max-price or lower the urgency/verification",
            format_token(quote.total.u128(), "AGPU"),
            format_token(max_price, "AGPU")
        );
    }
    let input = match (&a.input_file, &a.input_uri) {
        (Some(f), _) => jm::JobInput::Inline {
            data: std::fs::read(f)
                .with_context(|| format!("reading {}", f.display()))?
                .into(),
        },
        (None, Some(uri)) => jm::JobInput::Remote {
            uri: uri.clone(),
            sha256: a.input_sha256.clone().unwrap_or_default(),
            size: a.input_size.unwrap_or_default(),
        },
        (None, None) => jm::JobInput::Inline {
            data: Default::default(),
        },
    };
    let now = sm.chain().status().await?.time;
    let spec = jm::JobSpec {
        template: template.id.clone(),
        params,
        input,
        requirements: jm::JobRequirements {
            min_tier: tier,
            min_device_memory: Uint64::new(template.min_hardware.min_device_memory.u64()),
            min_compute_units: template.min_hardware.min_compute_units,
            zone: a.zone.clone(),
            urgency,
            latency: parse_latency(&a.latency)?,
        },
        max_price: Uint128::new(max_price),
        deadline: Timestamp::from_seconds(now + a.deadline),
        verification,
    };
    warn_without_takers(sm, tier, &a.zone).await?;
    let wallet = ctx.wallet(&a.from)?;
    let pb = ctx.spinner(format!(
        "submitting {} ({} units, {})",
        template.id,
        units,
        format_token(quote.total.u128(), "AGPU")
    ));
    let (id, tx) = sm.submit_job(&wallet, quote.total.u128(), spec).await?;
    pb.finish_and_clear();
    #[derive(Serialize)]
    struct Submitted {
        job_id: u64,
        tx: String,
        height: u64,
        price_uagpu: String,
        units: String,
    }
    let s = Submitted {
        job_id: id,
        tx: tx.hash.clone(),
        height: tx.height,
        price_uagpu: quote.total.to_string(),
        units: units.to_string(),
    };
    ctx.print(&s, |s| {
        println!(
            "job {} submitted in block {}: {} units, {} escrowed. Follow it: starminer job watch {}",
            s.job_id,
            s.height,
            s.units,
            format_token(quote.total.u128(), "AGPU"),
            s.job_id
        )
    })
}

/// Warns (on stderr) when no active provider could take a job of `tier`:
/// the job would sit in `open` with nothing said.
async fn warn_without_takers(sm: &Starminer, tier: u8, zone: &str) -> Result<()> {
    let providers = sm.registry().all_providers().await?;
    let able: Vec<_> = providers
        .iter()
        .filter(|p| {
            matches!(p.status, reg::ProviderStatus::Active)
                && p.active_roles.contains(&reg::Role::Provider)
                && p.tier >= tier
        })
        .collect();
    if able.is_empty() {
        eprintln!(
            "warning: no active provider of tier {tier} or above is registered, so the job will \
             stay open until one is. To run one on this machine: `starminer-agent init` and \
             `starminer-agent run` (see \"Run a provider\" in the README)."
        );
    } else if !able.iter().any(|p| p.zone == zone) {
        eprintln!(
            "note: no provider of tier {tier} or above is in zone {zone}; only providers of \
             zones allowed to spill into it can take the job ({} able providers in other \
             zones; see `starminer market queues`).",
            able.len()
        );
    }
    Ok(())
}

/// For templates with an image output (render.*), writes the image next to
/// the output as `<out>.png`; returns its path.
fn write_preview(job: &jm::Job, output: &[u8], out: &std::path::Path) -> Result<Option<PathBuf>> {
    let Ok(template) = starminer_templates::by_id(&job.spec.template) else {
        return Ok(None);
    };
    let text = starminer_templates::chain_params_text(&job.spec.params);
    let params = starminer_templates::Params::parse(template.info(), &text)
        .with_context(|| format!("job {}'s parameters", job.id))?;
    let Some(png) = template
        .preview_png(&params, output)
        .with_context(|| format!("rendering the image of job {}", job.id))?
    else {
        return Ok(None);
    };
    let path = out.with_extension("png");
    std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
    Ok(Some(path))
}

/// What a job waits for next, and when, at chain time `now` (seconds):
/// a job sitting in one status for minutes must say why.
fn next_step(job: &jm::Job, now: u64) -> Option<String> {
    let wait = |at: u64| starminer_client::human::until(at, now);
    match job.status {
        JobStatus::Open => Some(format!(
            "waiting for a provider of tier {} or above in zone {} (or one it may spill to)",
            job.tier, job.spec.requirements.zone
        )),
        JobStatus::Assigned => {
            let lease = job.slots.iter().map(|s| s.lease_deadline.seconds()).max()?;
            Some(format!(
                "the provider computes; its lease ends {}",
                wait(lease)
            ))
        }
        JobStatus::Submitted => {
            let v = job.verification.as_ref()?;
            if let Some(reveal) = v.draw_at {
                return Some(format!("its verifiers are drawn at beacon reveal {reveal}"));
            }
            if v.dispute.is_some() {
                return Some("a dispute is open: it settles when the dispute is decided".into());
            }
            let closes = v.attest_deadline().seconds();
            if closes > now {
                Some(format!(
                    "settles {}, when the challenge window closes, or as soon as \
                     every verifier has attested; the provider's agent settles it",
                    wait(closes)
                ))
            } else {
                Some(
                    "the challenge window has closed: anyone may settle it now (the provider's \
                     agent does)"
                        .into(),
                )
            }
        }
        _ => None,
    }
}

fn print_job(sm: &Starminer, r: &jm::JobResponse) {
    let j = &r.job;
    let mut t = table(&["job", &j.id.to_string()]);
    t.add_row(vec!["template".into(), j.spec.template.clone()]);
    t.add_row(vec!["status".into(), status_name(&j.status)]);
    t.add_row(vec!["requester".into(), j.requester.to_string()]);
    t.add_row(vec!["zone".into(), j.spec.requirements.zone.clone()]);
    t.add_row(vec!["tier".into(), j.tier.to_string()]);
    t.add_row(vec!["units".into(), j.units.to_string()]);
    t.add_row(vec![
        "price".into(),
        format!(
            "{} (escrow {})",
            format_token(j.quote.total.u128(), "AGPU"),
            format_token(j.escrow.u128(), "AGPU")
        ),
    ]);
    t.add_row(vec![
        "verification".into(),
        verification_name(&j.spec.verification),
    ]);
    for (i, s) in j.slots.iter().enumerate() {
        t.add_row(vec![
            format!("slot {i}"),
            format!(
                "{} (lease until {})",
                s.provider,
                starminer_client::human::when(s.lease_deadline.seconds())
            ),
        ]);
    }
    if let Some(res) = &j.result {
        t.add_row(vec!["root".into(), res.root.clone()]);
        t.add_row(vec![
            "output".into(),
            format!(
                "{} bytes, {} chunks, {}",
                res.output_size, res.chunk_count, res.output_uri
            ),
        ]);
    }
    if let Some(s) = &j.settlement {
        t.add_row(vec![
            "settlement".into(),
            format!(
                "provider {} · verifiers {} · fee {} · refund {}",
                format_token(s.provider_payouts.u128(), "AGPU"),
                format_token(s.verifier_fees.u128(), "AGPU"),
                format_token(s.protocol_fee.u128(), "AGPU"),
                format_token(s.refund.u128(), "AGPU")
            ),
        ]);
    }
    println!("{t}");
    let mut h = table(&["#", "height", "time", "action", "actor", "detail"]);
    for e in &r.history {
        h.add_row(vec![
            e.seq.to_string(),
            e.height.to_string(),
            starminer_client::human::when(e.time.seconds()),
            e.action.clone(),
            e.actor.as_ref().map(|a| a.to_string()).unwrap_or_default(),
            readable_detail(&e.detail),
        ]);
    }
    println!("{h}");
    let _ = sm;
}

/// A history entry's detail as people read it: the market writes amounts
/// as `key=<uagpu>` (`units=40 total=17`); those become tokens
/// (`total=0.000017 AGPU`), everything else stays as written.
fn readable_detail(detail: &str) -> String {
    const AMOUNTS: [&str; 10] = [
        "total",
        "bond",
        "collateral",
        "bond_slashed",
        "refund",
        "payout",
        "fee",
        "verifier_fees",
        "protocol_fee",
        "lock",
    ];
    const TIMES: [&str; 2] = ["lease_deadline", "deadline"];
    detail
        .split(' ')
        .map(|word| match word.split_once('=') {
            Some((k, v)) if AMOUNTS.contains(&k) => match v.parse::<u128>() {
                Ok(micro) => format!("{k}={}", format_token(micro, "AGPU")),
                Err(_) => word.to_string(),
            },
            Some((k, v)) if TIMES.contains(&k) => match v.parse::<u64>() {
                Ok(unix) => format!("{k}={}", starminer_client::human::when(unix)),
                Err(_) => word.to_string(),
            },
            _ => word.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Stage of a job on the way to settlement, for the progress bar.
fn stage(s: &JobStatus) -> u64 {
    match s {
        JobStatus::Open => 1,
        JobStatus::Assigned => 2,
        JobStatus::Submitted | JobStatus::Revealing | JobStatus::Disputed => 3,
        _ => 4,
    }
}

async fn watch(ctx: &Ctx, sm: &Starminer, id: u64, timeout: u64) -> Result<()> {
    let market = sm.job_market();
    let deadline = Instant::now() + Duration::from_secs(timeout);
    let pb = if ctx.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(4)
    };
    pb.set_style(
        ProgressStyle::with_template("{bar:20} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb.enable_steady_tick(Duration::from_millis(200));
    let mut seen: Option<u32> = None;
    let mut events: Vec<JobEvent> = Vec::new();
    loop {
        let r = market.job(id).await?;
        for e in &r.history {
            if seen.is_none_or(|s| e.seq > s) {
                seen = Some(e.seq);
                let ev = JobEvent::from_history(id, market.address(), e);
                if !ctx.json {
                    pb.suspend(|| {
                        println!(
                            "block {:>6}  {:<18} {} {}",
                            e.height,
                            e.action,
                            e.actor.as_ref().map(|a| a.to_string()).unwrap_or_default(),
                            readable_detail(&e.detail)
                        )
                    });
                }
                events.push(ev);
            }
        }
        let status = r.job.status.clone();
        pb.set_position(stage(&status));
        let now = sm.chain().status().await?.time;
        pb.set_message(match next_step(&r.job, now) {
            Some(next) => format!("job {id}: {}; {next}", status_name(&status)),
            None => format!("job {id}: {}", status_name(&status)),
        });
        if status.is_terminal() {
            pb.finish_and_clear();
            if ctx.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "job": r.job, "events": events
                    }))?
                );
            } else {
                print_job(sm, &r);
            }
            if status != JobStatus::Settled {
                bail!("job {id} ended {}", status_name(&status));
            }
            return Ok(());
        }
        if Instant::now() > deadline {
            pb.finish_and_clear();
            bail!("job {id} is still {} after {timeout} s: `starminer job watch {id}` again, or cancel it if nobody claimed it", status_name(&status));
        }
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_modes_parse() {
        assert_eq!(parse_verification("none").unwrap(), VerificationMode::None);
        assert_eq!(
            parse_verification("spot").unwrap(),
            VerificationMode::SpotCheck {
                verifiers: DEFAULT_SPOT_CHECK_VERIFIERS
            }
        );
        assert_eq!(
            parse_verification("Replicated:3").unwrap(),
            VerificationMode::Replicated { k: 3 }
        );
        assert!(parse_verification("replicated").is_err());
        assert!(parse_verification("spot:x").is_err());
        assert!(parse_urgency("asap").is_err());
        assert_eq!(parse_status("settled").unwrap(), JobStatus::Settled);
    }
}
