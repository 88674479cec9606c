//! notifications (placeholder until the module lands).

/// The notifications bounded context.
pub struct NotificationsModule;

#[async_trait::async_trait]
impl service::Module for NotificationsModule {
    fn name(&self) -> &'static str {
        "notifications"
    }
    fn migrations(&self) -> &'static [database::Migration] {
        &[]
    }
    async fn start(&self, _runtime: &mut service::Runtime) -> anyhow::Result<()> {
        Ok(())
    }
}
