use super::*;

#[test]
fn text_is_cut_into_headings_bullets_paragraphs_and_code() {
    let text = "One.\nTwo.\n\nWhy:\n- a\n- b\n\nFix:\n    HTTP/1.1 401\n    X: y\n\n```json\n{}\n```\n## Next\n1. first";
    assert_eq!(
        blocks(text),
        [
            Block::Para("One. Two.".into()),
            Block::Heading("Why".into()),
            Block::Bullet("a".into()),
            Block::Bullet("b".into()),
            Block::Heading("Fix".into()),
            Block::Code("HTTP/1.1 401\nX: y".into()),
            Block::Code("{}".into()),
            Block::Heading("Next".into()),
            Block::Bullet("first".into()),
        ]
    );
}
