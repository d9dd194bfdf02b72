//! Parent links between opportunities: a need born in a follow-up meeting
//! is the child of the mission's opportunity, and so on down. The links
//! form a forest: setting a parent that is the opportunity itself or one
//! of its descendants would make a cycle, and the account map (a tree)
//! could no longer be drawn.

use std::collections::{BTreeMap, BTreeSet};

use crate::ids::OpportunityId;
use crate::validation::ErrorKey;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LineageError {
    #[error("an opportunity cannot descend from itself")]
    Cycle,
}

impl ErrorKey for LineageError {
    fn key(&self) -> &'static str {
        "opportunity-parent-cycle"
    }
}

/// Whether `child` may take `parent` as its parent, given every other
/// link (`parent_of`: each opportunity's parent). Walks up from `parent`:
/// meeting `child` on the way means a cycle. The walk stops at a link seen
/// twice, so links already corrupt cannot loop it.
pub fn check_parent(
    child: OpportunityId,
    parent: OpportunityId,
    parent_of: &BTreeMap<OpportunityId, OpportunityId>,
) -> Result<(), LineageError> {
    let mut seen = BTreeSet::new();
    let mut at = Some(parent);
    while let Some(node) = at {
        if node == child {
            return Err(LineageError::Cycle);
        }
        if !seen.insert(node) {
            break;
        }
        at = parent_of.get(&node).copied();
    }
    Ok(())
}

/// The opportunities below `root` (children, their children…), in a
/// depth-first order with each one's depth: the account map's rows.
pub fn descendants(
    root: OpportunityId,
    parent_of: &BTreeMap<OpportunityId, OpportunityId>,
) -> Vec<(OpportunityId, usize)> {
    let mut children: BTreeMap<OpportunityId, Vec<OpportunityId>> = BTreeMap::new();
    for (c, p) in parent_of {
        children.entry(*p).or_default().push(*c);
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::from([root]);
    let mut stack: Vec<(OpportunityId, usize)> = children
        .get(&root)
        .map(|v| v.iter().rev().map(|c| (*c, 1)).collect())
        .unwrap_or_default();
    while let Some((node, depth)) = stack.pop() {
        if !seen.insert(node) {
            continue;
        }
        out.push((node, depth));
        if let Some(kids) = children.get(&node) {
            stack.extend(kids.iter().rev().map(|c| (*c, depth + 1)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn o(n: u128) -> OpportunityId {
        OpportunityId(Uuid::from_u128(n))
    }

    #[test]
    fn itself_or_a_descendant_is_refused() {
        // 1 ← 2 ← 3 (3's parent is 2, 2's is 1).
        let links = BTreeMap::from([(o(2), o(1)), (o(3), o(2))]);
        assert_eq!(check_parent(o(1), o(1), &links), Err(LineageError::Cycle));
        assert_eq!(check_parent(o(1), o(3), &links), Err(LineageError::Cycle));
        assert_eq!(check_parent(o(1), o(2), &links), Err(LineageError::Cycle));
        assert_eq!(
            check_parent(o(3), o(1), &links),
            Ok(()),
            "a grandparent is fine"
        );
        assert_eq!(check_parent(o(4), o(3), &links), Ok(()));
        assert_eq!(descendants(o(1), &links), vec![(o(2), 1), (o(3), 2)]);
    }

    proptest! {
        /// Built link by link through the check, the links always form a
        /// forest: from any opportunity, walking up ends without meeting
        /// it again, and each is below its root exactly once.
        #[test]
        fn links_through_the_check_never_cycle(moves in prop::collection::vec((0u128..12, 0u128..12), 0..60)) {
            let mut links: BTreeMap<OpportunityId, OpportunityId> = BTreeMap::new();
            for (c, p) in moves {
                let mut without = links.clone();
                without.remove(&o(c));
                if check_parent(o(c), o(p), &without).is_ok() {
                    links = without;
                    links.insert(o(c), o(p));
                }
            }
            for start in links.keys() {
                let mut seen = BTreeSet::new();
                let mut at = Some(*start);
                while let Some(n) = at {
                    prop_assert!(seen.insert(n), "cycle through {n:?}");
                    at = links.get(&n).copied();
                }
                let root = *seen.iter().find(|n| !links.contains_key(n)).unwrap();
                let below = descendants(root, &links);
                prop_assert_eq!(below.iter().filter(|(n, _)| n == start).count(), 1);
            }
        }
    }
}
