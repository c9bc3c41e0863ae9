-- The audit trail of administration (accounts, units, streets, workflow versions, webhooks, API keys): who, when,
-- before and after. Append-only like case events, so nobody can rewrite who changed what.

CREATE TABLE "admin_audit_entries" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_admin_audit_entries" PRIMARY KEY AUTOINCREMENT,
    "at" TEXT NOT NULL,
    "actor_staff_id" INTEGER NOT NULL,
    "actor_name" TEXT NOT NULL,
    "actor_role" TEXT NOT NULL,
    "street_id" INTEGER NULL,
    "unit_path" TEXT NULL,
    "action" TEXT NOT NULL,
    "subject_kind" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "subject_label" TEXT NOT NULL,
    "before_json" TEXT NULL,
    "after_json" TEXT NULL
);

CREATE INDEX "ix_admin_audit_entries_street_id_id" ON "admin_audit_entries" ("street_id", "id");
CREATE INDEX "ix_admin_audit_entries_at" ON "admin_audit_entries" ("at");

CREATE TRIGGER admin_audit_entries_no_update BEFORE UPDATE ON admin_audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit entries are immutable');
END;

CREATE TRIGGER admin_audit_entries_no_delete BEFORE DELETE ON admin_audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit entries are immutable');
END;
