-- Alerts: a team's channels (where notifications go), rules (which events
-- go where), events (each thing that happened, once) and deliveries (one
-- per event and channel, with its attempts).

CREATE TABLE alert_channels (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id       uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name          text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('webhook', 'slack')),
    -- url_display is the URL's scheme and host only: the path of a Slack
    -- webhook is its credential, so the URL itself is sealed with the secret.
    url_display   text NOT NULL,
    sealed_config bytea NOT NULL,
    enabled       boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, name)
);

CREATE TABLE alert_rules (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    team_id        uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    name           text NOT NULL,
    event          text NOT NULL,
    channel_id     uuid NOT NULL REFERENCES alert_channels (id) ON DELETE CASCADE,
    -- Filters: NULL matches every value.
    integration_id uuid,
    app            text,
    task_id        text,
    asset          text,
    metric         text,
    -- stale_hours is the bound of a sync.stale rule.
    stale_hours    integer CHECK (stale_hours IS NULL OR stale_hours > 0),
    enabled        boolean NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, name)
);
CREATE INDEX alert_rules_team_event_idx ON alert_rules (team_id, event) WHERE enabled;

CREATE TABLE alert_events (
    id             bigserial PRIMARY KEY,
    team_id        uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    event          text NOT NULL,
    -- dedup_key names the occurrence (a run's failure, a metric value's
    -- anomaly), so an activity that records it twice emits it once.
    dedup_key      text NOT NULL,
    summary        text NOT NULL,
    subject        jsonb NOT NULL DEFAULT '{}'::jsonb,
    links          jsonb NOT NULL DEFAULT '{}'::jsonb,
    integration_id uuid,
    app            text,
    task_id        text,
    asset          text,
    metric         text,
    occurred_at    timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team_id, dedup_key)
);

CREATE TABLE alert_deliveries (
    id               bigserial PRIMARY KEY,
    team_id          uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    event_id         bigint NOT NULL REFERENCES alert_events (id) ON DELETE CASCADE,
    channel_id       uuid NOT NULL REFERENCES alert_channels (id) ON DELETE CASCADE,
    rule_id          uuid REFERENCES alert_rules (id) ON DELETE SET NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    -- lease_until is set while a dispatcher sends it; a lease that ran out
    -- with the delivery still pending means that sender died mid-send.
    lease_until      timestamptz,
    -- resent_unknown counts sends whose result was never recorded (the
    -- sender died): the receiver may have the notification twice.
    resent_unknown   integer NOT NULL DEFAULT 0,
    last_status_code integer,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    UNIQUE (event_id, channel_id)
);
CREATE INDEX alert_deliveries_due_idx ON alert_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX alert_deliveries_channel_idx ON alert_deliveries (channel_id, id DESC);
