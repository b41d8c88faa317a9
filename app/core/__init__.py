"""The shared core: database, audit trail, access rules, languages, stages, money and time."""
