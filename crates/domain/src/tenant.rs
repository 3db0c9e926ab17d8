//! Tenants: 事業者 (company) → 事業場 (establishment) → 職制 (department).

use crate::{CompanyId, DepartmentId, EstablishmentId};
use serde::{Deserialize, Serialize};

/// 事業者 — a company (the employer); the tenant of every workplace record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    /// Id.
    pub id: CompanyId,
    /// Name (e.g. 株式会社…).
    pub name: String,
}

/// 事業場 — an establishment (a workplace with its own statutory reporting, 安衛法).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Establishment {
    /// Company.
    pub company_id: CompanyId,
    /// Id.
    pub id: EstablishmentId,
    /// Name.
    pub name: String,
}

/// 職制 — a department within an establishment. Departments nest (部 → 課 → 係): a 係 names its
/// 課 as its parent; the name is the department's own (the path is shown by joining the names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    /// Company.
    pub company_id: CompanyId,
    /// Id.
    pub id: DepartmentId,
    /// Establishment.
    pub establishment_id: EstablishmentId,
    /// The department it belongs to (`None`: directly under the establishment).
    #[serde(default)]
    pub parent_id: Option<DepartmentId>,
    /// Name.
    pub name: String,
}

/// The names from the top department down to `id` (「製造部 製造一課 一係」), joined by a space;
/// a loop in the data ends the walk.
pub fn department_path(departments: &[Department], id: DepartmentId) -> String {
    let mut names = Vec::new();
    let mut at = Some(id);
    while let Some(d) = at.and_then(|i| departments.iter().find(|d| d.id == i)) {
        if names.len() > departments.len() {
            break;
        }
        names.push(d.name.as_str());
        at = d.parent_id;
    }
    names.reverse();
    names.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_department_path_runs_from_the_top_down_and_survives_a_loop() {
        let c = CompanyId::new();
        let e = EstablishmentId::new();
        let dept = |name: &str, parent: Option<DepartmentId>| Department {
            company_id: c,
            id: DepartmentId::new(),
            establishment_id: e,
            parent_id: parent,
            name: name.into(),
        };
        let bu = dept("製造部", None);
        let ka = dept("製造一課", Some(bu.id));
        let kakari = dept("一係", Some(ka.id));
        let all = vec![kakari.clone(), bu.clone(), ka.clone()];
        assert_eq!(department_path(&all, kakari.id), "製造部 製造一課 一係");
        assert_eq!(department_path(&all, bu.id), "製造部");
        assert_eq!(department_path(&all, DepartmentId::new()), "");
        // A loop written by mistake does not hang.
        let mut a = dept("A", None);
        let b = dept("B", Some(a.id));
        a.parent_id = Some(b.id);
        assert!(department_path(&[a.clone(), b], a.id).len() < 20);
    }
}
