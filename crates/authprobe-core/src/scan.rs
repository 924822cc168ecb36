//! The scan: runs the probes as a dependency graph and assembles the report.
