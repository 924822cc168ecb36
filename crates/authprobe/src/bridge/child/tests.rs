use super::*;

#[test]
fn words_split_like_a_shell() {
    assert_eq!(split_words("a b  c").unwrap(), ["a", "b", "c"]);
    assert_eq!(
        split_words("prog 'two words' \"x\\\"y\" z\\ w").unwrap(),
        ["prog", "two words", "x\"y", "z w"]
    );
    assert_eq!(split_words("''").unwrap(), [""]);
    assert!(split_words("  ").is_err());
    assert!(split_words("a 'open").is_err());
    assert!(split_words("a \"open").is_err());
    assert!(split_words("a\\").is_err());
}

#[test]
fn shell_operators_are_refused_with_the_way_out() {
    for line in [
        "a | b", "a && b", "a; b", "a > f", "a < f", "a `b`", "a $(b)",
    ] {
        let why = split_words(line).unwrap_err();
        assert!(why.contains("sh -c"), "{line}: {why}");
        assert!(why.contains("not supported"), "{line}: {why}");
    }
    // Quoted, they are plain characters of one word.
    assert_eq!(
        split_words("sh -c 'a | b && c; d > e'").unwrap(),
        ["sh", "-c", "a | b && c; d > e"]
    );
    assert_eq!(
        split_words("echo \\| $HOME").unwrap(),
        ["echo", "|", "$HOME"]
    );
}

#[test]
fn the_tail_is_bounded() {
    let tail = std::sync::Mutex::new(VecDeque::new());
    for i in 0..100 {
        push_tail(&tail, &format!("line {i}\n"));
    }
    push_tail(&tail, &"x".repeat(10_000));
    let tail = tail.into_inner().unwrap();
    assert_eq!(tail.len(), TAIL_LINES);
    assert_eq!(tail.front().unwrap(), "line 61");
    assert_eq!(tail.back().unwrap().len(), TAIL_WIDTH);
}
