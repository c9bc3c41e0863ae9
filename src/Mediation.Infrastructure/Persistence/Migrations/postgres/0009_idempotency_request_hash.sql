-- An idempotency key remembers a hash of the request it answered, so the same key sent with a different request is
-- refused instead of answered with the first result. Rows from before have none and are matched by request type.

ALTER TABLE idempotency_records ADD COLUMN request_hash character varying(64) NULL;
