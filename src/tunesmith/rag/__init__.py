"""Retrieval: an index of document chunks (lexical BM25 + dense embeddings) built, queried, evaluated and served."""
