//! The simulated bot fleet (`--bots N`): each idle bot claims the oldest available shopping list (a conditional
//! update, so no list is ever claimed twice, whatever the number of bots or processes), visits its stops
//! (`--bot-pace` per stop) and completes it through the same use case as `PUT …/complete`, which publishes
//! `depotapi.ShoppingListCompleted`. An idle bot sleeps briefly instead of spinning; a bot stopped mid-round gives
//! its list back. [`BotFleet::process_once`] is one step of one bot, for tests.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::application::Application;
use crate::domain::DepotError;

/// How long an idle bot waits before looking for work again.
const IDLE: Duration = Duration::from_millis(100);
/// How long a bot pauses after a failure (the database is down, …).
const AFTER_FAILURE: Duration = Duration::from_secs(1);

/// The bots of this process.
pub(crate) struct BotFleet {
    app: Arc<Application>,
    /// Time spent at each stop.
    pace: Duration,
}

impl BotFleet {
    pub(crate) fn new(app: Arc<Application>, pace: Duration) -> Self {
        Self { app, pace }
    }

    /// One round of bot `bot_id`: claim a list (or resume the one it holds), visit every stop, complete it.
    /// `Ok(None)`: nothing to do (or stopped by `shutdown`, the list handed back); `Ok(Some(id))`: list `id` was
    /// done (completed, or canceled under the bot's feet).
    pub(crate) async fn process_once(
        &self,
        bot_id: &str,
        shutdown: &CancellationToken,
    ) -> Result<Option<String>, DepotError> {
        let Some(list) = self.app.claim_next(bot_id).await? else { return Ok(None) };
        tracing::debug!(bot_id, list = %list.id, order = %list.order_id, stops = list.stops.len(), "shopping started");
        for stop in list.stops.values() {
            tokio::select! {
                _ = tokio::time::sleep(self.pace) => {
                    tracing::trace!(bot_id, list = %list.id, store = %stop.store_name, "stop visited");
                }
                _ = shutdown.cancelled() => {
                    self.app.release(&list.id, bot_id).await?;
                    tracing::info!(bot_id, list = %list.id, "bot stopped; shopping list handed back");
                    return Ok(None);
                }
            }
        }
        match self.app.complete_shopping_list(&list.id).await {
            Ok(()) => tracing::info!(bot_id, list = %list.id, order = %list.order_id, "shopping list completed"),
            // Canceled (the order was) while the bot was underway, or completed by a client meanwhile.
            Err(DepotError::CannotComplete) => {
                tracing::info!(bot_id, list = %list.id, "shopping list no longer completable")
            }
            Err(err) => return Err(err),
        }
        Ok(Some(list.id))
    }

    /// Runs bot `bot_id` until `shutdown`.
    pub(crate) async fn run(self: Arc<Self>, bot_id: String, shutdown: CancellationToken) {
        tracing::debug!(bot_id, "bot started");
        while !shutdown.is_cancelled() {
            let pause = match self.process_once(&bot_id, &shutdown).await {
                Ok(Some(_)) => continue,
                Ok(None) => IDLE,
                Err(err) => {
                    tracing::warn!(bot_id, error = %err, "bot round failed");
                    AFTER_FAILURE
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = shutdown.cancelled() => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::{OrderLine, StoresDirectory};
    use crate::domain::ListStatus;
    use crate::store::{CachedProduct, CachedStore};
    use database::Database;
    use database::sqlx::{self, Row};
    use messaging::Outbox;

    /// A stores service that knows every id: product `pN` is sold by store `sN`.
    struct Everything;

    #[async_trait::async_trait]
    impl StoresDirectory for Everything {
        async fn store(&self, id: &str) -> Result<Option<CachedStore>, DepotError> {
            Ok(Some(CachedStore { id: id.into(), name: format!("store {id}"), location: "here".into() }))
        }
        async fn product(&self, id: &str) -> Result<Option<CachedProduct>, DepotError> {
            Ok(Some(CachedProduct { id: id.into(), store_id: format!("s{id}"), name: format!("product {id}") }))
        }
    }

    async fn setup(db: &Database) -> Arc<Application> {
        db.migrate("depot", crate::MIGRATIONS).await.expect("migrations");
        Arc::new(Application::new(db, Outbox::new(db, "depot", None), Arc::new(Everything)))
    }

    async fn available_list(db: &Database, app: &Application, n: usize) -> String {
        let lines = [
            OrderLine { product_id: format!("p{n}"), store_id: String::new(), quantity: 1 },
            OrderLine { product_id: "shared".into(), store_id: "s0".into(), quantity: 2 },
        ];
        let id = app.create_shopping_list(&format!("order-{n}"), &lines).await.expect("created");
        let mut tx = db.begin().await.expect("tx");
        app.initiate_shopping_in(&mut tx, &id).await.expect("initiated");
        tx.commit().await.expect("commit");
        id
    }

    async fn completions(db: &Database) -> i64 {
        let outbox = db.table("depot", "outbox");
        let sql = format!("SELECT COUNT(*) FROM {outbox} WHERE name = 'depotapi.ShoppingListCompleted'");
        sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(db.pool()).await.expect("count").try_get(0).expect("n")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_bots_complete_every_list_exactly_once() {
        for (backend, db) in testkit::databases().await {
            let app = setup(&db).await;
            let mut ids = Vec::new();
            for n in 0..12 {
                ids.push(available_list(&db, &app, n).await);
            }
            let fleet = Arc::new(BotFleet::new(app.clone(), Duration::ZERO));
            let shutdown = CancellationToken::new();
            let bot = |name: &'static str| {
                let (fleet, shutdown) = (fleet.clone(), shutdown.clone());
                tokio::spawn(async move {
                    let mut done = Vec::new();
                    while let Some(id) = fleet.process_once(name, &shutdown).await.expect("a round") {
                        done.push((name, id));
                    }
                    done
                })
            };
            let (a, b) = (bot("bot-a"), bot("bot-b"));
            let mut done = a.await.expect("bot a");
            done.extend(b.await.expect("bot b"));
            let mut completed: Vec<String> = done.iter().map(|(_, id)| id.clone()).collect();
            completed.sort();
            ids.sort();
            assert_eq!(completed, ids, "{backend}: every list once");
            for (bot, id) in &done {
                let list = app.get_shopping_list(id).await.expect("list");
                assert_eq!((list.status, list.assigned_bot_id.as_str()), (ListStatus::Completed, *bot), "{backend}");
            }
            assert_eq!(completions(&db).await, 12, "{backend}: one ShoppingListCompleted per list");
            assert_eq!(fleet.process_once("bot-c", &shutdown).await.expect("idle"), None, "{backend}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_bot_stopped_mid_round_hands_its_list_back() {
        for (backend, db) in testkit::databases().await {
            let app = setup(&db).await;
            let id = available_list(&db, &app, 1).await;
            let fleet = Arc::new(BotFleet::new(app.clone(), Duration::from_secs(60)));
            let shutdown = CancellationToken::new();
            let round = {
                let (fleet, shutdown) = (fleet.clone(), shutdown.clone());
                tokio::spawn(async move { fleet.process_once("slow", &shutdown).await })
            };
            testkit::wait_until("the list claimed", async || {
                app.get_shopping_list(&id).await.expect("list").status == ListStatus::Assigned
            })
            .await;
            shutdown.cancel();
            assert_eq!(round.await.expect("round").expect("no error"), None, "{backend}");
            let list = app.get_shopping_list(&id).await.expect("list");
            assert_eq!((list.status, list.assigned_bot_id.as_str()), (ListStatus::Available, ""), "{backend}");
            assert_eq!(completions(&db).await, 0, "{backend}");
        }
    }
}
