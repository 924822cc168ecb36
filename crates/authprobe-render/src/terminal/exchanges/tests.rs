use super::*;

#[test]
fn excerpt_stops_on_a_character_boundary() {
    let text = "é".repeat(10); // two bytes each
    assert_eq!(excerpt(&text, 5), "éé");
    assert_eq!(excerpt("short", 2048), "short");
}
