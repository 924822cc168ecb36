//! Probes: one module per stage; they perform I/O and return observations.
