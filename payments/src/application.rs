//! The use cases of the payments context, one method per command or query. A command is one transaction: load,
//! decide, store (expected version), outbox, commit. Calls from the edge are retried whole when a concurrent writer
//! won; the `*_in` variants run inside a message handler's (inbox) transaction, whose consumer retries instead.

use database::{Database, Transaction};
use eventsourcing::retry_on_conflict;
use messaging::Outbox;

use crate::domain::{
    Cents, Invoice, InvoiceCommand, InvoiceStatus, Payment, PaymentCommand, PaymentStatus, PaymentsError,
};
use crate::handlers::publish_invoice_events;
use crate::store::{InvoiceTable, PaymentTable, storage, storage_db};

pub(crate) struct Application {
    db: Database,
    payments: PaymentTable,
    invoices: InvoiceTable,
    outbox: Outbox,
}

impl Application {
    pub(crate) fn new(db: &Database, outbox: Outbox) -> Self {
        Self { db: db.clone(), payments: PaymentTable::new(db), invoices: InvoiceTable::new(db), outbox }
    }

    // ---- payments -------------------------------------------------------------------------------------------

    /// Records a pre-authorized payment under a fresh id.
    pub(crate) async fn authorize_payment(&self, customer_id: &str, amount: Cents) -> Result<String, PaymentsError> {
        let payment = Payment::authorize(ddd::new_id(), customer_id, amount)?;
        let mut tx = self.begin().await?;
        self.payments.insert(&mut tx, &payment).await?;
        self.commit(tx).await?;
        Ok(payment.id)
    }

    pub(crate) async fn get_payment(&self, id: &str) -> Result<Payment, PaymentsError> {
        let mut conn = self.db.pool().acquire().await.map_err(|e| storage("connecting", e))?;
        Ok(self.payments.find(&mut conn, id).await?.ok_or(PaymentsError::PaymentNotFound)?.value)
    }

    /// The original's gRPC `ConfirmPayment{id}`: the payment must exist and not be voided.
    pub(crate) async fn confirm_payment(&self, id: &str) -> Result<(), PaymentsError> {
        retry_on_conflict(|| async move {
            let mut tx = self.begin().await?;
            self.change_payment_in(&mut tx, id, &PaymentCommand::Confirm).await?;
            self.commit(tx).await
        })
        .await
    }

    /// The saga's `paymentsapi.ConfirmPayment`: binds the payment to the order when it exists, belongs to the
    /// order's customer, covers `total`, and is not used by another order.
    pub(crate) async fn confirm_payment_for_order_in(
        &self,
        tx: &mut Transaction,
        id: &str,
        order_id: &str,
        customer_id: &str,
        total: Cents,
    ) -> Result<(), PaymentsError> {
        let command = PaymentCommand::ConfirmForOrder {
            order_id: order_id.to_owned(),
            customer_id: customer_id.to_owned(),
            total,
        };
        self.change_payment_in(tx, id, &command).await
    }

    /// `paymentsapi.VoidPayment` (idempotent).
    pub(crate) async fn void_payment_in(&self, tx: &mut Transaction, id: &str) -> Result<(), PaymentsError> {
        self.change_payment_in(tx, id, &PaymentCommand::Void).await
    }

    async fn change_payment_in(
        &self,
        tx: &mut Transaction,
        id: &str,
        command: &PaymentCommand,
    ) -> Result<(), PaymentsError> {
        let found = self.payments.find(tx.conn(), id).await?.ok_or(PaymentsError::PaymentNotFound)?;
        let mut payment = found.value;
        let events = payment.decide(command)?;
        if events.is_empty() {
            return Ok(());
        }
        for event in &events {
            payment.apply(event);
        }
        self.payments.update(tx, &payment, found.version).await
    }

    // ---- invoices -------------------------------------------------------------------------------------------

    /// The original's gRPC `CreateInvoice`: a new invoice under a fresh id.
    pub(crate) async fn create_invoice(
        &self,
        order_id: &str,
        payment_id: &str,
        amount: Cents,
    ) -> Result<String, PaymentsError> {
        let invoice = Invoice::create(ddd::new_id(), order_id, payment_id, amount)?;
        let mut tx = self.begin().await?;
        if !self.invoices.insert(&mut tx, &invoice).await? {
            return Err(PaymentsError::InvoiceExists);
        }
        self.commit(tx).await?;
        Ok(invoice.id)
    }

    /// `ordersapi.OrderReadied`: the order's invoice (id = order id); an existing one is left as it is.
    pub(crate) async fn create_order_invoice_in(
        &self,
        tx: &mut Transaction,
        order_id: &str,
        payment_id: &str,
        total: Cents,
    ) -> Result<(), PaymentsError> {
        let invoice = Invoice::create(order_id.to_owned(), order_id, payment_id, total)?;
        if !self.invoices.insert(tx, &invoice).await? {
            tracing::debug!(order_id, "invoice exists already");
        }
        Ok(())
    }

    pub(crate) async fn adjust_invoice(&self, id: &str, amount: Cents) -> Result<(), PaymentsError> {
        self.change_invoice(id, InvoiceCommand::Adjust { amount }).await
    }

    /// Pays a pending invoice and publishes `paymentsapi.InvoicePaid`.
    pub(crate) async fn pay_invoice(&self, id: &str) -> Result<(), PaymentsError> {
        self.change_invoice(id, InvoiceCommand::Pay).await
    }

    pub(crate) async fn cancel_invoice(&self, id: &str) -> Result<(), PaymentsError> {
        self.change_invoice(id, InvoiceCommand::Cancel).await
    }

    pub(crate) async fn get_invoice(&self, id: &str) -> Result<Invoice, PaymentsError> {
        let mut conn = self.db.pool().acquire().await.map_err(|e| storage("connecting", e))?;
        Ok(self.invoices.find(&mut conn, id).await?.ok_or(PaymentsError::InvoiceNotFound)?.value)
    }

    async fn change_invoice(&self, id: &str, command: InvoiceCommand) -> Result<(), PaymentsError> {
        let command = &command;
        retry_on_conflict(|| async move {
            let mut tx = self.begin().await?;
            let found = self.invoices.find(tx.conn(), id).await?.ok_or(PaymentsError::InvoiceNotFound)?;
            self.change_invoice_in(&mut tx, found.value, found.version, command).await?;
            self.commit(tx).await
        })
        .await
    }

    async fn change_invoice_in(
        &self,
        tx: &mut Transaction,
        mut invoice: Invoice,
        version: i64,
        command: &InvoiceCommand,
    ) -> Result<(), PaymentsError> {
        let events = invoice.decide(command)?;
        if events.is_empty() {
            return Ok(());
        }
        for event in &events {
            invoice.apply(event);
        }
        self.invoices.update(tx, &invoice, version).await?;
        publish_invoice_events(tx, &self.outbox, &invoice, &events).await
    }

    // ---- order lifecycle ------------------------------------------------------------------------------------

    /// `ordersapi.OrderCanceled`: cancels the order's pending invoices and voids the payment confirmed for it.
    /// A paid invoice, or a payment that is not this order's, is left alone.
    pub(crate) async fn order_canceled_in(
        &self,
        tx: &mut Transaction,
        order_id: &str,
        payment_id: &str,
    ) -> Result<(), PaymentsError> {
        for found in self.invoices.find_by_order(tx.conn(), order_id).await? {
            if found.value.status == InvoiceStatus::Pending {
                self.change_invoice_in(tx, found.value, found.version, &InvoiceCommand::Cancel).await?;
            }
        }
        if payment_id.is_empty() {
            return Ok(());
        }
        let Some(found) = self.payments.find(tx.conn(), payment_id).await? else { return Ok(()) };
        let payment = &found.value;
        if payment.status == PaymentStatus::Confirmed && payment.order_id.as_deref() == Some(order_id) {
            self.change_payment_in(tx, payment_id, &PaymentCommand::Void).await?;
        }
        Ok(())
    }

    async fn begin(&self) -> Result<Transaction, PaymentsError> {
        self.db.begin().await.map_err(|e| storage_db("starting a transaction", e))
    }

    async fn commit(&self, tx: Transaction) -> Result<(), PaymentsError> {
        tx.commit().await.map_err(|e| storage_db("committing", e))
    }
}
