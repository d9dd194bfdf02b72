//! The skills a need asks for, each at a level from 1 (notions) to 4
//! (expert), as the business manager lists them on the opportunity. A
//! referential of skills may later replace the free names; the level scale
//! stays.

use serde::{Deserialize, Serialize};

use crate::validation::{ValidationErrors, text};

/// The most skills one opportunity may list, and the most contacts it may
/// name: beyond them, a form gone wrong.
pub const MAX_SKILLS: usize = 20;
pub const MAX_CONTACTS: usize = 20;

/// The field naming each listed skill's name and level, and each contact,
/// in forms and problem documents (`skills[2].level`, `contact_ids[0]`).
const SKILL_FIELDS: [[&str; 2]; MAX_SKILLS] = [
    ["skills[0].name", "skills[0].level"],
    ["skills[1].name", "skills[1].level"],
    ["skills[2].name", "skills[2].level"],
    ["skills[3].name", "skills[3].level"],
    ["skills[4].name", "skills[4].level"],
    ["skills[5].name", "skills[5].level"],
    ["skills[6].name", "skills[6].level"],
    ["skills[7].name", "skills[7].level"],
    ["skills[8].name", "skills[8].level"],
    ["skills[9].name", "skills[9].level"],
    ["skills[10].name", "skills[10].level"],
    ["skills[11].name", "skills[11].level"],
    ["skills[12].name", "skills[12].level"],
    ["skills[13].name", "skills[13].level"],
    ["skills[14].name", "skills[14].level"],
    ["skills[15].name", "skills[15].level"],
    ["skills[16].name", "skills[16].level"],
    ["skills[17].name", "skills[17].level"],
    ["skills[18].name", "skills[18].level"],
    ["skills[19].name", "skills[19].level"],
];

const CONTACT_FIELDS: [&str; MAX_CONTACTS] = [
    "contact_ids[0]",
    "contact_ids[1]",
    "contact_ids[2]",
    "contact_ids[3]",
    "contact_ids[4]",
    "contact_ids[5]",
    "contact_ids[6]",
    "contact_ids[7]",
    "contact_ids[8]",
    "contact_ids[9]",
    "contact_ids[10]",
    "contact_ids[11]",
    "contact_ids[12]",
    "contact_ids[13]",
    "contact_ids[14]",
    "contact_ids[15]",
    "contact_ids[16]",
    "contact_ids[17]",
    "contact_ids[18]",
    "contact_ids[19]",
];

/// The field of the `i`-th contact of a request (`contact_ids` past the
/// last one a request may carry).
pub fn contact_field(i: usize) -> &'static str {
    CONTACT_FIELDS.get(i).copied().unwrap_or("contact_ids")
}

/// 1 notions, 2 practice, 3 autonomous, 4 expert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SkillLevel(u8);

impl SkillLevel {
    pub const ALL: [SkillLevel; 4] = [SkillLevel(1), SkillLevel(2), SkillLevel(3), SkillLevel(4)];

    pub fn new(n: i64) -> Option<SkillLevel> {
        u8::try_from(n)
            .ok()
            .filter(|n| (1..=4).contains(n))
            .map(SkillLevel)
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn label_key(self) -> String {
        format!("skill-level-{}", self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skill {
    pub name: String,
    pub level: SkillLevel,
}

/// One skill as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SkillInput {
    pub name: String,
    pub level: String,
}

/// Checks the listed skills: a row left blank is skipped, a name is 1 to
/// 80 characters and appears once (case aside), a level is 1 to 4 (blank:
/// 2, practice). Every error names its row.
pub fn parse_skills(rows: &[SkillInput]) -> Result<Vec<Skill>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let rows: Vec<&SkillInput> = rows
        .iter()
        .filter(|r| !r.name.trim().is_empty() || !r.level.trim().is_empty())
        .collect();
    if rows.len() > MAX_SKILLS {
        e.add_with(
            "skills",
            "skills-too-many",
            crate::args![("max", MAX_SKILLS as i64)],
        );
        return Err(e);
    }
    let mut out: Vec<Skill> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for (i, r) in rows.into_iter().enumerate() {
        let [name_field, level_field] = SKILL_FIELDS[i];
        let name = e.required(name_field, &r.name, |s| text(s, 80));
        let level = match r.level.trim() {
            "" => Some(SkillLevel(2)),
            s => {
                let l = s.parse::<i64>().ok().and_then(SkillLevel::new);
                if l.is_none() {
                    e.add(level_field, "skill-level-invalid");
                }
                l
            }
        };
        if let Some(name) = &name {
            let folded = name.to_lowercase();
            if seen.contains(&folded) {
                e.add(name_field, "skill-duplicate");
                continue;
            }
            seen.push(folded);
        }
        if let (Some(name), Some(level)) = (name, level) {
            out.push(Skill { name, level });
        }
    }
    e.into_result(|| out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, level: &str) -> SkillInput {
        SkillInput {
            name: name.into(),
            level: level.into(),
        }
    }

    #[test]
    fn skills_are_named_once_at_a_level_from_1_to_4() {
        let ok = parse_skills(&[row("Spark", "4"), row("", ""), row("Python", "")]).unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].level.get(), 4);
        assert_eq!(ok[1].level.get(), 2, "blank level: practice");
        let e = parse_skills(&[row("SQL", "5"), row("sql", "3"), row("", "2")]).unwrap_err();
        assert_eq!(
            e.for_field("skills[0].level").map(|f| f.key),
            Some("skill-level-invalid")
        );
        assert_eq!(
            e.for_field("skills[1].name").map(|f| f.key),
            Some("skill-duplicate")
        );
        assert_eq!(
            e.for_field("skills[2].name").map(|f| f.key),
            Some("field-required")
        );
        let many: Vec<SkillInput> = (0..=MAX_SKILLS)
            .map(|i| row(&format!("s{i}"), "1"))
            .collect();
        assert!(
            parse_skills(&many)
                .unwrap_err()
                .for_field("skills")
                .is_some()
        );
        assert_eq!(contact_field(0), "contact_ids[0]");
        assert_eq!(contact_field(MAX_CONTACTS), "contact_ids");
        assert_eq!(SkillLevel::new(0), None);
        assert_eq!(SkillLevel::new(4).map(SkillLevel::get), Some(4));
    }
}
