Feature: Search and notifications follow every order
  The search read model and the customer's SMS notifications learn about each step of an order.

  Background:
    Given a store "Corner Shop" with a product "Teapot" priced 12.50
    And a registered customer "Grace Hopper"
    And "Grace Hopper" starts a basket
    And "Grace Hopper" adds 2 "Teapot" to the basket
    And "Grace Hopper" authorized a payment of 25.00

  Scenario: Search finds the order with its total and status
    When "Grace Hopper" checks out the basket
    Then the order becomes "ready"
    And searching the orders of "Grace Hopper" finds the order "Ready For Pickup" with total 25.00

  Scenario: The customer is told about the order
    When "Grace Hopper" checks out the basket
    Then the order becomes "ready"
    And "Grace Hopper" was notified that the order was "created, approved, ready"
