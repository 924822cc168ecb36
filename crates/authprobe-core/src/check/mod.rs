//! Checks: pure functions from observations to findings, one module per stage.
