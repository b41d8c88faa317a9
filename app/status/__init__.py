"""The customer's read-only repair-status link: public, no login, no writes."""
