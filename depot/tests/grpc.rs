//! The `depotpb.DepotService` gRPC surface, on every backend, with the stores module beside it: the same use cases
//! as REST, the list read with its stop map, and the status codes.

mod support;

use contracts::depotpb::{self as pb, depot_service_client::DepotServiceClient};
use support::*;
use tonic::Code;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shopping_lists_over_grpc() {
    for backend in app_backends() {
        let app = spawn_with(backend, &[]).await;
        let store = create_store(&app, "Store", "Mall").await;
        let product = add_product(&app, &store, "Tea").await;
        let mut client = DepotServiceClient::connect(app.grpc_url()).await.expect("connect");
        let order = ddd::new_id();
        let line = pb::OrderItem { product_id: product.clone(), store_id: store.clone(), quantity: 4 };
        let id = client
            .create_shopping_list(pb::CreateShoppingListRequest { order_id: order.clone(), items: vec![line] })
            .await
            .expect("create")
            .into_inner()
            .id;
        let list = client
            .get_shopping_list(pb::GetShoppingListRequest { id: id.clone() })
            .await
            .expect("get")
            .into_inner()
            .shopping_list
            .expect("a list");
        assert_eq!(
            (list.id.as_str(), list.order_id.as_str(), list.status.as_str()),
            (id.as_str(), order.as_str(), "pending")
        );
        let stop = &list.stops[&store];
        assert_eq!((stop.store_name.as_str(), stop.store_location.as_str()), ("Store", "Mall"), "{backend:?}");
        assert_eq!(stop.items[&product], pb::Item { name: "Tea".into(), quantity: 4 }, "{backend:?}");

        let refused = client
            .assign_shopping_list(pb::AssignShoppingListRequest { id: id.clone(), bot_id: "b".into() })
            .await
            .expect_err("pending");
        assert_eq!(
            (refused.code(), refused.message()),
            (Code::InvalidArgument, "the shopping list cannot be assigned")
        );
        client.cancel_shopping_list(pb::CancelShoppingListRequest { id: id.clone() }).await.expect("cancel");
        let refused = client
            .complete_shopping_list(pb::CompleteShoppingListRequest { id: id.clone() })
            .await
            .expect_err("canceled");
        assert_eq!(
            (refused.code(), refused.message()),
            (Code::InvalidArgument, "the shopping list cannot be completed")
        );
        let missing =
            client.get_shopping_list(pb::GetShoppingListRequest { id: ddd::new_id() }).await.expect_err("unknown");
        assert_eq!((missing.code(), missing.message()), (Code::NotFound, "shopping list not found"));
        app.stop().await;
    }
}
