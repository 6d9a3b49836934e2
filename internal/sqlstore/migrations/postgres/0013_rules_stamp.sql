-- A change plans a ticket's timers from the rules the transaction sees: the
-- contract of its space, the calendar, the roles of the people in its log.
-- rules_stamp changes with every write to what those reads read, so that a
-- transaction reads one row to know whether the rules it kept from an earlier
-- one still hold. The stamp is a random number, not a counter: a change rolled
-- back must not leave a stamp a later change takes again. SQLite's migration
-- 0015 does the same.
CREATE TABLE rules_stamp (
    id integer PRIMARY KEY CHECK (id = 1),
    n  bigint  NOT NULL
);
CREATE FUNCTION rules_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rules_stamp SET n = (random() * 9.2e18)::bigint;
    RETURN NULL;
END $$;
INSERT INTO rules_stamp (id, n) VALUES (1, (random() * 9.2e18)::bigint);
CREATE TRIGGER contracts_stamp AFTER INSERT OR UPDATE OR DELETE ON contracts
    FOR EACH STATEMENT EXECUTE FUNCTION rules_stamp_change();
CREATE TRIGGER calendars_stamp AFTER INSERT OR UPDATE OR DELETE ON calendars
    FOR EACH STATEMENT EXECUTE FUNCTION rules_stamp_change();
-- Not on the ticket counter, which every new ticket updates.
CREATE TRIGGER spaces_stamp AFTER INSERT OR UPDATE OF contract_id OR DELETE ON spaces
    FOR EACH STATEMENT EXECUTE FUNCTION rules_stamp_change();
CREATE TRIGGER user_roles_stamp AFTER INSERT OR UPDATE OR DELETE ON user_roles
    FOR EACH STATEMENT EXECUTE FUNCTION rules_stamp_change();
CREATE TRIGGER users_stamp AFTER INSERT OR UPDATE OF org_id OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION rules_stamp_change();
CREATE TRIGGER organisations_stamp AFTER UPDATE OF kind OR DELETE ON organisations
    FOR EACH STATEMENT EXECUTE FUNCTION rules_stamp_change();
