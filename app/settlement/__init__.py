"""Settlement (结算), payments and receivables, delivery (交车)."""
