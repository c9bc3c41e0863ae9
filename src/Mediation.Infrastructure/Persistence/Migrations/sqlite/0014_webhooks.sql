-- Outbound events: administrators' subscriptions (the signing secret protected by the shared key ring, never in clear)
-- and the outbox of deliveries, written in the transaction of the case change and sent, retried, then dead-lettered.

CREATE TABLE "webhook_subscriptions" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_webhook_subscriptions" PRIMARY KEY AUTOINCREMENT,
    "street_id" INTEGER NOT NULL,
    "url" TEXT NOT NULL,
    "events" TEXT NOT NULL,
    "secret_protected" TEXT NOT NULL,
    "active" INTEGER NOT NULL,
    "created_at" TEXT NOT NULL,
    "updated_at" TEXT NOT NULL,
    "version" INTEGER NOT NULL
);

CREATE INDEX "ix_webhook_subscriptions_street_id" ON "webhook_subscriptions" ("street_id");

CREATE TABLE "webhook_deliveries" (
    "id" TEXT NOT NULL CONSTRAINT "pk_webhook_deliveries" PRIMARY KEY,
    "subscription_id" INTEGER NOT NULL,
    "street_id" INTEGER NOT NULL,
    "event_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL,
    "next_attempt_at" TEXT NOT NULL,
    "last_status_code" INTEGER NULL,
    "last_error" TEXT NULL,
    "created_at" TEXT NOT NULL,
    "delivered_at" TEXT NULL,
    "updated_at" TEXT NOT NULL
);

CREATE INDEX "ix_webhook_deliveries_status_next_attempt_at" ON "webhook_deliveries" ("status", "next_attempt_at");
CREATE INDEX "ix_webhook_deliveries_street_id_created_at" ON "webhook_deliveries" ("street_id", "created_at");
