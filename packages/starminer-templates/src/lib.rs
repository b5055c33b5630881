//! The built-in StarMiner job templates (docs/protocol.md).
//!
//! One catalogue is shared by the provider agent (which runs the kernels),
//! the deploy tooling (which registers the templates on chain: id, class,
//! kernel source hash, unit formula, chunk size, determinism, time per unit)
//! and the tests. For every template this crate holds:
//!
//! - the pure data: [`TemplateInfo`] (cheap, `'static`, no OpenCL involved);
//! - the parameter schema and its validation ([`params`]);
//! - the OpenCL C kernel, embedded from `kernels/*.cl`, and a runner
//!   ([`Template::run`]) on a [`ClDevice`];
//! - chunk recomputation for verifiers ([`Template::recompute_chunk`]): a chunk
//!   is recomputed alone (a band of image rows, a block of rows of C, a
//!   training block from the previous checkpoint);
//! - a plain-Rust CPU reference and, for `Tolerance` templates, the
//!   comparator ([`outputs_match`]).
//!
//! Output chunks are committed with `starminer-merkle` at the template's fixed
//! chunk size; [`commit`] is the one place that does it for the agent.

pub mod cl;
pub mod params;
pub mod rng;

mod bench;
mod fractal;
mod mlp;
mod pathtrace;
mod rows;
mod sgd;
mod sgemm;

use cosmwasm_std::{Decimal, Uint128};
use sha2::{Digest, Sha256};
use starminer_interfaces::job_market;
pub use starminer_interfaces::market::{Determinism, JobClass, UnitFormula};
use starminer_merkle::{Hash, MerkleTree};

pub use cl::{list_devices, ClDevice};
pub use params::{ParamKind, ParamSpec, Params};
pub use sgemm::{multiply as sgemm_multiply, multiply_with as sgemm_multiply_with, SgemmKernel};

/// The largest output any built-in template may produce (bytes). Parameter
/// bounds keep every template below it.
pub const MAX_OUTPUT_BYTES: u64 = 1 << 30;

/// Everything about a template that is plain data: what the chain registers
/// and what a requester needs to write a job.
#[derive(Debug)]
pub struct TemplateInfo {
    pub id: &'static str,
    pub description: &'static str,
    pub class: JobClass,
    /// Names of the integer parameters whose product (× factor / divisor,
    /// rounded up) is the job's compute units. A name may repeat (squares).
    pub unit_params: &'static [&'static str],
    pub unit_factor: u64,
    pub unit_divisor: u64,
    /// What one unit is, for humans.
    pub unit_name: &'static str,
    /// Fixed chunk size of the Merkle commitment (the last chunk may be
    /// shorter).
    pub chunk_size: u64,
    /// `None`: bit-exact (`Determinism::Exact`); `Some(eps)`: outputs are
    /// little-endian f32 arrays compared with tolerance `eps` (decimal text).
    pub tolerance: Option<&'static str>,
    /// Upper bound on the seconds one unit may take on the slowest supported
    /// device (decimal text); the lease deadline is derived from it.
    pub max_seconds_per_unit: &'static str,
    /// Minimum global memory of a device that may claim the template.
    pub min_device_memory: u64,
    /// The OpenCL C source of the kernel(s).
    pub kernel_source: &'static str,
    pub params: &'static [ParamSpec],
    /// How the input blob is used (empty input: see each template).
    pub input_doc: &'static str,
    /// The output layout, for humans and clients.
    pub output_doc: &'static str,
}

impl TemplateInfo {
    pub fn unit_formula(&self) -> UnitFormula {
        UnitFormula {
            params: self.unit_params.iter().map(|p| p.to_string()).collect(),
            factor: self.unit_factor,
            divisor: self.unit_divisor,
        }
    }

    pub fn determinism(&self) -> Determinism {
        match self.tolerance {
            None => Determinism::Exact,
            Some(eps) => Determinism::Tolerance {
                eps: parse_decimal(eps),
            },
        }
    }

    /// The tolerance as a float, `None` for exact templates.
    pub fn tolerance_eps(&self) -> Option<f32> {
        self.tolerance.map(|eps| eps.parse::<f32>().unwrap_or(0.0))
    }

    pub fn max_seconds_per_unit(&self) -> Decimal {
        parse_decimal(self.max_seconds_per_unit)
    }

    /// Hex SHA-256 of [`TemplateInfo::kernel_source`]: the hash the chain
    /// registers, so a provider can prove which kernel it runs.
    pub fn kernel_sha256_hex(&self) -> String {
        hex::encode(Sha256::digest(self.kernel_source.as_bytes()))
    }

    /// Compute units of a job with these (validated) parameters.
    pub fn units(&self, params: &Params) -> Result<Uint128, TemplateError> {
        self.unit_formula()
            .units(&params.integers())
            .map_err(|e| TemplateError::Units(e.to_string()))
    }

    /// The job market's registration of this template: kernel hash, unit
    /// formula, chunking, determinism, time per unit and minimum device
    /// memory. Any tier and device size may claim it (a job asks for more
    /// when it needs more).
    pub fn chain_template(&self) -> job_market::Template {
        job_market::Template {
            id: self.id.to_string(),
            class: self.class,
            kernel_sha256: self.kernel_sha256_hex(),
            unit_formula: self.unit_formula(),
            chunk_size: self.chunk_size,
            determinism: self.determinism(),
            max_seconds_per_unit: self.max_seconds_per_unit(),
            min_hardware: job_market::HardwareRequirements {
                min_tier: 1,
                min_device_memory: cosmwasm_std::Uint64::new(self.min_device_memory),
                min_compute_units: 1,
            },
            enabled: true,
        }
    }
}

/// A job's on-chain parameters as the `name=value,...` text that
/// [`Params::parse`] and [`Template::parse_params`] read.
pub fn chain_params_text(params: &[job_market::JobParam]) -> String {
    params
        .iter()
        .map(|p| format!("{}={}", p.name, p.value))
        .collect::<Vec<_>>()
        .join(",")
}

/// The templates a deployment registers in the job market: the catalogue
/// without the registry's benchmark challenge (`bench.*`), which requesters
/// do not submit.
pub fn chain_templates() -> Vec<job_market::Template> {
    catalogue()
        .iter()
        .map(|t| t.info())
        .filter(|i| !i.id.starts_with("bench"))
        .map(TemplateInfo::chain_template)
        .collect()
}

/// The catalogue's decimal constants are literals checked by a unit test.
fn parse_decimal(text: &str) -> Decimal {
    text.parse().unwrap_or(Decimal::zero())
}

/// Why a template refused or failed a job.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown template `{0}`: run `starminer-agent templates` for the list")]
    UnknownTemplate(String),
    #[error("unknown parameter `{name}` for {template}; known: {known}")]
    UnknownParam {
        template: &'static str,
        name: String,
        known: String,
    },
    #[error("parameter `{name}`: {reason}")]
    BadParam { name: String, reason: String },
    #[error("parameters are {len} bytes long; the limit is {max}")]
    ParamsTooLong { len: usize, max: usize },
    #[error("bad input: {0}")]
    BadInput(String),
    #[error("chunk {index} does not exist: the output has {count} chunks")]
    ChunkOutOfRange { index: u64, count: u64 },
    #[error("chunk {0} of a training job is recomputed from checkpoint {prev}; pass chunk {prev}", prev = .0 - 1)]
    MissingCheckpoint(u64),
    #[error("the output would be {0} bytes, over the {MAX_OUTPUT_BYTES}-byte limit")]
    OutputTooLarge(u64),
    #[error("unit formula: {0}")]
    Units(String),
    #[error("OpenCL: {0}")]
    OpenCl(String),
    #[error("PNG encoding: {0}")]
    Png(String),
}

impl From<ocl::Error> for TemplateError {
    fn from(e: ocl::Error) -> Self {
        TemplateError::OpenCl(e.to_string())
    }
}

pub type Result<T, E = TemplateError> = std::result::Result<T, E>;

/// Progress callback: `(done, total)` in template-specific steps (rows,
/// training blocks). Called from the thread running the job.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// A runnable template. All methods take validated [`Params`] (see
/// [`Template::parse_params`]).
pub trait Template: Sync + Send {
    fn info(&self) -> &'static TemplateInfo;

    /// Validates `k=v,k=v` text against the schema (bounds, unknown names,
    /// cross-parameter limits such as the output size).
    fn parse_params(&self, text: &str) -> Result<Params> {
        let params = Params::parse(self.info(), text)?;
        self.check(&params)?;
        Ok(params)
    }

    /// Cross-parameter checks beyond each parameter's own bounds.
    fn check(&self, params: &Params) -> Result<()> {
        let len = self.output_len(params)?;
        if len > MAX_OUTPUT_BYTES {
            return Err(TemplateError::OutputTooLarge(len));
        }
        Ok(())
    }

    /// Exact size of the output in bytes.
    fn output_len(&self, params: &Params) -> Result<u64>;

    /// Runs the whole job on `device`.
    fn run(
        &self,
        device: &ClDevice,
        params: &Params,
        input: &[u8],
        progress: Progress,
    ) -> Result<Vec<u8>>;

    /// Recomputes chunk `index` alone, byte for byte what [`Template::run`]
    /// puts there. Training templates need the previous chunk (checkpoint
    /// `index − 1`) for `index > 0`; the others ignore `previous_chunk`.
    fn recompute_chunk(
        &self,
        device: &ClDevice,
        params: &Params,
        input: &[u8],
        index: u64,
        previous_chunk: Option<&[u8]>,
    ) -> Result<Vec<u8>>;

    /// The same job in plain Rust on the CPU (slow; for tests and for
    /// verifiers without an OpenCL device).
    fn cpu_reference(&self, params: &Params, input: &[u8]) -> Result<Vec<u8>>;

    /// A PNG the user can look at, for image templates.
    fn preview_png(&self, _params: &Params, _output: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(None)
    }

    fn chunk_count(&self, params: &Params) -> Result<u64> {
        Ok(starminer_merkle::chunk_count(
            self.output_len(params)?,
            self.info().chunk_size,
        ))
    }
}

/// Every built-in template, in a fixed order.
pub fn catalogue() -> [&'static dyn Template; 6] {
    [
        &fractal::FRACTAL,
        &pathtrace::PATHTRACE,
        &sgemm::SGEMM,
        &mlp::MLP,
        &sgd::SGD,
        &bench::BENCH,
    ]
}

/// The template with this id.
pub fn by_id(id: &str) -> Result<&'static dyn Template> {
    catalogue()
        .into_iter()
        .find(|t| t.info().id == id)
        .ok_or_else(|| TemplateError::UnknownTemplate(id.to_string()))
}

/// Byte range of chunk `index` in an output of `len` bytes.
pub fn chunk_range(len: u64, chunk_size: u64, index: u64) -> Result<std::ops::Range<u64>> {
    let count = starminer_merkle::chunk_count(len, chunk_size);
    if index >= count {
        return Err(TemplateError::ChunkOutOfRange { index, count });
    }
    let start = index * chunk_size;
    Ok(start..(start + chunk_size).min(len))
}

/// Hashes the chunks of `data` in parallel and builds the Merkle tree the
/// chain verifies (`starminer-merkle`; same leaves, same root).
pub fn commit(data: &[u8], chunk_size: u64) -> MerkleTree {
    let chunk = usize::try_from(chunk_size.max(1)).unwrap_or(usize::MAX);
    let leaves: Vec<Hash> = if data.is_empty() {
        vec![starminer_merkle::leaf_hash(&[])]
    } else {
        use rayon::prelude::*;
        data.par_chunks(chunk)
            .map(starminer_merkle::leaf_hash)
            .collect()
    };
    MerkleTree::from_leaves(leaves).expect("at least one leaf")
}

/// Whether `actual` is an acceptable result where `expected` is the
/// reference: bit-exact for `Exact` templates; for `Tolerance { eps }`, both
/// are little-endian f32 arrays of the same length and every element differs
/// by at most `eps · max(1, |expected|)` (absolute below magnitude 1,
/// relative above, as `Determinism` says). NaN never matches.
pub fn outputs_match(info: &TemplateInfo, expected: &[u8], actual: &[u8]) -> bool {
    match info.tolerance_eps() {
        None => expected == actual,
        Some(eps) => f32_close(expected, actual, eps),
    }
}

/// The element-wise tolerance check of [`outputs_match`].
pub fn f32_close(expected: &[u8], actual: &[u8], eps: f32) -> bool {
    if expected.len() != actual.len() || !expected.len().is_multiple_of(4) {
        return false;
    }
    expected
        .chunks_exact(4)
        .zip(actual.chunks_exact(4))
        .all(|(e, a)| {
            let e = f32::from_le_bytes([e[0], e[1], e[2], e[3]]);
            let a = f32::from_le_bytes([a[0], a[1], a[2], a[3]]);
            (e - a).abs() <= eps * e.abs().max(1.0)
        })
}

/// Largest element-wise error of two f32 arrays, in the units of
/// [`f32_close`] (for messages and tests).
pub fn f32_max_error(expected: &[u8], actual: &[u8]) -> f32 {
    expected
        .chunks_exact(4)
        .zip(actual.chunks_exact(4))
        .map(|(e, a)| {
            let e = f32::from_le_bytes([e[0], e[1], e[2], e[3]]);
            let a = f32::from_le_bytes([a[0], a[1], a[2], a[3]]);
            (e - a).abs() / e.abs().max(1.0)
        })
        .fold(0.0, f32::max)
}

pub(crate) fn f32s_to_bytes(v: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() * 4);
    for x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

pub(crate) fn bytes_to_f32s(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_ids_are_unique_and_data_is_well_formed() {
        let mut ids: Vec<_> = catalogue().iter().map(|t| t.info().id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), catalogue().len());
        for t in catalogue() {
            let info = t.info();
            assert!(
                info.chunk_size > 0 && info.chunk_size.is_multiple_of(4),
                "{}",
                info.id
            );
            assert!(!info.max_seconds_per_unit().is_zero(), "{}", info.id);
            if let Some(eps) = info.tolerance {
                assert!(!parse_decimal(eps).is_zero(), "{}", info.id);
            }
            assert_eq!(info.kernel_sha256_hex().len(), 64);
            for name in info.unit_params {
                let spec = info.params.iter().find(|p| p.name == *name);
                assert!(
                    matches!(spec.map(|s| &s.kind), Some(ParamKind::Int { min, .. }) if *min >= 1),
                    "{}: unit parameter {name} must be a positive integer parameter",
                    info.id
                );
            }
            // Defaults are valid and give positive units.
            let p = t.parse_params("").unwrap();
            assert!(!info.units(&p).unwrap().is_zero(), "{}", info.id);
        }
    }

    #[test]
    fn kernel_hash_is_sha256_of_the_embedded_source() {
        let info = by_id("render.fractal").unwrap().info();
        let expected = hex::encode(Sha256::digest(include_bytes!("../kernels/fractal.cl")));
        assert_eq!(info.kernel_sha256_hex(), expected);
    }

    #[test]
    fn tolerance_is_relative_above_one_and_rejects_nan() {
        let e = f32s_to_bytes(&[0.5, 1000.0, -2.0]);
        let ok = f32s_to_bytes(&[0.5009, 1000.9, -2.0015]);
        let bad = f32s_to_bytes(&[0.5, 1002.0, -2.0]);
        assert!(f32_close(&e, &ok, 1e-3));
        assert!(!f32_close(&e, &bad, 1e-3));
        assert!(!f32_close(&e, &f32s_to_bytes(&[0.5, f32::NAN, -2.0]), 1e-3));
        assert!(!f32_close(&e, &e[..8], 1e-3));
    }

    #[test]
    fn chunk_ranges_cover_the_output() {
        assert_eq!(chunk_range(10, 4, 2).unwrap(), 8..10);
        assert!(matches!(
            chunk_range(10, 4, 3),
            Err(TemplateError::ChunkOutOfRange { index: 3, count: 3 })
        ));
        assert_eq!(chunk_range(0, 4, 0).unwrap(), 0..0);
    }

    #[test]
    fn parallel_commit_equals_the_merkle_crate() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7) as u8).collect();
        let tree = commit(&data, 4096);
        assert_eq!(
            tree.root(),
            MerkleTree::from_data(&data, 4096).unwrap().root()
        );
    }
}
