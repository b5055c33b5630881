//! Test-only: a provider that cheats, for the end-to-end test that checks
//! cheaters are caught and slashed.
//!
//! This module exists only in builds with the `test-cheat` feature, which
//! the agent's own tests turn on (a dev-dependency of the crate on itself);
//! a release build has no way to corrupt its results. Even then the agent
//! cheats only in a process started with [`CHEAT_ENV`]`=1`.

use std::sync::OnceLock;

use crate::executor::JobOutput;

/// Environment variable that turns cheating on (value `1`): the agent flips
/// a byte in every output chunk before committing, so its results are wrong
/// but consistently proven.
pub const CHEAT_ENV: &str = "STARMINER_AGENT_TEST_CORRUPT_CHUNKS";

/// Whether this process cheats; the first call logs a warning when it does.
pub fn active() -> bool {
    static ACTIVE: OnceLock<bool> = OnceLock::new();
    *ACTIVE.get_or_init(|| {
        let on = std::env::var(CHEAT_ENV).is_ok_and(|v| v == "1");
        if on {
            tracing::warn!(
                "{CHEAT_ENV}=1: TEST-ONLY CHEATING MODE, every output chunk is corrupted"
            );
        }
        on
    })
}

/// Corrupts `out` and commits to the corrupted data when this process
/// cheats; leaves it alone otherwise.
pub fn apply(out: &mut JobOutput, chunk_size: u64) {
    if active() {
        corrupt_chunks(&mut out.data, chunk_size);
        out.tree = starminer_templates::commit(&out.data, chunk_size);
    }
}

/// One flipped byte per chunk.
fn corrupt_chunks(data: &mut [u8], chunk_size: u64) {
    for chunk in data.chunks_mut(chunk_size.max(1) as usize) {
        if let Some(b) = chunk.first_mut() {
            *b ^= 0x5a;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corruption_changes_every_chunk() {
        let original: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        let mut data = original.clone();
        corrupt_chunks(&mut data, 256);
        let a = starminer_templates::commit(&original, 256);
        let b = starminer_templates::commit(&data, 256);
        for i in 0..a.leaf_count() {
            assert_ne!(a.leaf(i), b.leaf(i), "chunk {i}");
        }
    }
}
