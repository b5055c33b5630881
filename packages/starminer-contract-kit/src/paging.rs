//! One page of a stored range: the entries after `start_after` in key
//! order, at most `limit` of them by the rule of
//! [`starminer_interfaces::pagination::page_size`]. Every list query of the
//! contracts reads its page this way, whether from a whole `Map`, one
//! `prefix` of it, an `IndexedMap` or an index's prefix.

use std::iter::Take;

use cosmwasm_std::{Order, StdResult, Storage};
use cw_storage_plus::{
    Bound, IndexList, IndexPrefix, IndexedMap, KeyDeserialize, Map, Prefix, PrimaryKey,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use starminer_interfaces::pagination::page_size;

/// The iterator a page is read from.
pub type Page<'c, I> = Take<Box<dyn Iterator<Item = StdResult<I>> + 'c>>;

/// A range that pages: `Map`, `Prefix`, `IndexedMap`, `IndexPrefix`.
pub trait Paginated<'b> {
    /// What a bound is built from (the key, or the rest of it below a prefix).
    type Bound: PrimaryKey<'b>;
    /// The key as read back.
    type Key: 'static;
    type Value;

    /// Key and value of each entry of the page after `start_after`.
    fn page<'c>(
        &self,
        store: &'c dyn Storage,
        start_after: Option<impl Into<Self::Bound>>,
        limit: Option<u32>,
    ) -> Page<'c, (Self::Key, Self::Value)>
    where
        Self::Value: 'c;

    /// The keys alone of the same page.
    fn page_keys<'c>(
        &self,
        store: &'c dyn Storage,
        start_after: Option<impl Into<Self::Bound>>,
        limit: Option<u32>,
    ) -> Page<'c, Self::Key>
    where
        Self::Value: 'c;
}

/// The same two methods for each range type: they differ in generics only.
macro_rules! paginated {
    ($ty:ty, [$($generics:tt)*], $bound:ty, where $($clauses:tt)*) => {
        impl<'b, $($generics)*> Paginated<'b> for $ty
        where
            $($clauses)*
        {
            type Bound = $bound;
            type Key = K::Output;
            type Value = T;

            fn page<'c>(
                &self,
                store: &'c dyn Storage,
                start_after: Option<impl Into<$bound>>,
                limit: Option<u32>,
            ) -> Page<'c, (K::Output, T)>
            where
                T: 'c,
            {
                self.range(store, start_after.map(Bound::exclusive), None, Order::Ascending)
                    .take(page_size(limit))
            }

            fn page_keys<'c>(
                &self,
                store: &'c dyn Storage,
                start_after: Option<impl Into<$bound>>,
                limit: Option<u32>,
            ) -> Page<'c, K::Output>
            where
                T: 'c,
            {
                self.keys(store, start_after.map(Bound::exclusive), None, Order::Ascending)
                    .take(page_size(limit))
            }
        }
    };
}

paginated!(Map<K, T>, [K, T], K, where
    K: PrimaryKey<'b> + KeyDeserialize,
    K::Output: 'static,
    T: Serialize + DeserializeOwned,
);
paginated!(Prefix<K, T, B>, [K, T, B], B, where
    B: PrimaryKey<'b>,
    K: KeyDeserialize,
    K::Output: 'static,
    T: Serialize + DeserializeOwned,
);
paginated!(IndexedMap<K, T, I>, [K, T, I], K, where
    K: PrimaryKey<'b> + KeyDeserialize,
    K::Output: 'static,
    T: Serialize + DeserializeOwned + Clone,
    I: IndexList<T>,
);
paginated!(IndexPrefix<K, T, B>, [K, T, B], B, where
    B: PrimaryKey<'b>,
    K: KeyDeserialize,
    K::Output: 'static,
    T: Serialize + DeserializeOwned,
);

#[cfg(test)]
mod tests {
    use cosmwasm_std::testing::MockStorage;

    use super::*;

    const SCORES: Map<(&str, u64), u32> = Map::new("scores");

    fn filled() -> MockStorage {
        let mut storage = MockStorage::new();
        for i in 0..150u64 {
            SCORES
                .save(&mut storage, ("a", i), &(i as u32 * 2))
                .unwrap();
        }
        SCORES.save(&mut storage, ("b", 0), &7).unwrap();
        storage
    }

    #[test]
    fn a_prefix_pages_after_the_start_and_caps_the_limit() {
        let storage = filled();
        let page: Vec<(u64, u32)> = SCORES
            .prefix("a")
            .page(&storage, Some(3u64), Some(2))
            .collect::<StdResult<_>>()
            .unwrap();
        assert_eq!(page, vec![(4, 8), (5, 10)]);
        let keys: Vec<u64> = SCORES
            .prefix("a")
            .page_keys(&storage, None::<u64>, None)
            .collect::<StdResult<_>>()
            .unwrap();
        assert_eq!(keys, (0..10).collect::<Vec<_>>());
        let capped = SCORES
            .prefix("a")
            .page_keys(&storage, None::<u64>, Some(u32::MAX))
            .count();
        assert_eq!(capped, 100);
    }

    #[test]
    fn a_whole_map_pages_across_prefixes() {
        let storage = filled();
        let keys: Vec<(String, u64)> = SCORES
            .page_keys(&storage, Some(("a", 148u64)), Some(5))
            .collect::<StdResult<_>>()
            .unwrap();
        assert_eq!(keys, vec![("a".to_string(), 149), ("b".to_string(), 0)]);
    }
}
