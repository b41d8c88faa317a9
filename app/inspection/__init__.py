"""The vehicle health check and the diagnosis report (检测诊断单, form 6 of 001)."""
