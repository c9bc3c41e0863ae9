-- The case history is append-only: accountability trace-back (责任倒查) needs a trace nobody can rewrite,
-- not even a mistaken UPDATE typed into a database console.

CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case events are immutable');
END;

CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case events are immutable');
END;
