//! Where each raised code is proven to be produced, for the codes no lab defect
//! declares: the name of a unit test that builds the situation and asserts the code.
//!
//! Every other raised code is declared by a lab defect, and the calibration matrix
//! scans that defect and asserts that exactly its codes come back. A test of the
//! `authprobe` crate fails when a raised code is in neither place, when a test named
//! here does not exist or does not mention its code, or when a lab defect declares a
//! code that is planned or reserved.

use super::Code;

/// `(code, unit test function)`: the test is a `#[test]` function somewhere in the
/// workspace whose body names the code (as `Code::Variant` or as its spelling).
pub const UNIT_PROOFS: &[(Code, &str)] = &[
    (Code::McpLegacySseTransport, "legacy_sse_is_an_observation"),
    (Code::MetadataRedirectBlocked, "redirects_out_of_policy"),
    (Code::MetadataRedirectLimit, "redirects_out_of_policy"),
    (Code::MetadataSsrfBlocked, "jwks_documents"),
    (
        Code::PrmResourceMismatch,
        "resource_of_another_origin_in_a_well_known_document",
    ),
    (Code::Rfc3986InvalidUri, "resource_that_does_not_parse"),
    (
        Code::PrmResourceQueryDiffers,
        "target_with_a_query_that_the_resource_leaves_out",
    ),
];
