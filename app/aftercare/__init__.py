"""Aftercare: follow-up calls (跟踪服务), maintenance reminders, complaints (投诉)."""
