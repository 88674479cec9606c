//! customers (placeholder)
