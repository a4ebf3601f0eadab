DROP TABLE IF EXISTS schema_embeddings;
DROP TABLE IF EXISTS schema_embedding_state;
DROP TABLE IF EXISTS semantic_models;
