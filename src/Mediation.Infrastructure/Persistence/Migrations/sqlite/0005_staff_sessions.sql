-- Sessions held on the server, so that sign-out, a password reset or a deactivation ends them at once;
-- accounts that can be deactivated; and facts about the installation (whether it holds the demo street).

ALTER TABLE staff_members ADD COLUMN active INTEGER NOT NULL DEFAULT 1;

CREATE TABLE "staff_sessions" (
    "id" TEXT NOT NULL CONSTRAINT "pk_staff_sessions" PRIMARY KEY,
    "staff_id" INTEGER NOT NULL,
    "started_at" TEXT NOT NULL,
    "expires_at" TEXT NOT NULL,
    CONSTRAINT "fk_staff_sessions_staff_members_staff_id" FOREIGN KEY ("staff_id") REFERENCES "staff_members" ("id") ON DELETE CASCADE
);

CREATE INDEX "ix_staff_sessions_staff_id" ON "staff_sessions" ("staff_id");

CREATE TABLE "installation_facts" (
    "key" TEXT NOT NULL CONSTRAINT "pk_installation_facts" PRIMARY KEY,
    "value" TEXT NOT NULL,
    "recorded_at" TEXT NOT NULL
);
