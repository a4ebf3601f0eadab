DROP TABLE IF EXISTS discovery_cache;
