//! Integration tests of the whole tool against the lab (one test binary: one link).

mod calibration;
mod cli;
mod hostile;
mod support;
