ALTER TABLE api_tokens
    DROP COLUMN IF EXISTS prefix,
    DROP COLUMN IF EXISTS expires_at;
