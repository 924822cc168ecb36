use super::*;

fn u(s: &str) -> Url {
    Url::parse(s).unwrap()
}

#[test]
fn method_rewrites() {
    assert_eq!(method_after(302, &Method::POST), (Method::GET, false));
    assert_eq!(method_after(301, &Method::POST), (Method::GET, false));
    assert_eq!(method_after(303, &Method::POST), (Method::GET, false));
    assert_eq!(method_after(303, &Method::PUT), (Method::GET, false));
    assert_eq!(method_after(303, &Method::HEAD), (Method::HEAD, true));
    assert_eq!(method_after(302, &Method::PUT), (Method::PUT, true));
    assert_eq!(method_after(307, &Method::POST), (Method::POST, true));
    assert_eq!(method_after(308, &Method::POST), (Method::POST, true));
}

#[test]
fn locations_resolve_relative_and_drop_fragments() {
    let base = u("https://a.example/x/y?q=1");
    let got = resolve_location(&base, Some(b"../z#frag")).unwrap();
    assert_eq!(got.as_str(), "https://a.example/z");
    assert!(matches!(
        resolve_location(&base, None),
        Err(RedirectStop::BadLocation(_))
    ));
    assert!(matches!(
        resolve_location(&base, Some(b"http://[::1")),
        Err(RedirectStop::BadLocation(_))
    ));
    assert!(matches!(
        resolve_location(&base, Some(b"\xff")),
        Err(RedirectStop::BadLocation(_))
    ));
}

#[test]
fn policies() {
    let https = u("https://a.example/");
    let http = u("http://a.example/");
    let local = u("http://127.0.0.1:8080/");
    let local_name = u("http://localhost:9/x");
    let follow = RedirectPolicy::Follow { max: 2 };
    let strict = RedirectPolicy::HttpsOnly { max: 2 };
    assert_eq!(
        RedirectPolicy::None.check(0, &https, &https),
        Err(RedirectStop::NoFollow)
    );
    assert!(follow.check(0, &https, &http).is_ok());
    assert_eq!(follow.check(2, &https, &https), Err(RedirectStop::Limit(2)));
    assert!(follow.check(0, &https, &u("ftp://a.example/")).is_err());
    assert!(strict.check(1, &http, &https).is_ok());
    assert!(strict.check(0, &https, &http).is_err());
    assert!(strict.check(0, &http, &http).is_err());
    assert!(strict.check(0, &local, &local_name).is_ok());
    assert!(strict.check(0, &local, &http).is_err());
    assert!(strict.check(0, &u("https://127.0.0.1/"), &local).is_err());
}
