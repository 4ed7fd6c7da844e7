"""Admin: three roles, catalog management with direct uploads, imports, moderation, reports, the audit log."""
