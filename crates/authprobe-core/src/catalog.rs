//! The check catalog as data: one [`Code`] per finding and one [`Entry`] each.
//!
//! Codes are public API (JSON reports, `--fail-on`, SARIF rule ids): never rename
//! or remove one; add new ones at the end of their stage.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::report::{Severity, Stage};

macro_rules! define_codes {
    ($($variant:ident = $name:literal,)*) => {
        /// Every finding code, in catalog order (stage by stage, root causes first).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(
                #[doc = $name]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in catalog order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The public spelling, e.g. `PRM_RESOURCE_MISMATCH`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }
        }
    };
}

include!("catalog/codes.rs");

impl Code {
    /// Position in catalog order.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Looks a code up by its public spelling (case-insensitive, `-` accepted for `_`).
    pub fn parse(input: &str) -> Option<Code> {
        let wanted = input.trim().replace('-', "_");
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(&wanted))
    }

    /// The catalog entry of this code.
    pub fn entry(self) -> &'static Entry {
        entries::entry(self)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Code::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown finding code {s}")))
    }
}

/// Which conformance family a code belongs to (`--mcp` / `--rfc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Rules from the MCP specification.
    Mcp,
    /// Rules from the RFCs (OAuth, HTTP, URI).
    Rfc,
    /// Local policy (SSRF guard) and observations; unaffected by `--mcp` / `--rfc`.
    Policy,
}

/// How strong the rule behind a code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// A MUST / MUST NOT / REQUIRED.
    Must,
    /// A SHOULD / SHOULD NOT / RECOMMENDED, or a best practice (raised by `strict`).
    Should,
    /// An observation or local policy.
    Observation,
}

/// A citation: which document, which section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// Document, e.g. `RFC 9728` or `MCP 2025-11-25`.
    pub spec: &'static str,
    /// Section, e.g. `§3.3` or `Authorization › Canonical Server URI`.
    pub section: &'static str,
    /// Where to read it.
    pub url: &'static str,
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.spec, self.section)
    }
}

/// One catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Entry {
    /// The code.
    pub code: Code,
    /// Default severity.
    pub severity: Severity,
    /// Default confidence.
    pub confidence: f32,
    /// Stage that raises it.
    pub stage: Stage,
    /// Conformance family.
    pub family: Family,
    /// Strength of the rule.
    pub strength: Strength,
    /// One-line title.
    pub title: &'static str,
    /// When it fires.
    pub fires_when: &'static str,
    /// Spec references.
    pub references: &'static [Reference],
    /// How to fix it.
    pub remediation: &'static str,
    /// False for codes kept only so that old gates keep working.
    pub raised: bool,
}

mod entries;
mod markdown;

pub use markdown::{explain_text, findings_markdown};

#[cfg(test)]
mod tests;
