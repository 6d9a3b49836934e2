-- A change plans a ticket's timers from the rules the transaction sees: the
-- contract of its space, the calendar, the roles of the people in its log.
-- Reading them took 7 to 10 % of the server's processor time, inside the
-- transactions, while opening tickets or commenting. rules_stamp changes with
-- every write to what those reads read, so that a transaction reads one row
-- to know whether the rules it kept from an earlier one still hold. The stamp is a random number, not a counter: a
-- change rolled back must not leave a stamp a later change takes again.
CREATE TABLE rules_stamp (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO rules_stamp (id, n) VALUES (1, random());
CREATE TRIGGER contracts_stamp_insert AFTER INSERT ON contracts BEGIN UPDATE rules_stamp SET n = random(); END;
CREATE TRIGGER contracts_stamp_update AFTER UPDATE ON contracts BEGIN UPDATE rules_stamp SET n = random(); END;
CREATE TRIGGER contracts_stamp_delete AFTER DELETE ON contracts BEGIN UPDATE rules_stamp SET n = random(); END;
CREATE TRIGGER calendars_stamp_insert AFTER INSERT ON calendars BEGIN UPDATE rules_stamp SET n = random(); END;
CREATE TRIGGER calendars_stamp_update AFTER UPDATE ON calendars BEGIN UPDATE rules_stamp SET n = random(); END;
CREATE TRIGGER calendars_stamp_delete AFTER DELETE ON calendars BEGIN UPDATE rules_stamp SET n = random(); END;
-- Not on the ticket counter, which every new ticket updates.
CREATE TRIGGER spaces_stamp_insert AFTER INSERT ON spaces BEGIN UPDATE rules_stamp SET n = random(); END;
CREATE TRIGGER spaces_stamp_update AFTER UPDATE OF contract_id ON spaces BEGIN UPDATE rules_stamp SET n = random(); END;
CREATE TRIGGER spaces_stamp_delete AFTER DELETE ON spaces BEGIN UPDATE rules_stamp SET n = random(); END;
CREATE TRIGGER user_roles_stamp_insert AFTER INSERT ON user_roles BEGIN UPDATE rules_stamp SET n = random(); END;
CREATE TRIGGER user_roles_stamp_update AFTER UPDATE ON user_roles BEGIN UPDATE rules_stamp SET n = random(); END;
CREATE TRIGGER user_roles_stamp_delete AFTER DELETE ON user_roles BEGIN UPDATE rules_stamp SET n = random(); END;
CREATE TRIGGER users_stamp_insert AFTER INSERT ON users BEGIN UPDATE rules_stamp SET n = random(); END;
CREATE TRIGGER users_stamp_update AFTER UPDATE OF org_id ON users BEGIN UPDATE rules_stamp SET n = random(); END;
CREATE TRIGGER users_stamp_delete AFTER DELETE ON users BEGIN UPDATE rules_stamp SET n = random(); END;
CREATE TRIGGER organisations_stamp_update AFTER UPDATE OF kind ON organisations BEGIN UPDATE rules_stamp SET n = random(); END;
CREATE TRIGGER organisations_stamp_delete AFTER DELETE ON organisations BEGIN UPDATE rules_stamp SET n = random(); END;
