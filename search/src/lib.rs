//! search (placeholder until the module lands).

/// The search bounded context.
pub struct SearchModule;

#[async_trait::async_trait]
impl service::Module for SearchModule {
    fn name(&self) -> &'static str {
        "search"
    }
    fn migrations(&self) -> &'static [database::Migration] {
        &[]
    }
    async fn start(&self, _runtime: &mut service::Runtime) -> anyhow::Result<()> {
        Ok(())
    }
}
