-- Title search through an index, and attachment content kept outside the database.
--
-- A trigram index on the lower-cased title answers "title contains …" (three
-- characters or more) without reading every title. The extension lives in public
-- so that every schema of the database shares it.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX tickets_title_trgm ON tickets USING gin (lower(title) public.gin_trgm_ops);
-- Statistics of the indexed expression: without them the planner guesses how
-- many titles match, and may read every ticket in the queue's order for a word
-- that no title holds.
ANALYZE tickets;

-- stored_in says where a blob's content is: in blob_chunks ('database') or in a
-- file named by its SHA-256 under the attachments directory ('files').
ALTER TABLE blobs ADD COLUMN stored_in TEXT NOT NULL DEFAULT 'database'
    CHECK (stored_in IN ('database', 'files'));
