//! `customerspb.CustomersService` over gRPC on every backend, as a tonic client of the original's proto would use it.

mod support;

use contracts::customerspb::customers_service_client::CustomersServiceClient;
use contracts::customerspb::*;
use support::{app_backends, spawn};
use tonic::Code;

fn refused<T: std::fmt::Debug>(result: Result<tonic::Response<T>, tonic::Status>) -> (Code, String) {
    let status = result.expect_err("the call is refused");
    (status.code(), status.message().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_works_over_grpc() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let mut client = CustomersServiceClient::connect(app.grpc_url()).await.expect("connect");

        let id = client
            .register_customer(RegisterCustomerRequest {
                name: "Customer ABC".into(),
                sms_number: "555-555-1212".into(),
            })
            .await
            .expect("register")
            .into_inner()
            .id;
        let customer = client.get_customer(GetCustomerRequest { id: id.clone() }).await.expect("get").into_inner();
        assert_eq!(
            customer.customer,
            Some(Customer {
                id: id.clone(),
                name: "Customer ABC".into(),
                sms_number: "555-555-1212".into(),
                enabled: true
            }),
            "{backend:?}"
        );

        client.authorize_customer(AuthorizeCustomerRequest { id: id.clone() }).await.expect("an enabled customer");
        client.disable_customer(DisableCustomerRequest { id: id.clone() }).await.expect("disable");
        assert_eq!(
            refused(client.authorize_customer(AuthorizeCustomerRequest { id: id.clone() }).await),
            (Code::Unauthenticated, "customer is not authorized".to_owned()),
            "{backend:?}: a disabled customer is not authorized (HTTP 401)"
        );
        assert_eq!(
            refused(client.disable_customer(DisableCustomerRequest { id: id.clone() }).await),
            (Code::InvalidArgument, "the customer is already disabled".to_owned())
        );
        client.enable_customer(EnableCustomerRequest { id: id.clone() }).await.expect("enable");
        assert_eq!(
            refused(client.enable_customer(EnableCustomerRequest { id: id.clone() }).await),
            (Code::InvalidArgument, "the customer is already enabled".to_owned())
        );
        client.authorize_customer(AuthorizeCustomerRequest { id: id.clone() }).await.expect("enabled again");

        client
            .change_sms_number(ChangeSmsNumberRequest { id: id.clone(), sms_number: "555-000-0000".into() })
            .await
            .expect("change the SMS number");
        let customer = client.get_customer(GetCustomerRequest { id: id.clone() }).await.expect("get").into_inner();
        assert_eq!(customer.customer.expect("customer").sms_number, "555-000-0000");
        assert_eq!(
            refused(
                client.change_sms_number(ChangeSmsNumberRequest { id: id.clone(), sms_number: String::new() }).await
            ),
            (Code::InvalidArgument, "the SMS number cannot be blank".to_owned())
        );

        assert_eq!(
            refused(
                client.register_customer(RegisterCustomerRequest { name: String::new(), sms_number: "5".into() }).await
            ),
            (Code::InvalidArgument, "the customer name cannot be blank".to_owned())
        );
        assert_eq!(
            refused(
                client.register_customer(RegisterCustomerRequest { name: "A".into(), sms_number: String::new() }).await
            ),
            (Code::InvalidArgument, "the SMS number cannot be blank".to_owned())
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_customers_are_not_found_over_grpc() {
    for backend in app_backends() {
        let app = spawn(backend).await;
        let mut client = CustomersServiceClient::connect(app.grpc_url()).await.expect("connect");
        let not_found = (Code::NotFound, "customer not found".to_owned());
        for id in [ddd::new_id(), String::new(), "not-a-uuid".to_owned()] {
            assert_eq!(
                refused(client.get_customer(GetCustomerRequest { id: id.clone() }).await),
                not_found,
                "{backend:?}"
            );
            assert_eq!(
                refused(client.authorize_customer(AuthorizeCustomerRequest { id: id.clone() }).await),
                not_found,
                "{backend:?}"
            );
            assert_eq!(refused(client.enable_customer(EnableCustomerRequest { id: id.clone() }).await), not_found);
            assert_eq!(refused(client.disable_customer(DisableCustomerRequest { id: id.clone() }).await), not_found);
            assert_eq!(
                refused(
                    client.change_sms_number(ChangeSmsNumberRequest { id: id.clone(), sms_number: "1".into() }).await
                ),
                not_found
            );
        }
        app.stop().await;
    }
}
