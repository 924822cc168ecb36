//! Wire-format parsers: each takes bytes or strings at the boundary and returns typed values.
