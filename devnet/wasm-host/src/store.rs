//! The key-value store under the host, and its transactional layering.
//!
//! [`KvStore`] is the one storage abstraction: an ordered byte map with
//! get / set / remove and ordered cursor walks in both directions. Today it is
//! backed by [`MemStore`] (a `BTreeMap`); the devnet node will put its
//! versioned authenticated tree behind the same trait.
//!
//! [`StateStack`] adds cheap branching on top of any committed store, like the
//! Cosmos SDK's cache-wrapped multistore: `branch()` opens a write overlay,
//! `commit_branch()` folds it into the layer below and `discard_branch()`
//! drops it. A transaction runs in one branch and every submessage in a
//! nested one, so a failed submessage rolls back only its own writes and a
//! failed transaction leaves the committed store untouched.

use std::collections::BTreeMap;
use std::ops::Bound;

use cosmwasm_std::{Order, Record};

/// A half-open key range `[start, end)`; `None` is unbounded on that side.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyRange {
    pub start: Option<Vec<u8>>,
    pub end: Option<Vec<u8>>,
}

impl KeyRange {
    pub fn new(start: Option<&[u8]>, end: Option<&[u8]>) -> Self {
        KeyRange {
            start: start.map(<[u8]>::to_vec),
            end: end.map(<[u8]>::to_vec),
        }
    }

    /// Every key that starts with `prefix`.
    pub fn prefix(prefix: &[u8]) -> Self {
        KeyRange {
            start: Some(prefix.to_vec()),
            end: prefix_end(prefix),
        }
    }

    /// True when no key can lie in the range (`start >= end`).
    pub fn is_empty(&self) -> bool {
        matches!((&self.start, &self.end), (Some(s), Some(e)) if s >= e)
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.start.as_deref().is_none_or(|s| key >= s)
            && self.end.as_deref().is_none_or(|e| key < e)
    }

    /// The `BTreeMap` bounds for the part of this range strictly after
    /// `cursor` in walking order (`Ascending`: keys > cursor; `Descending`:
    /// keys < cursor).
    fn bounds_after<'a>(
        &'a self,
        cursor: Option<&'a [u8]>,
        order: Order,
    ) -> (Bound<&'a [u8]>, Bound<&'a [u8]>) {
        let lower = self
            .start
            .as_deref()
            .map_or(Bound::Unbounded, Bound::Included);
        let upper = self
            .end
            .as_deref()
            .map_or(Bound::Unbounded, Bound::Excluded);
        match (order, cursor) {
            (_, None) => (lower, upper),
            (Order::Ascending, Some(c)) => (tighter_lower(lower, Bound::Excluded(c)), upper),
            (Order::Descending, Some(c)) => (lower, tighter_upper(upper, Bound::Excluded(c))),
        }
    }
}

/// The smallest key greater than every key with this prefix; `None` when the
/// prefix is all `0xff` (the range then runs to the end of the store).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

fn tighter_lower<'a>(a: Bound<&'a [u8]>, b: Bound<&'a [u8]>) -> Bound<&'a [u8]> {
    match (a, b) {
        (Bound::Unbounded, x) | (x, Bound::Unbounded) => x,
        (Bound::Included(x), Bound::Excluded(y)) | (Bound::Excluded(y), Bound::Included(x)) => {
            if y >= x {
                Bound::Excluded(y)
            } else {
                Bound::Included(x)
            }
        }
        (Bound::Included(x), Bound::Included(y)) => Bound::Included(x.max(y)),
        (Bound::Excluded(x), Bound::Excluded(y)) => Bound::Excluded(x.max(y)),
    }
}

fn tighter_upper<'a>(a: Bound<&'a [u8]>, b: Bound<&'a [u8]>) -> Bound<&'a [u8]> {
    match (a, b) {
        (Bound::Unbounded, x) | (x, Bound::Unbounded) => x,
        (Bound::Included(x), Bound::Excluded(y)) | (Bound::Excluded(y), Bound::Included(x)) => {
            if y <= x {
                Bound::Excluded(y)
            } else {
                Bound::Included(x)
            }
        }
        (Bound::Included(x), Bound::Included(y)) => Bound::Included(x.min(y)),
        (Bound::Excluded(x), Bound::Excluded(y)) => Bound::Excluded(x.min(y)),
    }
}

fn bounds_valid(bounds: &(Bound<&[u8]>, Bound<&[u8]>)) -> bool {
    match bounds {
        (Bound::Included(a), Bound::Included(b)) => a <= b,
        (Bound::Included(a), Bound::Excluded(b))
        | (Bound::Excluded(a), Bound::Included(b))
        | (Bound::Excluded(a), Bound::Excluded(b)) => a < b,
        _ => true,
    }
}

/// An ordered byte-keyed store.
///
/// Walks are cursor based (`next_after`) rather than borrowing iterators, so
/// a contract can interleave reads, writes and iterator steps the way the VM
/// allows, and a store with a versioned tree behind it can implement it
/// without self-referential iterators.
pub trait KvStore {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>>;
    fn set(&mut self, key: &[u8], value: &[u8]);
    fn remove(&mut self, key: &[u8]);

    /// The first entry of `range` strictly after `cursor` in `order`
    /// (the first entry of the range when `cursor` is `None`).
    fn next_after(&self, range: &KeyRange, cursor: Option<&[u8]>, order: Order) -> Option<Record>;

    /// Every entry of `range` in `order`. For small ranges and tooling; the
    /// VM walks with [`KvStore::next_after`].
    fn range(&self, range: &KeyRange, order: Order) -> Vec<Record> {
        let mut out = Vec::new();
        let mut cursor: Option<Vec<u8>> = None;
        while let Some((k, v)) = self.next_after(range, cursor.as_deref(), order) {
            cursor = Some(k.clone());
            out.push((k, v));
        }
        out
    }
}

/// The in-memory committed store.
#[derive(Clone, Debug, Default)]
pub struct MemStore {
    map: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl MemStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl KvStore for MemStore {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.map.get(key).cloned()
    }

    fn set(&mut self, key: &[u8], value: &[u8]) {
        self.map.insert(key.to_vec(), value.to_vec());
    }

    fn remove(&mut self, key: &[u8]) {
        self.map.remove(key);
    }

    fn next_after(&self, range: &KeyRange, cursor: Option<&[u8]>, order: Order) -> Option<Record> {
        let bounds = range.bounds_after(cursor, order);
        if !bounds_valid(&bounds) {
            return None;
        }
        let mut it = self.map.range::<[u8], _>(bounds);
        let entry = match order {
            Order::Ascending => it.next(),
            Order::Descending => it.next_back(),
        };
        entry.map(|(k, v)| (k.clone(), v.clone()))
    }
}

/// Pending writes of one branch: `Some(value)` is a set, `None` a deletion.
type Overlay = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// A committed store plus a stack of write overlays (branches).
///
/// Reads see the newest overlay first. With no open branch, writes go straight
/// to the committed store.
pub struct StateStack {
    base: Box<dyn KvStore>,
    layers: Vec<Overlay>,
}

impl StateStack {
    pub fn new(base: Box<dyn KvStore>) -> Self {
        StateStack {
            base,
            layers: Vec::new(),
        }
    }

    /// Opens a new branch on top of the current state.
    pub fn branch(&mut self) {
        self.layers.push(Overlay::new());
    }

    /// Folds the newest branch into the one below (or into the committed
    /// store when it is the last one).
    pub fn commit_branch(&mut self) {
        let Some(top) = self.layers.pop() else {
            return;
        };
        match self.layers.last_mut() {
            Some(below) => below.extend(top),
            None => {
                for (k, v) in top {
                    match v {
                        Some(v) => self.base.set(&k, &v),
                        None => self.base.remove(&k),
                    }
                }
            }
        }
    }

    /// Drops the newest branch and all its writes.
    pub fn discard_branch(&mut self) {
        self.layers.pop();
    }

    /// How many branches are open.
    pub fn depth(&self) -> usize {
        self.layers.len()
    }

    /// The committed store, without any open branch.
    pub fn committed(&self) -> &dyn KvStore {
        self.base.as_ref()
    }
}

impl KvStore for StateStack {
    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        for layer in self.layers.iter().rev() {
            if let Some(v) = layer.get(key) {
                return v.clone();
            }
        }
        self.base.get(key)
    }

    fn set(&mut self, key: &[u8], value: &[u8]) {
        match self.layers.last_mut() {
            Some(top) => {
                top.insert(key.to_vec(), Some(value.to_vec()));
            }
            None => self.base.set(key, value),
        }
    }

    fn remove(&mut self, key: &[u8]) {
        match self.layers.last_mut() {
            Some(top) => {
                top.insert(key.to_vec(), None);
            }
            None => self.base.remove(key),
        }
    }

    fn next_after(&self, range: &KeyRange, cursor: Option<&[u8]>, order: Order) -> Option<Record> {
        // Merge walk: the candidate of each layer is its first key after the
        // cursor; the nearest candidate wins, the newest layer wins ties, and a
        // deletion moves the cursor past that key and tries again.
        let mut cursor = cursor.map(<[u8]>::to_vec);
        loop {
            let bounds = range.bounds_after(cursor.as_deref(), order);
            if !bounds_valid(&bounds) {
                return None;
            }
            let mut best: Option<(Vec<u8>, Option<Vec<u8>>)> = None;
            let mut consider = |key: &[u8], value: Option<Vec<u8>>| {
                let better = match &best {
                    None => true,
                    Some((b, _)) => match order {
                        Order::Ascending => key < b.as_slice(),
                        Order::Descending => key > b.as_slice(),
                    },
                };
                if better {
                    best = Some((key.to_vec(), value));
                }
            };
            // Newest layer first, so an equal key from an older layer never replaces it.
            for layer in self.layers.iter().rev() {
                let mut it = layer.range::<[u8], _>(bounds);
                let entry = match order {
                    Order::Ascending => it.next(),
                    Order::Descending => it.next_back(),
                };
                if let Some((k, v)) = entry {
                    consider(k, v.clone());
                }
            }
            if let Some((k, v)) = self.base.next_after(range, cursor.as_deref(), order) {
                consider(&k, Some(v));
            }
            match best {
                None => return None,
                Some((k, Some(v))) => return Some((k, v)),
                Some((k, None)) => cursor = Some(k),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack_with(entries: &[(&str, &str)]) -> StateStack {
        let mut base = MemStore::new();
        for (k, v) in entries {
            base.set(k.as_bytes(), v.as_bytes());
        }
        StateStack::new(Box::new(base))
    }

    fn keys(records: Vec<Record>) -> Vec<String> {
        records
            .into_iter()
            .map(|(k, _)| String::from_utf8(k).unwrap())
            .collect()
    }

    #[test]
    fn prefix_end_increments_last_byte_and_carries_over_ff() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[1, 0xff]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xff, 0xff]), None);
    }

    #[test]
    fn branch_reads_through_and_discard_forgets() {
        let mut s = stack_with(&[("a", "1"), ("b", "2")]);
        s.branch();
        s.set(b"a", b"9");
        s.remove(b"b");
        assert_eq!(s.get(b"a"), Some(b"9".to_vec()));
        assert_eq!(s.get(b"b"), None);
        s.discard_branch();
        assert_eq!(s.get(b"a"), Some(b"1".to_vec()));
        assert_eq!(s.get(b"b"), Some(b"2".to_vec()));
    }

    #[test]
    fn nested_commit_then_outer_discard_changes_nothing() {
        let mut s = stack_with(&[("a", "1")]);
        s.branch();
        s.branch();
        s.set(b"c", b"3");
        s.commit_branch();
        assert_eq!(s.get(b"c"), Some(b"3".to_vec()));
        s.discard_branch();
        assert_eq!(s.get(b"c"), None);
        assert_eq!(s.committed().get(b"c"), None);
    }

    #[test]
    fn commit_to_base_applies_sets_and_deletions() {
        let mut s = stack_with(&[("a", "1"), ("b", "2")]);
        s.branch();
        s.set(b"c", b"3");
        s.remove(b"a");
        s.commit_branch();
        assert_eq!(s.depth(), 0);
        assert_eq!(
            keys(s.committed().range(&KeyRange::default(), Order::Ascending)),
            ["b", "c"]
        );
    }

    #[test]
    fn merged_walk_orders_both_ways_and_skips_deletions() {
        let mut s = stack_with(&[("p1", "x"), ("p3", "x"), ("p5", "x"), ("q", "x")]);
        s.branch();
        s.set(b"p2", b"y");
        s.remove(b"p3");
        s.branch();
        s.set(b"p4", b"z");
        s.set(b"p1", b"z");
        let r = KeyRange::prefix(b"p");
        assert_eq!(
            keys(s.range(&r, Order::Ascending)),
            ["p1", "p2", "p4", "p5"]
        );
        assert_eq!(
            keys(s.range(&r, Order::Descending)),
            ["p5", "p4", "p2", "p1"]
        );
        assert_eq!(
            s.next_after(&r, None, Order::Ascending).unwrap().1,
            b"z".to_vec()
        );
    }

    #[test]
    fn empty_and_inverted_ranges_yield_nothing() {
        let s = stack_with(&[("a", "1"), ("b", "2")]);
        let r = KeyRange::new(Some(b"b"), Some(b"a"));
        assert!(r.is_empty());
        assert!(s.range(&r, Order::Ascending).is_empty());
        assert!(s.range(&r, Order::Descending).is_empty());
    }
}
