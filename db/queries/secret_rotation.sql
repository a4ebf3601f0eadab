-- name: TeamIDList :many
-- Lists team ids in id order, one page after the given id (the zero uuid starts);
-- work that visits every team walks it so that each of its queries stays scoped to one.
SELECT id FROM teams
WHERE id > @after::uuid
ORDER BY id
LIMIT @page_size;

-- name: IntegrationSealedLock :many
-- Locks and returns a batch of the team's integrations that hold sealed secrets, in
-- id order after the given id, deleted ones included. Secret rotation re-encrypts
-- them inside the same transaction.
SELECT id, sealed_secrets FROM integrations
WHERE team_id = @team_id AND id > @after::uuid AND sealed_secrets IS NOT NULL
ORDER BY id
LIMIT @batch_size
FOR UPDATE;

-- name: IntegrationSealedReplace :execrows
-- Replaces an integration's ciphertext only if it is still the one that was read,
-- so a concurrent update is never overwritten. updated_at stays: the secrets did
-- not change, only the key that seals them.
UPDATE integrations
SET sealed_secrets = @new_sealed
WHERE team_id = @team_id AND id = @id AND sealed_secrets = @old_sealed;

-- name: AlertChannelSealedLock :many
-- Locks and returns every alert channel of the team, for secret rotation
-- to re-encrypt in the same transaction (a team has a few).
SELECT id, sealed_config FROM alert_channels
WHERE team_id = @team_id
ORDER BY id
FOR UPDATE;

-- name: AlertChannelSealedReplace :execrows
-- Replaces a channel's ciphertext only if it is still the one that was read.
UPDATE alert_channels
SET sealed_config = @new_sealed
WHERE team_id = @team_id AND id = @id AND sealed_config = @old_sealed;
