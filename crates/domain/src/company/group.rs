//! Account groups: a key account is often a group (the parent company)
//! with billing entities (the companies that sign and are invoiced) and
//! sites (where consultants work). A company may have one parent; the
//! links form a forest, so a company cannot be its own ancestor: the
//! group's tree could no longer be drawn, nor its opportunities and
//! missions added up.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::ids::CompanyId;
use crate::validation::ErrorKey;

/// What a company is within its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// The parent company of a group.
    Group,
    /// A company that signs contracts and receives invoices.
    BillingEntity,
    /// A site of the group: where the consultants work.
    Site,
}

impl EntityKind {
    pub const ALL: [EntityKind; 3] = [
        EntityKind::Group,
        EntityKind::BillingEntity,
        EntityKind::Site,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            EntityKind::Group => "group",
            EntityKind::BillingEntity => "billing_entity",
            EntityKind::Site => "site",
        }
    }

    pub fn parse(s: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    pub fn label_key(self) -> String {
        format!("company-entity-{}", self.as_str().replace('_', "-"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    #[error("a company cannot belong to itself or to one of its own entities")]
    Cycle,
}

impl ErrorKey for GroupError {
    fn key(&self) -> &'static str {
        "company-parent-cycle"
    }
}

/// Whether `child` may take `parent` as its parent, given every other
/// link (`parent_of`: each company's parent). Walks up from `parent`:
/// meeting `child` on the way means a cycle. The walk stops at a company
/// seen twice, so links already corrupt cannot loop it.
pub fn check_parent(
    child: CompanyId,
    parent: CompanyId,
    parent_of: &BTreeMap<CompanyId, CompanyId>,
) -> Result<(), GroupError> {
    let mut seen = BTreeSet::new();
    let mut at = Some(parent);
    while let Some(node) = at {
        if node == child {
            return Err(GroupError::Cycle);
        }
        if !seen.insert(node) {
            break;
        }
        at = parent_of.get(&node).copied();
    }
    Ok(())
}

/// The top of `id`'s group: its furthest ancestor (itself without one).
pub fn root(id: CompanyId, parent_of: &BTreeMap<CompanyId, CompanyId>) -> CompanyId {
    let mut seen = BTreeSet::from([id]);
    let mut at = id;
    while let Some(p) = parent_of.get(&at) {
        if !seen.insert(*p) {
            break;
        }
        at = *p;
    }
    at
}

/// The group under `root`, depth first with each company's depth (the
/// root at 0), children in the order of `order` (e.g. by name).
pub fn tree(
    root: CompanyId,
    parent_of: &BTreeMap<CompanyId, CompanyId>,
    order: impl Fn(&CompanyId) -> String,
) -> Vec<(CompanyId, usize)> {
    let mut children: BTreeMap<CompanyId, Vec<CompanyId>> = BTreeMap::new();
    for (c, p) in parent_of {
        children.entry(*p).or_default().push(*c);
    }
    for list in children.values_mut() {
        list.sort_by_key(|c| (order(c), *c));
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut stack = vec![(root, 0)];
    while let Some((node, depth)) = stack.pop() {
        if !seen.insert(node) {
            continue;
        }
        out.push((node, depth));
        if let Some(kids) = children.get(&node) {
            for k in kids.iter().rev() {
                stack.push((*k, depth + 1));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    fn ids(n: usize) -> Vec<CompanyId> {
        (0..n)
            .map(|i| CompanyId(Uuid::from_u128(i as u128 + 1)))
            .collect()
    }

    #[test]
    fn a_company_cannot_be_its_own_ancestor() {
        let c = ids(3);
        // c0 ← c1 ← c2 (c0 the group).
        let links = BTreeMap::from([(c[1], c[0]), (c[2], c[1])]);
        assert_eq!(check_parent(c[0], c[0], &links), Err(GroupError::Cycle));
        assert_eq!(check_parent(c[0], c[2], &links), Err(GroupError::Cycle));
        assert_eq!(check_parent(c[2], c[0], &links), Ok(()));
        assert_eq!(root(c[2], &links), c[0]);
        assert_eq!(
            tree(c[0], &links, |_| String::new()),
            vec![(c[0], 0), (c[1], 1), (c[2], 2)]
        );
    }

    #[test]
    fn entity_kinds_read_back() {
        for k in EntityKind::ALL {
            assert_eq!(EntityKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(EntityKind::parse("holding"), None);
    }

    /// Random forests (each company's parent an earlier one, or none):
    /// any change of parent the check accepts leaves a forest, whose
    /// tree from any root holds every company once; it refuses exactly
    /// the parents that are the child or below it.
    fn forest() -> impl Strategy<Value = Vec<Option<usize>>> {
        (1usize..12).prop_flat_map(|n| {
            (0..n)
                .map(|i| {
                    if i == 0 {
                        Just(None).boxed()
                    } else {
                        proptest::option::of(0..i).boxed()
                    }
                })
                .collect::<Vec<_>>()
        })
    }

    proptest! {
        #[test]
        fn accepted_parents_never_make_a_cycle(
            parents in forest(),
            child in 0usize..12,
            parent in 0usize..12,
        ) {
            let n = parents.len();
            let (child, parent) = (child % n, parent % n);
            let c = ids(n);
            let links: BTreeMap<_, _> = parents
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.map(|p| (c[i], c[p])))
                .collect();
            let below: BTreeSet<CompanyId> =
                tree(c[child], &links, |_| String::new()).into_iter().map(|(x, _)| x).collect();
            let verdict = check_parent(c[child], c[parent], &links);
            prop_assert_eq!(verdict.is_err(), below.contains(&c[parent]));
            if verdict.is_ok() {
                let mut after = links.clone();
                after.insert(c[child], c[parent]);
                // Every company reaches a root without meeting itself.
                for x in &c {
                    let mut seen = BTreeSet::new();
                    let mut at = *x;
                    while let Some(p) = after.get(&at) {
                        prop_assert!(seen.insert(at), "a cycle through {:?}", x);
                        at = *p;
                    }
                }
                let top = root(c[child], &after);
                let members = tree(top, &after, |_| String::new());
                let unique: BTreeSet<_> = members.iter().map(|m| m.0).collect();
                prop_assert_eq!(unique.len(), members.len());
                prop_assert!(unique.contains(&c[child]) && unique.contains(&c[parent]));
            }
        }
    }
}
