//! Deterministic generators shared by the host side of every template.
//!
//! Inputs generated "from a seed" must be the same bytes on every machine, so
//! they use only integer arithmetic and exactly representable conversions.

/// SplitMix64: a tiny, well-mixed 64-bit generator (Steele, Lea, Flood 2014).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// Uniform in `[0, 1)` with 24 random bits (exact in f32).
    pub fn unit_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / 16_777_216.0)
    }

    /// Uniform in `[-1, 1)`.
    pub fn symmetric_f32(&mut self) -> f32 {
        self.unit_f32() * 2.0 - 1.0
    }

    /// Uniform in `0..n` (n > 0), slightly biased for huge n; fine for data.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The SplitMix64 finaliser.
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `n` values uniform in `[-scale, scale)` from `seed` and a stream id, so
/// that different tensors of one job never share a sequence.
pub fn symmetric_f32s(seed: u64, stream: u64, n: usize, scale: f32) -> Vec<f32> {
    let mut g = SplitMix64::new(mix64(seed ^ mix64(stream.wrapping_add(1))));
    (0..n).map(|_| g.symmetric_f32() * scale).collect()
}
