-- Per-unit tallies by level, state and outcome, backfilled from the stored cases.

CREATE TABLE case_tallies (
    unit_id bigint NOT NULL,
    level character varying(40) NOT NULL,
    state character varying(40) NOT NULL,
    outcome character varying(40) NOT NULL,
    count bigint NOT NULL,
    CONSTRAINT pk_case_tallies PRIMARY KEY (unit_id, level, state, outcome)
);

INSERT INTO case_tallies (unit_id, level, state, outcome, count)
SELECT unit_id, level, state, COALESCE(outcome, ''), COUNT(*) FROM cases GROUP BY unit_id, level, state, COALESCE(outcome, '');
