//! The customer aggregate (`customers.CustomerAggregate`): registration, enabling, disabling, SMS number changes and
//! authorization. Commands decide (validate and return events, never mutate); `apply` evolves the state.

use super::CustomersError;

/// A customer's identity (a server-generated UUID).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct CustomerId(String);

impl CustomerId {
    pub(crate) fn new(id: impl Into<String>) -> Self {
        CustomerId(id.into())
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CustomerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A registered customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Customer {
    pub(crate) id: CustomerId,
    pub(crate) name: String,
    pub(crate) sms_number: String,
    /// Only enabled customers are authorized to place orders.
    pub(crate) enabled: bool,
}

/// What can be asked of an existing customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CustomerCommand {
    Enable,
    Disable,
    ChangeSmsNumber { sms_number: String },
    Authorize,
}

/// What happened to a customer (in-process; `handlers` turns them into integration events).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CustomerEvent {
    /// `customers.CustomerRegistered`
    Registered { name: String, sms_number: String },
    /// `customers.CustomerSmsChanged`
    SmsChanged { sms_number: String },
    /// `customers.CustomerEnabled`
    Enabled,
    /// `customers.CustomerDisabled`
    Disabled,
    /// `customers.CustomerAuthorized` (changes nothing; not forwarded)
    Authorized,
}

/// "Blank" as a user means it: empty or only whitespace.
fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

impl Customer {
    /// Decides a registration; the new customer is enabled.
    pub(crate) fn register(
        id: CustomerId,
        name: &str,
        sms_number: &str,
    ) -> Result<(Customer, Vec<CustomerEvent>), CustomersError> {
        if is_blank(id.as_str()) {
            return Err(CustomersError::BlankId);
        }
        if is_blank(name) {
            return Err(CustomersError::BlankName);
        }
        if is_blank(sms_number) {
            return Err(CustomersError::BlankSmsNumber);
        }
        let events = vec![CustomerEvent::Registered { name: name.to_owned(), sms_number: sms_number.to_owned() }];
        let mut customer = Customer { id, name: String::new(), sms_number: String::new(), enabled: false };
        for event in &events {
            customer.apply(event);
        }
        Ok((customer, events))
    }

    /// Decides `command` against the current state.
    pub(crate) fn decide(&self, command: &CustomerCommand) -> Result<Vec<CustomerEvent>, CustomersError> {
        match command {
            CustomerCommand::Enable if self.enabled => Err(CustomersError::AlreadyEnabled),
            CustomerCommand::Enable => Ok(vec![CustomerEvent::Enabled]),
            CustomerCommand::Disable if !self.enabled => Err(CustomersError::AlreadyDisabled),
            CustomerCommand::Disable => Ok(vec![CustomerEvent::Disabled]),
            CustomerCommand::ChangeSmsNumber { sms_number } if is_blank(sms_number) => {
                Err(CustomersError::BlankSmsNumber)
            }
            CustomerCommand::ChangeSmsNumber { sms_number } => {
                Ok(vec![CustomerEvent::SmsChanged { sms_number: sms_number.clone() }])
            }
            CustomerCommand::Authorize if !self.enabled => Err(CustomersError::NotAuthorized),
            CustomerCommand::Authorize => Ok(vec![CustomerEvent::Authorized]),
        }
    }

    /// Evolves the state by one event.
    pub(crate) fn apply(&mut self, event: &CustomerEvent) {
        match event {
            CustomerEvent::Registered { name, sms_number } => {
                self.name = name.clone();
                self.sms_number = sms_number.clone();
                self.enabled = true;
            }
            CustomerEvent::SmsChanged { sms_number } => self.sms_number = sms_number.clone(),
            CustomerEvent::Enabled => self.enabled = true,
            CustomerEvent::Disabled => self.enabled = false,
            CustomerEvent::Authorized => {}
        }
    }

    /// Whether `events` change the stored state (an authorization does not).
    pub(crate) fn changes_state(events: &[CustomerEvent]) -> bool {
        events.iter().any(|e| !matches!(e, CustomerEvent::Authorized))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registered() -> Customer {
        Customer::register(CustomerId::new("c-1"), "Customer ABC", "555-555-1212").expect("valid registration").0
    }

    fn run(customer: &mut Customer, command: CustomerCommand) -> Result<Vec<CustomerEvent>, CustomersError> {
        let events = customer.decide(&command)?;
        for event in &events {
            customer.apply(event);
        }
        Ok(events)
    }

    #[test]
    fn registration_creates_an_enabled_customer() {
        let (customer, events) = Customer::register(CustomerId::new("c-1"), "Customer ABC", "555").expect("valid");
        assert_eq!(
            customer,
            Customer {
                id: CustomerId::new("c-1"),
                name: "Customer ABC".into(),
                sms_number: "555".into(),
                enabled: true
            }
        );
        assert_eq!(events, vec![CustomerEvent::Registered { name: "Customer ABC".into(), sms_number: "555".into() }]);
    }

    #[test]
    fn registration_refuses_blank_fields_with_the_original_texts() {
        let err = |id: &str, name: &str, sms: &str| {
            Customer::register(CustomerId::new(id), name, sms).expect_err("invalid").to_string()
        };
        assert_eq!(err("", "n", "s"), "the customer id cannot be blank");
        assert_eq!(err("c", "", "s"), "the customer name cannot be blank");
        assert_eq!(err("c", "  ", "s"), "the customer name cannot be blank");
        assert_eq!(err("c", "n", ""), "the SMS number cannot be blank");
        assert_eq!(err("c", "", ""), "the customer name cannot be blank", "the name is checked first");
    }

    #[test]
    fn enable_and_disable_toggle_and_refuse_repeats() {
        let mut customer = registered();
        assert_eq!(
            run(&mut customer, CustomerCommand::Enable).expect_err("enabled").to_string(),
            "the customer is already enabled"
        );
        assert_eq!(run(&mut customer, CustomerCommand::Disable).expect("disable"), vec![CustomerEvent::Disabled]);
        assert!(!customer.enabled);
        assert_eq!(
            run(&mut customer, CustomerCommand::Disable).expect_err("disabled").to_string(),
            "the customer is already disabled"
        );
        assert_eq!(run(&mut customer, CustomerCommand::Enable).expect("enable"), vec![CustomerEvent::Enabled]);
        assert!(customer.enabled);
    }

    #[test]
    fn the_sms_number_can_be_changed_but_not_blanked() {
        let mut customer = registered();
        let events =
            run(&mut customer, CustomerCommand::ChangeSmsNumber { sms_number: "555-0000".into() }).expect("ok");
        assert_eq!(events, vec![CustomerEvent::SmsChanged { sms_number: "555-0000".into() }]);
        assert_eq!(customer.sms_number, "555-0000");
        let err = run(&mut customer, CustomerCommand::ChangeSmsNumber { sms_number: " ".into() }).expect_err("blank");
        assert_eq!(err.to_string(), "the SMS number cannot be blank");
        assert_eq!(customer.sms_number, "555-0000", "a refused command changes nothing");
    }

    #[test]
    fn only_enabled_customers_are_authorized() {
        use ddd::{ErrorKind, HasErrorKind};
        let mut customer = registered();
        let events = run(&mut customer, CustomerCommand::Authorize).expect("authorized");
        assert!(!Customer::changes_state(&events));
        run(&mut customer, CustomerCommand::Disable).expect("disable");
        let err = run(&mut customer, CustomerCommand::Authorize).expect_err("disabled");
        assert_eq!(err.to_string(), "customer is not authorized");
        assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    }

    #[test]
    fn error_kinds_drive_the_status_codes() {
        use ddd::{ErrorKind, HasErrorKind};
        assert_eq!(CustomersError::BlankName.kind(), ErrorKind::InvalidArgument);
        assert_eq!(CustomersError::AlreadyDisabled.kind(), ErrorKind::InvalidArgument);
        assert_eq!(CustomersError::NotFound.kind(), ErrorKind::NotFound);
        assert_eq!(CustomersError::NotFound.to_string(), "customer not found");
        assert_eq!(CustomersError::Conflict.kind(), ErrorKind::Conflict);
        let internal = CustomersError::internal("loading customer", std::io::Error::other("boom"));
        assert_eq!(internal.kind(), ErrorKind::Internal);
    }
}
