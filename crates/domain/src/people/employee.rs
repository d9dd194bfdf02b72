//! The employee record: the facts payroll, HR and margins share about a
//! person who works for the firm, salaried or freelance.
//!
//! A freelancer is recorded here too, with the company that invoices his
//! days (his own company, or a portage company that employs him on paper):
//! margins need his cost like anyone's, and the supplier is whom the buy
//! rate is paid to.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::calendar::Region;
use crate::ids::{AgencyId, CompanyId, UserId};
use crate::locale::{Locale, format_date};
use crate::validation::{ErrorKey, ValidationErrors, text};

/// Longest matricule accepted: payroll tools use short codes (Sage: 10,
/// Silae: 10 to 20), and the export must carry it unchanged.
pub const MATRICULE_MAX: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MatriculeError {
    #[error("a matricule is 1 to 20 letters, digits, '-', '_', '.' or '/'")]
    Invalid,
    /// 13 or 15 digits is the shape of a social security number (NIR),
    /// which must never serve as an identifier in exports (PAYROLL.md §5).
    #[error("this looks like a social security number, not a matricule")]
    LooksLikeNir,
}

impl ErrorKey for MatriculeError {
    fn key(&self) -> &'static str {
        match self {
            MatriculeError::Invalid => "employee-matricule-invalid",
            MatriculeError::LooksLikeNir => "employee-matricule-nir",
        }
    }

    fn args(&self) -> Vec<(&'static str, crate::message::Arg)> {
        match self {
            MatriculeError::Invalid => crate::args![("max", MATRICULE_MAX)],
            MatriculeError::LooksLikeNir => Vec::new(),
        }
    }
}

/// The employee's number in the payroll tool ("matricule salarié"), the key
/// every payroll export and import matches on. Kept exactly as typed
/// (leading zeros matter: "00042" is not "42").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Matricule(String);

impl Matricule {
    pub fn parse(input: &str) -> Result<Matricule, MatriculeError> {
        let s = input.trim();
        let ok = (1..=MATRICULE_MAX).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'));
        if !ok {
            return Err(MatriculeError::Invalid);
        }
        if matches!(s.len(), 13 | 15) && s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MatriculeError::LooksLikeNir);
        }
        Ok(Matricule(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Matricule {
    type Error = MatriculeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Matricule::parse(&s)
    }
}

impl From<Matricule> for String {
    fn from(m: Matricule) -> String {
        m.0
    }
}

impl std::fmt::Display for Matricule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A grade in the firm's ladder ("Confirmé", "Senior", "Syntec 2.3"): free
/// text because every firm has its own, the key of the standard CJM table
/// ([`crate::people::cjm::StandardCjmTable`]). Trimmed, at most 60
/// characters, compared exactly.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Grade(String);

pub const GRADE_MAX: usize = 60;

impl Grade {
    pub fn parse(input: &str) -> Result<Grade, crate::validation::TextError> {
        text(input, GRADE_MAX).map(Grade)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a stored grade is read back: checked again, so a grade always
/// holds a valid text.
impl TryFrom<String> for Grade {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Grade::parse(&s).map_err(|e| format!("not a grade: {}", e.key()))
    }
}

impl From<Grade> for String {
    fn from(g: Grade) -> String {
        g.0
    }
}

impl std::fmt::Display for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The kind of contract, as forms and storage name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContractKind {
    /// Contrat à durée indéterminée.
    Cdi,
    /// Contrat à durée déterminée.
    Cdd,
    /// A freelancer invoicing through his own company.
    FreelanceOwnCompany,
    /// A freelancer employed and invoiced by a portage company.
    FreelancePortage,
}

impl ContractKind {
    pub const ALL: [ContractKind; 4] = [
        ContractKind::Cdi,
        ContractKind::Cdd,
        ContractKind::FreelanceOwnCompany,
        ContractKind::FreelancePortage,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ContractKind::Cdi => "cdi",
            ContractKind::Cdd => "cdd",
            ContractKind::FreelanceOwnCompany => "freelance_own_company",
            ContractKind::FreelancePortage => "freelance_portage",
        }
    }

    pub fn parse(s: &str) -> Option<ContractKind> {
        ContractKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_key(self) -> String {
        format!("employee-contract-{}", self.as_str().replace('_', "-"))
    }

    /// Salaried people are paid for every working day, missions or not,
    /// hence bench; freelancers are paid for the days they work.
    pub const fn is_salaried(self) -> bool {
        matches!(self, ContractKind::Cdi | ContractKind::Cdd)
    }
}

/// The contract with what it needs: a freelancer's supplier, the company
/// whose invoices carry his days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Contract {
    Cdi,
    Cdd,
    FreelanceOwnCompany { supplier_id: CompanyId },
    FreelancePortage { supplier_id: CompanyId },
}

impl Contract {
    pub const fn kind(self) -> ContractKind {
        match self {
            Contract::Cdi => ContractKind::Cdi,
            Contract::Cdd => ContractKind::Cdd,
            Contract::FreelanceOwnCompany { .. } => ContractKind::FreelanceOwnCompany,
            Contract::FreelancePortage { .. } => ContractKind::FreelancePortage,
        }
    }

    pub const fn supplier_id(self) -> Option<CompanyId> {
        match self {
            Contract::Cdi | Contract::Cdd => None,
            Contract::FreelanceOwnCompany { supplier_id }
            | Contract::FreelancePortage { supplier_id } => Some(supplier_id),
        }
    }

    pub const fn is_salaried(self) -> bool {
        self.kind().is_salaried()
    }
}

/// What a user typed: every field is raw text so a refused form can be shown
/// again exactly as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct EmployeeInput {
    pub matricule: String,
    /// The firm's legal entity that employs (or contracts) the person, as
    /// named on payslips: groups often run several.
    pub legal_entity: String,
    pub agency_id: String,
    /// One of [`ContractKind::as_str`].
    pub contract_kind: String,
    /// The supplier company, read for freelance contracts only.
    pub supplier_id: String,
    /// The person's login, when he has one (consultants do: their missions
    /// and reports name their user).
    pub user_id: String,
    /// "28/11/2026" or ISO "2026-11-28".
    pub hire_date: String,
    pub exit_date: String,
    pub job_title: String,
    pub grade: String,
    pub manager_id: String,
    /// One of [`Region::as_str`]; blank is the standard calendar.
    pub work_region: String,
}

/// An employee record whose every field has been checked. Whether the
/// referenced records exist (and the supplier is a supplier) is the
/// store's business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmployeeData {
    pub matricule: Matricule,
    pub legal_entity: String,
    pub agency_id: AgencyId,
    pub contract: Contract,
    pub user_id: Option<UserId>,
    pub hire_date: Date,
    /// Inclusive: the last day under contract.
    pub exit_date: Option<Date>,
    pub job_title: String,
    pub grade: Option<Grade>,
    pub manager_id: Option<UserId>,
    /// Which public holidays apply at the work site (Alsace-Moselle has
    /// two more), hence which days are working days.
    pub work_region: Region,
}

/// A malformed id: for a select box it can only mean a record that no
/// longer exists or a forged form.
struct UnknownRecord;

impl ErrorKey for UnknownRecord {
    fn key(&self) -> &'static str {
        "id-unknown-record"
    }
}

impl EmployeeInput {
    /// Checks every field and reports every error at once.
    ///
    /// A supplier left in the form while choosing a salaried contract is
    /// ignored rather than refused: the field stays on screen when the
    /// user changes the kind, and the kind is the choice that matters.
    pub fn validate(&self) -> Result<EmployeeData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let matricule = e.required("matricule", &self.matricule, Matricule::parse);
        let legal_entity = e.required("legal_entity", &self.legal_entity, |s| text(s, 120));
        let agency_id = e.required("agency_id", &self.agency_id, |s| {
            AgencyId::parse(s).ok_or(UnknownRecord)
        });
        let kind = match self.contract_kind.trim() {
            "" => {
                e.add("contract_kind", "field-required");
                None
            }
            s => {
                let k = ContractKind::parse(s);
                if k.is_none() {
                    e.add("contract_kind", "employee-contract-kind-invalid");
                }
                k
            }
        };
        let contract = match kind {
            Some(ContractKind::Cdi) => Some(Contract::Cdi),
            Some(ContractKind::Cdd) => Some(Contract::Cdd),
            Some(k) => {
                if self.supplier_id.trim().is_empty() {
                    e.add("supplier_id", "employee-supplier-required");
                    None
                } else {
                    e.optional("supplier_id", &self.supplier_id, |s| {
                        CompanyId::parse(s).ok_or(UnknownRecord)
                    })
                    .map(|supplier_id| match k {
                        ContractKind::FreelancePortage => {
                            Contract::FreelancePortage { supplier_id }
                        }
                        _ => Contract::FreelanceOwnCompany { supplier_id },
                    })
                }
            }
            None => None,
        };
        let user_id = e.optional("user_id", &self.user_id, |s| {
            UserId::parse(s).ok_or(UnknownRecord)
        });
        let hire_date = e.required("hire_date", &self.hire_date, crate::validation::date);
        let exit_date = e.optional("exit_date", &self.exit_date, crate::validation::date);
        if let (Some(hire), Some(exit)) = (hire_date, exit_date)
            && exit < hire
        {
            e.add("exit_date", "employee-exit-before-hire");
        }
        let job_title = e.required("job_title", &self.job_title, |s| text(s, 120));
        let grade = e.optional("grade", &self.grade, Grade::parse);
        let manager_id = e.optional("manager_id", &self.manager_id, |s| {
            UserId::parse(s).ok_or(UnknownRecord)
        });
        let work_region = match self.work_region.trim() {
            "" => Some(Region::default()),
            s => {
                let r = Region::parse(s);
                if r.is_none() {
                    e.add("work_region", "employee-region-invalid");
                }
                r
            }
        };

        if !e.is_empty() {
            return Err(e);
        }
        Ok(EmployeeData {
            matricule: matricule.expect("checked"),
            legal_entity: legal_entity.expect("checked"),
            agency_id: agency_id.expect("checked"),
            contract: contract.expect("checked"),
            user_id,
            hire_date: hire_date.expect("checked"),
            exit_date,
            job_title: job_title.expect("checked"),
            grade,
            manager_id,
            work_region: work_region.expect("checked"),
        })
    }
}

impl EmployeeData {
    /// Whether the person is under contract on `date` (hire and exit days
    /// included).
    pub fn employed_on(&self, date: Date) -> bool {
        self.hire_date <= date && self.exit_date.is_none_or(|exit| date <= exit)
    }

    /// The form shown to edit an existing record.
    pub fn to_input(&self) -> EmployeeInput {
        let id = |o: Option<String>| o.unwrap_or_default();
        EmployeeInput {
            matricule: self.matricule.to_string(),
            legal_entity: self.legal_entity.clone(),
            agency_id: self.agency_id.to_string(),
            contract_kind: self.contract.kind().as_str().to_string(),
            supplier_id: id(self.contract.supplier_id().map(|c| c.to_string())),
            user_id: id(self.user_id.map(|u| u.to_string())),
            hire_date: format_date(self.hire_date, Locale::Fr),
            exit_date: id(self.exit_date.map(|d| format_date(d, Locale::Fr))),
            job_title: self.job_title.clone(),
            grade: id(self.grade.as_ref().map(|g| g.to_string())),
            manager_id: id(self.manager_id.map(|u| u.to_string())),
            work_region: self.work_region.as_str().to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn camille() -> EmployeeInput {
        EmployeeInput {
            matricule: "00042".into(),
            legal_entity: "Stafforia Services SAS".into(),
            agency_id: AgencyId::new().to_string(),
            contract_kind: "cdi".into(),
            supplier_id: String::new(),
            user_id: UserId::new().to_string(),
            hire_date: "16/11/2026".into(),
            exit_date: String::new(),
            job_title: "Data Engineer".into(),
            grade: "Confirmé".into(),
            manager_id: UserId::new().to_string(),
            work_region: String::new(),
        }
    }

    fn keys(e: &ValidationErrors) -> Vec<(&str, &str)> {
        e.0.iter().map(|f| (f.field, f.key)).collect()
    }

    #[test]
    fn a_complete_record_validates_and_reads_back() {
        let d = camille().validate().unwrap();
        assert_eq!(d.matricule.as_str(), "00042");
        assert_eq!(d.contract, Contract::Cdi);
        assert!(d.contract.is_salaried());
        assert_eq!(d.hire_date, date!(2026 - 11 - 16));
        assert_eq!(d.exit_date, None);
        assert_eq!(d.grade.as_ref().map(Grade::as_str), Some("Confirmé"));
        assert_eq!(d.work_region, Region::Standard);
        assert!(d.employed_on(date!(2030 - 01 - 01)));
        assert!(!d.employed_on(date!(2026 - 11 - 15)));
        assert_eq!(d.to_input().validate(), Ok(d));
    }

    #[test]
    fn exit_before_hire_is_refused_on_the_exit_date() {
        let mut i = camille();
        i.exit_date = "15/11/2026".into();
        let e = i.validate().unwrap_err();
        assert_eq!(keys(&e), vec![("exit_date", "employee-exit-before-hire")]);
        // Leaving on the day of hire is a one-day contract, allowed.
        i.exit_date = "16/11/2026".into();
        let d = i.validate().unwrap();
        assert!(d.employed_on(date!(2026 - 11 - 16)));
        assert!(!d.employed_on(date!(2026 - 11 - 17)));
    }

    #[test]
    fn freelancers_name_their_supplier() {
        let supplier = CompanyId::new();
        let mut i = camille();
        i.contract_kind = "freelance_portage".into();
        let e = i.validate().unwrap_err();
        assert_eq!(
            keys(&e),
            vec![("supplier_id", "employee-supplier-required")]
        );
        i.supplier_id = supplier.to_string();
        let d = i.validate().unwrap();
        assert_eq!(
            d.contract,
            Contract::FreelancePortage {
                supplier_id: supplier
            }
        );
        assert!(!d.contract.is_salaried());
        i.contract_kind = "freelance_own_company".into();
        let d = i.validate().unwrap();
        assert_eq!(d.contract.kind(), ContractKind::FreelanceOwnCompany);
        assert_eq!(d.contract.supplier_id(), Some(supplier));
        assert_eq!(d.to_input().validate(), Ok(d));
        i.supplier_id = "not-an-id".into();
        assert_eq!(
            keys(&i.validate().unwrap_err()),
            vec![("supplier_id", "id-unknown-record")]
        );
        // A salaried contract ignores a supplier left in the form.
        i.contract_kind = "cdd".into();
        assert_eq!(i.validate().unwrap().contract, Contract::Cdd);
    }

    #[test]
    fn each_bad_field_is_named() {
        let i = EmployeeInput {
            matricule: "AB CD".into(),
            legal_entity: " ".into(),
            agency_id: "x".into(),
            contract_kind: "interim".into(),
            user_id: "x".into(),
            hire_date: "31/02/2026".into(),
            exit_date: "1999-12-31".into(),
            job_title: String::new(),
            grade: "x".repeat(61),
            manager_id: "boss".into(),
            work_region: "corse".into(),
            ..EmployeeInput::default()
        };
        let e = i.validate().unwrap_err();
        assert_eq!(
            keys(&e),
            vec![
                ("matricule", "employee-matricule-invalid"),
                ("legal_entity", "field-required"),
                ("agency_id", "id-unknown-record"),
                ("contract_kind", "employee-contract-kind-invalid"),
                ("user_id", "id-unknown-record"),
                ("hire_date", "date-invalid"),
                ("exit_date", "date-out-of-range"),
                ("job_title", "field-required"),
                ("grade", "field-too-long"),
                ("manager_id", "id-unknown-record"),
                ("work_region", "employee-region-invalid"),
            ]
        );
        let blank = EmployeeInput::default().validate().unwrap_err();
        assert_eq!(
            keys(&blank),
            vec![
                ("matricule", "field-required"),
                ("legal_entity", "field-required"),
                ("agency_id", "field-required"),
                ("contract_kind", "field-required"),
                ("hire_date", "field-required"),
                ("job_title", "field-required"),
            ]
        );
    }

    #[test]
    fn matricules_keep_their_zeros_and_are_never_a_nir() {
        assert_eq!(Matricule::parse(" 00042 ").unwrap().as_str(), "00042");
        assert!(Matricule::parse("SAL-2026/014").is_ok());
        assert_eq!(
            Matricule::parse("1850775123456"),
            Err(MatriculeError::LooksLikeNir)
        );
        assert_eq!(
            Matricule::parse("185077512345678"),
            Err(MatriculeError::LooksLikeNir)
        );
        assert!(Matricule::parse("18507751234567").is_ok());
        assert_eq!(
            Matricule::parse(&"A".repeat(21)),
            Err(MatriculeError::Invalid)
        );
        assert_eq!(Matricule::parse("é"), Err(MatriculeError::Invalid));
        assert_eq!(MatriculeError::LooksLikeNir.key(), "employee-matricule-nir");
    }

    #[test]
    fn stored_matricules_and_grades_are_checked_again() {
        let g: Grade = serde_json::from_str("\"Senior\"").unwrap();
        assert_eq!(g.as_str(), "Senior");
        assert!(serde_json::from_str::<Grade>("\" \"").is_err());
        assert!(serde_json::from_str::<Matricule>("\"1850775123456\"").is_err());
        assert_eq!(serde_json::to_string(&g).unwrap(), "\"Senior\"");
    }

    #[test]
    fn contract_kinds_have_codes_and_labels() {
        for k in ContractKind::ALL {
            assert_eq!(ContractKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(
            ContractKind::FreelancePortage.label_key(),
            "employee-contract-freelance-portage"
        );
        assert!(ContractKind::Cdd.is_salaried());
        assert!(!ContractKind::FreelanceOwnCompany.is_salaried());
    }
}
