//! The seed of the benchmark verifiers' draw; the draw itself is the one
//! every StarMiner draw uses, `starminer_interfaces::draw::draw_weighted`.

use sha2::{Digest, Sha256};

/// The draw's seed: sha256(tag ‖ challenge seed ‖ beacon value), so it is
/// unknown until the beacon value exists, long after the challenge's seed and
/// the candidate set were fixed.
pub fn draw_seed(tag: &[u8], challenge_seed: &str, beacon_value: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(tag);
    h.update(challenge_seed.as_bytes());
    h.update(beacon_value.as_bytes());
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::{Addr, Uint128};
    use starminer_interfaces::draw::draw_weighted;

    fn select_weighted(c: &[(Addr, Uint128)], n: usize, seed: &[u8; 32]) -> Vec<Addr> {
        draw_weighted(c, &[], n, seed)
    }

    #[test]
    fn draws_are_distinct_deterministic_and_weighted() {
        let a = Addr::unchecked("a");
        let b = Addr::unchecked("b");
        let c = Addr::unchecked("c");
        let cands = vec![
            (a.clone(), Uint128::new(100)),
            (b.clone(), Uint128::new(1)),
            (c.clone(), Uint128::new(50)),
        ];
        let seed = draw_seed(b"t", "s", "v");
        let got = select_weighted(&cands, 5, &seed);
        assert_eq!(got.len(), 3);
        assert_eq!(got, select_weighted(&cands, 5, &seed));
        let mut heavy = 0;
        for i in 0..300 {
            let seed = draw_seed(b"t", &i.to_string(), "v");
            if select_weighted(&cands, 1, &seed)[0] == a {
                heavy += 1;
            }
        }
        // 100 / 151 of the first picks on average.
        assert!((170..230).contains(&heavy), "{heavy}");
    }
}
