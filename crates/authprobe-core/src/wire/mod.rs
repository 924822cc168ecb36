//! Wire-format parsers: each takes bytes or strings at the boundary and returns typed values.
//!
//! Everything here is a pure function of its input (no I/O) and never panics,
//! whatever the input; each module carries its own tests.

pub mod as_metadata;
pub mod dcr;
pub mod fields;
pub mod jsonrpc;
pub mod jwks;
pub mod jwt;
pub mod mcp;
pub mod prm;
pub mod resource;
pub mod sse;
pub mod wellknown;
pub mod www_authenticate;

#[cfg(test)]
mod tests;
