"""Document types: see base.DocumentType."""
