//! Store management (placeholder).

/// The stores bounded context.
pub struct StoresModule;

#[async_trait::async_trait]
impl service::Module for StoresModule {
    fn name(&self) -> &'static str {
        "stores"
    }
    fn migrations(&self) -> &'static [database::Migration] {
        &[]
    }
    async fn start(&self, _runtime: &mut service::Runtime) -> anyhow::Result<()> {
        Ok(())
    }
}
