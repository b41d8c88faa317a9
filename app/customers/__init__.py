"""Customer files (客户档案): customers, their vehicles, search."""
