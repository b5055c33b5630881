//! Wasm uploads within a public node's limits.
//!
//! Code is uploaded gzip'ed, as wasmd's own CLI and CosmJS do: wasmd (and
//! the devnet) recognise the gzip magic in `MsgStoreCode`, uncompress it (at
//! most [`MAX_WASM_SIZE`] bytes) and store the checksum of the plain code,
//! so a manifest's checksums do not change.
//!
//! A store-code transaction travels twice: hex-encoded inside the JSON of
//! the `abci_query` that simulates it (twice its size), then base64-encoded
//! in `broadcast_tx_sync` (4/3 of its size). Both must stay under CometBFT's
//! `max_body_bytes` (1,000,000 by default, which public RPC nodes keep), and
//! the transaction under the mempool's `max_tx_bytes` (1 MiB).
//! [`UploadSize`] says how close an artifact comes.

use std::io::Write;

use anyhow::{bail, Context, Result};

/// wasmd's limit on code, compressed or not (`MaxWasmSize`, 800 KiB).
pub const MAX_WASM_SIZE: usize = 800 * 1024;
/// CometBFT's default `rpc.max_body_bytes`.
pub const COMETBFT_MAX_BODY_BYTES: usize = 1_000_000;
/// CometBFT's default `mempool.max_tx_bytes`.
pub const COMETBFT_MAX_TX_BYTES: usize = 1024 * 1024;

/// Signature, fee, signer info, the message's other fields and the JSON-RPC
/// envelope: a generous bound on what a store-code request adds to the code.
const REQUEST_OVERHEAD: usize = 1024;

const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// Whether `code` is already gzip'ed.
pub fn is_gzip(code: &[u8]) -> bool {
    code.starts_with(&GZIP_MAGIC)
}

/// `wasm` gzip'ed at the best compression (unchanged when it already is).
pub fn gzip_wasm(wasm: &[u8]) -> Result<Vec<u8>> {
    if is_gzip(wasm) {
        return Ok(wasm.to_vec());
    }
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(wasm.len() / 2),
        flate2::Compression::best(),
    );
    enc.write_all(wasm).context("gzip'ing the wasm code")?;
    enc.finish().context("gzip'ing the wasm code")
}

/// An artifact's sizes and the requests that upload it, against the limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct UploadSize {
    /// The plain wasm.
    pub wasm_bytes: usize,
    /// What is uploaded (gzip'ed).
    pub upload_bytes: usize,
    /// The simulate request (hex in JSON), estimated from above.
    pub simulate_request_bytes: usize,
    /// The broadcast request (base64 in JSON), estimated from above.
    pub broadcast_request_bytes: usize,
}

impl UploadSize {
    pub fn of(wasm_bytes: usize, upload_bytes: usize) -> UploadSize {
        UploadSize {
            wasm_bytes,
            upload_bytes,
            simulate_request_bytes: 2 * (upload_bytes + REQUEST_OVERHEAD),
            broadcast_request_bytes: (upload_bytes + REQUEST_OVERHEAD).div_ceil(3) * 4,
        }
    }

    /// The largest request as a share of CometBFT's default body limit.
    pub fn body_limit_percent(&self) -> usize {
        self.simulate_request_bytes
            .max(self.broadcast_request_bytes)
            .saturating_mul(100)
            / COMETBFT_MAX_BODY_BYTES
    }

    /// Fails, saying which limit and by how much, when an upload cannot pass
    /// a node with default limits.
    pub fn check(&self) -> Result<()> {
        if self.wasm_bytes > MAX_WASM_SIZE {
            bail!(
                "the wasm is {} bytes, over wasmd's {MAX_WASM_SIZE}-byte code limit: shrink the contract (scripts/build-wasm.sh refuses such artifacts)",
                self.wasm_bytes
            );
        }
        let largest = self
            .simulate_request_bytes
            .max(self.broadcast_request_bytes);
        if largest > COMETBFT_MAX_BODY_BYTES {
            bail!(
                "the wasm is {} bytes ({} gzip'ed); uploading it needs a {largest}-byte request, over CometBFT's default max_body_bytes of {COMETBFT_MAX_BODY_BYTES} that public nodes keep: shrink the contract",
                self.wasm_bytes,
                self.upload_bytes
            );
        }
        if self.upload_bytes + REQUEST_OVERHEAD > COMETBFT_MAX_TX_BYTES {
            bail!(
                "the upload is {} bytes, over CometBFT's default max_tx_bytes of {COMETBFT_MAX_TX_BYTES}: shrink the contract",
                self.upload_bytes
            );
        }
        Ok(())
    }

    /// `658202 B wasm, 231012 B gzip'ed, largest request 46% of max_body_bytes`.
    pub fn summary(&self) -> String {
        format!(
            "{} B wasm, {} B gzip'ed, largest request {}% of CometBFT's default max_body_bytes",
            self.wasm_bytes,
            self.upload_bytes,
            self.body_limit_percent()
        )
    }
}

/// The code to put in `MsgStoreCode` for `wasm`, and its sizes; fails early
/// when a node with default limits would refuse it.
pub fn prepare_upload(wasm: &[u8]) -> Result<(Vec<u8>, UploadSize)> {
    let upload = gzip_wasm(wasm)?;
    let plain = if is_gzip(wasm) {
        let mut out = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(flate2::read::GzDecoder::new(wasm), MAX_WASM_SIZE as u64 + 1),
            &mut out,
        )
        .context("the code looks gzip'ed but does not uncompress")?;
        out.len()
    } else {
        wasm.len()
    };
    let size = UploadSize::of(plain, upload.len());
    size.check()?;
    Ok((upload, size))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn gzip_round_trips_and_is_not_applied_twice() {
        let wasm: Vec<u8> = b"\0asm\x01\0\0\0"
            .iter()
            .copied()
            .chain((0..50_000u32).flat_map(|i| (i % 251).to_le_bytes()))
            .collect();
        let (up, size) = prepare_upload(&wasm).unwrap();
        assert!(is_gzip(&up));
        assert!(up.len() < wasm.len());
        assert_eq!(size.wasm_bytes, wasm.len());
        assert_eq!(size.upload_bytes, up.len());
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(up.as_slice())
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, wasm);
        let (again, size2) = prepare_upload(&up).unwrap();
        assert_eq!(again, up);
        assert_eq!(size2, size);
    }

    #[test]
    fn the_job_market_sized_upload_fits_only_gzipped() {
        // 658 KB plain, as the job market measured on wasmd: plain it needs
        // a 1.3 MB simulate request; gzip'ed (about 35%) it fits.
        let plain = UploadSize::of(658_202, 658_202);
        assert!(plain
            .check()
            .unwrap_err()
            .to_string()
            .contains("max_body_bytes"));
        let gz = UploadSize::of(658_202, 230_000);
        gz.check().unwrap();
        assert!(gz.body_limit_percent() < 50, "{}", gz.summary());
        let too_big = UploadSize::of(MAX_WASM_SIZE + 1, 100);
        assert!(too_big
            .check()
            .unwrap_err()
            .to_string()
            .contains("code limit"));
    }
}
