//! `ai.training.sgd`: minibatch SGD of a softmax-regression classifier, one
//! checkpoint per block of steps. Chunk i is checkpoint i, so a verifier
//! re-runs block i from checkpoint i − 1 (docs/protocol.md, training-like
//! templates).
//!
//! Checkpoint layout (little-endian f32, padded with zeros to the chunk
//! size): W (classes × (features + 1), bias last), then the mean loss of the
//! block's last step, then the number of steps done.

use crate::params::{ParamKind, ParamSpec};
use crate::rng::{mix64, symmetric_f32s, SplitMix64};
use crate::{
    bytes_to_f32s, chunk_range, f32s_to_bytes, ClDevice, JobClass, Params, Progress, Result,
    Template, TemplateError, TemplateInfo, MAX_OUTPUT_BYTES,
};

pub(crate) static SGD: Sgd = Sgd;

const CHUNK_SIZE: u64 = 32 * 1024;
const MAX_CLASSES: u64 = 16;

static INFO: TemplateInfo = TemplateInfo {
    id: "ai.training.sgd",
    description: "Softmax-regression training by minibatch SGD, one checkpoint (chunk) per block of steps",
    class: JobClass::Training,
    unit_params: &["blocks", "steps_per_block", "batch", "features", "classes"],
    unit_factor: 6,
    unit_divisor: 1_000_000,
    unit_name: "MFLOP (forward + backward)",
    chunk_size: CHUNK_SIZE,
    tolerance: Some("0.001"),
    max_seconds_per_unit: "0.05",
    min_device_memory: 128 << 20,
    kernel_source: include_str!("../kernels/sgd.cl"),
    params: &[
        ParamSpec { name: "samples", kind: ParamKind::Int { min: 1, max: 65_536, default: 4096 }, doc: "dataset rows" },
        ParamSpec { name: "features", kind: ParamKind::Int { min: 1, max: 256, default: 32 }, doc: "features per row" },
        ParamSpec { name: "classes", kind: ParamKind::Int { min: 2, max: MAX_CLASSES, default: 4 }, doc: "label classes" },
        ParamSpec { name: "batch", kind: ParamKind::Int { min: 1, max: 1024, default: 64 }, doc: "rows per SGD step" },
        ParamSpec { name: "steps_per_block", kind: ParamKind::Int { min: 1, max: 1000, default: 20 }, doc: "steps between checkpoints" },
        ParamSpec { name: "blocks", kind: ParamKind::Int { min: 1, max: 256, default: 8 }, doc: "checkpoints (= chunks)" },
        ParamSpec { name: "lr", kind: ParamKind::Float { min: 1e-5, max: 10.0, default: 0.1 }, doc: "learning rate" },
        ParamSpec { name: "seed", kind: ParamKind::Int { min: 0, max: u64::MAX, default: 1 }, doc: "generates the dataset when the input is empty" },
    ],
    input_doc: "empty (Gaussian-like class clusters generated from `seed`) or samples rows of features f32 then the label as f32 (0..classes), little-endian",
    output_doc: "blocks checkpoints of 32 KiB: W (classes×(features+1)), mean loss of the block's last step, steps done; f32, zero-padded",
};

pub(crate) struct Sgd;

/// The training problem of a job, shared by the device and CPU paths.
struct Problem {
    n: usize,
    d1: usize,
    classes: usize,
    batch: usize,
    steps_per_block: u64,
    lr: f32,
    /// n × d1 rows, trailing 1.0 for the bias.
    x: Vec<f32>,
    labels: Vec<u32>,
}

impl Problem {
    fn new(p: &Params, input: &[u8]) -> Result<Problem> {
        let (n, d, classes) = (p.usize("samples"), p.usize("features"), p.usize("classes"));
        let d1 = d + 1;
        let mut x = Vec::with_capacity(n * d1);
        let mut labels = Vec::with_capacity(n);
        if input.is_empty() {
            let seed = p.int("seed");
            let centres: Vec<Vec<f32>> = (0..classes as u64)
                .map(|c| symmetric_f32s(seed, 1000 + c, d, 2.0))
                .collect();
            for i in 0..n {
                let label = i % classes;
                let mut g = SplitMix64::new(mix64(seed ^ mix64(i as u64 + 0x5D6)));
                x.extend(centres[label].iter().map(|c| c + g.symmetric_f32()));
                x.push(1.0);
                labels.push(label as u32);
            }
        } else {
            let want = n * (d + 1) * 4;
            if input.len() != want {
                return Err(TemplateError::BadInput(format!(
                    "ai.training.sgd with samples={n}, features={d} takes {want} bytes (features then label per row, f32) or no input; got {}",
                    input.len()
                )));
            }
            for (i, row) in bytes_to_f32s(input).chunks_exact(d + 1).enumerate() {
                let label = row[d];
                if !(label >= 0.0 && label < classes as f32 && label.fract() == 0.0) {
                    return Err(TemplateError::BadInput(format!(
                        "row {i}: label {label} is not an integer in 0..{classes}"
                    )));
                }
                x.extend_from_slice(&row[..d]);
                x.push(1.0);
                labels.push(label as u32);
            }
        }
        Ok(Problem {
            n,
            d1,
            classes,
            batch: p.usize("batch"),
            steps_per_block: p.int("steps_per_block"),
            lr: p.float("lr") as f32,
            x,
            labels,
        })
    }

    fn weights(&self) -> usize {
        self.classes * self.d1
    }

    fn first_row(&self, step: u64) -> u64 {
        (step.wrapping_mul(self.batch as u64)) % self.n as u64
    }

    fn checkpoint(&self, w: &[f32], loss: f32, steps_done: u64) -> Vec<u8> {
        let mut floats = w.to_vec();
        floats.push(loss);
        floats.push(steps_done as f32);
        floats.resize(CHUNK_SIZE as usize / 4, 0.0);
        f32s_to_bytes(&floats)
    }

    /// Weights stored in a checkpoint chunk.
    fn weights_of(&self, chunk: &[u8]) -> Result<Vec<f32>> {
        if chunk.len() as u64 != CHUNK_SIZE {
            return Err(TemplateError::BadInput(format!(
                "a checkpoint is {CHUNK_SIZE} bytes; got {}",
                chunk.len()
            )));
        }
        Ok(bytes_to_f32s(&chunk[..self.weights() * 4]))
    }

    /// One SGD step on the CPU, operation for operation as the kernels.
    fn cpu_step(&self, w: &mut [f32], step: u64, loss: &mut [f32]) {
        let (c, d1, batch) = (self.classes, self.d1, self.batch);
        let first = self.first_row(step);
        let mut delta = vec![0f32; batch * c];
        for j in 0..batch {
            let idx = ((first + j as u64) % self.n as u64) as usize;
            let x = &self.x[idx * d1..(idx + 1) * d1];
            let mut z = [0f32; MAX_CLASSES as usize];
            let mut m = f32::NEG_INFINITY;
            for k in 0..c {
                let mut acc = 0f32;
                for i in 0..d1 {
                    acc += w[k * d1 + i] * x[i];
                }
                z[k] = acc;
                m = m.max(acc);
            }
            let mut s = 0f32;
            for zk in &z[..c] {
                s += (zk - m).exp();
            }
            let y = self.labels[idx] as usize;
            for k in 0..c {
                delta[j * c + k] = (z[k] - m).exp() / s - if k == y { 1.0 } else { 0.0 };
            }
            loss[j] = s.ln() - (z[y] - m);
        }
        for (g, wg) in w.iter_mut().enumerate() {
            let (k, i) = (g / d1, g % d1);
            let mut acc = 0f32;
            for j in 0..batch {
                let idx = ((first + j as u64) % self.n as u64) as usize;
                acc += delta[j * c + k] * self.x[idx * d1 + i];
            }
            *wg -= self.lr * (acc / batch as f32);
        }
    }

    fn mean(loss: &[f32]) -> f32 {
        loss.iter().sum::<f32>() / loss.len() as f32
    }

    fn cpu_block(&self, w: &mut [f32], block: u64) -> Vec<u8> {
        let mut loss = vec![0f32; self.batch];
        for t in 0..self.steps_per_block {
            self.cpu_step(w, block * self.steps_per_block + t, &mut loss);
        }
        self.checkpoint(w, Self::mean(&loss), (block + 1) * self.steps_per_block)
    }
}

/// The problem's buffers on one device.
struct DeviceRun<'a> {
    dev: &'a ClDevice,
    problem: &'a Problem,
    delta: ocl::Kernel,
    update: ocl::Kernel,
    w: ocl::Buffer<f32>,
    loss: ocl::Buffer<f32>,
}

impl<'a> DeviceRun<'a> {
    fn new(dev: &'a ClDevice, problem: &'a Problem, w0: &[f32]) -> Result<DeviceRun<'a>> {
        let program = dev.program(&INFO)?;
        let x = dev.upload(&problem.x)?;
        let labels = dev.upload(&problem.labels)?;
        let w = ocl::Buffer::<f32>::builder()
            .queue(dev.queue().clone())
            .len(w0.len())
            .copy_host_slice(w0)
            .build()?;
        let delta_buf = dev.scratch::<f32>(problem.batch * problem.classes)?;
        let loss = dev.scratch::<f32>(problem.batch)?;
        let (n, d1, c, b) = (
            problem.n as u32,
            problem.d1 as u32,
            problem.classes as u32,
            problem.batch as u32,
        );
        let delta = ocl::Kernel::builder()
            .program(&program)
            .name("sgd_delta")
            .queue(dev.queue().clone())
            .global_work_size(problem.batch)
            .arg(n)
            .arg(d1)
            .arg(c)
            .arg(b)
            .arg_named("first", 0u64)
            .arg(&x)
            .arg(&labels)
            .arg(&w)
            .arg(&delta_buf)
            .arg(&loss)
            .build()?;
        let update = ocl::Kernel::builder()
            .program(&program)
            .name("sgd_update")
            .queue(dev.queue().clone())
            .global_work_size(problem.weights())
            .arg(n)
            .arg(d1)
            .arg(c)
            .arg(b)
            .arg_named("first", 0u64)
            .arg(problem.lr)
            .arg(&x)
            .arg(&w)
            .arg(&delta_buf)
            .build()?;
        Ok(DeviceRun {
            dev,
            problem,
            delta,
            update,
            w,
            loss,
        })
    }

    fn block(&mut self, block: u64) -> Result<Vec<u8>> {
        let p = self.problem;
        for t in 0..p.steps_per_block {
            let first = p.first_row(block * p.steps_per_block + t);
            self.delta.set_arg("first", first)?;
            self.update.set_arg("first", first)?;
            // SAFETY: buffer sizes are those the kernels index (batch rows of
            // delta and loss, classes·(features+1) weights, n rows of X).
            unsafe {
                self.delta.enq()?;
                self.update.enq()?;
            }
        }
        let w = self.dev.download(&self.w, p.weights())?;
        let loss = self.dev.download(&self.loss, p.batch)?;
        Ok(p.checkpoint(&w, Problem::mean(&loss), (block + 1) * p.steps_per_block))
    }
}

impl Template for Sgd {
    fn info(&self) -> &'static TemplateInfo {
        &INFO
    }

    fn check(&self, p: &Params) -> Result<()> {
        let len = self.output_len(p)?;
        if len > MAX_OUTPUT_BYTES {
            return Err(TemplateError::OutputTooLarge(len));
        }
        // Weights, loss and step count must fit a checkpoint.
        let floats = p.int("classes") * (p.int("features") + 1) + 2;
        if floats * 4 > CHUNK_SIZE {
            return Err(TemplateError::BadParam {
                name: "features".into(),
                reason: format!("classes·(features+1) + 2 = {floats} floats do not fit a {CHUNK_SIZE}-byte checkpoint"),
            });
        }
        Ok(())
    }

    fn output_len(&self, p: &Params) -> Result<u64> {
        Ok(p.int("blocks") * CHUNK_SIZE)
    }

    fn run(&self, dev: &ClDevice, p: &Params, input: &[u8], progress: Progress) -> Result<Vec<u8>> {
        self.check(p)?;
        let problem = Problem::new(p, input)?;
        let mut run = DeviceRun::new(dev, &problem, &vec![0.0; problem.weights()])?;
        let blocks = p.int("blocks");
        let mut out = Vec::with_capacity((blocks * CHUNK_SIZE) as usize);
        for b in 0..blocks {
            out.extend_from_slice(&run.block(b)?);
            progress(b + 1, blocks);
        }
        Ok(out)
    }

    fn recompute_chunk(
        &self,
        dev: &ClDevice,
        p: &Params,
        input: &[u8],
        index: u64,
        previous_chunk: Option<&[u8]>,
    ) -> Result<Vec<u8>> {
        self.check(p)?;
        chunk_range(self.output_len(p)?, CHUNK_SIZE, index)?;
        let problem = Problem::new(p, input)?;
        let w0 = match (index, previous_chunk) {
            (0, _) => vec![0.0; problem.weights()],
            (_, Some(prev)) => problem.weights_of(prev)?,
            (_, None) => return Err(TemplateError::MissingCheckpoint(index)),
        };
        DeviceRun::new(dev, &problem, &w0)?.block(index)
    }

    fn cpu_reference(&self, p: &Params, input: &[u8]) -> Result<Vec<u8>> {
        self.check(p)?;
        let problem = Problem::new(p, input)?;
        let mut w = vec![0.0; problem.weights()];
        Ok((0..p.int("blocks"))
            .flat_map(|b| problem.cpu_block(&mut w, b))
            .collect())
    }
}
