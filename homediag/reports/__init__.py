"""Reports: JSON schema, renderers, redaction, diff, translations."""
