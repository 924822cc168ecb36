//! The scan's exchange list: numbers exchanges in a deterministic order.

use crate::http::{Exchange, ExchangeId, Fetched, RedirectStop};

/// Every exchange of a scan, numbered in the order probes were recorded (not the
/// order responses arrived), so the report is the same whatever the network did.
#[derive(Debug, Default, Clone)]
pub struct Trace {
    exchanges: Vec<Exchange>,
}

/// The ids one request produced: one per redirect hop, the last is the final answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// Ids of the hops, in order; never empty.
    pub ids: Vec<ExchangeId>,
    /// Why a redirect was not followed, if one was not.
    pub redirect_stopped: Option<RedirectStop>,
}

impl Recorded {
    /// Id of the final hop.
    pub fn last(&self) -> ExchangeId {
        self.ids.last().copied().unwrap_or_default()
    }

    /// Id of the first hop.
    pub fn first(&self) -> ExchangeId {
        self.ids.first().copied().unwrap_or_default()
    }

    /// True when the request was redirected at least once.
    pub fn redirected(&self) -> bool {
        self.ids.len() > 1
    }
}

impl Trace {
    /// An empty trace.
    pub fn new() -> Self {
        Trace::default()
    }

    /// Numbers the hops of `fetched` and keeps them.
    pub fn record(&mut self, fetched: Fetched) -> Recorded {
        let mut ids = Vec::with_capacity(fetched.exchanges.len());
        let mut previous: Option<ExchangeId> = None;
        for mut exchange in fetched.exchanges {
            let id = self.exchanges.len() as ExchangeId + 1;
            exchange.id = id;
            exchange.redirect_of = previous;
            previous = Some(id);
            ids.push(id);
            self.exchanges.push(exchange);
        }
        Recorded {
            ids,
            redirect_stopped: fetched.redirect_stopped,
        }
    }

    /// The exchange with this id.
    pub fn get(&self, id: ExchangeId) -> Option<&Exchange> {
        id.checked_sub(1)
            .and_then(|i| self.exchanges.get(i as usize))
    }

    /// The final exchange of a recorded request.
    pub fn last_of(&self, recorded: &Recorded) -> Option<&Exchange> {
        self.get(recorded.last())
    }

    /// All exchanges, consumed into the report.
    pub fn into_exchanges(mut self) -> Vec<Exchange> {
        crate::http::number_connections(&mut self.exchanges);
        self.exchanges
    }

    /// All exchanges.
    pub fn exchanges(&self) -> &[Exchange] {
        &self.exchanges
    }
}
