"""The parts counter: technicians' parts requests (and later the stock ledger)."""
