//! `render.pathtrace`: a Monte Carlo path tracer of a parameterized scene of
//! spheres (diffuse, metal, emissive) under a dim sky. Output: linear f32 RGB
//! per pixel, row-major (Tolerance); the user gets a tone-mapped PNG.
//!
//! The scene and camera are built on the host from the parameters (integer
//! RNG, so every machine builds the same floats) and uploaded; the per-pixel
//! random numbers are an integer hash of (seed, pixel, sample). The CPU
//! reference below mirrors the kernel operation for operation.

use std::ops::Range;

use crate::params::{ParamKind, ParamSpec};
use crate::rng::{mix64, SplitMix64};
use crate::rows::{encode_png, par_rows, RowKernel, Rows};
use crate::{bytes_to_f32s, f32s_to_bytes, ClDevice, JobClass, Params, Result, TemplateInfo};

pub(crate) static PATHTRACE: Rows<PathTrace> = Rows(PathTrace);

static INFO: TemplateInfo = TemplateInfo {
    id: "render.pathtrace",
    description:
        "Path tracer of a seeded scene of diffuse, metal and emissive spheres; f32 RGB image",
    class: JobClass::Render,
    unit_params: &["width", "height", "samples"],
    unit_factor: 1,
    unit_divisor: 1_000,
    unit_name: "thousand pixel-samples",
    chunk_size: 64 * 1024,
    tolerance: Some("0.001"),
    max_seconds_per_unit: "0.05",
    min_device_memory: 64 << 20,
    kernel_source: include_str!("../kernels/pathtrace.cl"),
    params: &[
        ParamSpec {
            name: "width",
            kind: ParamKind::Int {
                min: 1,
                max: 4096,
                default: 320,
            },
            doc: "image width in pixels",
        },
        ParamSpec {
            name: "height",
            kind: ParamKind::Int {
                min: 1,
                max: 4096,
                default: 200,
            },
            doc: "image height in pixels",
        },
        ParamSpec {
            name: "samples",
            kind: ParamKind::Int {
                min: 1,
                max: 4096,
                default: 16,
            },
            doc: "paths per pixel",
        },
        ParamSpec {
            name: "max_depth",
            kind: ParamKind::Int {
                min: 1,
                max: 16,
                default: 6,
            },
            doc: "bounces per path",
        },
        ParamSpec {
            name: "spheres",
            kind: ParamKind::Int {
                min: 1,
                max: 32,
                default: 10,
            },
            doc: "number of small spheres placed by the seed",
        },
        ParamSpec {
            name: "seed",
            kind: ParamKind::Int {
                min: 0,
                max: u64::MAX,
                default: 1,
            },
            doc: "scene and sampling seed",
        },
    ],
    input_doc: "none (the input is ignored)",
    output_doc: "width·height·3 little-endian f32 (linear RGB), row-major from the top row",
};

const SPHERE_FLOATS: usize = 12;
const MAT_DIFFUSE: f32 = 0.0;
const MAT_METAL: f32 = 1.0;
const MAT_EMISSIVE: f32 = 2.0;

pub(crate) struct PathTrace;

/// Spheres as the kernel reads them: centre xyz, radius, albedo rgb,
/// emission rgb, material, fuzz.
fn scene(p: &Params) -> Vec<f32> {
    let mut g = SplitMix64::new(mix64(p.int("seed") ^ 0x5CE7E));
    let mut s = Vec::new();
    let mut push = |c: [f32; 3], r: f32, albedo: [f32; 3], emit: [f32; 3], mat: f32, fuzz: f32| {
        s.extend_from_slice(&[
            c[0], c[1], c[2], r, albedo[0], albedo[1], albedo[2], emit[0], emit[1], emit[2], mat,
            fuzz,
        ]);
    };
    push(
        [0.0, -1000.0, 0.0],
        1000.0,
        [0.5, 0.5, 0.5],
        [0.0; 3],
        MAT_DIFFUSE,
        0.0,
    );
    push(
        [0.0, 6.0, -1.0],
        1.5,
        [0.0; 3],
        [6.0, 6.0, 5.5],
        MAT_EMISSIVE,
        0.0,
    );
    for _ in 0..p.int("spheres") {
        let r = 0.25 + 0.35 * g.unit_f32();
        let c = [-4.0 + 8.0 * g.unit_f32(), r, -3.0 + 4.0 * g.unit_f32()];
        let albedo = [
            0.2 + 0.75 * g.unit_f32(),
            0.2 + 0.75 * g.unit_f32(),
            0.2 + 0.75 * g.unit_f32(),
        ];
        match g.below(10) {
            0..=6 => push(c, r, albedo, [0.0; 3], MAT_DIFFUSE, 0.0),
            7 | 8 => push(c, r, albedo, [0.0; 3], MAT_METAL, 0.3 * g.unit_f32()),
            _ => push(
                c,
                r,
                [0.0; 3],
                [albedo[0] * 3.0, albedo[1] * 3.0, albedo[2] * 3.0],
                MAT_EMISSIVE,
                0.0,
            ),
        }
    }
    s
}

/// Pinhole camera: origin, lower-left corner, horizontal and vertical spans.
fn camera(p: &Params) -> [f32; 12] {
    let aspect = p.int("width") as f64 / p.int("height") as f64;
    let from = [0.0f64, 2.2, 7.0];
    let at = [0.0f64, 0.5, -0.5];
    let half_h = (40f64.to_radians() / 2.0).tan();
    let half_w = aspect * half_h;
    let norm = |v: [f64; 3]| {
        let l = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
        [v[0] / l, v[1] / l, v[2] / l]
    };
    let cross = |a: [f64; 3], b: [f64; 3]| {
        [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ]
    };
    let w = norm([from[0] - at[0], from[1] - at[1], from[2] - at[2]]);
    let u = norm(cross([0.0, 1.0, 0.0], w));
    let v = cross(w, u);
    let mut cam = [0f32; 12];
    for i in 0..3 {
        cam[i] = from[i] as f32;
        cam[3 + i] = (from[i] - half_w * u[i] - half_h * v[i] - w[i]) as f32;
        cam[6 + i] = (2.0 * half_w * u[i]) as f32;
        cam[9 + i] = (2.0 * half_h * v[i]) as f32;
    }
    cam
}

impl RowKernel for PathTrace {
    fn info(&self) -> &'static TemplateInfo {
        &INFO
    }

    fn shape(&self, p: &Params) -> (u64, u64) {
        (p.int("height"), p.int("width") * 12)
    }

    fn gpu_rows(
        &self,
        dev: &ClDevice,
        p: &Params,
        _input: &[u8],
        rows: Range<u64>,
    ) -> Result<Vec<u8>> {
        let width = p.int("width") as u32;
        let n_rows = (rows.end - rows.start) as usize;
        let len = n_rows * width as usize * 3;
        let spheres = scene(p);
        let sphere_buf = dev.upload(&spheres)?;
        let cam_buf = dev.upload(&camera(p))?;
        let out = dev.scratch::<f32>(len)?;
        let program = dev.program(&INFO)?;
        let kernel = ocl::Kernel::builder()
            .program(&program)
            .name("pathtrace")
            .queue(dev.queue().clone())
            .global_work_size([width as usize, n_rows])
            .arg(width)
            .arg(p.int("height") as u32)
            .arg(rows.start as u32)
            .arg(p.int("samples") as u32)
            .arg(p.int("max_depth") as u32)
            .arg(p.int("seed"))
            .arg((spheres.len() / SPHERE_FLOATS) as u32)
            .arg(&sphere_buf)
            .arg(&cam_buf)
            .arg(0u32)
            .arg(&out)
            .build()?;
        // SAFETY: arguments match the kernel signature; `out` holds 3 floats
        // per work-item.
        unsafe { kernel.enq()? };
        Ok(f32s_to_bytes(&dev.download(&out, len)?))
    }

    fn cpu_rows(&self, p: &Params, _input: &[u8], rows: Range<u64>) -> Result<Vec<u8>> {
        let spheres = scene(p);
        let cam = camera(p);
        let (width, height) = (p.int("width") as u32, p.int("height") as u32);
        let (samples, depth, seed) = (
            p.int("samples") as u32,
            p.int("max_depth") as u32,
            p.int("seed"),
        );
        Ok(par_rows(rows, u64::from(width) * 12, |row, out| {
            for x in 0..width {
                let rgb = trace_pixel(
                    &spheres, &cam, width, height, x, row as u32, samples, depth, seed,
                );
                for (k, c) in rgb.iter().enumerate() {
                    let o = (x as usize * 3 + k) * 4;
                    out[o..o + 4].copy_from_slice(&c.to_le_bytes());
                }
            }
        }))
    }

    fn preview_png(&self, p: &Params, output: &[u8]) -> Result<Option<Vec<u8>>> {
        // Reinhard-free simple tone map: clamp, gamma 2.
        let rgb: Vec<u8> = bytes_to_f32s(output)
            .iter()
            .map(|c| (c.clamp(0.0, 1.0).sqrt() * 255.0 + 0.5) as u8)
            .collect();
        Ok(Some(encode_png(
            p.int("width") as u32,
            p.int("height") as u32,
            &rgb,
            None,
        )?))
    }
}

// The kernel's vector helpers, each a plain sequence of rounded f32 ops.
type V3 = [f32; 3];
fn add(a: V3, b: V3) -> V3 {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}
fn sub(a: V3, b: V3) -> V3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
fn mul(a: V3, b: V3) -> V3 {
    [a[0] * b[0], a[1] * b[1], a[2] * b[2]]
}
fn scale(a: V3, s: f32) -> V3 {
    [a[0] * s, a[1] * s, a[2] * s]
}
fn dot3(a: V3, b: V3) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
fn unit(a: V3) -> V3 {
    let l = dot3(a, a).sqrt();
    [a[0] / l, a[1] / l, a[2] / l]
}

fn rnd(s: &mut u64) -> f32 {
    *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
    (mix64(*s) >> 40) as u32 as f32 * (1.0 / 16_777_216.0)
}

fn in_unit_ball(s: &mut u64) -> V3 {
    for _ in 0..64 {
        let x = rnd(s) * 2.0 - 1.0;
        let y = rnd(s) * 2.0 - 1.0;
        let z = rnd(s) * 2.0 - 1.0;
        let p = [x, y, z];
        let l2 = dot3(p, p);
        if l2 < 1.0 && l2 > 1e-6 {
            return p;
        }
    }
    [0.0; 3]
}

#[allow(clippy::too_many_arguments)]
fn trace_pixel(
    spheres: &[f32],
    cam: &[f32; 12],
    width: u32,
    height: u32,
    x: u32,
    row: u32,
    samples: u32,
    max_depth: u32,
    seed: u64,
) -> V3 {
    let origin = [cam[0], cam[1], cam[2]];
    let lower_left = [cam[3], cam[4], cam[5]];
    let horizontal = [cam[6], cam[7], cam[8]];
    let vertical = [cam[9], cam[10], cam[11]];
    let pixel = u64::from(row) * u64::from(width) + u64::from(x);
    let mut sum = [0.0f32; 3];
    for s in 0..samples {
        let mut st = mix64(
            seed ^ mix64(
                pixel
                    .wrapping_mul(0x100_0000_01B3)
                    .wrapping_add(u64::from(s)),
            ),
        );
        let u = (x as f32 + rnd(&mut st)) / width as f32;
        let v = ((height - 1 - row) as f32 + rnd(&mut st)) / height as f32;
        let mut ro = origin;
        let mut rd = sub(
            add(add(lower_left, scale(horizontal, u)), scale(vertical, v)),
            origin,
        );
        let mut throughput = [1.0f32; 3];
        let mut light = [0.0f32; 3];
        for _ in 0..max_depth {
            let mut best = 1e30f32;
            let mut hit = None;
            for (i, sp) in spheres.chunks_exact(SPHERE_FLOATS).enumerate() {
                let oc = sub(ro, [sp[0], sp[1], sp[2]]);
                let a = dot3(rd, rd);
                let b = dot3(oc, rd);
                let c = dot3(oc, oc) - sp[3] * sp[3];
                let disc = b * b - a * c;
                if disc > 0.0 {
                    let sq = disc.sqrt();
                    let mut t = (-b - sq) / a;
                    if t < 1e-3 {
                        t = (-b + sq) / a;
                    }
                    if t >= 1e-3 && t < best {
                        best = t;
                        hit = Some(i);
                    }
                }
            }
            let Some(hit) = hit else {
                let d = unit(rd);
                let k = 0.5 * (d[1] + 1.0);
                let sky = add(
                    scale([0.10, 0.10, 0.12], 1.0 - k),
                    scale([0.15, 0.25, 0.45], k),
                );
                light = add(light, mul(throughput, sky));
                break;
            };
            let sp = &spheres[hit * SPHERE_FLOATS..(hit + 1) * SPHERE_FLOATS];
            let mat = sp[10];
            let albedo = [sp[4], sp[5], sp[6]];
            if mat == MAT_EMISSIVE {
                light = add(light, mul(throughput, [sp[7], sp[8], sp[9]]));
                break;
            }
            let p = add(ro, scale(rd, best));
            let n = sub(p, [sp[0], sp[1], sp[2]]);
            let n = [n[0] / sp[3], n[1] / sp[3], n[2] / sp[3]];
            let dir = if mat == MAT_METAL {
                let d = unit(rd);
                let refl = sub(d, scale(n, 2.0 * dot3(d, n)));
                let dir = add(refl, scale(in_unit_ball(&mut st), sp[11]));
                if dot3(dir, n) <= 0.0 {
                    break;
                }
                dir
            } else {
                let dir = add(n, in_unit_ball(&mut st));
                if dot3(dir, dir) < 1e-8 {
                    n
                } else {
                    dir
                }
            };
            throughput = mul(throughput, albedo);
            ro = p;
            rd = dir;
        }
        sum = add(sum, light);
    }
    let inv = samples as f32;
    [sum[0] / inv, sum[1] / inv, sum[2] / inv]
}
