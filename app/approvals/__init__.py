"""The advisor's desk in the workshop flow: added-work decisions and progress checks."""
