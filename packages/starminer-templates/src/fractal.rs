//! `render.fractal`: an escape-time fractal (Mandelbrot or Julia) in
//! fixed-point integer arithmetic, bit-exact on every device. Output: one
//! byte per pixel, row-major (0 = inside the set, else 1 + iterations mod
//! 255); the user gets a palette PNG of the whole image.

use std::ops::Range;

use crate::params::{ParamKind, ParamSpec};
use crate::rows::{encode_png, par_rows, RowKernel, Rows};
use crate::{ClDevice, JobClass, Params, Result, TemplateInfo};

/// Fractional bits of the fixed-point format (kept equal to the kernel's).
const FRAC: u32 = 26;

pub(crate) static FRACTAL: Rows<Fractal> = Rows(Fractal);

static INFO: TemplateInfo = TemplateInfo {
    id: "render.fractal",
    description: "Escape-time Mandelbrot/Julia fractal in fixed-point integers (bit-exact), 8-bit palette image",
    class: JobClass::Render,
    unit_params: &["width", "height", "max_iter"],
    unit_factor: 1,
    unit_divisor: 1_000_000,
    unit_name: "million pixel-iterations (upper bound)",
    chunk_size: 64 * 1024,
    tolerance: None,
    max_seconds_per_unit: "0.05",
    min_device_memory: 64 << 20,
    kernel_source: include_str!("../kernels/fractal.cl"),
    params: &[
        ParamSpec { name: "width", kind: ParamKind::Int { min: 1, max: 16384, default: 1024 }, doc: "image width in pixels" },
        ParamSpec { name: "height", kind: ParamKind::Int { min: 1, max: 16384, default: 768 }, doc: "image height in pixels" },
        ParamSpec { name: "max_iter", kind: ParamKind::Int { min: 1, max: 100_000, default: 256 }, doc: "iteration limit per pixel" },
        ParamSpec { name: "julia", kind: ParamKind::Int { min: 0, max: 1, default: 0 }, doc: "0: Mandelbrot set, 1: Julia set of (julia_re, julia_im)" },
        ParamSpec { name: "center_x", kind: ParamKind::Float { min: -2.5, max: 2.5, default: -0.5 }, doc: "real part of the image centre" },
        ParamSpec { name: "center_y", kind: ParamKind::Float { min: -2.5, max: 2.5, default: 0.0 }, doc: "imaginary part of the image centre" },
        ParamSpec { name: "view_width", kind: ParamKind::Float { min: 1e-5, max: 5.0, default: 3.0 }, doc: "width of the view in the complex plane" },
        ParamSpec { name: "julia_re", kind: ParamKind::Float { min: -2.0, max: 2.0, default: -0.8 }, doc: "Julia constant, real part" },
        ParamSpec { name: "julia_im", kind: ParamKind::Float { min: -2.0, max: 2.0, default: 0.156 }, doc: "Julia constant, imaginary part" },
    ],
    input_doc: "none (the input is ignored)",
    output_doc: "width·height bytes, row-major from the top row: 0 inside the set, else 1 + iterations mod 255",
};

pub(crate) struct Fractal;

/// The fixed-point view of a job, computed once on the host.
#[derive(Debug, Clone, Copy)]
struct View {
    width: u32,
    left: i64,
    top: i64,
    step: i64,
    max_iter: u32,
    julia: bool,
    jr: i64,
    ji: i64,
}

fn fixed(x: f64) -> i64 {
    (x * f64::from(1u32 << FRAC)).round() as i64
}

impl View {
    fn of(p: &Params) -> View {
        let width = p.int("width") as i64;
        let height = p.int("height") as i64;
        let step = fixed(p.float("view_width") / width as f64).max(1);
        View {
            width: width as u32,
            left: fixed(p.float("center_x")) - (width / 2) * step,
            top: fixed(p.float("center_y")) + (height / 2) * step,
            step,
            max_iter: p.int("max_iter") as u32,
            julia: p.int("julia") == 1,
            jr: fixed(p.float("julia_re")),
            ji: fixed(p.float("julia_im")),
        }
    }

    /// The CPU reference of one pixel: the kernel's loop, statement for
    /// statement.
    fn pixel(&self, x: u32, row: i64) -> u8 {
        let pr = self.left + i64::from(x) * self.step;
        let pi = self.top - row * self.step;
        let (mut zr, mut zi, cr, ci) = if self.julia {
            (pr, pi, self.jr, self.ji)
        } else {
            (0, 0, pr, pi)
        };
        let four = 4i64 << FRAC;
        let mut it = 0;
        while it < self.max_iter {
            let zr2 = (zr * zr) >> FRAC;
            let zi2 = (zi * zi) >> FRAC;
            if zr2 + zi2 > four {
                break;
            }
            zi = ((2 * zr * zi) >> FRAC) + ci;
            zr = zr2 - zi2 + cr;
            it += 1;
        }
        if it >= self.max_iter {
            0
        } else {
            (1 + it % 255) as u8
        }
    }
}

/// 256-entry RGB palette: black for the set, a smooth cyclic ramp outside.
fn palette() -> Vec<u8> {
    let mut p = vec![0u8; 256 * 3];
    for i in 1..256usize {
        let t = i as f64 / 255.0;
        let r = 9.0 * (1.0 - t) * t * t * t;
        let g = 15.0 * (1.0 - t) * (1.0 - t) * t * t;
        let b = 8.5 * (1.0 - t) * (1.0 - t) * (1.0 - t) * t;
        p[i * 3] = (r * 255.0).clamp(0.0, 255.0) as u8;
        p[i * 3 + 1] = (g * 255.0).clamp(0.0, 255.0) as u8;
        p[i * 3 + 2] = (b * 255.0).clamp(0.0, 255.0) as u8;
    }
    p
}

impl RowKernel for Fractal {
    fn info(&self) -> &'static TemplateInfo {
        &INFO
    }

    fn shape(&self, p: &Params) -> (u64, u64) {
        (p.int("height"), p.int("width"))
    }

    /// Keeps every point of the view within |8| so that no product of the
    /// iteration can overflow 64 bits (|z| ≤ 12 before the escape test).
    fn check_params(&self, p: &Params) -> Result<()> {
        let v = View::of(p);
        let right = v.left + i64::from(v.width) * v.step;
        let bottom = v.top - p.int("height") as i64 * v.step;
        let limit = 8i64 << FRAC;
        if [v.left, right, v.top, bottom]
            .iter()
            .any(|c| c.abs() > limit)
        {
            return Err(crate::TemplateError::BadParam {
                name: "view_width".into(),
                reason: "the view reaches beyond ±8 in the complex plane; zoom in or make the image less elongated".into(),
            });
        }
        Ok(())
    }

    fn gpu_rows(
        &self,
        dev: &ClDevice,
        p: &Params,
        _input: &[u8],
        rows: Range<u64>,
    ) -> Result<Vec<u8>> {
        let v = View::of(p);
        let n_rows = (rows.end - rows.start) as usize;
        let len = n_rows * v.width as usize;
        let out = dev.scratch::<u8>(len)?;
        let program = dev.program(&INFO)?;
        let kernel = ocl::Kernel::builder()
            .program(&program)
            .name("fractal")
            .queue(dev.queue().clone())
            .global_work_size([v.width as usize, n_rows])
            .arg(v.width)
            .arg(rows.start as u32)
            .arg(v.left)
            .arg(v.top)
            .arg(v.step)
            .arg(v.max_iter)
            .arg(u32::from(v.julia))
            .arg(v.jr)
            .arg(v.ji)
            .arg(&out)
            .build()?;
        // SAFETY: every argument matches the kernel signature and `out` holds
        // width × rows bytes, one per work-item.
        unsafe { kernel.enq()? };
        dev.download(&out, len)
    }

    fn cpu_rows(&self, p: &Params, _input: &[u8], rows: Range<u64>) -> Result<Vec<u8>> {
        let v = View::of(p);
        Ok(par_rows(rows, u64::from(v.width), |row, out| {
            for (x, px) in out.iter_mut().enumerate() {
                *px = v.pixel(x as u32, row as i64);
            }
        }))
    }

    fn preview_png(&self, p: &Params, output: &[u8]) -> Result<Option<Vec<u8>>> {
        let png = encode_png(
            p.int("width") as u32,
            p.int("height") as u32,
            output,
            Some(&palette()),
        )?;
        Ok(Some(png))
    }
}
