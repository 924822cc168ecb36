use super::*;

#[test]
fn wrap_breaks_at_spaces_and_keeps_long_words_whole() {
    let lines = wrap(
        "alpha beta gamma http://example.test/a/very/long/path delta",
        11,
        11,
    );
    assert_eq!(
        lines,
        [
            "alpha beta",
            "gamma",
            "http://example.test/a/very/long/path",
            "delta"
        ]
    );
    assert_eq!(wrap("", 10, 10), [""]);
}

#[test]
fn clean_makes_escape_sequences_visible() {
    let cleaned = clean("ok\u{1b}[2Jgone\r\u{202E}x\ty");
    assert!(!cleaned.contains('\u{1b}'));
    assert!(!cleaned.contains('\r'));
    assert!(!cleaned.contains('\u{202E}'));
    assert_eq!(cleaned, "ok\\u{1b}[2Jgone\\u{202e}x y");
    assert!(matches!(clean("plain"), Cow::Borrowed(_)));
}
