use super::*;
use crate::http::{Exchange, RecordedRequest, Timing};
use crate::report::Stage;

fn fetched(hops: usize) -> Fetched {
    let hop = Exchange {
        id: 0,
        stage: Stage::Challenge,
        purpose: String::new(),
        request: RecordedRequest {
            method: "GET".into(),
            url: "http://127.0.0.1/".into(),
            headers: Vec::new(),
            body: None,
        },
        response: None,
        error: None,
        redirect_of: None,
        connection: None,
        timing: Timing::default(),
    };
    Fetched {
        exchanges: vec![hop; hops],
        redirect_stopped: None,
    }
}

#[test]
fn a_level_lasts_as_long_as_its_longest_redirect_chain() {
    assert_eq!(after(2, &[fetched(1), fetched(3), fetched(1)]), 5);
    assert_eq!(after(4, &[]), 4);
}
