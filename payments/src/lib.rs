//! payments (placeholder until the module lands).

/// The payments bounded context.
pub struct PaymentsModule;

#[async_trait::async_trait]
impl service::Module for PaymentsModule {
    fn name(&self) -> &'static str {
        "payments"
    }
    fn migrations(&self) -> &'static [database::Migration] {
        &[]
    }
    async fn start(&self, _runtime: &mut service::Runtime) -> anyhow::Result<()> {
        Ok(())
    }
}
