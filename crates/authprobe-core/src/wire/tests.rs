//! Every parser on many generated inputs made of the characters that matter to
//! its grammar: none may panic. A fixed seed keeps failures reproducible.

use url::Url;

use super::{as_metadata, dcr, jsonrpc, jwks, prm, resource, sse, wellknown, www_authenticate};

/// xorshift64*: enough randomness for input generation without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn text(&mut self, pieces: &[&str], max_pieces: usize) -> String {
        let n = self.below(max_pieces + 1);
        (0..n).map(|_| pieces[self.below(pieces.len())]).collect()
    }

    fn bytes(&mut self, pieces: &[&[u8]], max_pieces: usize) -> Vec<u8> {
        let n = self.below(max_pieces + 1);
        (0..n)
            .flat_map(|_| pieces[self.below(pieces.len())].iter().copied())
            .collect()
    }
}

const ROUNDS: usize = 3_000;

#[test]
fn challenge_parser_never_panics() {
    let pieces = [
        "Bearer", "Basic", " ", "\t", ",", "=", "==", "\"", "\\", "realm", "a", "+/", "é", "\u{1}",
        "\r", "scope", "\"x\"", "(", "@", "~",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..ROUNDS {
        let a = rng.text(&pieces, 24);
        let b = rng.text(&pieces, 8);
        if let Err(e) = www_authenticate::parse_challenges(&[&a, &b]) {
            let value = if e.header_index == 0 { &a } else { &b };
            assert!(e.position <= value.len(), "{e} in {value:?}");
        }
    }
}

#[test]
fn url_helpers_never_panic() {
    let pieces = [
        "https",
        "HTTP",
        ":",
        "//",
        "/",
        "[",
        "]",
        "::1",
        "@",
        "#",
        "?",
        "%",
        "%4",
        "%41",
        "0",
        "443",
        "80",
        "Host",
        "localhost",
        ".",
        "..",
        "é",
        " ",
    ];
    let base = Url::parse("https://mcp.example.com/api/mcp?x=1").unwrap();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for _ in 0..ROUNDS {
        let raw = rng.text(&pieces, 12);
        let _ = resource::canonical_issues(&raw);
        let _ = resource::compare_resource(&base, &raw);
        let _ = resource::is_absolute_https_or_loopback(&raw);
        let _ = www_authenticate::resolve_resource_metadata(&raw, &base);
        if let Ok(url) = Url::parse(&raw) {
            let _ = resource::is_loopback_url(&url);
            let _ = wellknown::prm_candidates(&url);
            let _ = wellknown::auth_server_candidates(&url);
            let _ = resource::compare_resource(&url, base.as_str());
        }
    }
}

#[test]
fn json_readers_never_panic() {
    let pieces = [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "\"resource\"",
        "\"authorization_servers\"",
        "\"issuer\"",
        "\"keys\"",
        "\"kty\"",
        "\"d\"",
        "\"client_id\"",
        "\"code_challenge_methods_supported\"",
        "\"jsonrpc\"",
        "\"2.0\"",
        "\"id\"",
        "\"error\"",
        "\"code\"",
        "1",
        "-1.5e3",
        "null",
        "true",
        " ",
        "\\",
    ];
    let mut rng = Rng(0x94D0_49BB_1331_11EB);
    for _ in 0..ROUNDS {
        let body = rng.text(&pieces, 20);
        let _ = prm::parse_prm(&body);
        let _ = as_metadata::parse_as_metadata(&body);
        let _ = jwks::parse_jwks(&body);
        let _ = dcr::parse_client_information(&body);
        let _ = dcr::parse_oauth_error(&body);
        for media in [Some("application/json"), Some("text/event-stream"), None] {
            if let Ok(messages) = jsonrpc::messages_in_body(media, &body) {
                for m in &messages {
                    let _ = jsonrpc::classify_response(m);
                }
            }
        }
        if let Ok(v) = serde_json::from_str(&body) {
            let _ = jsonrpc::classify_response(&v);
        }
    }
}

#[test]
fn event_stream_never_panics_and_chunking_never_matters() {
    let pieces: [&[u8]; 14] = [
        b"data",
        b"event",
        b"id",
        b"retry",
        b":",
        b" ",
        b"\r",
        b"\n",
        b"\r\n",
        b"\xEF\xBB\xBF",
        b"\xFF",
        b"\0",
        b"12",
        b"{\"id\":1,\"result\":{}}",
    ];
    let mut rng = Rng(0xBF58_476D_1CE4_E5B9);
    for _ in 0..ROUNDS {
        let stream = rng.bytes(&pieces, 30);
        let whole = sse::parse_all(&stream);
        let mut parser = sse::SseParser::new();
        let mut chunked = Vec::new();
        let mut rest = &stream[..];
        while !rest.is_empty() {
            let (chunk, tail) = rest.split_at(1 + rng.below(rest.len()));
            chunked.extend(parser.feed(chunk));
            rest = tail;
        }
        chunked.extend(parser.finish());
        assert_eq!(whole, chunked, "stream {stream:?}");
        let _ = jsonrpc::sse_has_response(&stream);
    }
}
