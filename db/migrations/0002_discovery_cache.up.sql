-- Discovery results, shared by every API replica. scope is '' for the table
-- list of an integration and 'schema.table' for one table's columns.
CREATE TABLE discovery_cache (
    team_id        uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    integration_id uuid NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    scope          text NOT NULL,
    payload        jsonb NOT NULL,
    fetched_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, scope)
);

CREATE INDEX discovery_cache_team_idx ON discovery_cache (team_id);
