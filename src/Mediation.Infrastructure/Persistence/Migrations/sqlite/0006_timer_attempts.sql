-- A timer that cannot fire no longer jams the dispatcher: each failed attempt is counted with its error and tried
-- again after a backoff (next_attempt_at), up to a limit, then the timer is Failed and waits for an administrator.
-- What an administrator does to it (retry, cancel) is kept in timer_events, which nobody can rewrite.

ALTER TABLE case_timers ADD COLUMN next_attempt_at TEXT NOT NULL DEFAULT '';
ALTER TABLE case_timers ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE case_timers ADD COLUMN last_error TEXT NULL;
UPDATE case_timers SET next_attempt_at = due_at;

DROP INDEX ix_case_timers_status_due_at;
CREATE INDEX "ix_case_timers_status_next_attempt_at" ON "case_timers" ("status", "next_attempt_at");

CREATE TABLE "timer_events" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_timer_events" PRIMARY KEY,
    "timer_id" INTEGER NOT NULL,
    "case_id" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "attempts_before" INTEGER NOT NULL,
    "last_error" TEXT NULL,
    "actor_id" INTEGER NOT NULL,
    "actor_name" TEXT NOT NULL,
    "actor_role" TEXT NOT NULL,
    "occurred_at" TEXT NOT NULL,
    CONSTRAINT "fk_timer_events_case_timers_timer_id" FOREIGN KEY ("timer_id") REFERENCES "case_timers" ("id") ON DELETE RESTRICT
);

CREATE INDEX "ix_timer_events_timer_id" ON "timer_events" ("timer_id");

CREATE TRIGGER timer_events_no_update BEFORE UPDATE ON timer_events
BEGIN
    SELECT RAISE(ABORT, 'timer events are immutable');
END;

CREATE TRIGGER timer_events_no_delete BEFORE DELETE ON timer_events
BEGIN
    SELECT RAISE(ABORT, 'timer events are immutable');
END;
