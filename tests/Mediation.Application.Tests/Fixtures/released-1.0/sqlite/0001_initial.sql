-- The first schema: org tree, staff, cases with parties, sessions, agreements, the event history, notices,
-- timers, follow-up visits, idempotency records and case-number counters. Never edit a published migration;
-- add the next one. Only cases use AUTOINCREMENT: their ids leave the system and must never be issued twice.
-- Other rows are never deleted, so they need no sqlite_sequence write.

CREATE TABLE "case_number_counters" (
    "street_id" INTEGER NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,
    CONSTRAINT "pk_case_number_counters" PRIMARY KEY ("street_id", "year")
);

CREATE TABLE "cases" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_cases" PRIMARY KEY AUTOINCREMENT,
    "case_number" TEXT NOT NULL,
    "workflow_key" TEXT NOT NULL,
    "workflow_version" INTEGER NOT NULL,
    "state" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "outcome" TEXT NULL,
    "unit_id" INTEGER NOT NULL,
    "unit_path" TEXT NOT NULL,
    "first_responsible_id" INTEGER NOT NULL,
    "owner_id" INTEGER NULL,
    "channel" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "description" TEXT NULL,
    "amount_in_dispute" TEXT NULL,
    "risk_level" TEXT NOT NULL,
    "risk_signals" INTEGER NOT NULL,
    "is_major" INTEGER NOT NULL,
    "party_count" INTEGER NOT NULL,
    "applicant_name" TEXT NOT NULL,
    "registered_at" TEXT NOT NULL,
    "level_entered_at" TEXT NOT NULL,
    "deadline_at" TEXT NULL,
    "closed_at" TEXT NULL,
    "updated_at" TEXT NOT NULL,
    "suspended_at" TEXT NULL,
    "paused_minutes" INTEGER NULL,
    "version" INTEGER NOT NULL,
    "sort_key" INTEGER NOT NULL
);

CREATE TABLE "digests" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_digests" PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "period_start" TEXT NOT NULL,
    "generated_at" TEXT NOT NULL,
    "content" TEXT NOT NULL
);

CREATE TABLE "idempotency_records" (
    "staff_id" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "request_type" TEXT NOT NULL,
    "response" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    CONSTRAINT "pk_idempotency_records" PRIMARY KEY ("staff_id", "key")
);

CREATE TABLE "org_units" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_org_units" PRIMARY KEY,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "parent_id" INTEGER NULL,
    "path" TEXT NOT NULL,
    CONSTRAINT "fk_org_units_org_units_parent_id" FOREIGN KEY ("parent_id") REFERENCES "org_units" ("id") ON DELETE RESTRICT
);

CREATE TABLE "agreements" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_agreements" PRIMARY KEY,
    "case_id" INTEGER NOT NULL,
    "terms" TEXT NOT NULL,
    "accepted_by_parties" INTEGER NOT NULL,
    "due_dates" TEXT NOT NULL,
    "signed_at" TEXT NOT NULL,
    CONSTRAINT "fk_agreements_cases_case_id" FOREIGN KEY ("case_id") REFERENCES "cases" ("id") ON DELETE RESTRICT
);

CREATE TABLE "case_events" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_case_events" PRIMARY KEY,
    "case_id" INTEGER NOT NULL,
    "sequence" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "from_state" TEXT NULL,
    "to_state" TEXT NOT NULL,
    "from_level" TEXT NULL,
    "level" TEXT NOT NULL,
    "from_unit_id" INTEGER NULL,
    "unit_id" INTEGER NOT NULL,
    "outcome" TEXT NULL,
    "actor_id" INTEGER NOT NULL,
    "actor_name" TEXT NOT NULL,
    "actor_role" TEXT NOT NULL,
    "actor_unit_id" INTEGER NOT NULL,
    "occurred_at" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    CONSTRAINT "fk_case_events_cases_case_id" FOREIGN KEY ("case_id") REFERENCES "cases" ("id") ON DELETE RESTRICT
);

CREATE TABLE "case_timers" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_case_timers" PRIMARY KEY,
    "case_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "due_at" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "unit_id" INTEGER NOT NULL,
    "follow_up_id" INTEGER NULL,
    "status" TEXT NOT NULL,
    "resolved_at" TEXT NULL,
    "note" TEXT NULL,
    CONSTRAINT "fk_case_timers_cases_case_id" FOREIGN KEY ("case_id") REFERENCES "cases" ("id") ON DELETE RESTRICT
);

CREATE TABLE "follow_up_visits" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_follow_up_visits" PRIMARY KEY,
    "case_id" INTEGER NOT NULL,
    "owner_id" INTEGER NOT NULL,
    "unit_id" INTEGER NOT NULL,
    "due_on" TEXT NOT NULL,
    "due_at" TEXT NOT NULL,
    "grace_ends_at" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "recorded_at" TEXT NULL,
    "recorded_by_id" INTEGER NULL,
    "method" TEXT NULL,
    "satisfaction" TEXT NULL,
    "performance" TEXT NULL,
    "notes" TEXT NULL,
    CONSTRAINT "fk_follow_up_visits_cases_case_id" FOREIGN KEY ("case_id") REFERENCES "cases" ("id") ON DELETE RESTRICT
);

CREATE TABLE "mediation_sessions" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_mediation_sessions" PRIMARY KEY,
    "case_id" INTEGER NOT NULL,
    "held_at" TEXT NOT NULL,
    "place" TEXT NOT NULL,
    "attendees" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "mediator_id" INTEGER NOT NULL,
    "unit_id" INTEGER NOT NULL,
    CONSTRAINT "fk_mediation_sessions_cases_case_id" FOREIGN KEY ("case_id") REFERENCES "cases" ("id") ON DELETE RESTRICT
);

CREATE TABLE "notices" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_notices" PRIMARY KEY,
    "recipient_unit_id" INTEGER NOT NULL,
    "recipient_role" TEXT NULL,
    "recipient_staff_id" INTEGER NULL,
    "case_id" INTEGER NULL,
    "kind" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "created_at" TEXT NOT NULL,
    "read_at" TEXT NULL,
    CONSTRAINT "fk_notices_cases_case_id" FOREIGN KEY ("case_id") REFERENCES "cases" ("id") ON DELETE RESTRICT
);

CREATE TABLE "parties" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_parties" PRIMARY KEY,
    "case_id" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "phone" TEXT NULL,
    "id_number" TEXT NULL,
    "address" TEXT NULL,
    CONSTRAINT "fk_parties_cases_case_id" FOREIGN KEY ("case_id") REFERENCES "cases" ("id") ON DELETE RESTRICT
);

CREATE TABLE "staff_members" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_staff_members" PRIMARY KEY AUTOINCREMENT,
    "user_name" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "unit_id" INTEGER NOT NULL,
    CONSTRAINT "fk_staff_members_org_units_unit_id" FOREIGN KEY ("unit_id") REFERENCES "org_units" ("id") ON DELETE RESTRICT
);

CREATE UNIQUE INDEX "ix_agreements_case_id" ON "agreements" ("case_id");

CREATE UNIQUE INDEX "ix_case_events_case_id_sequence" ON "case_events" ("case_id", "sequence");

CREATE INDEX "ix_case_timers_case_id" ON "case_timers" ("case_id");

CREATE INDEX "ix_case_timers_status_due_at" ON "case_timers" ("status", "due_at");

CREATE UNIQUE INDEX "ix_cases_case_number" ON "cases" ("case_number");

CREATE INDEX "ix_cases_sort_key_unit_path" ON "cases" ("sort_key", "unit_path");

CREATE INDEX "ix_cases_unit_id_sort_key" ON "cases" ("unit_id", "sort_key");

CREATE UNIQUE INDEX "ix_digests_kind_period_start" ON "digests" ("kind", "period_start");

CREATE INDEX "ix_follow_up_visits_case_id" ON "follow_up_visits" ("case_id");

CREATE INDEX "ix_follow_up_visits_owner_id_status_due_at" ON "follow_up_visits" ("owner_id", "status", "due_at");

CREATE INDEX "ix_mediation_sessions_case_id" ON "mediation_sessions" ("case_id");

CREATE INDEX "ix_notices_case_id" ON "notices" ("case_id");

CREATE INDEX "ix_notices_recipient_staff_id_created_at" ON "notices" ("recipient_staff_id", "created_at");

CREATE INDEX "ix_notices_recipient_unit_id_recipient_role_created_at" ON "notices" ("recipient_unit_id", "recipient_role", "created_at");

CREATE UNIQUE INDEX "ix_org_units_code" ON "org_units" ("code");

CREATE INDEX "ix_org_units_parent_id" ON "org_units" ("parent_id");

CREATE UNIQUE INDEX "ix_org_units_path" ON "org_units" ("path");

CREATE INDEX "ix_parties_case_id" ON "parties" ("case_id");

CREATE INDEX "ix_parties_name" ON "parties" ("name");

CREATE INDEX "ix_staff_members_unit_id" ON "staff_members" ("unit_id");

CREATE UNIQUE INDEX "ix_staff_members_user_name" ON "staff_members" ("user_name");;
