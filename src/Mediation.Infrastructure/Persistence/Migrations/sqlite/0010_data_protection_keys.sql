-- The key ring that protects sign-in cookies and antiforgery tokens, shared by every node on this database and kept
-- across restarts (ASP.NET would otherwise keep it in each machine's own folder).

CREATE TABLE "data_protection_keys" (
    "id" INTEGER NOT NULL CONSTRAINT "pk_data_protection_keys" PRIMARY KEY,
    "friendly_name" TEXT NULL,
    "xml" TEXT NOT NULL
);
