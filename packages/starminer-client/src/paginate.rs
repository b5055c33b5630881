//! Reading every page of a paginated query.
//!
//! Two cursor styles meet a client of a CosmWasm chain:
//! - contract list queries take `start_after` (the key of the last item
//!   already read) and `limit`, and a page shorter than `limit` is the last;
//! - Cosmos SDK queries answer with a `next_key` that is empty on the last
//!   page.
//!
//! [`collect_pages`] drives either: the caller fetches one page for a cursor
//! and says, through [`Page`], which cursor comes next.

use std::future::Future;

use anyhow::{bail, Result};

/// The page size to ask a StarMiner contract for: the most its list
/// queries return at once.
pub const MAX_PAGE: u32 = 100;

/// One page of a paginated answer and the cursor of the page after it
/// (`None`: this was the last).
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T, C> {
    pub items: Vec<T>,
    pub next: Option<C>,
}

impl<T, C> Page<T, C> {
    /// A page of a contract list query asked with `limit`: a full page may
    /// have a successor, which starts after the key of its last item.
    pub fn after_last(items: Vec<T>, limit: u32, key: impl Fn(&T) -> C) -> Self {
        let next = if items.len() < limit as usize {
            None
        } else {
            items.last().map(key)
        };
        Page { items, next }
    }
}

impl<T> Page<T, Vec<u8>> {
    /// A page of a Cosmos SDK query (`PageResponse.next_key`, empty on the
    /// last page).
    pub fn from_next_key(items: Vec<T>, next_key: Vec<u8>) -> Self {
        let next = (!next_key.is_empty()).then_some(next_key);
        Page { items, next }
    }
}

/// Fetches pages from the first (`fetch(None)`) until one has no successor,
/// or until at least `max` items were read, and returns their items in order
/// (at most `max`).
///
/// A cursor equal to the one just used is refused with an error rather than
/// looped on: a query that does not advance would otherwise never end.
pub async fn collect_pages<T, C, F, Fut>(max: Option<usize>, mut fetch: F) -> Result<Vec<T>>
where
    C: Clone + PartialEq + std::fmt::Debug,
    F: FnMut(Option<C>) -> Fut,
    Fut: Future<Output = Result<Page<T, C>>>,
{
    let max = max.unwrap_or(usize::MAX);
    let mut all = Vec::new();
    let mut cursor: Option<C> = None;
    while all.len() < max {
        let page = fetch(cursor.clone()).await?;
        all.extend(page.items);
        match page.next {
            None => break,
            Some(next) if cursor.as_ref() == Some(&next) => {
                bail!("a paginated query returned the cursor {next:?} again and does not advance")
            }
            Some(next) => cursor = Some(next),
        }
    }
    all.truncate(max);
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A contract-style list of `0..len` read `limit` at a time, counting
    /// the pages asked for.
    fn list(len: u64, limit: u32, calls: &Cell<u32>, after: Option<u64>) -> Page<u64, u64> {
        calls.set(calls.get() + 1);
        let first = after.map_or(0, |a| a + 1);
        let items: Vec<u64> = (first..len).take(limit as usize).collect();
        Page::after_last(items, limit, |i| *i)
    }

    async fn read(len: u64, limit: u32, max: Option<usize>) -> (Vec<u64>, u32) {
        let calls = Cell::new(0);
        let items = collect_pages(max, |after| {
            let page = list(len, limit, &calls, after);
            async move { Ok(page) }
        })
        .await
        .unwrap();
        (items, calls.get())
    }

    #[tokio::test]
    async fn pages_are_joined_in_order() {
        let (items, calls) = read(25, 10, None).await;
        assert_eq!(items, (0..25).collect::<Vec<_>>());
        assert_eq!(calls, 3);
        // An exact multiple of the page size costs one empty page more.
        let (items, calls) = read(20, 10, None).await;
        assert_eq!(items.len(), 20);
        assert_eq!(calls, 3);
        let (items, calls) = read(0, 10, None).await;
        assert!(items.is_empty());
        assert_eq!(calls, 1);
    }

    #[tokio::test]
    async fn max_stops_early_and_truncates() {
        let (items, calls) = read(1000, 10, Some(15)).await;
        assert_eq!(items, (0..15).collect::<Vec<_>>());
        assert_eq!(calls, 2);
        let (items, calls) = read(1000, 10, Some(0)).await;
        assert!(items.is_empty());
        assert_eq!(calls, 0);
    }

    #[tokio::test]
    async fn a_cursor_that_does_not_advance_is_an_error() {
        let e = collect_pages(None, |_after: Option<u64>| async {
            Ok(Page {
                items: vec![1, 2],
                next: Some(7u64),
            })
        })
        .await
        .unwrap_err();
        assert!(e.to_string().contains("does not advance"), "{e}");
    }

    #[tokio::test]
    async fn sdk_next_keys_end_when_empty() {
        let pages = [(vec![1, 2], b"k1".to_vec()), (vec![3], Vec::new())];
        let asked = std::cell::RefCell::new(Vec::new());
        let items = collect_pages(None, |key: Option<Vec<u8>>| {
            asked.borrow_mut().push(key.clone());
            let i = usize::from(key.is_some());
            let (items, next) = pages[i].clone();
            async move { Ok(Page::from_next_key(items, next)) }
        })
        .await
        .unwrap();
        assert_eq!(items, [1, 2, 3]);
        assert_eq!(*asked.borrow(), [None, Some(b"k1".to_vec())]);
    }
}
