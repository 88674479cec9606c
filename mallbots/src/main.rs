//! The mallbots binary.
fn main() {}
