//! The simulated bot fleet (`--bots N`): each idle bot claims the oldest available shopping list (a conditional
//! update, so no list is ever claimed twice, whatever the number of bots or processes), visits its stops
//! (`--bot-pace` per stop) and completes it through the same use case as `PUT …/complete`, which publishes
//! `depotapi.ShoppingListCompleted`. An idle bot sleeps briefly instead of spinning; a bot stopped mid-round gives
//! its list back. [`BotFleet::process_once`] is one step of one bot, for tests.
//!
//! A claim is a lease of [`CLAIM_TIMEOUT`]: the bot renews it after every stop, and every [`RENEW_EVERY`] during a
//! long stop, by asking for the list it holds again; when that answer is not its list any more (canceled, completed
//! by a client, or taken back because the claim lapsed while the bot stalled), the bot drops it unfinished. A
//! process killed mid-round cannot give its lists back, and its bot ids die with it; so whenever a bot of any
//! running fleet looks for work, lists whose fleet claim lapsed are first put back to `available` (one conditional
//! UPDATE, see `store::shopping_lists`) and claimed like any other. Lists assigned through `PUT …/assign` are a
//! human's to complete: they carry no fleet claim and are never taken back.
//!
//! The timeout is a constant, not derived from `--bot-pace`: the lease is renewed during a stop as well as after
//! it, so it never has to cover a whole round (any pace works), only the gap between two renewals plus a database
//! hiccup or a clock skew between processes. 30 s is that with a wide margin, and it bounds how long the order of a
//! killed process waits before another fleet picks it up. (The claim is written by the store, which knows no pace.)

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::application::Application;
use crate::domain::{DepotError, ShoppingList};

/// How long a bot's claim on a list lasts unless the bot renews it.
pub(crate) const CLAIM_TIMEOUT: Duration = Duration::from_secs(30);
/// How often a bot renews its claim during a long stop (it renews after every stop too).
const RENEW_EVERY: Duration = Duration::from_secs(10);
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

/// How a stop went.
enum Visit {
    /// Visited; the claim is renewed.
    Done,
    /// The list is no longer this bot's.
    Lost,
    /// Shutdown: the list was handed back.
    Stopped,
}

impl BotFleet {
    pub(crate) fn new(app: Arc<Application>, pace: Duration) -> Self {
        Self { app, pace }
    }

    /// One round of bot `bot_id`: claim a list (or resume the one it holds), visit every stop, complete it.
    /// `Ok(None)`: nothing to do (or stopped by `shutdown`, the list handed back); `Ok(Some(id))`: the bot is done
    /// with list `id` (completed it, or found it canceled, completed or taken back under its feet).
    pub(crate) async fn process_once(
        &self,
        bot_id: &str,
        shutdown: &CancellationToken,
    ) -> Result<Option<String>, DepotError> {
        let Some(list) = self.app.claim_next(bot_id).await? else { return Ok(None) };
        tracing::debug!(bot_id, list = %list.id, order = %list.order_id, stops = list.stops.len(), "shopping started");
        for stop in list.stops.values() {
            match self.visit(bot_id, &list, shutdown).await? {
                Visit::Done => tracing::trace!(bot_id, list = %list.id, store = %stop.store_name, "stop visited"),
                Visit::Lost => return Ok(Some(list.id)),
                Visit::Stopped => return Ok(None),
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

    /// Spends the pace at one stop, renewing the claim every [`RENEW_EVERY`] and when leaving.
    async fn visit(
        &self,
        bot_id: &str,
        list: &ShoppingList,
        shutdown: &CancellationToken,
    ) -> Result<Visit, DepotError> {
        let mut left = self.pace;
        loop {
            let nap = left.min(RENEW_EVERY);
            tokio::select! {
                _ = tokio::time::sleep(nap) => {}
                _ = shutdown.cancelled() => {
                    self.app.release(&list.id, bot_id).await?;
                    tracing::info!(bot_id, list = %list.id, "bot stopped; shopping list handed back");
                    return Ok(Visit::Stopped);
                }
            }
            left = left.saturating_sub(nap);
            if !self.still_holds(bot_id, list).await? {
                return Ok(Visit::Lost);
            }
            if left.is_zero() {
                return Ok(Visit::Done);
            }
        }
    }

    /// Renews the bot's claim on `list`: asking for the list it holds extends that claim. False when the bot holds
    /// another list, or none: `list` was canceled, completed by a client, or taken back after the claim lapsed.
    /// (A bot that holds none may claim another available list here; it resumes that one next round.)
    async fn still_holds(&self, bot_id: &str, list: &ShoppingList) -> Result<bool, DepotError> {
        let held = self.app.claim_next(bot_id).await?;
        if held.as_ref().is_some_and(|held| held.id == list.id) {
            return Ok(true);
        }
        tracing::info!(bot_id, list = %list.id, "shopping list no longer the bot's; dropped unfinished");
        Ok(false)
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

    /// A new list of two stops.
    async fn pending_list(app: &Application, n: usize) -> String {
        let lines = [
            OrderLine { product_id: format!("p{n}"), store_id: String::new(), quantity: 1 },
            OrderLine { product_id: "shared".into(), store_id: "s0".into(), quantity: 2 },
        ];
        app.create_shopping_list(&format!("order-{n}"), &lines).await.expect("created")
    }

    async fn available_list(db: &Database, app: &Application, n: usize) -> String {
        let id = pending_list(app, n).await;
        let mut tx = db.begin().await.expect("tx");
        app.initiate_shopping_in(&mut tx, &id).await.expect("initiated");
        tx.commit().await.expect("commit");
        id
    }

    /// `(claimed_by_fleet, claim_expires_at)` of list `id`.
    async fn lease(db: &Database, id: &str) -> (i64, i64) {
        let lists = db.table("depot", "shopping_lists");
        let sql = format!("SELECT claimed_by_fleet, claim_expires_at FROM {lists} WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(db.pool()).await.expect("lease");
        (row.try_get(0).expect("flag"), row.try_get(1).expect("expiry"))
    }

    /// Lets the claim on list `id` lapse, as if its bot had been gone (or stalled) for longer than [`CLAIM_TIMEOUT`].
    async fn lapse(db: &Database, id: &str) {
        let lists = db.table("depot", "shopping_lists");
        let sql = format!("UPDATE {lists} SET claim_expires_at = $2 WHERE id = $1");
        let past = database::now_micros() - 1_000_000;
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(past).execute(db.pool()).await.expect("lapsed");
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_lapsed_claim_is_taken_back_by_another_fleet_and_completed_once() {
        for (backend, db) in testkit::databases().await {
            let app = setup(&db).await;
            let id = available_list(&db, &app, 1).await;
            // A bot of a process that is killed right after its claim.
            assert_eq!(app.claim_next("gone").await.expect("claim").map(|list| list.id), Some(id.clone()));
            let (flag, expires) = lease(&db, &id).await;
            let now = database::now_micros();
            assert_eq!(flag, 1, "{backend}: a fleet claim");
            assert!(expires > now + 25_000_000 && expires <= now + 30_000_000, "{backend}: a lease of CLAIM_TIMEOUT");

            // Another process's fleet leaves the claim alone while it runs, and takes the list back once it lapsed.
            let other = BotFleet::new(setup(&db).await, Duration::ZERO);
            let shutdown = CancellationToken::new();
            assert_eq!(other.process_once("b", &shutdown).await.expect("idle"), None, "{backend}");
            lapse(&db, &id).await;
            assert_eq!(other.process_once("b", &shutdown).await.expect("a round"), Some(id.clone()), "{backend}");
            let list = app.get_shopping_list(&id).await.expect("list");
            assert_eq!((list.status, list.assigned_bot_id.as_str()), (ListStatus::Completed, "b"), "{backend}");
            assert_eq!(lease(&db, &id).await, (0, 0), "{backend}: no claim left on a completed list");
            assert_eq!(other.process_once("c", &shutdown).await.expect("idle"), None, "{backend}");
            // The bot it had, were it to come back, holds nothing.
            let fleet = BotFleet::new(app.clone(), Duration::ZERO);
            assert_eq!(fleet.process_once("gone", &shutdown).await.expect("idle"), None, "{backend}");
            assert_eq!(completions(&db).await, 1, "{backend}: one ShoppingListCompleted");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn api_assignments_and_live_claims_are_never_taken_back() {
        for (backend, db) in testkit::databases().await {
            let app = setup(&db).await;
            let by_api = available_list(&db, &app, 1).await;
            app.assign_shopping_list(&by_api, "bot-7").await.expect("assigned over the API");
            assert_eq!(lease(&db, &by_api).await, (0, 0), "{backend}: no fleet claim, no lease");
            let live = available_list(&db, &app, 2).await;
            assert_eq!(app.claim_next("alive").await.expect("claim").map(|list| list.id), Some(live.clone()));

            let fleet = BotFleet::new(setup(&db).await, Duration::ZERO);
            let shutdown = CancellationToken::new();
            assert_eq!(fleet.process_once("b", &shutdown).await.expect("idle"), None, "{backend}");
            let list = app.get_shopping_list(&by_api).await.expect("list");
            assert_eq!((list.status, list.assigned_bot_id.as_str()), (ListStatus::Assigned, "bot-7"), "{backend}");
            let list = app.get_shopping_list(&live).await.expect("list");
            assert_eq!((list.status, list.assigned_bot_id.as_str()), (ListStatus::Assigned, "alive"), "{backend}");
            assert_eq!(completions(&db).await, 0, "{backend}");
            // A bot never resumes a list a client assigned, whatever its id.
            assert_eq!(fleet.process_once("bot-7", &shutdown).await.expect("idle"), None, "{backend}");
            app.complete_shopping_list(&by_api).await.expect("completed by its human");
            assert_eq!(completions(&db).await, 1, "{backend}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_bot_renews_its_claim_at_every_stop_and_drops_a_list_taken_from_it() {
        for (backend, db) in testkit::databases().await {
            let app = setup(&db).await;
            let id = available_list(&db, &app, 1).await; // two stops
            let slow = Arc::new(BotFleet::new(app.clone(), Duration::from_secs(1)));
            let shutdown = CancellationToken::new();
            let round = {
                let (slow, shutdown) = (slow.clone(), shutdown.clone());
                tokio::spawn(async move { slow.process_once("slow", &shutdown).await })
            };
            let mut claimed = 0;
            testkit::wait_until("the list claimed", async || {
                let (flag, expires) = lease(&db, &id).await;
                claimed = expires;
                flag == 1
            })
            .await;
            testkit::wait_until("the claim renewed after the first stop", async || lease(&db, &id).await.1 > claimed)
                .await;

            // The bot stalls past its lease (made to lapse here) and another fleet takes the list over.
            lapse(&db, &id).await;
            let fast = BotFleet::new(setup(&db).await, Duration::ZERO);
            assert_eq!(fast.process_once("fast", &shutdown).await.expect("a round"), Some(id.clone()), "{backend}");
            // The slow bot sees it at its next renewal and drops the list unfinished.
            assert_eq!(round.await.expect("round").expect("no error"), Some(id.clone()), "{backend}");
            let list = app.get_shopping_list(&id).await.expect("list");
            assert_eq!((list.status, list.assigned_bot_id.as_str()), (ListStatus::Completed, "fast"), "{backend}");
            assert_eq!(completions(&db).await, 1, "{backend}: one ShoppingListCompleted");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lists_claimed_by_bots_before_leases_existed_are_taken_back() {
        for (backend, db) in testkit::databases().await {
            db.migrate("depot", &crate::MIGRATIONS[..2]).await.expect("migrations before leases");
            let app = Arc::new(Application::new(&db, Outbox::new(&db, "depot", None), Arc::new(Everything)));
            // (Created, then assigned by hand: the code of this version would write the lease columns.)
            let (by_bot, by_api) = (pending_list(&app, 1).await, pending_list(&app, 2).await);
            let lists = db.table("depot", "shopping_lists");
            let assign = format!("UPDATE {lists} SET status = 'assigned', assigned_bot_id = $2 WHERE id = $1");
            for (id, bot) in [(&by_bot, format!("bot-3-{}", ddd::new_id())), (&by_api, "bot-3".to_owned())] {
                sqlx::query(sqlx::AssertSqlSafe(assign.clone()))
                    .bind(id)
                    .bind(bot)
                    .execute(db.pool())
                    .await
                    .expect("assigned the old way");
            }
            db.migrate("depot", crate::MIGRATIONS).await.expect("migrations");
            assert_eq!(lease(&db, &by_bot).await, (1, 0), "{backend}: a lapsed fleet claim");
            assert_eq!(lease(&db, &by_api).await, (0, 0), "{backend}: not the fleet's");

            let fleet = BotFleet::new(app.clone(), Duration::ZERO);
            let shutdown = CancellationToken::new();
            assert_eq!(fleet.process_once("b", &shutdown).await.expect("a round"), Some(by_bot.clone()), "{backend}");
            assert_eq!(fleet.process_once("b", &shutdown).await.expect("idle"), None, "{backend}");
            let list = app.get_shopping_list(&by_api).await.expect("list");
            assert_eq!((list.status, list.assigned_bot_id.as_str()), (ListStatus::Assigned, "bot-3"), "{backend}");
            assert_eq!(completions(&db).await, 1, "{backend}");
        }
    }
}
