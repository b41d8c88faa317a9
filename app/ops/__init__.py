"""Operations: backup and restore of a running shop (no blueprint, command line only)."""
