//! Tests of the recording client against servers on 127.0.0.1; nothing leaves the machine.

mod client;
mod pool;
mod redirect;
mod server;
mod tls;
