//! The scan's dependency graph, and how deep it is.
//!
//! Each request waits only for the answers it is built from, so the wall time of a
//! scan approaches (longest chain of dependent requests) × (round-trip time), not
//! (number of requests) × (round-trip time). The edges, in round trips:
//!
//! ```text
//! initialize ─┬─▶ resource_metadata URL, well-known URLs after a redirect ─┐
//! discover  ──┤                                                            ├─▶ PRM verdict
//!             │   well-known PRM URLs (GET + OPTIONS) ─────────────────────┘
//!             └─▶ stage 2 (its own chain; waits for the GET only when the
//!                 primary answer alone cannot tell an MCP endpoint)
//! GET stream + initialize ─▶ GET inside the session (after a 400) ─▶ DELETE session
//! bogus token (nothing waits for it)
//!
//! PRM verdict ─▶ every AS metadata candidate ─▶ JWK Set
//!                                             ├▶ invalid grant
//!                                             └▶ (active) registration ─▶ unsafe
//!                                                registrations, authorization requests,
//!                                                grant with the client ─▶ DELETE clients
//! ```
//!
//! Requests of one level are sent together (the per-host cap of `--concurrency`
//! permitting), and recorded in a fixed order once they are all in, so the trace is
//! the same whatever order the answers arrive in: stage 1, stage 3, stages 4 to 6,
//! stage 2, then the DELETE of stage 1's session.
//!
//! The depth is counted in round trips along declared dependencies, a redirect hop
//! being a round trip of its own: it is what the graph allows, not what the network
//! happened to do, so `duration ÷ (depth × round-trip time)` tells how close a scan
//! came to it.

use crate::http::Fetched;

/// Round trips along one chain of requests that wait for each other.
pub(crate) type Depth = u32;

/// When a level of requests sent together at `start` is over: its slowest request.
pub(crate) fn after<'a>(start: Depth, level: impl IntoIterator<Item = &'a Fetched>) -> Depth {
    start + level.into_iter().map(Fetched::hops).max().unwrap_or(0)
}

#[cfg(test)]
mod tests;
