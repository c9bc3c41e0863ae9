-- The content hash of each published workflow (key, version) as first used; start-up refuses a file that
-- changed or disappeared while cases pin its version.

CREATE TABLE workflow_versions (
    workflow_key character varying(80) NOT NULL,
    version integer NOT NULL,
    content_sha256 character varying(64) NOT NULL,
    file character varying(260) NOT NULL,
    first_used_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_workflow_versions PRIMARY KEY (workflow_key, version)
);
