//! Wire names of the published language: subjects (without the stream prefix), message names,
//! durable consumer / queue-group names and message metadata keys.
//!
//! Subjects are given WITHOUT the stream prefix: the stream name (`NATS_STREAM`, default
//! [`DEFAULT_STREAM`]) is prepended at runtime, e.g. `mallbots.stores.events.Store`.

/// Default JetStream stream name (also the subject prefix; the stream covers `<stream>.>`).
pub const DEFAULT_STREAM: &str = "mallbots";

// ---------------------------------------------------------------------------------------------
// Subjects (aggregate channels, command channels, reply channels) — without the stream prefix.
// ---------------------------------------------------------------------------------------------

/// Store aggregate events (`storesapi.StoreCreated`, …).
pub const STORES_STORE_EVENTS: &str = "stores.events.Store";
/// Product aggregate events (`storesapi.ProductAdded`, …).
pub const STORES_PRODUCT_EVENTS: &str = "stores.events.Product";
/// Customer aggregate events (`customersapi.CustomerRegistered`, …).
pub const CUSTOMERS_CUSTOMER_EVENTS: &str = "customers.events.Customer";
/// Basket aggregate events (`basketsapi.BasketCheckedOut`, …).
pub const BASKETS_BASKET_EVENTS: &str = "baskets.events.Basket";
/// Order aggregate events (`ordersapi.OrderCreated`, …).
pub const ORDERING_ORDER_EVENTS: &str = "ordering.events.Order";
/// Shopping-list aggregate events (`depotapi.ShoppingListCompleted`).
pub const DEPOT_SHOPPING_LIST_EVENTS: &str = "depot.events.ShoppingList";
/// Invoice events (`paymentsapi.InvoicePaid`).
pub const PAYMENTS_INVOICE_EVENTS: &str = "payments.events.Invoice";

/// Customers command channel (`customersapi.AuthorizeCustomer`).
pub const CUSTOMERS_COMMANDS: &str = "customers.commands";
/// Depot command channel (`depotapi.*Command`).
pub const DEPOT_COMMANDS: &str = "depot.commands";
/// Payments command channel (`paymentsapi.ConfirmPayment`, `paymentsapi.VoidPayment`).
pub const PAYMENTS_COMMANDS: &str = "payments.commands";
/// Ordering command channel (`ordersapi.RejectOrder`, `ordersapi.ApproveOrder`).
pub const ORDERING_COMMANDS: &str = "ordering.commands";

/// Reply channel of the create-order saga.
pub const COSEC_CREATE_ORDER_REPLIES: &str = "cosec.replies.CreateOrder";

// ---------------------------------------------------------------------------------------------
// Saga, generic replies, metadata keys
// ---------------------------------------------------------------------------------------------

/// Name of the create-order saga (value of `COMMAND_SAGA_NAME` / `REPLY_SAGA_NAME`).
pub const COSEC_CREATE_ORDER_SAGA: &str = "cosec.CreateOrder";

/// Generic success reply (empty payload).
pub const SUCCESS_REPLY: &str = "am.Success";
/// Generic failure reply (empty payload).
pub const FAILURE_REPLY: &str = "am.Failure";

/// Command metadata: subject where the reply must be published.
pub const COMMAND_REPLY_CHANNEL: &str = "COMMAND_REPLY_CHANNEL";
/// Command metadata: saga instance id.
pub const COMMAND_SAGA_ID: &str = "COMMAND_SAGA_ID";
/// Command metadata: saga name ([`COSEC_CREATE_ORDER_SAGA`]).
pub const COMMAND_SAGA_NAME: &str = "COMMAND_SAGA_NAME";
/// Reply metadata: [`SUCCESS`] or [`FAILURE`].
pub const REPLY_OUTCOME: &str = "REPLY_OUTCOME";
/// Reply metadata: copy of `COMMAND_SAGA_ID`.
pub const REPLY_SAGA_ID: &str = "REPLY_SAGA_ID";
/// Reply metadata: copy of `COMMAND_SAGA_NAME`.
pub const REPLY_SAGA_NAME: &str = "REPLY_SAGA_NAME";
/// Reply metadata: copy of `COMMAND_REPLY_CHANNEL`.
pub const REPLY_REPLY_CHANNEL: &str = "REPLY_REPLY_CHANNEL";
/// Reply outcome: success.
pub const SUCCESS: &str = "SUCCESS";
/// Reply outcome: failure.
pub const FAILURE: &str = "FAILURE";
/// W3C trace context metadata key.
pub const TRACEPARENT: &str = "traceparent";
/// W3C baggage metadata key (present only when baggage is set).
pub const BAGGAGE: &str = "baggage";

// ---------------------------------------------------------------------------------------------
// Message names, exactly as on the wire (`StreamMessage.name`)
// ---------------------------------------------------------------------------------------------

/// Store Management message names (payloads in `storespb`).
pub mod stores {
    /// `storespb.StoreCreated`
    pub const STORE_CREATED: &str = "storesapi.StoreCreated";
    /// `storespb.StoreParticipationToggled` — the wire name is "Participating" (sic).
    pub const STORE_PARTICIPATION_TOGGLED: &str = "storesapi.StoreParticipatingToggled";
    /// `storespb.StoreRebranded`
    pub const STORE_REBRANDED: &str = "storesapi.StoreRebranded";
    /// `storespb.ProductAdded`
    pub const PRODUCT_ADDED: &str = "storesapi.ProductAdded";
    /// `storespb.ProductRebranded`
    pub const PRODUCT_REBRANDED: &str = "storesapi.ProductRebranded";
    /// `storespb.ProductPriceChanged` with delta > 0
    pub const PRODUCT_PRICE_INCREASED: &str = "storesapi.ProductPriceIncreased";
    /// `storespb.ProductPriceChanged` with delta < 0
    pub const PRODUCT_PRICE_DECREASED: &str = "storesapi.ProductPriceDecreased";
    /// `storespb.ProductRemoved`
    pub const PRODUCT_REMOVED: &str = "storesapi.ProductRemoved";
}

/// Customers message names (payloads in `customerspb`).
pub mod customers {
    /// `customerspb.CustomerRegistered`
    pub const CUSTOMER_REGISTERED: &str = "customersapi.CustomerRegistered";
    /// `customerspb.CustomerSmsChanged`
    pub const CUSTOMER_SMS_CHANGED: &str = "customersapi.CustomerSmsChanged";
    /// `customerspb.CustomerEnabled`
    pub const CUSTOMER_ENABLED: &str = "customersapi.CustomerEnabled";
    /// `customerspb.CustomerDisabled`
    pub const CUSTOMER_DISABLED: &str = "customersapi.CustomerDisabled";
    /// Command `customerspb.AuthorizeCustomer` (replies `am.Success` / `am.Failure`)
    pub const AUTHORIZE_CUSTOMER: &str = "customersapi.AuthorizeCustomer";
}

/// Shopping Baskets message names (payloads in `basketspb`).
pub mod baskets {
    /// `basketspb.BasketStarted`
    pub const BASKET_STARTED: &str = "basketsapi.BasketStarted";
    /// `basketspb.BasketCanceled`
    pub const BASKET_CANCELED: &str = "basketsapi.BasketCanceled";
    /// `basketspb.BasketCheckedOut`
    pub const BASKET_CHECKED_OUT: &str = "basketsapi.BasketCheckedOut";
}

/// Order Processing message names (payloads in `orderingpb`; prefix `ordersapi.`).
pub mod ordering {
    /// `orderingpb.OrderCreated`
    pub const ORDER_CREATED: &str = "ordersapi.OrderCreated";
    /// `orderingpb.OrderRejected`
    pub const ORDER_REJECTED: &str = "ordersapi.OrderRejected";
    /// `orderingpb.OrderApproved`
    pub const ORDER_APPROVED: &str = "ordersapi.OrderApproved";
    /// `orderingpb.OrderReadied`
    pub const ORDER_READIED: &str = "ordersapi.OrderReadied";
    /// `orderingpb.OrderCanceled`
    pub const ORDER_CANCELED: &str = "ordersapi.OrderCanceled";
    /// `orderingpb.OrderCompleted`
    pub const ORDER_COMPLETED: &str = "ordersapi.OrderCompleted";
    /// Command `orderingpb.RejectOrder` (replies `am.Success` / `am.Failure`)
    pub const REJECT_ORDER: &str = "ordersapi.RejectOrder";
    /// Command `orderingpb.ApproveOrder` (replies `am.Success` / `am.Failure`)
    pub const APPROVE_ORDER: &str = "ordersapi.ApproveOrder";
}

/// Payments message names (payloads in `paymentspb`).
pub mod payments {
    /// `paymentspb.InvoicePaid`
    pub const INVOICE_PAID: &str = "paymentsapi.InvoicePaid";
    /// Command `paymentspb.ConfirmPayment` (replies `am.Success` / `am.Failure`)
    pub const CONFIRM_PAYMENT: &str = "paymentsapi.ConfirmPayment";
    /// Command `paymentspb.VoidPayment` (addition; replies `am.Success` / `am.Failure`)
    pub const VOID_PAYMENT: &str = "paymentsapi.VoidPayment";
}

/// Depot Operations message names (payloads in `depotpb`).
pub mod depot {
    /// `depotpb.ShoppingListCompleted`
    pub const SHOPPING_LIST_COMPLETED: &str = "depotapi.ShoppingListCompleted";
    /// Command `depotpb.CreateShoppingList` (reply [`CREATED_SHOPPING_LIST`])
    pub const CREATE_SHOPPING_LIST: &str = "depotapi.CreateShoppingListCommand";
    /// Command `depotpb.CancelShoppingList` (replies `am.Success` / `am.Failure`)
    pub const CANCEL_SHOPPING_LIST: &str = "depotapi.CancelShoppingListCommand";
    /// Command `depotpb.InitiateShopping` (replies `am.Success` / `am.Failure`)
    pub const INITIATE_SHOPPING: &str = "depotapi.InitiateShoppingCommand";
    /// Reply `depotpb.CreatedShoppingList` (outcome SUCCESS or FAILURE)
    pub const CREATED_SHOPPING_LIST: &str = "depotapi.CreatedShoppingListReply";
}

// ---------------------------------------------------------------------------------------------
// Durable consumer / queue-group names
// ---------------------------------------------------------------------------------------------

/// Durable consumer (and queue-group) names, one per subscription.
pub mod durables {
    /// baskets ← `stores.events.Store`
    pub const BASKETS_STORES: &str = "baskets-stores";
    /// baskets ← `stores.events.Product`
    pub const BASKETS_PRODUCTS: &str = "baskets-products";
    /// customers ← `customers.commands`
    pub const CUSTOMER_COMMANDS: &str = "customer-commands";
    /// depot ← `stores.events.Store`
    pub const DEPOT_STORES: &str = "depot-stores";
    /// depot ← `stores.events.Product`
    pub const DEPOT_PRODUCTS: &str = "depot-products";
    /// depot ← `depot.commands`
    pub const DEPOT_COMMANDS: &str = "depot-commands";
    /// ordering ← `baskets.events.Basket`
    pub const ORDERING_BASKETS: &str = "ordering-baskets";
    /// ordering ← `depot.events.ShoppingList`
    pub const ORDERING_DEPOT: &str = "ordering-depot";
    /// ordering ← `ordering.commands`
    pub const ORDERING_COMMANDS: &str = "ordering-commands";
    /// payments ← `ordering.events.Order`
    pub const PAYMENT_ORDERS: &str = "payment-orders";
    /// payments ← `payments.commands`
    pub const PAYMENT_COMMANDS: &str = "payment-commands";
    /// cosec ← `ordering.events.Order`
    pub const COSEC_ORDERING: &str = "cosec-ordering";
    /// cosec ← `cosec.replies.CreateOrder`
    pub const COSEC_REPLIES: &str = "cosec-replies";
    /// notifications ← `customers.events.Customer`
    pub const NOTIFICATION_CUSTOMERS: &str = "notification-customers";
    /// notifications ← `ordering.events.Order`
    pub const NOTIFICATION_ORDERS: &str = "notification-orders";
    /// search ← `customers.events.Customer`
    pub const SEARCH_CUSTOMERS: &str = "search-customers";
    /// search ← `ordering.events.Order` (the original shared `notification-orders` here)
    pub const SEARCH_ORDERS: &str = "search-orders";
    /// search ← `stores.events.Product`
    pub const SEARCH_PRODUCTS: &str = "search-products";
    /// search ← `stores.events.Store`
    pub const SEARCH_STORES: &str = "search-stores";
    /// ordering ← `payments.events.Invoice` (addition: a paid invoice completes the order)
    pub const ORDERING_PAYMENTS: &str = "ordering-payments";
    /// depot ← `ordering.events.Order` (addition: a cancelled order cancels its shopping list)
    pub const DEPOT_ORDERS: &str = "depot-orders";
}
