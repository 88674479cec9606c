//! The published language of MallBots: generated protobuf messages, gRPC clients/servers and
//! proto3-JSON (pbjson) impls for every module's proto package, the message envelopes, the
//! encoded descriptor set and the wire names (subjects, message names, durables, metadata keys).

/// Generates `pub mod $name` containing the prost/tonic code and the pbjson serde impls of the
/// proto package `$pkg`.
macro_rules! proto_package {
    ($(#[$meta:meta])* $name:ident, $pkg:literal) => {
        $(#[$meta])*
        #[allow(
            clippy::all,
            clippy::pedantic,
            clippy::nursery,
            clippy::unwrap_used,
            missing_docs,
            unreachable_pub,
            rustdoc::all
        )]
        pub mod $name {
            tonic::include_proto!($pkg);
            include!(concat!(env!("OUT_DIR"), "/", $pkg, ".serde.rs"));
        }
    };
}

proto_package!(
    /// Inner envelope (`am.EventMessageData`, `am.CommandMessageData`, `am.ReplyMessageData`).
    am,
    "am"
);
proto_package!(
    /// Outer envelope (`jetstream.StreamMessage`), the data of every NATS message.
    jetstream,
    "jetstream"
);
proto_package!(
    /// Store Management: `StoresService` and the store/product integration events.
    storespb,
    "storespb"
);
proto_package!(
    /// Customers: `CustomersService`, customer events and the `AuthorizeCustomer` command.
    customerspb,
    "customerspb"
);
proto_package!(
    /// Shopping Baskets: `BasketService` and basket events.
    basketspb,
    "basketspb"
);
proto_package!(
    /// Order Processing: `OrderingService`, order events and the ordering commands.
    orderingpb,
    "orderingpb"
);
proto_package!(
    /// Payments: `PaymentsService`, invoice events and the payment commands.
    paymentspb,
    "paymentspb"
);
proto_package!(
    /// Depot Operations: `DepotService`, shopping-list events, depot commands and replies.
    depotpb,
    "depotpb"
);
proto_package!(
    /// Notifications: `NotificationsService`.
    notificationspb,
    "notificationspb"
);
proto_package!(
    /// Search: `SearchService` (order read model).
    searchpb,
    "searchpb"
);

pub mod names;

/// Re-export: the well-known types (`Timestamp`, `Struct`, …) used by the generated messages.
pub use pbjson_types;

/// Encoded `google.protobuf.FileDescriptorSet` of every proto file above (including the
/// imported well-known types); used for gRPC reflection and for generating OpenAPI documents.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/descriptors.bin"));
