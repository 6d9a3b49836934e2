-- Each commit that indexes titles writes a small segment of the title index,
-- and FTS5 merged the segments inside the commit that found four on one level:
-- on the 1,000,000-ticket base about one commit in seventy took some 30 ms
-- longer, every writer behind it waiting. Commits no longer merge; the store
-- merges in short steps of their own, which take turns with the other writes
-- (titlemerge.go), once a level holds 16 segments. Merging 16 at a time rather
-- than 4 writes each entry again half as often. A commit that brings a level to
-- 32 segments still merges it (FTS5's crisis merge), should the steps fall
-- behind.
INSERT INTO ticket_titles (ticket_titles, rank) VALUES ('automerge', 0);
INSERT INTO ticket_titles (ticket_titles, rank) VALUES ('usermerge', 16);
INSERT INTO ticket_titles (ticket_titles, rank) VALUES ('crisismerge', 32);
