//! `bench.v1`: the registry's benchmark challenge (docs/protocol.md). The
//! challenge seed (hex SHA-256 issued on chain) drives deterministic integer
//! work; the result root is the Merkle root of the output, which validators
//! recompute chunk by chunk.

use std::ops::Range;

use crate::params::{ParamKind, ParamSpec};
use crate::rng::mix64;
use crate::rows::{par_rows, RowKernel, Rows};
use crate::{ClDevice, JobClass, Params, Result, TemplateInfo};

pub(crate) static BENCH: Rows<Bench> = Rows(Bench);

static INFO: TemplateInfo = TemplateInfo {
    id: "bench.v1",
    description:
        "Benchmark challenge: seeded 64-bit integer mixing, one u32 per work-item (bit-exact)",
    class: JobClass::Hpc,
    unit_params: &["words", "rounds"],
    unit_factor: 1,
    unit_divisor: 1_000_000,
    unit_name: "million mixing rounds",
    chunk_size: 64 * 1024,
    tolerance: None,
    max_seconds_per_unit: "0.01",
    min_device_memory: 64 << 20,
    kernel_source: include_str!("../kernels/bench.cl"),
    params: &[
        ParamSpec {
            name: "seed",
            kind: ParamKind::Hex32 {
                default: "0000000000000000000000000000000000000000000000000000000000000000",
            },
            doc: "challenge seed, 64 hex digits",
        },
        ParamSpec {
            name: "words",
            kind: ParamKind::Int {
                min: 1,
                max: 1 << 26,
                default: 1 << 20,
            },
            doc: "output words (u32)",
        },
        ParamSpec {
            name: "rounds",
            kind: ParamKind::Int {
                min: 1,
                max: 65_536,
                default: 64,
            },
            doc: "mixing rounds per word",
        },
    ],
    input_doc: "none (the input is ignored)",
    output_doc: "words little-endian u32",
};

pub(crate) struct Bench;

fn seed_words(p: &Params) -> [u64; 4] {
    let s = p.hex32("seed");
    let w = |i: usize| u64::from_le_bytes(s[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
    [w(0), w(1), w(2), w(3)]
}

fn word(s: &[u64; 4], i: u64, rounds: u32) -> u32 {
    let mut x = mix64(s[0] ^ mix64(i.wrapping_add(s[1])));
    let mut y = mix64(s[2] ^ i) | 1;
    for _ in 0..rounds {
        x = x.wrapping_mul(0x5851_F42D_4C95_7F2D).wrapping_add(y);
        x ^= x >> 33;
        y = y.rotate_left(7) ^ x.wrapping_add(s[3]);
    }
    (x ^ (x >> 32)) as u32 ^ y as u32
}

impl RowKernel for Bench {
    fn info(&self) -> &'static TemplateInfo {
        &INFO
    }

    fn shape(&self, p: &Params) -> (u64, u64) {
        (p.int("words"), 4)
    }

    fn gpu_rows(
        &self,
        dev: &ClDevice,
        p: &Params,
        _input: &[u8],
        rows: Range<u64>,
    ) -> Result<Vec<u8>> {
        let s = seed_words(p);
        let count = (rows.end - rows.start) as usize;
        let out = dev.scratch::<u32>(count)?;
        let program = dev.program(&INFO)?;
        let kernel = ocl::Kernel::builder()
            .program(&program)
            .name("bench")
            .queue(dev.queue().clone())
            .global_work_size(count)
            .arg(s[0])
            .arg(s[1])
            .arg(s[2])
            .arg(s[3])
            .arg(rows.start as u32)
            .arg(count as u32)
            .arg(p.int("rounds") as u32)
            .arg(&out)
            .build()?;
        // SAFETY: `out` has one u32 per work-item.
        unsafe { kernel.enq()? };
        Ok(dev
            .download(&out, count)?
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect())
    }

    fn cpu_rows(&self, p: &Params, _input: &[u8], rows: Range<u64>) -> Result<Vec<u8>> {
        let s = seed_words(p);
        let rounds = p.int("rounds") as u32;
        Ok(par_rows(rows, 4, |i, out| {
            out.copy_from_slice(&word(&s, i, rounds).to_le_bytes())
        }))
    }
}
