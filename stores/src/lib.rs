//! stores (placeholder)
