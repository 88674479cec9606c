Feature: Shopping baskets
  Customers fill baskets with products of the mall's stores.

  Background:
    Given a store "Waldorf Books" with a product "Wizard w/ crystal" priced 9.99
    And a registered customer "John Smith"

  Scenario: Starting a basket
    When "John Smith" starts a basket
    Then the basket is "open" and empty

  Scenario: Adding and removing items
    Given "John Smith" starts a basket
    When "John Smith" adds 3 "Wizard w/ crystal" to the basket
    And "John Smith" adds 2 "Wizard w/ crystal" to the basket
    Then the basket holds 5 "Wizard w/ crystal"
    When "John Smith" removes 4 "Wizard w/ crystal" from the basket
    Then the basket holds 1 "Wizard w/ crystal"
    When "John Smith" removes 1 "Wizard w/ crystal" from the basket
    Then the basket is "open" and empty

  Scenario: Products that do not exist cannot be added
    Given "John Smith" starts a basket
    When "John Smith" adds 1 "Unicorn" to the basket
    Then I receive a 404 "product not found" error

  Scenario: Quantities must be positive
    Given "John Smith" starts a basket
    When "John Smith" adds -1 "Wizard w/ crystal" to the basket
    Then I receive a 400 "the item quantity cannot be negative" error
