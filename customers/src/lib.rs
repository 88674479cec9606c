//! Customers (placeholder).

/// The customers bounded context.
pub struct CustomersModule;

#[async_trait::async_trait]
impl service::Module for CustomersModule {
    fn name(&self) -> &'static str {
        "customers"
    }
    fn migrations(&self) -> &'static [database::Migration] {
        &[]
    }
    async fn start(&self, _runtime: &mut service::Runtime) -> anyhow::Result<()> {
        Ok(())
    }
}
