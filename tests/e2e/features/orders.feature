Feature: The order lifecycle
  A checkout becomes an order; the create-order saga authorizes the customer, schedules a shopping list, confirms the
  payment and approves the order; a bot does the shopping; the order is ready, invoiced, paid and completed.

  Background:
    Given a store "Nic & Naks" with a product "Wizard w/ crystal" priced 1.10
    And a registered customer "Ada Lovelace"
    And "Ada Lovelace" starts a basket
    And "Ada Lovelace" adds 3 "Wizard w/ crystal" to the basket

  Scenario: A checkout is approved
    Given "Ada Lovelace" authorized a payment of 3.30
    When "Ada Lovelace" checks out the basket
    Then the order becomes "approved"
    And the shopping list of the order is not "canceled"
    And one trace runs from the checkout to the approval

  Scenario: A second checkout of the same basket is refused
    Given "Ada Lovelace" authorized a payment of 3.30
    When "Ada Lovelace" checks out the basket
    And "Ada Lovelace" checks out the basket
    Then I receive a 400 "baskets checkout: the basket cannot be modified" error

  Scenario: The whole lifecycle to completed
    Given "Ada Lovelace" authorized a payment of 3.30
    When "Ada Lovelace" checks out the basket
    Then the order becomes "ready"
    And the invoice of the order is "pending" for 3.30
    When the invoice of the order is paid
    Then the order becomes "completed"
    And the invoice of the order is "paid" for 3.30

  Scenario: A disabled customer is rejected
    Given "Ada Lovelace" authorized a payment of 3.30
    And "Ada Lovelace" is disabled
    When "Ada Lovelace" checks out the basket
    Then the order becomes "rejected"
    And the saga of the order is "compensated"

  Scenario: A payment that does not cover the total is rejected and the shopping list canceled
    Given "Ada Lovelace" authorized a payment of 3.29
    When "Ada Lovelace" checks out the basket
    Then the order becomes "rejected"
    And the shopping list of the order is "canceled"
    And the payment is "authorized"

  Scenario: A product that vanished before checkout is rejected
    Given "Ada Lovelace" authorized a payment of 3.30
    And the product "Wizard w/ crystal" is removed from its store
    When "Ada Lovelace" checks out the basket
    Then the order becomes "rejected"

  Scenario: A completed order cannot be cancelled
    Given "Ada Lovelace" authorized a payment of 3.30
    When "Ada Lovelace" checks out the basket
    Then the order becomes "ready"
    When the invoice of the order is paid
    Then the order becomes "completed"
    When the order is cancelled
    Then I receive a 400 "the order cannot be cancelled" error
