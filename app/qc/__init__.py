"""Quality inspection (竣工检验), wash and the advisor's final check."""
