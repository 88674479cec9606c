//! Black-box tests of the stores gRPC service and of the integration events it publishes, on every backend: the
//! messages arrive on `<stream>.stores.events.{Store,Product}` in the original three-layer envelope
//! (`Nats-Msg-Id` header → `StreamMessage` → `EventMessageData` → `storespb` payload).

use std::sync::Arc;
use std::time::{Duration, Instant};

use contracts::am::EventMessageData;
use contracts::jetstream::StreamMessage;
use contracts::storespb::{self, stores_service_client::StoresServiceClient};
use database::sqlx::{self, Row};
use futures::StreamExt;
use prost::Message as _;
use serde_json::json;
use testkit::app::{AppBackend, TestApp, app_backends};
use tonic::Code;

async fn spawn(backend: AppBackend) -> TestApp {
    TestApp::spawn(backend, vec![Arc::new(stores::StoresModule)]).await
}

async fn client(app: &TestApp) -> StoresServiceClient<tonic::transport::Channel> {
    StoresServiceClient::connect(app.grpc_url()).await.expect("gRPC connects")
}

#[tokio::test]
async fn the_grpc_service_creates_reads_and_refuses() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let mut grpc = client(&app).await;

        let id = grpc
            .create_store(storespb::CreateStoreRequest { name: "Gadgets".into(), location: "Level 2".into() })
            .await
            .expect("create")
            .into_inner()
            .id;
        let store = grpc.get_store(storespb::GetStoreRequest { id: id.clone() }).await.expect("get").into_inner();
        assert_eq!(
            store.store,
            Some(storespb::Store {
                id: id.clone(),
                name: "Gadgets".into(),
                location: "Level 2".into(),
                participating: false
            }),
            "{backend:?}"
        );
        grpc.enable_participation(storespb::EnableParticipationRequest { id: id.clone() }).await.expect("enable");
        let participating =
            grpc.get_participating_stores(storespb::GetParticipatingStoresRequest {}).await.expect("list").into_inner();
        assert_eq!(participating.stores.len(), 1);
        assert!(participating.stores[0].participating);
        grpc.rebrand_store(storespb::RebrandStoreRequest { id: id.clone(), name: "Gizmos".into() })
            .await
            .expect("rebrand");
        let stores = grpc.get_stores(storespb::GetStoresRequest {}).await.expect("stores").into_inner().stores;
        assert_eq!(stores[0].name, "Gizmos");

        let product = grpc
            .add_product(storespb::AddProductRequest {
                store_id: id.clone(),
                name: "Widget".into(),
                description: "A widget".into(),
                sku: "W-1".into(),
                price: 19.99,
            })
            .await
            .expect("add")
            .into_inner()
            .id;
        grpc.increase_product_price(storespb::IncreaseProductPriceRequest { id: product.clone(), price: 24.5 })
            .await
            .expect("increase");
        let got = grpc.get_product(storespb::GetProductRequest { id: product.clone() }).await.expect("product");
        assert_eq!(
            got.into_inner().product,
            Some(storespb::Product {
                id: product.clone(),
                store_id: id.clone(),
                name: "Widget".into(),
                description: "A widget".into(),
                sku: "W-1".into(),
                price: 24.5,
            })
        );
        let catalog = grpc.get_catalog(storespb::GetCatalogRequest { store_id: id.clone() }).await.expect("catalog");
        assert_eq!(catalog.into_inner().products.len(), 1);

        // Errors carry the codes and texts of the REST surface.
        let err = grpc.get_store(storespb::GetStoreRequest { id: "missing".into() }).await.expect_err("404");
        assert_eq!((err.code(), err.message()), (Code::NotFound, "store not found"));
        let err = grpc.get_product(storespb::GetProductRequest { id: "missing".into() }).await.expect_err("404");
        assert_eq!((err.code(), err.message()), (Code::NotFound, "product not found"));
        let err = grpc
            .create_store(storespb::CreateStoreRequest { name: String::new(), location: "x".into() })
            .await
            .expect_err("400");
        assert_eq!((err.code(), err.message()), (Code::InvalidArgument, "the store name cannot be blank"));
        let err = grpc
            .decrease_product_price(storespb::DecreaseProductPriceRequest { id: product.clone(), price: 30.0 })
            .await
            .expect_err("400");
        assert_eq!((err.code(), err.message()), (Code::InvalidArgument, "the price change would be an increase"));
        let err = grpc
            .add_product(storespb::AddProductRequest {
                store_id: "missing".into(),
                name: "x".into(),
                ..Default::default()
            })
            .await
            .expect_err("404");
        assert_eq!((err.code(), err.message()), (Code::NotFound, "store not found"));

        grpc.remove_product(storespb::RemoveProductRequest { id: product.clone() }).await.expect("remove");
        let err = grpc.remove_product(storespb::RemoveProductRequest { id: product }).await.expect_err("gone");
        assert_eq!((err.code(), err.message()), (Code::NotFound, "product not found"));
        app.stop().await;
    }
}

/// A message as it sits on the broker.
struct Published {
    subject: String,
    msg_id_header: Option<String>,
    data: Vec<u8>,
}

/// Every message on `<stream>.stores.>` once at least `expected` have been published.
async fn published(app: &TestApp, expected: usize) -> Vec<Published> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut got = Vec::new();
    match app.backend {
        AppBackend::PostgresNats => {
            let url = std::env::var("TEST_NATS_URL").expect("TEST_NATS_URL");
            let js = async_nats::jetstream::new(async_nats::connect(url).await.expect("nats"));
            let stream = js.get_stream(&app.stream_name).await.expect("stream exists");
            // An ephemeral consumer from the start of the stream: no race with the publisher.
            let consumer = stream
                .create_consumer(async_nats::jetstream::consumer::pull::Config {
                    filter_subject: format!("{}.stores.>", app.stream_name),
                    deliver_policy: async_nats::jetstream::consumer::DeliverPolicy::All,
                    ack_policy: async_nats::jetstream::consumer::AckPolicy::None,
                    ..Default::default()
                })
                .await
                .expect("consumer");
            while got.len() < expected && Instant::now() < deadline {
                let mut batch = consumer
                    .fetch()
                    .max_messages(100)
                    .expires(Duration::from_millis(200))
                    .messages()
                    .await
                    .expect("fetch");
                while let Some(message) = batch.next().await {
                    let message = message.expect("message");
                    got.push(Published {
                        subject: message.subject.to_string(),
                        msg_id_header: message
                            .headers
                            .as_ref()
                            .and_then(|h| h.get("Nats-Msg-Id"))
                            .map(|v| v.as_str().to_owned()),
                        data: message.payload.to_vec(),
                    });
                }
            }
        }
        AppBackend::Embedded | AppBackend::PostgresOnly => {
            let table = app.app.db.table("messaging", "stream_messages");
            let sql = format!("SELECT subject, data FROM {table} WHERE subject LIKE $1 ORDER BY seq");
            while Instant::now() < deadline {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(format!("{}.stores.%", app.stream_name))
                    .fetch_all(app.app.db.pool())
                    .await
                    .expect("stream rows");
                if rows.len() >= expected {
                    got = rows
                        .iter()
                        .map(|row| Published {
                            subject: row.try_get(0).expect("subject"),
                            msg_id_header: None,
                            data: row.try_get(1).expect("data"),
                        })
                        .collect();
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    assert!(got.len() >= expected, "{:?}: only {} of {expected} messages arrived", app.backend, got.len());
    got
}

/// The outer and inner envelope of a message.
fn open(message: &Published) -> (StreamMessage, EventMessageData) {
    let outer = StreamMessage::decode(message.data.as_slice()).expect("StreamMessage");
    let inner = EventMessageData::decode(outer.data.as_slice()).expect("EventMessageData");
    (outer, inner)
}

#[tokio::test]
async fn every_change_is_published_in_the_original_envelope() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let (status, body) = app.post("/api/stores", json!({ "name": "Books", "location": "North" })).await;
        assert_eq!(status, 200, "{body}");
        let store = body["id"].as_str().expect("id").to_owned();
        app.put(&format!("/api/stores/{store}/participating"), json!({})).await;
        app.delete(&format!("/api/stores/{store}/participating")).await;
        app.put(&format!("/api/stores/{store}/rebrand"), json!({ "name": "More Books" })).await;
        let (_, body) = app
            .post(
                &format!("/api/stores/{store}/products"),
                json!({ "name": "Atlas", "description": "maps", "sku": "A-1", "price": 12.5 }),
            )
            .await;
        let product = body["id"].as_str().expect("id").to_owned();
        app.put(
            &format!("/api/stores/products/{product}/rebrand"),
            json!({ "name": "World Atlas", "description": "" }),
        )
        .await;
        app.put(&format!("/api/stores/products/{product}/increasePrice"), json!({ "price": 15.25 })).await;
        app.put(&format!("/api/stores/products/{product}/decreasePrice"), json!({ "price": 14.0 })).await;
        assert_eq!(app.delete(&format!("/api/stores/products/{product}")).await.0, 200);
        // Refused commands publish nothing.
        app.put(&format!("/api/stores/{store}/rebrand"), json!({ "name": "" })).await;
        app.delete(&format!("/api/stores/products/{product}")).await;

        let messages = published(&app, 9).await;
        assert_eq!(messages.len(), 9, "{backend:?}");
        let store_subject = format!("{}.stores.events.Store", app.stream_name);
        let product_subject = format!("{}.stores.events.Product", app.stream_name);
        let mut names = Vec::new();
        for message in &messages {
            let (outer, inner) = open(message);
            if backend == AppBackend::PostgresNats {
                assert_eq!(message.msg_id_header.as_deref(), Some(outer.id.as_str()), "Nats-Msg-Id is the message id");
            }
            assert!(!outer.id.is_empty() && outer.sent_at.is_some() && inner.occurred_at.is_some());
            let subject = if outer.name.starts_with("storesapi.Store") { &store_subject } else { &product_subject };
            assert_eq!(&message.subject, subject, "{}", outer.name);
            names.push(outer.name.clone());
            match outer.name.as_str() {
                "storesapi.StoreCreated" => assert_eq!(
                    storespb::StoreCreated::decode(inner.payload.as_slice()).expect("payload"),
                    storespb::StoreCreated { id: store.clone(), name: "Books".into(), location: "North".into() }
                ),
                "storesapi.StoreParticipatingToggled" => {
                    let toggled =
                        storespb::StoreParticipationToggled::decode(inner.payload.as_slice()).expect("payload");
                    assert_eq!(toggled.id, store);
                }
                "storesapi.StoreRebranded" => assert_eq!(
                    storespb::StoreRebranded::decode(inner.payload.as_slice()).expect("payload"),
                    storespb::StoreRebranded { id: store.clone(), name: "More Books".into() }
                ),
                "storesapi.ProductAdded" => assert_eq!(
                    storespb::ProductAdded::decode(inner.payload.as_slice()).expect("payload"),
                    storespb::ProductAdded {
                        id: product.clone(),
                        store_id: store.clone(),
                        name: "Atlas".into(),
                        description: "maps".into(),
                        sku: "A-1".into(),
                        price: 12.5,
                    }
                ),
                "storesapi.ProductRebranded" => assert_eq!(
                    storespb::ProductRebranded::decode(inner.payload.as_slice()).expect("payload"),
                    storespb::ProductRebranded {
                        id: product.clone(),
                        name: "World Atlas".into(),
                        description: String::new()
                    }
                ),
                "storesapi.ProductPriceIncreased" => assert_eq!(
                    storespb::ProductPriceChanged::decode(inner.payload.as_slice()).expect("payload"),
                    storespb::ProductPriceChanged { id: product.clone(), delta: 2.75 }
                ),
                "storesapi.ProductPriceDecreased" => assert_eq!(
                    storespb::ProductPriceChanged::decode(inner.payload.as_slice()).expect("payload"),
                    storespb::ProductPriceChanged { id: product.clone(), delta: -1.25 }
                ),
                "storesapi.ProductRemoved" => assert_eq!(
                    storespb::ProductRemoved::decode(inner.payload.as_slice()).expect("payload"),
                    storespb::ProductRemoved { id: product.clone() }
                ),
                other => panic!("unexpected message {other}"),
            }
        }
        // Per subject, the messages come in commit order.
        let toggles: Vec<bool> = messages
            .iter()
            .map(open)
            .filter(|(outer, _)| outer.name == "storesapi.StoreParticipatingToggled")
            .map(|(_, inner)| {
                storespb::StoreParticipationToggled::decode(inner.payload.as_slice()).expect("toggle").participating
            })
            .collect();
        assert_eq!(toggles, [true, false]);
        let store_names: Vec<&str> =
            names.iter().map(String::as_str).filter(|n| n.starts_with("storesapi.Store")).collect();
        assert_eq!(
            store_names,
            [
                "storesapi.StoreCreated",
                "storesapi.StoreParticipatingToggled",
                "storesapi.StoreParticipatingToggled",
                "storesapi.StoreRebranded"
            ]
        );
        let product_names: Vec<&str> =
            names.iter().map(String::as_str).filter(|n| n.starts_with("storesapi.Product")).collect();
        assert_eq!(
            product_names,
            [
                "storesapi.ProductAdded",
                "storesapi.ProductRebranded",
                "storesapi.ProductPriceIncreased",
                "storesapi.ProductPriceDecreased",
                "storesapi.ProductRemoved"
            ]
        );
        app.stop().await;
    }
}
