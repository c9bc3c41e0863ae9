-- Per-unit tallies by level, state and outcome, kept by every change from now on and backfilled from the
-- cases already stored, so counts over a million cases read a few hundred rows.

CREATE TABLE "case_tallies" (
    "unit_id" INTEGER NOT NULL,
    "level" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    CONSTRAINT "pk_case_tallies" PRIMARY KEY ("unit_id", "level", "state", "outcome")
);

INSERT INTO case_tallies (unit_id, level, state, outcome, count)
SELECT unit_id, level, state, COALESCE(outcome, ''), COUNT(*) FROM cases GROUP BY unit_id, level, state, COALESCE(outcome, '');
