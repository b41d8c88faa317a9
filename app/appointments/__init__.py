"""Appointments (维修预约): booking against bay capacity, reminders, arrival."""
