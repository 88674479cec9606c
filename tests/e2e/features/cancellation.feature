Feature: Cancelling orders
  An order can be cancelled until it is ready; cancelling cleans up the shopping list and the payment.

  Background:
    Given a mall without bots
    And a store "Tiny Toys" with a product "Kite" priced 4.00
    And a registered customer "Alan Turing"
    And "Alan Turing" starts a basket
    And "Alan Turing" adds 1 "Kite" to the basket
    And "Alan Turing" authorized a payment of 4.00

  Scenario: An approved order is cancelled and everything is cleaned up
    When "Alan Turing" checks out the basket
    Then the order becomes "approved"
    When the order is cancelled
    Then the order becomes "cancelled"
    And the shopping list of the order is "canceled"
    And the payment is "voided"
    And "Alan Turing" was notified that the order was "created, approved, canceled"

  Scenario: A bot assigned through the API completes the list and the order is ready
    When "Alan Turing" checks out the basket
    Then the order becomes "approved"
    When bot "bot-7" is assigned the shopping list and completes it
    Then the order becomes "ready"
    When the order is cancelled
    Then I receive a 400 "the order cannot be cancelled" error
