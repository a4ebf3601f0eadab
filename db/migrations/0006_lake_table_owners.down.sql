DROP TABLE IF EXISTS lake_table_owners;
