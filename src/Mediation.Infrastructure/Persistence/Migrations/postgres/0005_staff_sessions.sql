-- Sessions held on the server, so that sign-out, a password reset or a deactivation ends them at once;
-- accounts that can be deactivated; and facts about the installation (whether it holds the demo street).

ALTER TABLE staff_members ADD COLUMN active boolean NOT NULL DEFAULT TRUE;

CREATE TABLE staff_sessions (
    id character varying(64) NOT NULL,
    staff_id bigint NOT NULL,
    started_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_staff_sessions PRIMARY KEY (id),
    CONSTRAINT fk_staff_sessions_staff_members_staff_id FOREIGN KEY (staff_id) REFERENCES staff_members (id) ON DELETE CASCADE
);

CREATE INDEX ix_staff_sessions_staff_id ON staff_sessions (staff_id);

CREATE TABLE installation_facts (
    key character varying(40) NOT NULL,
    value character varying(200) NOT NULL,
    recorded_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_installation_facts PRIMARY KEY (key)
);
