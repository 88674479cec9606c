//! Runs the Gherkin features in `features/` against whole MallBots processes (all nine modules, as the modular
//! monolith), once per backend: embedded (SQLite + database stream), and PostgreSQL + JetStream and PostgreSQL
//! only when configured.
//! Each backend gets two processes: one with a bot fleet (the lifecycle runs by itself) and one without (so an
//! approved order stays approved long enough to be cancelled).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cucumber::writer::Stats as _;
use cucumber::{World, given, then, when};
use serde_json::{Value, json};
use service::Module;
use testkit::app::{TestApp, app_backends};

static APPS: Mutex<Option<(Arc<TestApp>, Arc<TestApp>)>> = Mutex::new(None);

fn all_modules() -> Vec<Arc<dyn Module>> {
    mallbots::all_modules()
}

/// One scenario's view of the mall: the process it talks to and the names it has given to things.
#[derive(World)]
#[world(init = Self::new)]
struct Mall {
    app: Arc<TestApp>,
    other: Arc<TestApp>,
    /// Names used in the steps (stores, products, customers) → ids.
    ids: HashMap<String, String>,
    basket: Option<String>,
    payment: Option<String>,
    last: (u16, Value),
}

impl std::fmt::Debug for Mall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mall").field("ids", &self.ids).field("basket", &self.basket).field("last", &self.last).finish()
    }
}

impl Mall {
    fn new() -> Self {
        let (with_bots, without_bots) = APPS.lock().expect("apps").clone().expect("apps started");
        Self {
            app: with_bots,
            other: without_bots,
            ids: HashMap::new(),
            basket: None,
            payment: None,
            last: (0, Value::Null),
        }
    }

    fn id(&self, name: &str) -> String {
        self.ids.get(name).cloned().unwrap_or_else(|| format!("unknown-{}", name.replace(' ', "-")))
    }

    fn order(&self) -> String {
        self.basket.clone().expect("a basket was checked out")
    }

    async fn expect_ok(&mut self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.app.call(method, path, body).await;
        assert_eq!(status, 200, "{method} {path} → {status} {value}");
        value
    }

    /// Polls `path` until `check` holds on the JSON (10 s at most).
    async fn eventually(&self, what: &str, path: &str, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let (_, value) = self.app.get(path).await;
            if check(&value) {
                return value;
            }
            assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}; last {path}: {value}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    async fn shopping_list_id(&self) -> String {
        let order = self.order();
        let saga = self
            .eventually("a shopping list for the order", &format!("/api/cosec/sagas/{order}"), |v| {
                v["saga"]["data"]["shoppingId"].as_str().is_some_and(|s| !s.is_empty())
            })
            .await;
        saga["saga"]["data"]["shoppingId"].as_str().unwrap_or_default().to_owned()
    }
}

#[given("a mall without bots")]
async fn mall_without_bots(w: &mut Mall) {
    w.app = w.other.clone();
}

#[given(expr = "a store {string} with a product {string} priced {float}")]
async fn store_with_product(w: &mut Mall, store: String, product: String, price: f64) {
    let s = w.expect_ok("POST", "/api/stores", Some(json!({ "name": store, "location": "Level 1" }))).await;
    let store_id = s["id"].as_str().expect("store id").to_owned();
    let body = json!({ "name": product, "description": "e2e", "sku": "e2e", "price": price });
    let p = w.expect_ok("POST", &format!("/api/stores/{store_id}/products"), Some(body)).await;
    w.ids.insert(store, store_id);
    w.ids.insert(product, p["id"].as_str().expect("product id").to_owned());
}

#[given(expr = "a registered customer {string}")]
async fn registered_customer(w: &mut Mall, name: String) {
    let c = w.expect_ok("POST", "/api/customers", Some(json!({ "name": name, "smsNumber": "555-555-1212" }))).await;
    w.ids.insert(name, c["id"].as_str().expect("customer id").to_owned());
}

#[given(expr = "{string} is disabled")]
async fn customer_disabled(w: &mut Mall, name: String) {
    let id = w.id(&name);
    w.expect_ok("PUT", &format!("/api/customers/{id}/disable"), Some(json!({}))).await;
}

#[given(expr = "{string} starts a basket")]
#[when(expr = "{string} starts a basket")]
async fn starts_basket(w: &mut Mall, name: String) {
    let customer = w.id(&name);
    let b = w.expect_ok("POST", "/api/baskets", Some(json!({ "customerId": customer }))).await;
    w.basket = Some(b["id"].as_str().expect("basket id").to_owned());
}

#[given(expr = "{string} adds {int} {string} to the basket")]
#[when(expr = "{string} adds {int} {string} to the basket")]
async fn adds_item(w: &mut Mall, _name: String, quantity: i32, product: String) {
    let basket = w.basket.clone().expect("a basket");
    let body = json!({ "productId": w.id(&product), "quantity": quantity });
    w.last = w.app.put(&format!("/api/baskets/{basket}/addItem"), body).await;
}

#[when(expr = "{string} removes {int} {string} from the basket")]
async fn removes_item(w: &mut Mall, _name: String, quantity: i32, product: String) {
    let basket = w.basket.clone().expect("a basket");
    let body = json!({ "productId": w.id(&product), "quantity": quantity });
    w.last = w.app.put(&format!("/api/baskets/{basket}/removeItem"), body).await;
    assert_eq!(w.last.0, 200, "{:?}", w.last);
}

#[then(expr = "the basket is {string} and empty")]
async fn basket_empty(w: &mut Mall, status: String) {
    let basket = w.basket.clone().expect("a basket");
    let b = w.expect_ok("GET", &format!("/api/baskets/{basket}"), None).await;
    assert_eq!(b["basket"]["status"], status, "{b}");
    assert_eq!(b["basket"]["items"], json!([]), "{b}");
}

#[then(expr = "the basket holds {int} {string}")]
async fn basket_holds(w: &mut Mall, quantity: i32, product: String) {
    let basket = w.basket.clone().expect("a basket");
    let b = w.expect_ok("GET", &format!("/api/baskets/{basket}"), None).await;
    let items = b["basket"]["items"].as_array().expect("items");
    let item = items.iter().find(|i| i["productId"] == w.id(&product)).unwrap_or_else(|| panic!("{product} in {b}"));
    assert_eq!(item["quantity"], quantity, "{b}");
    assert_eq!(item["productName"], product.as_str());
}

#[then(expr = "I receive a {int} {string} error")]
async fn receive_error(w: &mut Mall, status: u16, message: String) {
    assert_eq!(w.last.0, status, "{:?}", w.last);
    assert_eq!(w.last.1["message"], message.as_str(), "{:?}", w.last);
}

#[given(expr = "{string} authorized a payment of {float}")]
async fn authorized_payment(w: &mut Mall, name: String, amount: f64) {
    let customer = w.id(&name);
    let p = w.expect_ok("POST", "/api/payments", Some(json!({ "customerId": customer, "amount": amount }))).await;
    w.payment = Some(p["id"].as_str().expect("payment id").to_owned());
}

#[given(expr = "the product {string} is removed from its store")]
async fn product_removed(w: &mut Mall, product: String) {
    let id = w.id(&product);
    let store = w.expect_ok("GET", &format!("/api/stores/products/{id}"), None).await["product"]["storeId"].clone();
    // First make sure the depot has heard of the product at all (else a probe could see "not found" before the
    // depot's cache even received the product, and the product would appear there afterwards).
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    for attempt in 0.. {
        let probe = json!({ "orderId": format!("known-{id}-{attempt}"), "items": [{ "productId": id, "storeId": store, "quantity": 1 }] });
        if w.app.post("/api/depot/shopping", probe).await.0 == 200 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the depot never learnt of the product");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    w.expect_ok("DELETE", &format!("/api/stores/products/{id}"), None).await;
    // Wait until the depot no longer knows the product (its cache heard of the removal): a probe list for an
    // order of its own is refused with 404 from then on.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    for attempt in 0.. {
        let probe = json!({ "orderId": format!("probe-{id}-{attempt}"), "items": [{ "productId": id, "storeId": store, "quantity": 1 }] });
        let (status, body) = w.app.post("/api/depot/shopping", probe).await;
        if status == 404 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the depot still knows the removed product: {status} {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[when(expr = "{string} checks out the basket")]
async fn checks_out(w: &mut Mall, _name: String) {
    let basket = w.basket.clone().expect("a basket");
    let payment = w.payment.clone().unwrap_or_default();
    w.last = w.app.put(&format!("/api/baskets/{basket}/checkout"), json!({ "paymentId": payment })).await;
    if w.last.0 == 200 {
        // The order id is the basket id.
    }
}

/// Where a status lies on the happy path (pending → approved → ready → completed); terminal detours are None.
fn progress(status: &str) -> Option<u8> {
    ["pending", "approved", "ready", "completed"].iter().position(|s| *s == status).map(|p| p as u8)
}

/// Waits until the order has reached `status`. With bots running an order moves on quickly, so a happy-path
/// status counts as reached once the order is at it or past it.
#[then(expr = "the order becomes {string}")]
async fn order_becomes(w: &mut Mall, status: String) {
    let order = w.order();
    let wanted = progress(&status);
    w.eventually(&format!("order {status}"), &format!("/api/ordering/{order}"), |v| {
        let actual = v["order"]["status"].as_str().unwrap_or_default();
        match (wanted, progress(actual)) {
            (Some(wanted), Some(actual)) => actual >= wanted,
            _ => actual == status,
        }
    })
    .await;
}

#[then(expr = "the saga of the order is {string}")]
async fn saga_is(w: &mut Mall, status: String) {
    let order = w.order();
    w.eventually(&format!("saga {status}"), &format!("/api/cosec/sagas/{order}"), |v| {
        v["saga"]["status"] == status.as_str()
    })
    .await;
}

#[then(expr = "the shopping list of the order is {string}")]
async fn shopping_list_is(w: &mut Mall, status: String) {
    let list = w.shopping_list_id().await;
    w.eventually(&format!("shopping list {status}"), &format!("/api/depot/shopping/{list}"), |v| {
        v["shoppingList"]["status"] == status.as_str()
    })
    .await;
}

#[then(expr = "the shopping list of the order is not {string}")]
async fn shopping_list_is_not(w: &mut Mall, status: String) {
    let list = w.shopping_list_id().await;
    let (code, v) = w.app.get(&format!("/api/depot/shopping/{list}")).await;
    assert_eq!(code, 200, "{v}");
    assert_ne!(v["shoppingList"]["status"], status.as_str(), "{v}");
    let order = w.order();
    w.eventually("the saga to complete", &format!("/api/cosec/sagas/{order}"), |v| v["saga"]["status"] == "completed")
        .await;
}

/// The trace id of a message (`traceparent` = `00-<trace id>-<span id>-<flags>`).
fn trace_id(message: &messaging::Message) -> String {
    let parent = message.meta_str("traceparent").unwrap_or_else(|| panic!("{} carries no traceparent", message.name));
    parent.split('-').nth(1).unwrap_or_default().to_owned()
}

#[then("one trace runs from the checkout to the approval")]
async fn one_trace(w: &mut Mall) {
    use prost::Message as _;
    let order = w.order();
    let checkout = w
        .app
        .wait_for_message("baskets.events.Basket", "the checkout event", |m| {
            m.name == "basketsapi.BasketCheckedOut"
                && contracts::basketspb::BasketCheckedOut::decode(m.payload.as_slice()).is_ok_and(|e| e.id == order)
        })
        .await;
    let approved = w
        .app
        .wait_for_message("ordering.events.Order", "the approval event", |m| {
            m.name == "ordersapi.OrderApproved"
                && contracts::orderingpb::OrderApproved::decode(m.payload.as_slice()).is_ok_and(|e| e.id == order)
        })
        .await;
    let authorize = w
        .app
        .wait_for_message("customers.commands", "the authorize command", |m| {
            m.meta_str("COMMAND_SAGA_ID") == Some(order.as_str())
        })
        .await;
    let trace = trace_id(&checkout);
    assert_eq!(trace.len(), 32, "a W3C trace id: {trace}");
    assert_eq!(trace_id(&authorize), trace, "the saga's commands continue the checkout's trace");
    assert_eq!(trace_id(&approved), trace, "the approval continues the checkout's trace");
}

#[then(expr = "the payment is {string}")]
async fn payment_is(w: &mut Mall, status: String) {
    let payment = w.payment.clone().expect("a payment");
    w.eventually(&format!("payment {status}"), &format!("/api/payments/{payment}"), |v| {
        v["payment"]["status"] == status.as_str()
    })
    .await;
}

#[then(expr = "the invoice of the order is {string} for {float}")]
async fn invoice_is(w: &mut Mall, status: String, amount: f64) {
    let order = w.order();
    let v = w
        .eventually(&format!("invoice {status}"), &format!("/api/payments/invoices/{order}"), |v| {
            v["invoice"]["status"] == status.as_str()
        })
        .await;
    assert_eq!(v["invoice"]["amount"].as_f64(), Some(amount), "{v}");
}

#[when("the invoice of the order is paid")]
async fn invoice_paid(w: &mut Mall) {
    let order = w.order();
    // The invoice is created when payments hears that the order is ready: wait for it.
    w.eventually("the invoice", &format!("/api/payments/invoices/{order}"), |v| v["invoice"]["status"] == "pending")
        .await;
    w.expect_ok("PUT", &format!("/api/payments/invoices/{order}/pay"), Some(json!({}))).await;
}

#[when("the order is cancelled")]
async fn order_cancelled(w: &mut Mall) {
    let order = w.order();
    w.last = w.app.delete(&format!("/api/ordering/{order}")).await;
}

#[when(expr = "bot {string} is assigned the shopping list and completes it")]
async fn bot_assigned(w: &mut Mall, bot: String) {
    let list = w.shopping_list_id().await;
    w.eventually("the list to be available", &format!("/api/depot/shopping/{list}"), |v| {
        v["shoppingList"]["status"] == "available"
    })
    .await;
    w.expect_ok("PUT", &format!("/api/depot/shopping/{list}/assign"), Some(json!({ "botId": bot }))).await;
    w.expect_ok("PUT", &format!("/api/depot/shopping/{list}/complete"), Some(json!({}))).await;
}

#[then(expr = "searching the orders of {string} finds the order {string} with total {float}")]
async fn search_finds(w: &mut Mall, name: String, status: String, total: f64) {
    let customer = w.id(&name);
    let order = w.order();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let (code, v) =
            w.app.post("/api/search/orders", json!({ "filters": { "customerId": customer }, "limit": 10 })).await;
        let found = v["orders"].as_array().and_then(|o| o.iter().find(|o| o["orderId"] == order.as_str()).cloned());
        if let Some(found) = found.filter(|f| f["status"] == status.as_str()) {
            assert_eq!(found["total"].as_f64(), Some(total), "{found}");
            assert_eq!(found["customerName"], name.as_str(), "{found}");
            return;
        }
        assert!(std::time::Instant::now() < deadline, "search never showed {status}: {code} {v}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[then(expr = "{string} was notified that the order was {string}")]
async fn notified(w: &mut Mall, name: String, kinds: String) {
    let customer = w.id(&name);
    let order = w.order();
    let expected: Vec<String> = kinds.split(',').map(|k| k.trim().to_owned()).collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let (_, v) = w.app.get(&format!("/api/notifications/customers/{customer}")).await;
        let got: Vec<String> = v["notifications"]
            .as_array()
            .map(|n| {
                n.iter()
                    .filter(|n| n["orderId"] == order.as_str())
                    .filter_map(|n| n["kind"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        if expected.iter().all(|k| got.contains(k)) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "notifications {got:?}, expected {expected:?}: {v}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::main]
async fn main() {
    let features = concat!(env!("CARGO_MANIFEST_DIR"), "/features");
    let mut failed = Vec::new();
    for backend in app_backends() {
        let with_bots =
            Arc::new(TestApp::spawn_with(backend, all_modules(), &["--bots", "2", "--bot-pace", "5ms"]).await);
        let without_bots = Arc::new(TestApp::spawn(backend, all_modules()).await);
        *APPS.lock().expect("apps") = Some((with_bots, without_bots));
        println!("== features on {backend:?}");
        let writer = Mall::cucumber().fail_on_skipped().max_concurrent_scenarios(4).run(features).await;
        if writer.execution_has_failed() {
            failed.push(format!("{backend:?}"));
        }
        let apps = APPS.lock().expect("apps").take();
        if let Some((a, b)) = apps {
            for app in [a, b] {
                if let Ok(app) = Arc::try_unwrap(app) {
                    app.stop().await;
                }
            }
        }
    }
    assert!(failed.is_empty(), "features failed on {failed:?}");
}
