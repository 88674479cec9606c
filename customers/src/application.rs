//! The use cases of the customers context, one method per command or query. Each command is one transaction:
//! load, decide, store (expected version), outbox, commit — retried as a whole when a concurrent writer won.

use database::{Database, Transaction};
use eventsourcing::retry_on_conflict;
use messaging::Outbox;

use crate::domain::{Customer, CustomerCommand, CustomerId, CustomersError};
use crate::handlers::publish_events;
use crate::store::{CustomerTable, Versioned, storage, storage_db};

pub(crate) struct Application {
    db: Database,
    customers: CustomerTable,
    outbox: Outbox,
    /// `customers_registered_count`
    registered: prometheus::IntCounter,
}

impl Application {
    pub(crate) fn new(db: &Database, outbox: Outbox, registered: prometheus::IntCounter) -> Self {
        Self { db: db.clone(), customers: CustomerTable::new(db), outbox, registered }
    }

    /// Registers a new (enabled) customer under a fresh id and publishes `customersapi.CustomerRegistered`.
    pub(crate) async fn register_customer(&self, name: &str, sms_number: &str) -> Result<CustomerId, CustomersError> {
        let (customer, events) = Customer::register(CustomerId::new(ddd::new_id()), name, sms_number)?;
        let mut tx = self.begin().await?;
        self.customers.insert(&mut tx, &customer).await?;
        publish_events(&mut tx, &self.outbox, &customer.id, &events).await?;
        tx.commit().await.map_err(|e| storage_db("committing registration", e))?;
        self.registered.inc();
        Ok(customer.id)
    }

    pub(crate) async fn enable_customer(&self, id: &str) -> Result<(), CustomersError> {
        self.change(id, CustomerCommand::Enable).await
    }

    pub(crate) async fn disable_customer(&self, id: &str) -> Result<(), CustomersError> {
        self.change(id, CustomerCommand::Disable).await
    }

    pub(crate) async fn change_sms_number(&self, id: &str, sms_number: &str) -> Result<(), CustomersError> {
        self.change(id, CustomerCommand::ChangeSmsNumber { sms_number: sms_number.to_owned() }).await
    }

    /// Succeeds when the customer exists and is enabled.
    pub(crate) async fn authorize_customer(&self, id: &str) -> Result<(), CustomersError> {
        let mut conn = self.db.pool().acquire().await.map_err(|e| storage("connecting", e))?;
        self.authorize(self.customers.find(&mut conn, id).await?)
    }

    /// [`Application::authorize_customer`] inside a message handler's transaction.
    pub(crate) async fn authorize_customer_in(&self, tx: &mut Transaction, id: &str) -> Result<(), CustomersError> {
        self.authorize(self.customers.find(tx.conn(), id).await?)
    }

    pub(crate) async fn get_customer(&self, id: &str) -> Result<Customer, CustomersError> {
        let mut conn = self.db.pool().acquire().await.map_err(|e| storage("connecting", e))?;
        let found = self.customers.find(&mut conn, id).await?;
        found.map(|v| v.customer).ok_or(CustomersError::NotFound)
    }

    fn authorize(&self, found: Option<Versioned>) -> Result<(), CustomersError> {
        let customer = found.ok_or(CustomersError::NotFound)?.customer;
        customer.decide(&CustomerCommand::Authorize).map(|_| ())
    }

    /// Runs `command` on the customer `id`, retrying the whole attempt when it loses a race.
    async fn change(&self, id: &str, command: CustomerCommand) -> Result<(), CustomersError> {
        retry_on_conflict(|| self.try_change(id, &command)).await
    }

    async fn try_change(&self, id: &str, command: &CustomerCommand) -> Result<(), CustomersError> {
        let mut tx = self.begin().await?;
        let found = self.customers.find_for_update(&mut tx, id).await?.ok_or(CustomersError::NotFound)?;
        let mut customer = found.customer;
        let events = customer.decide(command)?;
        for event in &events {
            customer.apply(event);
        }
        if Customer::changes_state(&events) {
            self.customers.update(&mut tx, &customer, found.version).await?;
            publish_events(&mut tx, &self.outbox, &customer.id, &events).await?;
        }
        tx.commit().await.map_err(|e| storage_db("committing customer change", e))?;
        Ok(())
    }

    async fn begin(&self) -> Result<Transaction, CustomersError> {
        self.db.begin().await.map_err(|e| storage_db("starting a transaction", e))
    }
}
