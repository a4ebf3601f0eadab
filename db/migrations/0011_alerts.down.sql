DROP TABLE IF EXISTS alert_deliveries;
DROP TABLE IF EXISTS alert_events;
DROP TABLE IF EXISTS alert_rules;
DROP TABLE IF EXISTS alert_channels;
