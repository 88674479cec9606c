//! The `mallbots` binary: runs any set of MallBots modules (all of them by default, the modular monolith), applies
//! migrations, and inspects dead letters.

use std::sync::Arc;

mod busywork;

use clap::{Parser, Subcommand};
use service::{Config, Module};

/// MallBots: the event-driven shopping mall (stores, customers, baskets, ordering, payments, depot, cosec,
/// notifications, search). With no configuration it runs embedded: SQLite file + database-backed stream.
#[derive(Parser)]
#[command(name = "mallbots", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: Config,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the REST and gRPC APIs and run the modules (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Generate load against a running MallBots (the book's busywork; --max for a throughput benchmark).
    Busywork(busywork::Busywork),
    /// Inspect, replay or discard dead letters.
    Deadletters {
        #[command(subcommand)]
        action: DeadLetterAction,
    },
}

#[derive(Subcommand)]
enum DeadLetterAction {
    /// List unresolved dead letters (JSON lines).
    List {
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Ask the owning consumer to run a dead letter again.
    Replay { seq: i64 },
    /// Drop a dead letter for good.
    Discard { seq: i64 },
}

fn selected_modules(config: &Config) -> Vec<Arc<dyn Module>> {
    mallbots::all_modules().into_iter().filter(|m| config.runs(m.name())).collect()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let c = &cli.config;
    service::telemetry::init(
        &c.environment,
        &c.log_level,
        &c.otel_service_name,
        c.otel_exporter_otlp_endpoint.as_deref(),
    );
    let modules = selected_modules(&cli.config);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = service::start(cli.config, modules).await?;
            tracing::info!("started mallbots application");
            app.run_until_signal().await;
        }
        Command::Migrate => {
            service::migrate(&cli.config, &modules).await?;
            tracing::info!("migrations applied");
        }
        Command::Busywork(options) => busywork::run(options).await?,
        Command::Deadletters { action } => {
            let db = service::migrate(&cli.config, &[]).await?;
            let letters = messaging::DeadLetters::new(&db);
            match action {
                DeadLetterAction::List { limit } => {
                    for letter in letters.list(limit).await? {
                        println!("{}", serde_json::to_string(&letter)?);
                    }
                }
                DeadLetterAction::Replay { seq } => {
                    anyhow::ensure!(letters.replay(seq).await?, "no unresolved dead letter {seq}");
                    println!("replay of dead letter {seq} requested");
                }
                DeadLetterAction::Discard { seq } => {
                    anyhow::ensure!(letters.discard(seq).await?, "no unresolved dead letter {seq}");
                    println!("dead letter {seq} discarded");
                }
            }
        }
    }
    Ok(())
}
