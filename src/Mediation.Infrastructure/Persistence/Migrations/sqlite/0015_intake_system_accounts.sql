-- Intake from other systems (12345 hotline, department referrals): system accounts scoped to a unit, their API keys
-- (only a SHA-256 of the secret is kept), and the other system's reference number of each case it registered.

CREATE TABLE "system_accounts" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_system_accounts" PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "unit_id" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "created_by" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "revoked_at" TEXT NULL,
    CONSTRAINT "fk_system_accounts_org_units_unit_id" FOREIGN KEY ("unit_id") REFERENCES "org_units" ("id") ON DELETE RESTRICT
);

CREATE INDEX "ix_system_accounts_unit_id" ON "system_accounts" ("unit_id");

CREATE TABLE "api_keys" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_api_keys" PRIMARY KEY AUTOINCREMENT,
    "system_account_id" INTEGER NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "last_used_at" TEXT NULL,
    "revoked_at" TEXT NULL,
    CONSTRAINT "fk_api_keys_system_accounts_system_account_id" FOREIGN KEY ("system_account_id") REFERENCES "system_accounts" ("id") ON DELETE RESTRICT
);

CREATE UNIQUE INDEX "ix_api_keys_prefix" ON "api_keys" ("prefix");
CREATE INDEX "ix_api_keys_system_account_id" ON "api_keys" ("system_account_id");

CREATE TABLE "case_external_refs" (
    "case_id" INTEGER NOT NULL CONSTRAINT "pk_case_external_refs" PRIMARY KEY,
    "system_account_id" INTEGER NOT NULL,
    "external_reference" TEXT NOT NULL,
    CONSTRAINT "fk_case_external_refs_cases_case_id" FOREIGN KEY ("case_id") REFERENCES "cases" ("id") ON DELETE RESTRICT,
    CONSTRAINT "fk_case_external_refs_system_accounts_system_account_id" FOREIGN KEY ("system_account_id") REFERENCES "system_accounts" ("id") ON DELETE RESTRICT
);

CREATE UNIQUE INDEX "ix_case_external_refs_system_account_id_external_reference" ON "case_external_refs" ("system_account_id", "external_reference");
