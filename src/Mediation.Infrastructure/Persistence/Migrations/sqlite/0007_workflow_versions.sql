-- The content hash of each published workflow (key, version) as first used; start-up refuses a file that
-- changed or disappeared while cases pin its version.

CREATE TABLE "workflow_versions" (
    "workflow_key" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "content_sha256" TEXT NOT NULL,
    "file" TEXT NOT NULL,
    "first_used_at" TEXT NOT NULL,
    CONSTRAINT "pk_workflow_versions" PRIMARY KEY ("workflow_key", "version")
);
