//! End-to-end Gherkin features for MallBots (the steps live in `tests/features.rs`).
