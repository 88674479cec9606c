//! `mallbots busywork`: the book's load generator. Without `--max` it plays random shoppers and store admins with
//! realistic pauses (register, browse stores and catalogs, fill and cancel baskets, buy, set up stores and
//! inventory, rebrand). With `--max` it drives checkouts back to back and reports approved orders per second and
//! checkout → approved latency, with a live progress line.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rand::Rng;
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// Options of `mallbots busywork`.
#[derive(Clone, Debug, clap::Args)]
pub struct Busywork {
    /// Concurrent clients (shoppers and admins; with --max: shoppers).
    #[arg(long, default_value_t = 5)]
    pub clients: usize,
    /// The MallBots REST address.
    #[arg(long, default_value = "localhost:8080")]
    pub host: String,
    /// Drive checkouts without pauses and report throughput and latency.
    #[arg(long)]
    pub max: bool,
    /// How long to run (Go duration syntax); without --max the default is to run until Ctrl-C.
    #[arg(long)]
    pub duration: Option<String>,
}

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let mut request = self.http.request(method.clone(), format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.with_context(|| format!("{method} {path}"))?;
        let status = response.status();
        let value: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("{method} {path} → {status}: {value}");
        }
        Ok(value)
    }

    async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn delete(&self, path: &str) -> anyhow::Result<Value> {
        self.call(reqwest::Method::DELETE, path, None).await
    }

    async fn id(&self, path: &str, body: Value) -> anyhow::Result<String> {
        let value = self.post(path, body).await?;
        value["id"].as_str().map(str::to_owned).context("response without id")
    }
}

const ADJECTIVES: &[&str] = &["Shiny", "Rustic", "Gentle", "Bold", "Tiny", "Grand", "Swift", "Quiet", "Lucky", "Fuzzy"];
const NOUNS: &[&str] = &["Wizard", "Lamp", "Teapot", "Robot", "Scarf", "Puzzle", "Kite", "Drum", "Candle", "Globe"];
const SHOPS: &[&str] = &["Books", "Games", "Garden", "Kitchen", "Toys", "Music", "Sports", "Crafts"];

fn pick<'a>(rng: &mut impl Rng, items: &'a [&'a str]) -> &'a str {
    items[rng.random_range(0..items.len())]
}

fn product_body(rng: &mut impl Rng) -> Value {
    let name = format!("{} {}", pick(rng, ADJECTIVES), pick(rng, NOUNS));
    let cents: i64 = rng.random_range(500..1200);
    json!({ "name": name, "description": "a fine thing", "sku": pick(rng, ADJECTIVES), "price": cents as f64 / 100.0 })
}

pub async fn run(options: Busywork) -> anyhow::Result<()> {
    let base = if options.host.starts_with("http") { options.host.clone() } else { format!("http://{}", options.host) };
    let api = Arc::new(Api { http: reqwest::Client::new(), base });
    let duration = options.duration.as_deref().and_then(service::parse_duration);
    if options.max {
        max_mode(api, options.clients.clamp(1, 256), duration.unwrap_or(Duration::from_secs(30))).await
    } else {
        realistic_mode(api, options.clients.clamp(1, 25), duration).await
    }
}

/// Sets up a store with a few products; returns their ids and prices (cents).
async fn setup_store(api: &Api) -> anyhow::Result<Vec<(String, i64)>> {
    // Random values are drawn before any await: the thread-local generator must not live across one.
    let (name, bodies) = {
        let mut rng = rand::rng();
        let name = format!("{} {}", pick(&mut rng, ADJECTIVES), pick(&mut rng, SHOPS));
        let count = rng.random_range(2..=5);
        (name, (0..count).map(|_| product_body(&mut rng)).collect::<Vec<_>>())
    };
    let store = api.id("/api/stores", json!({ "name": name, "location": "Level 1" })).await?;
    let mut products = Vec::new();
    for body in bodies {
        let cents = (body["price"].as_f64().unwrap_or(1.0) * 100.0).round() as i64;
        products.push((api.id(&format!("/api/stores/{store}/products"), body).await?, cents));
    }
    Ok(products)
}

async fn max_mode(api: Arc<Api>, clients: usize, duration: Duration) -> anyhow::Result<()> {
    let products = Arc::new(setup_store(&api).await?);
    let latencies = Arc::new(Mutex::new(Vec::<Duration>::new()));
    let approved = Arc::new(AtomicU64::new(0));
    let rejected = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (api, products, latencies, approved, rejected, errors) =
            (api.clone(), products.clone(), latencies.clone(), approved.clone(), rejected.clone(), errors.clone());
        workers.push(tokio::spawn(async move {
            let customer = match api.id("/api/customers", json!({ "name": "shopper", "smsNumber": "555-0100" })).await {
                Ok(id) => id,
                Err(err) => {
                    eprintln!("cannot register a shopper: {err:#}");
                    return;
                }
            };
            while Instant::now() < deadline {
                match one_checkout(&api, &customer, &products, deadline).await {
                    Ok(Some((latency, true))) => {
                        approved.fetch_add(1, Ordering::Relaxed);
                        latencies.lock().await.push(latency);
                    }
                    Ok(Some((_, false))) => {
                        rejected.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(None) => {}
                    Err(err) => {
                        if errors.fetch_add(1, Ordering::Relaxed) < 5 {
                            eprintln!("\n{err:#}");
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        }));
    }
    let progress = {
        let (approved, errors) = (approved.clone(), errors.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let secs = started.elapsed().as_secs_f64();
                let n = approved.load(Ordering::Relaxed);
                eprint!(
                    "\r{secs:5.0}s  approved {n:7}  ({:7.1}/s)  errors {}   ",
                    n as f64 / secs,
                    errors.load(Ordering::Relaxed)
                );
            }
        })
    };
    for worker in workers {
        let _ = worker.await;
    }
    progress.abort();
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies = latencies.lock().await.clone();
    latencies.sort();
    let pct = |p: f64| -> f64 {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1e3)
            .unwrap_or(0.0)
    };
    let n = approved.load(Ordering::Relaxed);
    println!(
        "\nshoppers {clients}  duration {elapsed:.1}s  approved {n}  rejected {}  errors {}\n\
         approved orders/s {:.1}\ncheckout→approved latency ms: p50 {:.1}  p90 {:.1}  p99 {:.1}",
        rejected.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        n as f64 / elapsed,
        pct(0.50),
        pct(0.90),
        pct(0.99)
    );
    Ok(())
}

/// One basket → payment → checkout; waits for the order to be approved or rejected.
async fn one_checkout(
    api: &Api,
    customer: &str,
    products: &[(String, i64)],
    deadline: Instant,
) -> anyhow::Result<Option<(Duration, bool)>> {
    let (product, cents, quantity) = {
        let mut rng = rand::rng();
        let (product, cents) = &products[rng.random_range(0..products.len())];
        (product.clone(), *cents, rng.random_range(1..=3))
    };
    let basket = api.id("/api/baskets", json!({ "customerId": customer })).await?;
    api.put(&format!("/api/baskets/{basket}/addItem"), json!({ "productId": product, "quantity": quantity })).await?;
    let total = (cents * i64::from(quantity)) as f64 / 100.0;
    let payment = api.id("/api/payments", json!({ "customerId": customer, "amount": total })).await?;
    let checkout = Instant::now();
    api.put(&format!("/api/baskets/{basket}/checkout"), json!({ "paymentId": payment })).await?;
    let mut wait = Duration::from_millis(1);
    loop {
        if let Ok(order) = api.get(&format!("/api/ordering/{basket}")).await {
            match order["order"]["status"].as_str() {
                Some("approved") | Some("ready") | Some("completed") => return Ok(Some((checkout.elapsed(), true))),
                Some("rejected") | Some("cancelled") => return Ok(Some((checkout.elapsed(), false))),
                _ => {}
            }
        }
        if Instant::now() > deadline + Duration::from_secs(10) {
            return Ok(None);
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_millis(20));
    }
}

async fn realistic_mode(api: Arc<Api>, clients: usize, duration: Option<Duration>) -> anyhow::Result<()> {
    // A mall to browse before anyone arrives.
    setup_store(&api).await?;
    let stop = CancellationToken::new();
    let mut workers = Vec::new();
    for client in 0..clients {
        let (api, stop) = (api.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            // Each client keeps its own rhythm: a visit every 8–11 s.
            let interval = Duration::from_millis(8000 + rand::rng().random_range(0..3000));
            loop {
                let tick = tokio::time::sleep(interval);
                tokio::select! {
                    result = one_visit(&api) => if let Err(err) = result { eprintln!("client {client}: {err:#}") },
                    _ = stop.cancelled() => break,
                }
                tokio::select! {
                    _ = tick => {}
                    _ = stop.cancelled() => break,
                }
            }
        }));
    }
    let run_out = async {
        match duration {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = service::wait_for_signal() => {}
        _ = run_out => {}
    }
    stop.cancel();
    for worker in workers {
        let _ = worker.await;
    }
    Ok(())
}

async fn pause() {
    let millis = 500 + rand::rng().random_range(0..1500);
    tokio::time::sleep(Duration::from_millis(millis)).await;
}

/// One tick of a client: half the time a shopper, half the time an admin (the book's mix).
async fn one_visit(api: &Api) -> anyhow::Result<()> {
    let roll: u32 = rand::rng().random_range(0..100);
    if roll < 50 {
        let buying = rand::rng().random_range(0..4) == 0;
        shopper(api, buying).await
    } else {
        let task: u32 = rand::rng().random_range(0..10);
        match task {
            0..=3 => api.id("/api/customers", json!({ "name": "visitor", "smsNumber": "555-0101" })).await.map(|_| ()),
            4 => setup_store(api).await.map(|_| ()),
            5..=7 => {
                let stores = api.get("/api/stores").await?;
                let Some(store) = random_id(&stores["stores"]) else { return Ok(()) };
                let additions = rand::rng().random_range(1..=3);
                for _ in 0..additions {
                    let body = product_body(&mut rand::rng());
                    api.post(&format!("/api/stores/{store}/products"), body).await?;
                    pause().await;
                }
                Ok(())
            }
            8 => {
                let stores = api.get("/api/stores").await?;
                let Some(store) = random_id(&stores["stores"]) else { return Ok(()) };
                let name = format!("{} {}", pick(&mut rand::rng(), ADJECTIVES), pick(&mut rand::rng(), SHOPS));
                api.put(&format!("/api/stores/{store}/rebrand"), json!({ "name": name })).await.map(|_| ())
            }
            _ => {
                let stores = api.get("/api/stores").await?;
                let Some(store) = random_id(&stores["stores"]) else { return Ok(()) };
                let catalog = api.get(&format!("/api/stores/{store}/products")).await?;
                let Some(product) = random_id(&catalog["products"]) else { return Ok(()) };
                let name = format!("{} {}", pick(&mut rand::rng(), ADJECTIVES), pick(&mut rand::rng(), NOUNS));
                api.put(
                    &format!("/api/stores/products/{product}/rebrand"),
                    json!({ "name": name, "description": "renewed" }),
                )
                .await
                .map(|_| ())
            }
        }
    }
}

fn random_id(list: &Value) -> Option<String> {
    let items = list.as_array()?;
    if items.is_empty() {
        return None;
    }
    items[rand::rng().random_range(0..items.len())]["id"].as_str().map(str::to_owned)
}

/// Registers, starts a basket, visits 1–3 stores adding 1–4 units of a random product each, then cancels or buys.
async fn shopper(api: &Api, buying: bool) -> anyhow::Result<()> {
    let customer = api.id("/api/customers", json!({ "name": "shopper", "smsNumber": "555-0102" })).await?;
    let basket = api.id("/api/baskets", json!({ "customerId": customer })).await?;
    let mut total_cents = 0i64;
    let visits = rand::rng().random_range(1..=3);
    for _ in 0..visits {
        let stores = api.get("/api/stores").await?;
        let Some(store) = random_id(&stores["stores"]) else { break };
        pause().await;
        let catalog = api.get(&format!("/api/stores/{store}/products")).await?;
        // An empty catalog is just a store to walk past (the original crashed here).
        let Some(product) = random_id(&catalog["products"]) else { continue };
        pause().await;
        let details = api.get(&format!("/api/stores/products/{product}")).await?;
        let quantity = rand::rng().random_range(1..=4);
        api.put(&format!("/api/baskets/{basket}/addItem"), json!({ "productId": product, "quantity": quantity }))
            .await?;
        total_cents += (details["product"]["price"].as_f64().unwrap_or(0.0) * 100.0).round() as i64 * quantity;
        pause().await;
    }
    if buying && total_cents > 0 {
        let payment =
            api.id("/api/payments", json!({ "customerId": customer, "amount": total_cents as f64 / 100.0 })).await?;
        api.put(&format!("/api/baskets/{basket}/checkout"), json!({ "paymentId": payment })).await?;
    } else {
        api.delete(&format!("/api/baskets/{basket}")).await?;
    }
    Ok(())
}
