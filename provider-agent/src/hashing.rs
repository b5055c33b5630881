//! Merkle commitments of outputs held in memory or in files, hashing chunks
//! on all cores. The tree itself is `starminer-merkle`'s, so roots and
//! proofs are exactly what the chain verifies.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use anyhow::{Context, Result};
use starminer_merkle::{leaf_hash, Hash, MerkleTree};

/// The tree of an in-memory output (see `starminer_templates::commit`).
pub fn commit_bytes(data: &[u8], chunk_size: u64) -> MerkleTree {
    starminer_templates::commit(data, chunk_size)
}

/// The tree of a file's contents, read and hashed by one thread per core,
/// each over a contiguous run of chunks.
pub fn commit_file(path: &Path, chunk_size: u64) -> Result<MerkleTree> {
    anyhow::ensure!(chunk_size > 0, "chunk size must be positive");
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let len = file.metadata()?.len();
    let count = starminer_merkle::chunk_count(len, chunk_size);
    if len == 0 {
        return Ok(MerkleTree::from_leaves(vec![leaf_hash(&[])]).expect("one leaf"));
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let per_thread = count.div_ceil(threads);
    let mut leaves: Vec<Hash> = vec![[0; 32]; count as usize];
    std::thread::scope(|s| -> Result<()> {
        let handles: Vec<_> = leaves
            .chunks_mut(per_thread as usize)
            .enumerate()
            .map(|(t, out)| {
                let file = &file;
                s.spawn(move || -> Result<()> {
                    // Reads several chunks per system call.
                    let batch = (8 << 20) / chunk_size.min(8 << 20);
                    let first = t as u64 * per_thread;
                    let mut buf = vec![0u8; (batch * chunk_size) as usize];
                    let mut i = 0;
                    while i < out.len() {
                        let n = (out.len() - i).min(batch as usize);
                        let start = (first + i as u64) * chunk_size;
                        let end = (start + n as u64 * chunk_size).min(len);
                        let bytes = &mut buf[..(end - start) as usize];
                        file.read_exact_at(bytes, start)?;
                        for (leaf, chunk) in out[i..i + n]
                            .iter_mut()
                            .zip(bytes.chunks(chunk_size as usize))
                        {
                            *leaf = leaf_hash(chunk);
                        }
                        i += n;
                    }
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join()
                .map_err(|_| anyhow::anyhow!("hashing thread panicked"))??;
        }
        Ok(())
    })?;
    Ok(MerkleTree::from_leaves(leaves).expect("at least one leaf"))
}

/// A replicated job's commitment to `root` (hex), bound to the committing
/// provider and the job: `starminer_interfaces::job_market::replica_commitment`,
/// the hash the job market's `RevealResult` recomputes.
pub fn result_commitment(
    root_hex: &str,
    salt: &[u8],
    provider: &str,
    job_id: u64,
) -> Result<String> {
    let root = hex::decode(root_hex).context("the root is not hex")?;
    anyhow::ensure!(root.len() == 32, "the root is not 32 bytes");
    Ok(starminer_interfaces::job_market::replica_commitment(
        &root, salt, provider, job_id,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitment_is_sha256_of_root_salt_provider_and_job() {
        use sha2::{Digest, Sha256};
        let root = [7u8; 32];
        let salt = b"pepper";
        let mut joined = root.to_vec();
        joined.extend_from_slice(salt);
        joined.extend_from_slice(b"prov");
        joined.extend_from_slice(&9u64.to_be_bytes());
        let expected = hex::encode(Sha256::digest(&joined));
        assert_eq!(
            result_commitment(&hex::encode(root), salt, "prov", 9).unwrap(),
            expected
        );
        assert_ne!(
            result_commitment(&hex::encode(root), salt, "other", 9).unwrap(),
            expected
        );
        assert!(result_commitment("abcd", salt, "prov", 9).is_err());
        assert!(result_commitment("zz", salt, "prov", 9).is_err());
    }

    #[test]
    fn file_and_memory_commitments_agree() {
        let data: Vec<u8> = (0..1_000_003u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.bin");
        std::fs::write(&path, &data).unwrap();
        for chunk in [1000u64, 65536, 4 << 20] {
            let want = MerkleTree::from_data(&data, chunk as usize).unwrap().root();
            assert_eq!(commit_file(&path, chunk).unwrap().root(), want);
            assert_eq!(commit_bytes(&data, chunk).root(), want);
        }
        std::fs::write(&path, b"").unwrap();
        assert_eq!(commit_file(&path, 64).unwrap().root(), leaf_hash(&[]));
    }
}
