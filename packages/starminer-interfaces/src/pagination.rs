//! The page-size rule every StarMiner list query follows: `limit` defaults
//! to [`DEFAULT_LIMIT`] and is capped at [`MAX_LIMIT`], so no query reads an
//! unbounded range however large the state grows.

pub const DEFAULT_LIMIT: u32 = 10;
pub const MAX_LIMIT: u32 = 100;

/// Number of entries a list query returns for the caller's `limit`.
pub fn page_size(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).min(MAX_LIMIT) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_caps() {
        assert_eq!(page_size(None), 10);
        assert_eq!(page_size(Some(0)), 0);
        assert_eq!(page_size(Some(42)), 42);
        assert_eq!(page_size(Some(u32::MAX)), 100);
    }
}
