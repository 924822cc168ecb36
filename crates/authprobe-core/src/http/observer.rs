//! A hook that sees each exchange the moment it completes, for live output.
//!
//! The engine never prints (principle 1); a front end that wants to show traffic as it
//! happens (`--verbose`) hands the scan a callback, and decides itself what to do with
//! each exchange (redact it, print it).

use std::fmt;
use std::sync::Arc;

use super::exchange::Exchange;

/// A callback told about every exchange as soon as its response (or error) is in.
///
/// It runs on the task that sent the request, so it must be quick and must not block on
/// the scan. Exchanges arrive in completion order, before the scan numbers them: their
/// `id` and `redirect_of` are still 0 and unset.
#[derive(Clone)]
pub struct ExchangeObserver(Arc<dyn Fn(&Exchange) + Send + Sync>);

impl ExchangeObserver {
    /// Wraps a callback.
    pub fn new(callback: impl Fn(&Exchange) + Send + Sync + 'static) -> Self {
        ExchangeObserver(Arc::new(callback))
    }

    /// Tells the callback about one completed exchange.
    pub fn notify(&self, exchange: &Exchange) {
        (self.0)(exchange)
    }
}

impl fmt::Debug for ExchangeObserver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExchangeObserver(..)")
    }
}
