//! Pure-Rust protobuf code generation (no system `protoc`): protox parses the `.proto` files,
//! tonic-prost-build generates messages + gRPC clients/servers, pbjson-build generates the
//! proto3-JSON serde impls used by the REST gateways.

use std::path::PathBuf;

/// Every proto file of the published language (paths relative to the crate root).
const PROTOS: &[&str] = &[
    "proto/am/message_types.proto",
    "proto/jetstream/stream_message.proto",
    "proto/storespb/api.proto",
    "proto/storespb/events.proto",
    "proto/customerspb/api.proto",
    "proto/customerspb/messages.proto",
    "proto/basketspb/api.proto",
    "proto/basketspb/events.proto",
    "proto/orderingpb/api.proto",
    "proto/orderingpb/messages.proto",
    "proto/paymentspb/api.proto",
    "proto/paymentspb/messages.proto",
    "proto/depotpb/api.proto",
    "proto/depotpb/messages.proto",
    "proto/notificationspb/api.proto",
    "proto/searchpb/api.proto",
];

/// Proto packages that get pbjson (serde) impls.
const PACKAGES: &[&str] = &[
    ".am",
    ".jetstream",
    ".storespb",
    ".customerspb",
    ".basketspb",
    ".orderingpb",
    ".paymentspb",
    ".depotpb",
    ".notificationspb",
    ".searchpb",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);

    let fds = protox::compile(PROTOS, ["proto"])?;

    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        // Well-known types come from pbjson-types (prost types + proto3-JSON serde impls);
        // `compile_well_known_types` drops prost-build's default `.google.protobuf` →
        // `::prost_types` mapping so that the extern path below is the only one.
        .compile_well_known_types(true)
        .extern_path(".google.protobuf", "::pbjson_types")
        .compile_fds(fds.clone())?;

    let bytes = prost::Message::encode_to_vec(&fds);
    std::fs::write(out_dir.join("descriptors.bin"), &bytes)?;

    pbjson_build::Builder::new().register_descriptors(&bytes)?.emit_fields().ignore_unknown_fields().build(PACKAGES)?;

    println!("cargo:rerun-if-changed=proto");
    Ok(())
}
