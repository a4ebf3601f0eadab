-- Tokens can expire and be listed and revoked (issue 12 item 7).
-- expires_at NULL means the token never expires (tokens made by `sluice token
-- create` without --expires-in). prefix keeps the token's first characters so
-- a listing can show which token is which without ever storing the token; rows
-- made before this migration show an empty prefix.
ALTER TABLE api_tokens
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN prefix     text NOT NULL DEFAULT '' CHECK (length(prefix) <= 16);
