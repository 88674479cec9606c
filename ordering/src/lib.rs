//! ordering (placeholder until the module lands).

/// The ordering bounded context.
pub struct OrderingModule;

#[async_trait::async_trait]
impl service::Module for OrderingModule {
    fn name(&self) -> &'static str {
        "ordering"
    }
    fn migrations(&self) -> &'static [database::Migration] {
        &[]
    }
    async fn start(&self, _runtime: &mut service::Runtime) -> anyhow::Result<()> {
        Ok(())
    }
}
