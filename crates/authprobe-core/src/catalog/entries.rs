//! PLACEHOLDER: every code gets a generic entry until the real table lands.

use std::sync::OnceLock;

use super::{Code, Entry, Family, Strength};
use crate::report::{Severity, Stage};

pub(super) fn entry(code: Code) -> &'static Entry {
    static TABLE: OnceLock<Vec<Entry>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        Code::ALL
            .iter()
            .map(|&code| Entry {
                code,
                severity: Severity::High,
                confidence: 1.0,
                stage: Stage::Challenge,
                family: Family::Mcp,
                strength: Strength::Must,
                title: "",
                fires_when: "",
                references: &[],
                remediation: "",
                raised: true,
            })
            .collect()
    });
    &table[code.index()]
}
