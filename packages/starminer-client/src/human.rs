//! Times as people read them: local dates for instants, spans for
//! durations. The chain speaks unix seconds; what the CLI and the agent
//! print for people never does (JSON keeps the seconds).

use chrono::{Local, TimeZone};

/// A unix time as a local date and time with its offset
/// (`2026-12-05 14:03:09 +01:00`).
pub fn when(unix: u64) -> String {
    match i64::try_from(unix)
        .ok()
        .and_then(|s| Local.timestamp_opt(s, 0).single())
    {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S %:z").to_string(),
        None => format!("unix {unix}"),
    }
}

/// A span of seconds in its two largest units (`45 s`, `2 min 05 s`,
/// `3 h 20 min`, `2 d 4 h`).
pub fn span(secs: u64) -> String {
    const MIN: u64 = 60;
    const HOUR: u64 = 60 * MIN;
    const DAY: u64 = 24 * HOUR;
    match secs {
        s if s < MIN => format!("{s} s"),
        s if s < HOUR => format!("{} min {:02} s", s / MIN, s % MIN),
        s if s < DAY => format!("{} h {:02} min", s / HOUR, s % HOUR / MIN),
        s => format!("{} d {} h", s / DAY, s % DAY / HOUR),
    }
}

/// When `at` comes, seen at `now` (both unix seconds): `in 2 min 05 s
/// (2026-12-05 14:03:09 +01:00)`, or `now` once it has passed.
pub fn until(at: u64, now: u64) -> String {
    match at.saturating_sub(now) {
        0 => "now".to_string(),
        s => format!("in {} ({})", span(s), when(at)),
    }
}

/// How long ago `then` was, seen at `now`: `3 min 10 s ago`.
pub fn ago(then: u64, now: u64) -> String {
    format!("{} ago", span(now.saturating_sub(then)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_use_their_two_largest_units() {
        assert_eq!(span(0), "0 s");
        assert_eq!(span(59), "59 s");
        assert_eq!(span(125), "2 min 05 s");
        assert_eq!(span(3 * 3600 + 20 * 60 + 7), "3 h 20 min");
        assert_eq!(span(2 * 86400 + 4 * 3600), "2 d 4 h");
        assert_eq!(until(100, 100), "now");
        assert_eq!(until(90, 100), "now");
        assert!(
            until(160, 100).starts_with("in 1 min 00 s ("),
            "{}",
            until(160, 100)
        );
        assert_eq!(ago(100, 290), "3 min 10 s ago");
    }

    #[test]
    fn instants_are_local_dates_not_seconds() {
        let w = when(1_764_900_000);
        assert!(w.starts_with("2025-12-0"), "{w}");
        assert!(w.contains(':') && !w.contains("1764900000"), "{w}");
    }
}
