//! depot (placeholder until the module lands).

/// The depot bounded context.
pub struct DepotModule;

#[async_trait::async_trait]
impl service::Module for DepotModule {
    fn name(&self) -> &'static str {
        "depot"
    }
    fn migrations(&self) -> &'static [database::Migration] {
        &[]
    }
    async fn start(&self, _runtime: &mut service::Runtime) -> anyhow::Result<()> {
        Ok(())
    }
}
