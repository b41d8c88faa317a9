"""The workshop floor: bays, the technician's job card, time clock, findings, added work, parts requests, QC."""
