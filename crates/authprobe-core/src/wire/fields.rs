//! Typed reading of JSON metadata members that remembers type errors instead
//! of failing, shared by the metadata documents (RFC 9728, RFC 8414, RFC 7591).

use serde::Serialize;
use serde_json::Value;

/// A known member whose JSON type is not the one its specification gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldTypeError {
    /// The member name as it appears in the document.
    pub field: String,
    /// What the specification requires, e.g. "a string" or "an array of strings".
    pub expected: &'static str,
    /// What was there, e.g. "null" or "an array containing a number".
    pub found: String,
}

/// Names the JSON type of a value with its article: "a string", "null", "an array".
pub fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn type_error(field: &str, expected: &'static str, found: String) -> FieldTypeError {
    FieldTypeError {
        field: field.to_string(),
        expected,
        found,
    }
}

/// A string member, or a type error.
pub(crate) fn string(
    field: &str,
    value: Value,
    errors: &mut Vec<FieldTypeError>,
) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        other => {
            errors.push(type_error(field, "a string", describe(&other).to_string()));
            None
        }
    }
}

/// A boolean member, or a type error.
pub(crate) fn boolean(field: &str, value: Value, errors: &mut Vec<FieldTypeError>) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(b),
        other => {
            errors.push(type_error(field, "a boolean", describe(&other).to_string()));
            None
        }
    }
}

/// An array whose elements are all strings, or a type error naming the first
/// element that is not.
pub(crate) fn string_array(
    field: &str,
    value: Value,
    errors: &mut Vec<FieldTypeError>,
) -> Option<Vec<String>> {
    const EXPECTED: &str = "an array of strings";
    let Value::Array(items) = value else {
        errors.push(type_error(field, EXPECTED, describe(&value).to_string()));
        return None;
    };
    if let Some(bad) = items.iter().find(|v| !v.is_string()) {
        errors.push(type_error(
            field,
            EXPECTED,
            format!("an array containing {}", describe(bad)),
        ));
        return None;
    }
    Some(
        items
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests;
