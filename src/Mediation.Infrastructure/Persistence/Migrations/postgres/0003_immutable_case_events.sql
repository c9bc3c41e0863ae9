-- The case history is append-only: accountability trace-back (责任倒查) needs a trace nobody can rewrite.

CREATE FUNCTION case_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case events are immutable';
END;
$$;

CREATE TRIGGER case_events_no_update BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION case_events_immutable();
