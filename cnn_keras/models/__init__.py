"""One module per architecture family; each registers its variants on import."""
