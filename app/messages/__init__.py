"""The outbox: messages rendered per language and sent through a pluggable sender."""
