-- Title search through an index, and attachment content kept outside the database.
--
-- ticket_titles is a trigram index of ticket titles (FTS5), kept in step with
-- tickets by triggers: "title contains …" (three characters or more) is answered
-- from it instead of reading every title, and its case folding knows accents.
CREATE VIRTUAL TABLE ticket_titles USING fts5 (title, content = 'tickets', content_rowid = 'id',
    tokenize = 'trigram');
INSERT INTO ticket_titles (ticket_titles) VALUES ('rebuild');
CREATE TRIGGER tickets_title_insert AFTER INSERT ON tickets
BEGIN
    INSERT INTO ticket_titles (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER tickets_title_update AFTER UPDATE OF title ON tickets
BEGIN
    INSERT INTO ticket_titles (ticket_titles, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO ticket_titles (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER tickets_title_delete AFTER DELETE ON tickets
BEGIN
    INSERT INTO ticket_titles (ticket_titles, rowid, title) VALUES ('delete', old.id, old.title);
END;

-- stored_in says where a blob's content is: in blob_chunks ('database') or in a
-- file named by its SHA-256 under the attachments directory ('files').
ALTER TABLE blobs ADD COLUMN stored_in TEXT NOT NULL DEFAULT 'database'
    CHECK (stored_in IN ('database', 'files'));
