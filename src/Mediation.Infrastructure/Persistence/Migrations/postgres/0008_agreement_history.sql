-- A reopened case can be settled again: each resolution keeps its own agreement, the earlier one marked superseded,
-- and visits planned for a closing that no longer stands are cancelled with the reason.

DROP INDEX ix_agreements_case_id;
CREATE INDEX ix_agreements_case_id ON agreements (case_id);
ALTER TABLE agreements ADD COLUMN superseded_at timestamp with time zone;

ALTER TABLE follow_up_visits ADD COLUMN cancelled_at timestamp with time zone;
ALTER TABLE follow_up_visits ADD COLUMN cancel_reason character varying(300);
