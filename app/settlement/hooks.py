"""What this area offers the areas below it through app.registry: the bill of a declined repair's diagnosis fee
(reception records the decline and cannot import the settlement, which imports it)."""
from app.settlement.declined import bill_declined


def order_declined(order, by):
    return bill_declined(order, by)
