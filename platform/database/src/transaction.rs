//! A database transaction that remembers which background loops to wake once it commits.

use std::sync::Arc;

use sqlx::{Any, AnyConnection};
use tokio::sync::Notify;

use crate::DbError;

/// A loop waiting for committed work (the outbox relay, the database-backed stream consumers).
pub type Wakeup = Arc<Notify>;

/// One unit of work: the state change, its outbox rows and the inbox row all go through the same transaction.
pub struct Transaction {
    inner: sqlx::Transaction<'static, Any>,
    wake_after_commit: Vec<Wakeup>,
}

impl Transaction {
    pub(crate) fn new(inner: sqlx::Transaction<'static, Any>) -> Self {
        Self { inner, wake_after_commit: Vec::new() }
    }

    /// The connection to run queries on.
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }

    /// Asks for `wakeup` to be notified after a successful commit (never on rollback).
    pub fn wake_after_commit(&mut self, wakeup: &Wakeup) {
        if !self.wake_after_commit.iter().any(|w| Arc::ptr_eq(w, wakeup)) {
            self.wake_after_commit.push(wakeup.clone());
        }
    }

    pub async fn commit(self) -> Result<(), DbError> {
        self.inner.commit().await?;
        for wakeup in self.wake_after_commit {
            wakeup.notify_one();
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), DbError> {
        self.inner.rollback().await?;
        Ok(())
    }
}
