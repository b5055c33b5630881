//! Every kernel against its CPU reference, and every chunk recomputed alone
//! against the same chunk of the full run, on the first OpenCL device (PoCL
//! in CI). Skips, saying why, only when no OpenCL platform exists.

use std::sync::OnceLock;

use starminer_templates::{
    by_id, catalogue, chunk_range, f32_max_error, outputs_match, ClDevice, Template,
};

/// One device shared by all tests, as the agent shares one per device.
fn device() -> Option<&'static ClDevice> {
    static DEVICE: OnceLock<Option<ClDevice>> = OnceLock::new();
    let dev = DEVICE.get_or_init(|| match ClDevice::first() {
        Ok(d) => d,
        Err(e) => panic!("OpenCL device failed to open: {e}"),
    });
    // Without a device every kernel test would pass having checked nothing.
    assert!(
        dev.is_some(),
        "no OpenCL platform: run scripts/setup.sh (it installs pocl-opencl-icd)"
    );
    dev.as_ref()
}

/// Small parameters per template so that each test takes a few seconds.
fn small(id: &str) -> &'static str {
    match id {
        "render.fractal" => "width=403,height=250,max_iter=300,center_x=-0.7,view_width=2.8",
        "render.pathtrace" => "width=96,height=64,samples=4,max_depth=4,spheres=8,seed=7",
        "hpc.sgemm" => "m=300,n=260,k=200,seed=3",
        "ai.inference.mlp" => "batch=300,layers=3,width=130,seed=5",
        "ai.training.sgd" => {
            "samples=500,features=12,classes=3,batch=32,steps_per_block=10,blocks=4,lr=0.2,seed=9"
        }
        "bench.v1" => "words=40000,rounds=50",
        other => panic!("no small parameters for {other}"),
    }
}

fn check_against_reference(t: &dyn Template, params_text: &str, input: &[u8]) {
    let Some(dev) = device() else { return };
    let info = t.info();
    let p = t.parse_params(params_text).unwrap();
    let gpu = t.run(dev, &p, input, &|_, _| {}).unwrap();
    let cpu = t.cpu_reference(&p, input).unwrap();
    assert_eq!(gpu.len() as u64, t.output_len(&p).unwrap());
    assert_eq!(gpu.len(), cpu.len());
    assert!(
        outputs_match(info, &cpu, &gpu),
        "{}: device output differs from the CPU reference (max f32 error {})",
        info.id,
        f32_max_error(&cpu, &gpu)
    );
    if info.tolerance.is_none() {
        assert_eq!(
            gpu, cpu,
            "{}: exact template must match bit for bit",
            info.id
        );
    }
    // Every chunk recomputed alone equals the chunk of the full run.
    let count = t.chunk_count(&p).unwrap();
    for i in 0..count {
        let range = chunk_range(gpu.len() as u64, info.chunk_size, i).unwrap();
        let full = &gpu[range.start as usize..range.end as usize];
        let prev = (i > 0).then(|| {
            let r = chunk_range(gpu.len() as u64, info.chunk_size, i - 1).unwrap();
            &gpu[r.start as usize..r.end as usize]
        });
        let alone = t.recompute_chunk(dev, &p, input, i, prev).unwrap();
        assert!(
            outputs_match(info, full, &alone),
            "{}: chunk {i} recomputed alone differs",
            info.id
        );
    }
    assert!(t.recompute_chunk(dev, &p, input, count, None).is_err());
}

#[test]
fn test_parameters_give_several_chunks() {
    for t in catalogue() {
        let p = t.parse_params(small(t.info().id)).unwrap();
        assert!(t.chunk_count(&p).unwrap() >= 2, "{}", t.info().id);
    }
}

#[test]
fn fractal_is_bit_exact_mandelbrot_and_julia() {
    let t = by_id("render.fractal").unwrap();
    check_against_reference(t, small("render.fractal"), &[]);
    check_against_reference(
        t,
        "width=300,height=250,max_iter=500,julia=1,center_x=0,view_width=3.2,julia_re=-0.8,julia_im=0.156",
        &[],
    );
}

#[test]
fn fractal_png_is_a_valid_image_and_shows_structure() {
    let Some(dev) = device() else { return };
    let t = by_id("render.fractal").unwrap();
    let p = t.parse_params(small("render.fractal")).unwrap();
    let out = t.run(dev, &p, &[], &|_, _| {}).unwrap();
    let png = t.preview_png(&p, &out).unwrap().unwrap();
    assert_eq!(&png[1..4], b"PNG");
    // Both the set (0) and escaping points are present.
    assert!(out.contains(&0) && out.iter().any(|&v| v > 1));
}

#[test]
fn pathtrace_matches_reference() {
    check_against_reference(
        by_id("render.pathtrace").unwrap(),
        small("render.pathtrace"),
        &[],
    );
}

#[test]
fn sgemm_matches_reference_seeded_and_from_input() {
    let t = by_id("hpc.sgemm").unwrap();
    check_against_reference(t, small("hpc.sgemm"), &[]);
    // An explicit input: A = I (64×64) scaled, B arbitrary → C = 2·B exactly.
    let (m, n, k) = (64usize, 200usize, 64usize);
    let mut input = Vec::new();
    for r in 0..m {
        for c in 0..k {
            input.extend_from_slice(&(if r == c { 2.0f32 } else { 0.0 }).to_le_bytes());
        }
    }
    let b: Vec<f32> = (0..k * n).map(|i| (i % 17) as f32 - 8.0).collect();
    for v in &b {
        input.extend_from_slice(&v.to_le_bytes());
    }
    let text = format!("m={m},n={n},k={k}");
    check_against_reference(t, &text, &input);
    let Some(dev) = device() else { return };
    let p = t.parse_params(&text).unwrap();
    let c = t.run(dev, &p, &input, &|_, _| {}).unwrap();
    let expected: Vec<u8> = b.iter().flat_map(|v| (2.0 * v).to_le_bytes()).collect();
    assert_eq!(c, expected);
    // A wrong-sized input is refused with the size it needs.
    let err = t.run(dev, &p, &input[4..], &|_, _| {}).unwrap_err();
    assert!(err.to_string().contains("bytes"), "{err}");
}

#[test]
fn mlp_matches_reference() {
    check_against_reference(
        by_id("ai.inference.mlp").unwrap(),
        small("ai.inference.mlp"),
        &[],
    );
}

#[test]
fn sgd_matches_reference_and_blocks_replay_from_checkpoints() {
    let t = by_id("ai.training.sgd").unwrap();
    check_against_reference(t, small("ai.training.sgd"), &[]);
    let Some(dev) = device() else { return };
    let p = t.parse_params(small("ai.training.sgd")).unwrap();
    let out = t.run(dev, &p, &[], &|_, _| {}).unwrap();
    // Training makes progress: the loss of the last block is below the first.
    let loss_at = |block: usize| {
        let w = 3 * 13;
        let o = block * 32 * 1024 + w * 4;
        f32::from_le_bytes(out[o..o + 4].try_into().unwrap())
    };
    assert!(
        loss_at(3) < loss_at(0),
        "loss {} → {}",
        loss_at(0),
        loss_at(3)
    );
    // Block 2 needs checkpoint 1.
    assert!(t.recompute_chunk(dev, &p, &[], 2, None).is_err());
}

#[test]
fn bench_is_bit_exact_and_seed_dependent() {
    let t = by_id("bench.v1").unwrap();
    check_against_reference(t, small("bench.v1"), &[]);
    let a = t.parse_params("words=1000,rounds=8").unwrap();
    let b = t
        .parse_params("words=1000,rounds=8,seed=0100000000000000000000000000000000000000000000000000000000000000")
        .unwrap();
    assert_ne!(
        t.cpu_reference(&a, &[]).unwrap(),
        t.cpu_reference(&b, &[]).unwrap()
    );
}

#[test]
fn progress_reaches_the_total() {
    let Some(dev) = device() else { return };
    for t in catalogue() {
        let p = t.parse_params(small(t.info().id)).unwrap();
        let last = std::sync::Mutex::new((0, 0));
        t.run(dev, &p, &[], &|done, total| {
            *last.lock().unwrap() = (done, total)
        })
        .unwrap();
        let (done, total) = *last.lock().unwrap();
        assert!(
            total > 0 && done == total,
            "{}: {done}/{total}",
            t.info().id
        );
    }
}

#[test]
fn both_sgemm_kernels_agree_with_the_reference() {
    use starminer_templates::{sgemm_multiply_with, SgemmKernel};
    let Some(dev) = device() else { return };
    let (m, n, k) = (70, 90, 130);
    let a: Vec<f32> = (0..m * k)
        .map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0)
        .collect();
    let b: Vec<f32> = (0..k * n)
        .map(|i| ((i * 53) % 97) as f32 / 48.0 - 1.0)
        .collect();
    let mut want = vec![0f32; m * n];
    for r in 0..m {
        for c in 0..n {
            want[r * n + c] = (0..k).map(|x| a[r * k + x] * b[x * n + c]).sum();
        }
    }
    for which in [SgemmKernel::Local, SgemmKernel::Registers] {
        let got = sgemm_multiply_with(dev, which, m, n, k, &a, &b).unwrap();
        let err = want
            .iter()
            .zip(&got)
            .map(|(w, g)| (w - g).abs() / w.abs().max(1.0))
            .fold(0f32, f32::max);
        assert!(err < 1e-4, "{which:?}: max error {err}");
    }
}
