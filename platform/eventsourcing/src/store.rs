//! The event store and snapshot store of one module, and loading/appending aggregates through them.

use std::marker::PhantomData;

use database::sqlx::{self, AnyConnection, Row};
use database::{Database, Sql, Transaction};
use ddd::{Aggregate, decode_event, encode_event};

use crate::EsError;

/// When to write a snapshot after an append.
#[derive(Clone, Copy, Debug)]
pub enum SnapshotPolicy {
    Never,
    /// Whenever the stream version crosses a multiple of `n`.
    Every(u32),
}

impl SnapshotPolicy {
    /// A snapshot every `n` events; 0 means never (the `SNAPSHOT_EVERY` setting).
    pub fn every(n: u32) -> Self {
        if n == 0 { SnapshotPolicy::Never } else { SnapshotPolicy::Every(n) }
    }
}

/// An aggregate with the version it was loaded at (0 = no events yet).
#[derive(Debug)]
pub struct Loaded<A> {
    pub id: String,
    pub version: i64,
    pub state: A,
}

impl<A: Aggregate> Loaded<A> {
    /// A stream that does not exist yet.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into(), version: 0, state: A::default() }
    }
}

/// Reads and appends the streams of one aggregate type in one module's `events`/`snapshots` tables.
pub struct EventStore<A> {
    policy: SnapshotPolicy,
    select_snapshot: Sql,
    select_events: Sql,
    insert_event: Sql,
    upsert_snapshot: Sql,
    _aggregate: PhantomData<fn() -> A>,
}

impl<A: Aggregate> EventStore<A> {
    pub fn new(db: &Database, module: &str, policy: SnapshotPolicy) -> Self {
        let events = db.table(module, "events");
        let snapshots = db.table(module, "snapshots");
        Self {
            policy,
            select_snapshot: Sql::new(format!(
                "SELECT stream_version, snapshot_name, snapshot_data FROM {snapshots} \
                 WHERE stream_id = $1 AND stream_name = $2"
            )),
            select_events: Sql::new(format!(
                "SELECT stream_version, event_name, event_data FROM {events} \
                 WHERE stream_id = $1 AND stream_name = $2 AND stream_version > $3 ORDER BY stream_version"
            )),
            insert_event: Sql::new(format!(
                "INSERT INTO {events} (stream_id, stream_name, stream_version, event_id, event_name, event_data, \
                 occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            )),
            upsert_snapshot: Sql::new(format!(
                "INSERT INTO {snapshots} (stream_id, stream_name, stream_version, snapshot_name, snapshot_data, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (stream_id, stream_name) DO UPDATE SET \
                 stream_version = excluded.stream_version, snapshot_name = excluded.snapshot_name, \
                 snapshot_data = excluded.snapshot_data, updated_at = excluded.updated_at"
            )),
            _aggregate: PhantomData,
        }
    }

    /// Loads a stream: the latest snapshot (if any) plus the events after it. `None` when the stream has no events.
    pub async fn load(&self, conn: &mut AnyConnection, id: &str) -> Result<Option<Loaded<A>>, EsError> {
        let mut loaded = Loaded::<A>::new(id);
        if let Some(row) =
            sqlx::query(self.select_snapshot.q()).bind(id).bind(A::TYPE).fetch_optional(&mut *conn).await?
        {
            let name: String = row.try_get(1)?;
            let data: Vec<u8> = row.try_get(2)?;
            // A snapshot of another shape is skipped: the events alone rebuild the state.
            if name == A::SNAPSHOT_NAME {
                let snapshot = serde_json::from_slice(&data).map_err(|source| EsError::Snapshot { name, source })?;
                loaded.state = A::from_snapshot(snapshot);
                loaded.version = row.try_get(0)?;
            }
        }
        let rows = sqlx::query(self.select_events.q())
            .bind(id)
            .bind(A::TYPE)
            .bind(loaded.version)
            .fetch_all(&mut *conn)
            .await?;
        for row in rows {
            let name: String = row.try_get(1)?;
            let data: Vec<u8> = row.try_get(2)?;
            let event: A::Event = decode_event(&name, &data)?;
            loaded.state.apply(&event);
            loaded.version = row.try_get(0)?;
        }
        Ok((loaded.version > 0).then_some(loaded))
    }

    /// Appends `events` after `loaded.version` and applies them to `loaded`; fails with [`EsError::Conflict`] when
    /// another writer appended first (the transaction must then be rolled back and the command retried).
    pub async fn append(
        &self,
        tx: &mut Transaction,
        loaded: &mut Loaded<A>,
        events: &[A::Event],
    ) -> Result<(), EsError> {
        if events.is_empty() {
            return Ok(());
        }
        let before = loaded.version;
        let now = database::now_micros();
        for event in events {
            let (name, data) = encode_event(event)?;
            let version = loaded.version + 1;
            sqlx::query(self.insert_event.q())
                .bind(&loaded.id)
                .bind(A::TYPE)
                .bind(version)
                .bind(ddd::new_id())
                .bind(name)
                .bind(data)
                .bind(now)
                .execute(tx.conn())
                .await?;
            loaded.state.apply(event);
            loaded.version = version;
        }
        if let SnapshotPolicy::Every(n) = self.policy {
            let n = i64::from(n.max(1));
            if loaded.version / n > before / n {
                self.save_snapshot(tx, loaded).await?;
            }
        }
        Ok(())
    }

    async fn save_snapshot(&self, tx: &mut Transaction, loaded: &Loaded<A>) -> Result<(), EsError> {
        let data = serde_json::to_vec(&loaded.state.to_snapshot())
            .map_err(|source| EsError::Snapshot { name: A::SNAPSHOT_NAME.to_owned(), source })?;
        sqlx::query(self.upsert_snapshot.q())
            .bind(&loaded.id)
            .bind(A::TYPE)
            .bind(loaded.version)
            .bind(A::SNAPSHOT_NAME)
            .bind(data)
            .bind(database::now_micros())
            .execute(tx.conn())
            .await?;
        Ok(())
    }
}
