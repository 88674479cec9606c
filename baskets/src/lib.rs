//! baskets (placeholder until the module lands).

/// The baskets bounded context.
pub struct BasketsModule;

#[async_trait::async_trait]
impl service::Module for BasketsModule {
    fn name(&self) -> &'static str {
        "baskets"
    }
    fn migrations(&self) -> &'static [database::Migration] {
        &[]
    }
    async fn start(&self, _runtime: &mut service::Runtime) -> anyhow::Result<()> {
        Ok(())
    }
}
