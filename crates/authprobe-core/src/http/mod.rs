//! The recording HTTP client: every request to a target becomes an [`Exchange`].

mod exchange;

pub use exchange::{
    ErrorKind, Exchange, ExchangeError, ExchangeId, Header, RecordedRequest, RecordedResponse,
    Timing,
};
