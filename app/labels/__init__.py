"""QR labels for key tags and belongings bags, and the scan routes they lead to."""
