"""Evidence files: content-typed, metadata-stripped, stored outside static/ under random names."""
