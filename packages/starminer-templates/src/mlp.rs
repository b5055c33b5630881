//! `ai.inference.mlp`: batched forward pass of a multi-layer perceptron of
//! `layers` dense layers of `width` neurons (ReLU between layers, linear
//! output). A chunk is a block of batch rows of the output.
//!
//! Weights and the input batch come from the input blob or, when it is
//! empty, from `seed` (so that the template can be tried and benchmarked
//! without uploading a model).

use std::ops::Range;

use crate::params::{ParamKind, ParamSpec};
use crate::rng::{mix64, symmetric_f32s, SplitMix64};
use crate::rows::{par_rows, RowKernel, Rows};
use crate::{
    bytes_to_f32s, f32s_to_bytes, ClDevice, JobClass, Params, Result, TemplateError, TemplateInfo,
};

pub(crate) static MLP: Rows<Mlp> = Rows(Mlp);

static INFO: TemplateInfo = TemplateInfo {
    id: "ai.inference.mlp",
    description: "Batched MLP forward pass (dense layers of equal width, ReLU), weights and batch from the input or a seed",
    class: JobClass::Inference,
    unit_params: &["batch", "layers", "width", "width"],
    unit_factor: 2,
    unit_divisor: 1_000_000,
    unit_name: "MFLOP",
    chunk_size: 64 * 1024,
    tolerance: Some("0.001"),
    max_seconds_per_unit: "0.002",
    min_device_memory: 256 << 20,
    kernel_source: include_str!("../kernels/mlp.cl"),
    params: &[
        ParamSpec { name: "batch", kind: ParamKind::Int { min: 1, max: 65_536, default: 256 }, doc: "input rows" },
        ParamSpec { name: "layers", kind: ParamKind::Int { min: 1, max: 16, default: 3 }, doc: "dense layers" },
        ParamSpec { name: "width", kind: ParamKind::Int { min: 1, max: 4096, default: 256 }, doc: "neurons per layer (= input and output size)" },
        ParamSpec { name: "seed", kind: ParamKind::Int { min: 0, max: u64::MAX, default: 1 }, doc: "generates weights and batch when the input is empty" },
    ],
    input_doc: "empty (generated from `seed`) or, little-endian f32: for each layer W (width×width, [out][in]) then b (width); then X (batch×width)",
    output_doc: "Y (batch×width) little-endian f32 logits of the last layer, row-major",
};

/// Keeps the model plus batch within what the agent accepts as input.
const MAX_INPUT_FLOATS: u64 = 64 << 20;

pub(crate) struct Mlp;

struct Model {
    /// Per layer: W then b.
    layers: Vec<(Vec<f32>, Vec<f32>)>,
}

fn model_floats(p: &Params) -> u64 {
    let w = p.int("width");
    p.int("layers") * (w * w + w)
}

fn model(p: &Params, input: &[u8]) -> Model {
    let (w, seed) = (p.usize("width"), p.int("seed"));
    let layers = (0..p.int("layers"))
        .map(|l| {
            if input.is_empty() {
                let scale = (3.0f32 / w as f32).sqrt();
                (
                    symmetric_f32s(seed, 2 * l, w * w, scale),
                    symmetric_f32s(seed, 2 * l + 1, w, 0.1),
                )
            } else {
                let base = l as usize * (w * w + w) * 4;
                let weights = bytes_to_f32s(&input[base..base + w * w * 4]);
                let bias = bytes_to_f32s(&input[base + w * w * 4..base + (w * w + w) * 4]);
                (weights, bias)
            }
        })
        .collect();
    Model { layers }
}

fn batch_rows(p: &Params, input: &[u8], rows: Range<u64>) -> Vec<f32> {
    let (w, seed) = (p.usize("width"), p.int("seed"));
    if input.is_empty() {
        rows.flat_map(|r| {
            let mut g = SplitMix64::new(mix64(seed ^ mix64(r.wrapping_add(0xB47C4))));
            (0..w).map(move |_| g.symmetric_f32()).collect::<Vec<_>>()
        })
        .collect()
    } else {
        let base = model_floats(p) as usize * 4;
        bytes_to_f32s(&input[base + rows.start as usize * w * 4..base + rows.end as usize * w * 4])
    }
}

impl RowKernel for Mlp {
    fn info(&self) -> &'static TemplateInfo {
        &INFO
    }

    fn shape(&self, p: &Params) -> (u64, u64) {
        (p.int("batch"), p.int("width") * 4)
    }

    fn check_params(&self, p: &Params) -> Result<()> {
        let floats = model_floats(p) + p.int("batch") * p.int("width");
        if floats > MAX_INPUT_FLOATS {
            return Err(TemplateError::BadParam {
                name: "width".into(),
                reason: format!(
                    "model and batch would be {floats} floats; the limit is {MAX_INPUT_FLOATS}"
                ),
            });
        }
        Ok(())
    }

    fn check_input(&self, p: &Params, input: &[u8]) -> Result<()> {
        let want = (model_floats(p) + p.int("batch") * p.int("width")) * 4;
        if !input.is_empty() && input.len() as u64 != want {
            return Err(TemplateError::BadInput(format!(
                "ai.inference.mlp with these parameters takes {want} bytes (weights, biases, batch as f32) or no input; got {}",
                input.len()
            )));
        }
        Ok(())
    }

    fn gpu_rows(
        &self,
        dev: &ClDevice,
        p: &Params,
        input: &[u8],
        rows: Range<u64>,
    ) -> Result<Vec<u8>> {
        let w = p.usize("width");
        let n = (rows.end - rows.start) as usize;
        let model = model(p, input);
        let program = dev.program(&INFO)?;
        let mut x = dev.upload(&batch_rows(p, input, rows))?;
        let last = model.layers.len() - 1;
        for (l, (weights, bias)) in model.layers.iter().enumerate() {
            let w_buf = dev.upload(weights)?;
            let b_buf = dev.upload(bias)?;
            let y = dev.scratch::<f32>(n * w)?;
            let kernel = ocl::Kernel::builder()
                .program(&program)
                .name("mlp_layer")
                .queue(dev.queue().clone())
                .global_work_size([w, n])
                .arg(w as u32)
                .arg(u32::from(l != last))
                .arg(&w_buf)
                .arg(&b_buf)
                .arg(&x)
                .arg(&y)
                .build()?;
            // SAFETY: W is width², b width, X and Y batch×width floats.
            unsafe { kernel.enq()? };
            x = y;
        }
        Ok(f32s_to_bytes(&dev.download(&x, n * w)?))
    }

    fn cpu_rows(&self, p: &Params, input: &[u8], rows: Range<u64>) -> Result<Vec<u8>> {
        let w = p.usize("width");
        let model = model(p, input);
        let first = rows.start;
        let x = batch_rows(p, input, rows.clone());
        Ok(par_rows(rows, w as u64 * 4, |r, out| {
            let mut act = x[(r - first) as usize * w..(r - first + 1) as usize * w].to_vec();
            let last = model.layers.len() - 1;
            for (l, (weights, bias)) in model.layers.iter().enumerate() {
                act = (0..w)
                    .map(|o| {
                        let dot: f32 = weights[o * w..(o + 1) * w]
                            .iter()
                            .zip(&act)
                            .map(|(a, b)| a * b)
                            .sum();
                        let v = dot + bias[o];
                        if l != last && v < 0.0 {
                            0.0
                        } else {
                            v
                        }
                    })
                    .collect();
            }
            for (o, v) in out.chunks_exact_mut(4).zip(&act) {
                o.copy_from_slice(&v.to_le_bytes());
            }
        }))
    }
}
