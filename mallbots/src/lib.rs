//! The MallBots application as a library: the list of every bounded context, in the original's start order, for
//! the binary and for whole-system tests.

use std::sync::Arc;

use service::Module;

/// Every bounded context this application knows.
pub fn all_modules() -> Vec<Arc<dyn Module>> {
    vec![
        Arc::new(baskets::BasketsModule),
        Arc::new(customers::CustomersModule),
        Arc::new(depot::DepotModule),
        Arc::new(notifications::NotificationsModule),
        Arc::new(ordering::OrderingModule),
        Arc::new(payments::PaymentsModule),
        Arc::new(stores::StoresModule),
        Arc::new(cosec::CosecModule),
        Arc::new(search::SearchModule),
    ]
}
