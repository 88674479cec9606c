//! The customers context on the stream, on every backend: its integration events, the `AuthorizeCustomer` command
//! sent the way the original saga sends it (replies, inbox de-duplication, dead letters), and concurrent commands
//! on one customer that never lose an update.

mod support;

use std::sync::Arc;

use contracts::customerspb;
use contracts::names::COSEC_CREATE_ORDER_REPLIES;
use prost::Message as _;
use serde_json::json;
use support::*;
use testkit::app::TestApp;
use testkit::wire::metric_value;

const EVENTS: &str = "customers.events.Customer";
const AUTHORIZE: &str = "customersapi.AuthorizeCustomer";
const DURABLE: &str = "customer-commands";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_publishes_its_integration_event() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let id = register(&app, "Customer ABC", "555-555-1212").await;
        for (path, body) in
            [("change-sms", json!({ "smsNumber": "555-000-0000" })), ("disable", json!({})), ("enable", json!({}))]
        {
            assert_eq!(app.put(&format!("/api/customers/{id}/{path}"), body).await.0, 200, "{backend:?} {path}");
        }
        // refused commands publish nothing
        assert_eq!(app.put(&format!("/api/customers/{id}/enable"), json!({})).await.0, 400);

        let mut published = Vec::new();
        testkit::wait_until("four customer events on the stream", async || {
            published = app.stream_messages(EVENTS).await;
            published.len() >= 4
        })
        .await;
        let names: Vec<&str> = published.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "customersapi.CustomerRegistered",
                "customersapi.CustomerSmsChanged",
                "customersapi.CustomerDisabled",
                "customersapi.CustomerEnabled"
            ],
            "{backend:?}"
        );
        assert_eq!(
            customerspb::CustomerRegistered::decode(published[0].payload.as_slice()).expect("payload"),
            customerspb::CustomerRegistered {
                id: id.clone(),
                name: "Customer ABC".into(),
                sms_number: "555-555-1212".into()
            }
        );
        assert_eq!(
            customerspb::CustomerSmsChanged::decode(published[1].payload.as_slice()).expect("payload"),
            customerspb::CustomerSmsChanged { id: id.clone(), sms_number: "555-000-0000".into() }
        );
        assert_eq!(
            customerspb::CustomerDisabled::decode(published[2].payload.as_slice()).expect("payload"),
            customerspb::CustomerDisabled { id: id.clone() }
        );
        assert_eq!(
            customerspb::CustomerEnabled::decode(published[3].payload.as_slice()).expect("payload"),
            customerspb::CustomerEnabled { id: id.clone() }
        );
        let outbox = app.outbox("customers").await;
        assert_eq!(outbox.len(), 4, "{backend:?}");
        assert!(outbox.iter().all(|m| m.subject == EVENTS), "{backend:?}: {outbox:?}");

        let text = app.metrics().await;
        assert_eq!(metric_value(&text, "customers_sent_messages_count{message=\"all\"}"), 4.0, "{backend:?}:\n{text}");
        app.stop().await;
    }
}

fn authorize_payload(customer_id: &str) -> Vec<u8> {
    customerspb::AuthorizeCustomer { id: customer_id.to_owned() }.encode_to_vec()
}

async fn authorize(app: &TestApp, customer_id: &str) -> (String, messaging::Message) {
    let saga_id = ddd::new_id();
    let reply = app.command(command(app, AUTHORIZE, &authorize_payload(customer_id), &saga_id)).await;
    (saga_id, reply)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorize_customer_commands_are_answered_on_the_reply_channel() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let enabled = register(&app, "Enabled", "555-1").await;
        let disabled = register(&app, "Disabled", "555-2").await;
        assert_eq!(app.put(&format!("/api/customers/{disabled}/disable"), json!({})).await.0, 200);
        let channel = format!("{}.cosec.replies.CreateOrder", app.stream_name);

        let (saga_id, reply) = authorize(&app, &enabled).await;
        assert_eq!(reply.name, "am.Success", "{backend:?}: {reply:?}");
        assert!(reply.payload.is_empty(), "{backend:?}");
        assert_eq!(reply.meta_str("REPLY_OUTCOME"), Some("SUCCESS"), "{backend:?}: {reply:?}");
        assert_eq!(reply.meta_str("REPLY_SAGA_ID"), Some(saga_id.as_str()));
        assert_eq!(reply.meta_str("REPLY_SAGA_NAME"), Some("cosec.CreateOrder"));
        assert_eq!(reply.meta_str("REPLY_REPLY_CHANNEL"), Some(channel.as_str()));
        assert!(!reply.metadata.keys().any(|k| k.starts_with("COMMAND_")), "{backend:?}: {reply:?}");

        for (who, customer) in [("disabled", disabled.clone()), ("unknown", ddd::new_id())] {
            let (saga_id, reply) = authorize(&app, &customer).await;
            assert_eq!(reply.name, "am.Failure", "{backend:?} {who}: {reply:?}");
            assert_eq!(reply.meta_str("REPLY_OUTCOME"), Some("FAILURE"), "{backend:?} {who}");
            assert_eq!(reply.meta_str("REPLY_SAGA_ID"), Some(saga_id.as_str()));
            assert_eq!(reply.meta_str("REPLY_SAGA_NAME"), Some("cosec.CreateOrder"));
            assert_eq!(reply.meta_str("REPLY_REPLY_CHANNEL"), Some(channel.as_str()));
        }
        assert!(app.dead_letters(DURABLE).await.is_empty(), "{backend:?}: refusals are answers, not failures");
        // authorizing changes nothing and publishes no event
        assert_eq!(app.outbox("customers").await.iter().filter(|m| m.subject == EVENTS).count(), 3, "{backend:?}");

        let text = app.metrics().await;
        let received = "customers_received_messages_count{handled=\"true\",message=\"customersapi.AuthorizeCustomer\"}";
        assert_eq!(metric_value(&text, received), 3.0, "{backend:?}:\n{text}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_delivered_twice_is_answered_once() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let customer = register(&app, "Customer", "555").await;
        let saga_id = ddd::new_id();
        let repeated = command(&app, AUTHORIZE, &authorize_payload(&customer), &saga_id);

        app.publish(&repeated).await;
        assert_eq!(app.reply_for(&saga_id).await.name, "am.Success");
        // the same command (same id) again: the first time through the broker's own de-duplication, then past it
        app.publish(&repeated).await;
        app.publish_past_broker_dedup(&repeated).await;
        // consumption is sequential: once a later command is answered, the duplicates have been handled
        let (_, later) = authorize(&app, &customer).await;
        assert_eq!(later.name, "am.Success");

        let answers = app
            .stream_messages(COSEC_CREATE_ORDER_REPLIES)
            .await
            .into_iter()
            .filter(|r| r.meta_str("REPLY_SAGA_ID") == Some(&saga_id))
            .count();
        assert_eq!(answers, 1, "{backend:?}: the inbox answers a command once");
        assert!(app.dead_letters(DURABLE).await.is_empty(), "{backend:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unanswerable_commands_are_dead_lettered_and_the_consumer_moves_on() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let customer = register(&app, "Customer", "555").await;

        let garbage = command(&app, AUTHORIZE, &[0xff, 0xff, 0xff, 0xff], &ddd::new_id());
        app.publish(&garbage).await;
        let mut no_channel = command(&app, AUTHORIZE, &authorize_payload(&customer), &ddd::new_id());
        no_channel.metadata.remove("COMMAND_REPLY_CHANNEL");
        app.publish(&no_channel).await;
        // a message of another name on the command subject is skipped (name filter), not dead-lettered
        app.publish(&command(&app, "customersapi.SomethingElse", b"", "x")).await;

        let (_, reply) = authorize(&app, &customer).await;
        assert_eq!(reply.name, "am.Success", "{backend:?}: the consumer moved on");
        let mut dead = Vec::new();
        testkit::wait_until("two dead letters", async || {
            dead = app.dead_letters(DURABLE).await;
            dead.len() >= 2
        })
        .await;
        let ids: Vec<&str> = dead.iter().map(|d| d.message_id.as_str()).collect();
        assert_eq!(ids, [garbage.id.as_str(), no_channel.id.as_str()], "{backend:?}: {dead:?}");
        assert!(dead[1].error.contains("COMMAND_REPLY_CHANNEL"), "{backend:?}: {dead:?}");
        let replies = app.stream_messages(COSEC_CREATE_ORDER_REPLIES).await;
        assert_eq!(replies.len(), 1, "{backend:?}: only the good command was answered");

        // The admin API lists, replays and discards them.
        let (status, listed) = app.get("/api/admin/deadletters").await;
        assert_eq!(status, 200, "{listed}");
        let listed = listed["deadLetters"].as_array().expect("a list").clone();
        assert!(listed.iter().any(|d| d["messageId"] == garbage.id.as_str() && d["durable"] == DURABLE), "{listed:?}");
        let seq = |id: &str| listed.iter().find(|d| d["messageId"] == id).and_then(|d| d["seq"].as_i64()).expect("seq");
        let (status, _) = app.call("POST", &format!("/api/admin/deadletters/{}/replay", seq(&garbage.id)), None).await;
        assert_eq!(status, 200, "{backend:?}: replay requested");
        let (status, _) = app.delete(&format!("/api/admin/deadletters/{}", seq(&no_channel.id))).await;
        assert_eq!(status, 200, "{backend:?}: discarded");
        testkit::wire::assert_error(
            app.delete("/api/admin/deadletters/999999999").await,
            404,
            5,
            "dead letter not found",
        );
        // The replayed garbage fails again (a new dead letter), the discarded one is gone.
        testkit::wait_until("the replay to run", async || {
            let dead = app.dead_letters(DURABLE).await;
            dead.iter().all(|d| d.message_id != no_channel.id)
                && dead.iter().any(|d| d.message_id == garbage.id && !d.replay_requested)
        })
        .await;
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_changes_to_one_customer_lose_no_update() {
    const TASKS: usize = 16;
    const ROUNDS: usize = 8;
    for backend in app_backends() {
        let app = Arc::new(spawn(backend).await);
        let id = register(&app, "Hot", "555-0").await;
        let mut tasks = Vec::new();
        for task in 0..TASKS {
            let (app, id) = (app.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                let mut outcomes = Vec::new();
                for round in 0..ROUNDS {
                    let (kind, body) = match (task + round) % 3 {
                        0 => ("enable", json!({})),
                        1 => ("disable", json!({})),
                        _ => ("change-sms", json!({ "smsNumber": format!("555-{task}-{round}") })),
                    };
                    let (status, body) = app.put(&format!("/api/customers/{id}/{kind}"), body).await;
                    outcomes.push((kind, status, body));
                }
                outcomes
            }));
        }
        let mut ok = std::collections::HashMap::<&str, usize>::new();
        let mut conflicts = 0;
        for task in tasks {
            for (kind, status, body) in task.await.expect("task") {
                match status {
                    200 => *ok.entry(kind).or_default() += 1,
                    // refused by the rules (already enabled/disabled) or, after the retries, a conflict
                    400 => assert!(
                        body["message"].as_str().is_some_and(|m| m.starts_with("the customer is already")),
                        "{backend:?}: {body}"
                    ),
                    409 => {
                        assert_eq!(body["code"], 10, "{backend:?}: {body}");
                        conflicts += 1;
                    }
                    other => panic!("{backend:?}: {kind} answered {other}: {body}"),
                }
            }
        }
        let (enabled_ok, disabled_ok, sms_ok) = (
            ok.get("enable").copied().unwrap_or(0),
            ok.get("disable").copied().unwrap_or(0),
            ok.get("change-sms").copied().unwrap_or(0),
        );
        eprintln!("{backend:?}: enable {enabled_ok}, disable {disabled_ok}, change-sms {sms_ok}, 409 {conflicts}");
        assert!(sms_ok > 0 && disabled_ok > 0, "{backend:?}: some commands succeed");
        // enable and disable alternate, starting from enabled
        assert!(disabled_ok == enabled_ok || disabled_ok == enabled_ok + 1, "{backend:?}: {ok:?}");

        let outbox = app.outbox("customers").await;
        let count = |name: &str| outbox.iter().filter(|m| m.name == name).count();
        assert_eq!(count("customersapi.CustomerEnabled"), enabled_ok, "{backend:?}");
        assert_eq!(count("customersapi.CustomerDisabled"), disabled_ok, "{backend:?}");
        assert_eq!(count("customersapi.CustomerSmsChanged"), sms_ok, "{backend:?}");
        let last_sms = outbox
            .iter()
            .rev()
            .find(|m| m.name == "customersapi.CustomerSmsChanged")
            .map(|m| customerspb::CustomerSmsChanged::decode(m.payload.as_slice()).expect("payload").sms_number)
            .expect("an SMS change");

        let (_, body) = app.get(&format!("/api/customers/{id}")).await;
        assert_eq!(
            body["customer"],
            json!({ "id": id, "name": "Hot", "smsNumber": last_sms, "enabled": enabled_ok == disabled_ok }),
            "{backend:?}: the final state is the last of the committed changes"
        );
        // and the events alternate Disabled/Enabled in commit order
        let toggles: Vec<&str> = outbox
            .iter()
            .filter_map(|m| match m.name.as_str() {
                "customersapi.CustomerEnabled" => Some("E"),
                "customersapi.CustomerDisabled" => Some("D"),
                _ => None,
            })
            .collect();
        assert!(toggles.chunks(2).all(|pair| pair[0] == "D" && pair.get(1).is_none_or(|e| *e == "E")), "{toggles:?}");

        let Ok(app) = Arc::try_unwrap(app) else { panic!("the app is still shared") };
        app.stop().await;
    }
}
