//! Fetching a job's input: `file://` paths and `http(s)://` URLs, with a size
//! limit, a timeout and SHA-256 verification (docs/protocol.md: a provider that
//! finds the input's hash wrong reports it instead of computing).

use std::time::Duration;

use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use starminer_interfaces::job_market::JobInput;
use tokio::io::AsyncReadExt;

/// Limits of one fetch.
#[derive(Debug, Clone, Copy)]
pub struct FetchLimits {
    pub max_bytes: u64,
    pub timeout: Duration,
}

impl Default for FetchLimits {
    fn default() -> Self {
        FetchLimits {
            max_bytes: 1 << 30,
            timeout: Duration::from_secs(300),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("input URI `{0}` is not supported: use file:///path or http(s)://")]
    UnsupportedScheme(String),
    #[error("input `{0}` not found")]
    NotFound(String),
    #[error("input `{uri}` is larger than the {max}-byte limit (at least {size} bytes)")]
    TooLarge { uri: String, size: u64, max: u64 },
    #[error("input `{uri}` has SHA-256 {actual}, the job says {expected}: report bad input")]
    HashMismatch {
        uri: String,
        expected: String,
        actual: String,
    },
    #[error("expected SHA-256 `{0}` is not 64 hex digits")]
    BadExpectedHash(String),
    #[error("fetching `{uri}` took longer than {secs} s")]
    Timeout { uri: String, secs: u64 },
    #[error("fetching `{uri}`: HTTP {status}")]
    Http { uri: String, status: u16 },
    #[error("fetching `{uri}`: {message}")]
    Io { uri: String, message: String },
}

/// A job's input: its inline bytes, or its remote input fetched within its
/// declared size and `max_bytes` (the agent's `max_input_bytes`) and checked
/// against its SHA-256.
pub async fn job_input(input: &JobInput, max_bytes: u64) -> Result<Vec<u8>, FetchError> {
    match input {
        JobInput::Inline { data } => Ok(data.to_vec()),
        JobInput::Remote { uri, sha256, size } => {
            let limits = FetchLimits {
                max_bytes: (*size).min(max_bytes),
                ..FetchLimits::default()
            };
            fetch_input(uri, sha256, limits).await
        }
    }
}

/// Fetches `uri`, refusing more than `limits.max_bytes`, and checks that its
/// SHA-256 is `expected_sha256` (hex, case-insensitive).
pub async fn fetch_input(
    uri: &str,
    expected_sha256: &str,
    limits: FetchLimits,
) -> Result<Vec<u8>, FetchError> {
    let expected = expected_sha256.to_ascii_lowercase();
    if expected.len() != 64 || hex::decode(&expected).is_err() {
        return Err(FetchError::BadExpectedHash(expected_sha256.to_string()));
    }
    let fetch = async {
        if let Some(path) = uri.strip_prefix("file://") {
            fetch_file(uri, path, limits.max_bytes).await
        } else if uri.starts_with("http://") || uri.starts_with("https://") {
            fetch_http(uri, limits).await
        } else {
            Err(FetchError::UnsupportedScheme(uri.to_string()))
        }
    };
    let data = tokio::time::timeout(limits.timeout, fetch)
        .await
        .map_err(|_| FetchError::Timeout {
            uri: uri.to_string(),
            secs: limits.timeout.as_secs(),
        })??;
    let actual = hex::encode(Sha256::digest(&data));
    if actual != expected {
        return Err(FetchError::HashMismatch {
            uri: uri.to_string(),
            expected,
            actual,
        });
    }
    Ok(data)
}

async fn fetch_file(uri: &str, path: &str, max: u64) -> Result<Vec<u8>, FetchError> {
    let io = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::NotFound {
            FetchError::NotFound(uri.to_string())
        } else {
            FetchError::Io {
                uri: uri.to_string(),
                message: e.to_string(),
            }
        }
    };
    let file = tokio::fs::File::open(path).await.map_err(io)?;
    let size = file.metadata().await.map_err(io)?.len();
    if size > max {
        return Err(FetchError::TooLarge {
            uri: uri.to_string(),
            size,
            max,
        });
    }
    // Read at most max + 1 bytes in case the file grows meanwhile.
    let mut data = Vec::with_capacity(size as usize);
    file.take(max + 1)
        .read_to_end(&mut data)
        .await
        .map_err(io)?;
    if data.len() as u64 > max {
        return Err(FetchError::TooLarge {
            uri: uri.to_string(),
            size: data.len() as u64,
            max,
        });
    }
    Ok(data)
}

async fn fetch_http(uri: &str, limits: FetchLimits) -> Result<Vec<u8>, FetchError> {
    let io = |e: reqwest::Error| FetchError::Io {
        uri: uri.to_string(),
        message: e.to_string(),
    };
    let client = reqwest::Client::builder()
        .timeout(limits.timeout)
        .build()
        .map_err(io)?;
    let resp = client.get(uri).send().await.map_err(io)?;
    let status = resp.status();
    if status == reqwest::StatusCode::NOT_FOUND {
        return Err(FetchError::NotFound(uri.to_string()));
    }
    if !status.is_success() {
        return Err(FetchError::Http {
            uri: uri.to_string(),
            status: status.as_u16(),
        });
    }
    let too_large = |size| FetchError::TooLarge {
        uri: uri.to_string(),
        size,
        max: limits.max_bytes,
    };
    if let Some(len) = resp.content_length() {
        if len > limits.max_bytes {
            return Err(too_large(len));
        }
    }
    let mut data = Vec::new();
    let mut body = resp.bytes_stream();
    while let Some(part) = body.next().await {
        let part = part.map_err(io)?;
        if data.len() as u64 + part.len() as u64 > limits.max_bytes {
            return Err(too_large(data.len() as u64 + part.len() as u64));
        }
        data.extend_from_slice(&part);
    }
    Ok(data)
}
