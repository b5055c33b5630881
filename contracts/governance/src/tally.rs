//! Tallying: pure functions over a proposal's tally, with Cosmos SDK x/gov
//! semantics.

use cosmwasm_std::{Decimal, OverflowError, Uint128, Uint256};
use starminer_interfaces::governance::{ProposalStatus, Tally, VoteOption, VotingRules};

/// The power counted for `option`.
fn slot(tally: &mut Tally, option: VoteOption) -> &mut Uint128 {
    match option {
        VoteOption::Yes => &mut tally.yes,
        VoteOption::No => &mut tally.no,
        VoteOption::Abstain => &mut tally.abstain,
        VoteOption::NoWithVeto => &mut tally.no_with_veto,
    }
}

pub fn add_vote(
    tally: &mut Tally,
    option: VoteOption,
    power: Uint128,
) -> Result<(), OverflowError> {
    let s = slot(tally, option);
    *s = s.checked_add(power)?;
    Ok(())
}

pub fn remove_vote(
    tally: &mut Tally,
    option: VoteOption,
    power: Uint128,
) -> Result<(), OverflowError> {
    let s = slot(tally, option);
    *s = s.checked_sub(power)?;
    Ok(())
}

/// Sum of all votes, abstain included.
pub fn turnout(tally: &Tally) -> Uint256 {
    Uint256::from(tally.yes)
        + Uint256::from(tally.no)
        + Uint256::from(tally.abstain)
        + Uint256::from(tally.no_with_veto)
}

/// `num / den >= ratio`, exactly (no rounding), for `den > 0`.
fn ratio_at_least(num: Uint256, den: Uint256, ratio: Decimal) -> bool {
    num * Uint256::from(Decimal::one().atomics()) >= den * Uint256::from(ratio.atomics())
}

/// The status a proposal ends in once voting is over:
/// - turnout / total power below quorum (or nobody has power) → Rejected;
/// - NoWithVeto / turnout at or above the veto threshold → Vetoed;
/// - Yes / (Yes + No + NoWithVeto) above the threshold → Passed;
/// - otherwise (all abstain included) → Rejected.
pub fn outcome(tally: &Tally, total_power: Uint128, rules: &VotingRules) -> ProposalStatus {
    let all = turnout(tally);
    if total_power.is_zero() || all.is_zero() {
        return ProposalStatus::Rejected;
    }
    if !ratio_at_least(all, Uint256::from(total_power), rules.quorum) {
        return ProposalStatus::Rejected;
    }
    if ratio_at_least(Uint256::from(tally.no_with_veto), all, rules.veto_threshold) {
        return ProposalStatus::Vetoed;
    }
    let deciding = all - Uint256::from(tally.abstain);
    if deciding.is_zero() {
        return ProposalStatus::Rejected;
    }
    let yes = Uint256::from(tally.yes);
    // Strictly above the threshold: yes/deciding > threshold.
    if yes * Uint256::from(Decimal::one().atomics())
        > deciding * Uint256::from(rules.threshold.atomics())
    {
        ProposalStatus::Passed
    } else {
        ProposalStatus::Rejected
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> VotingRules {
        VotingRules {
            quorum: Decimal::percent(40),
            threshold: Decimal::percent(50),
            veto_threshold: Decimal::percent(33),
        }
    }

    fn tally(yes: u128, no: u128, abstain: u128, veto: u128) -> Tally {
        Tally {
            yes: yes.into(),
            no: no.into(),
            abstain: abstain.into(),
            no_with_veto: veto.into(),
        }
    }

    /// The outcome of votes `[yes, no, abstain, veto]` out of `total_power`
    /// under [`rules`].
    fn outcome_of([yes, no, abstain, veto]: [u128; 4], total_power: u128) -> ProposalStatus {
        outcome(&tally(yes, no, abstain, veto), total_power.into(), &rules())
    }

    #[test]
    fn below_quorum_is_rejected() {
        assert_eq!(outcome_of([39, 0, 0, 0], 100), ProposalStatus::Rejected);
        assert_eq!(outcome_of([40, 0, 0, 0], 100), ProposalStatus::Passed);
    }

    #[test]
    fn abstain_counts_for_quorum_not_for_threshold() {
        assert_eq!(outcome_of([10, 9, 30, 0], 100), ProposalStatus::Passed);
        assert_eq!(outcome_of([0, 0, 100, 0], 100), ProposalStatus::Rejected);
    }

    #[test]
    fn threshold_is_strict() {
        assert_eq!(outcome_of([50, 50, 0, 0], 100), ProposalStatus::Rejected);
        assert_eq!(outcome_of([51, 49, 0, 0], 100), ProposalStatus::Passed);
    }

    #[test]
    fn veto_at_threshold_vetoes_even_with_yes_majority() {
        assert_eq!(outcome_of([67, 0, 0, 33], 100), ProposalStatus::Vetoed);
        assert_eq!(outcome_of([68, 0, 0, 32], 100), ProposalStatus::Passed);
    }

    #[test]
    fn no_power_or_no_votes_is_rejected() {
        assert_eq!(outcome_of([0, 0, 0, 0], 0), ProposalStatus::Rejected);
        assert_eq!(outcome_of([0, 0, 0, 0], 100), ProposalStatus::Rejected);
    }

    #[test]
    fn huge_powers_do_not_overflow() {
        let max = u128::MAX;
        assert_eq!(outcome_of([max, 0, 0, 0], max), ProposalStatus::Passed);
    }

    #[test]
    fn changing_a_vote_moves_power() {
        let mut t = Tally::default();
        add_vote(&mut t, VoteOption::Yes, 5u128.into()).unwrap();
        remove_vote(&mut t, VoteOption::Yes, 5u128.into()).unwrap();
        add_vote(&mut t, VoteOption::No, 5u128.into()).unwrap();
        assert_eq!(t, tally(0, 5, 0, 0));
    }
}
