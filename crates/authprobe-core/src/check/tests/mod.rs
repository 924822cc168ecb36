//! Unit tests of the pure checks on recorded inputs: no network, hand-built exchanges.

mod fixtures;
mod judging;

mod challenge;
mod discovery;
mod outcome;
mod prm;
mod token_and_stream;
