//! Is a tool's `inputSchema` / `outputSchema` a valid JSON Schema? JSON Schema
//! 2020-12 unless `$schema` names another dialect (MCP 2025-11-25 Basic ›
//! JSON Schema Usage). The validator never fetches anything: a `$ref` to a
//! network URI stays unresolved, as the same section requires.

use jsonschema::error::ValidationErrorKind;
use jsonschema::Draft;
use serde_json::Value;

use crate::wire::fields::describe;

/// The verdict on one schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaVerdict {
    /// Valid under its dialect.
    Valid,
    /// Not valid; says why (the keyword and where).
    Invalid(String),
    /// Names a dialect this scanner does not implement: not judged.
    UnknownDialect(String),
}

/// Judges one schema.
pub fn judge(schema: &Value) -> SchemaVerdict {
    if !schema.is_object() {
        return SchemaVerdict::Invalid(format!(
            "it is {}, not a JSON Schema object",
            describe(schema)
        ));
    }
    let draft = match schema.get("$schema") {
        Some(Value::String(uri)) => match Draft::from_schema_uri(uri) {
            Draft::Unknown => return SchemaVerdict::UnknownDialect(uri.clone()),
            known => known,
        },
        // Absent: 2020-12; not a string: the 2020-12 meta-schema says why.
        _ => Draft::Draft202012,
    };
    if let Err(error) = jsonschema::meta::validate(schema) {
        return SchemaVerdict::Invalid(describe_error(&error));
    }
    match jsonschema::options().with_draft(draft).build(schema) {
        Ok(_) => SchemaVerdict::Valid,
        // A reference the validator did not fetch is not a defect of the schema.
        Err(error) if is_remote_reference(&error, schema) => SchemaVerdict::Valid,
        Err(error) => SchemaVerdict::Invalid(describe_error(&error)),
    }
}

fn is_remote_reference(error: &jsonschema::ValidationError<'_>, schema: &Value) -> bool {
    matches!(error.kind(), ValidationErrorKind::Referencing(_)) && has_remote_ref(schema)
}

/// True when some `$ref` of the schema points outside the document.
fn has_remote_ref(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| {
            (k == "$ref" && v.as_str().is_some_and(|r| !r.starts_with('#'))) || has_remote_ref(v)
        }),
        Value::Array(items) => items.iter().any(has_remote_ref),
        _ => false,
    }
}

fn describe_error(error: &jsonschema::ValidationError<'_>) -> String {
    let at = error.instance_path().to_string();
    let mut text = error.to_string();
    // A hostile schema can make the message long; the evidence stays readable.
    if let Some((cut, _)) = text.char_indices().nth(200) {
        text.truncate(cut);
        text.push('…');
    }
    if at.is_empty() {
        format!("{text} (at the schema root)")
    } else {
        format!("{text} (at {at})")
    }
}

#[cfg(test)]
mod tests;
