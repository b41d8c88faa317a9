"""Reception: customer and vehicle files, repair orders."""
