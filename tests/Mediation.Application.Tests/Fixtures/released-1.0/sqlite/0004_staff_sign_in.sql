-- Sign-in for staff: a salted password hash (ASP.NET Core Identity's hasher) and lockout after repeated failures.
-- Existing staff keep their rows; they get a password when an administrator sets one.

ALTER TABLE staff_members ADD COLUMN password_hash TEXT NULL;
ALTER TABLE staff_members ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff_members ADD COLUMN locked_until TEXT NULL;
