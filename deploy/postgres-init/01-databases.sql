-- Runs once, when the postgres container initialises an empty data volume
-- (files in /docker-entrypoint-initdb.d are ignored on later starts).
-- sluice keeps its own schema in "sluice" (applied by `sluice migrate up`);
-- Temporal's auto-setup creates its schemas in the other two
-- (SKIP_DB_CREATE=true in docker-compose.yml, because they exist already).
CREATE DATABASE sluice;
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
