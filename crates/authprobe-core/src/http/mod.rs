//! The recording HTTP client: every request to a target becomes an [`Exchange`].

mod body;
mod client;
mod conn;
mod connect;
mod exchange;
pub mod guard;
mod limit;
mod observer;
mod pool;
mod redirect;
mod tls;
mod transfer;
mod warm;

pub use exchange::{
    number_connections, ConnectionInfo, ErrorKind, Exchange, ExchangeError, ExchangeId, Header,
    RecordedRequest, RecordedResponse, Timing,
};

pub use body::{BodyRead, StopWhen};
pub use client::{
    Client, ClientConfig, ClientError, Fetched, RequestSpec, Trust, DEFAULT_BODY_CAP,
};
pub use guard::{AddressClass, NetworkClass};
pub use limit::{HostLimits, DEFAULT_PER_HOST};
pub use observer::ExchangeObserver;
pub use redirect::{RedirectPolicy, RedirectStop};
pub use transfer::HEADER_CAP;

#[cfg(test)]
mod tests;
