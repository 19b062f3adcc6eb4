-- tests/bench/data.sql: a synthetic CRM at scale, for make bench.
--
-- tests/bench/world.sh replaces @LISTS@, @MEMBERS@, @SUBS@ and @WIDTH@
-- (the digits of a list's number, at least 4) and loads it into a
-- database made from tests/fixture/schema.sql (emptied first).
-- Every row comes from INSERT ... SELECT over the SEQUENCE engine's
-- seq_1_to_N tables: one statement per table, no row-by-row inserts.
-- The data is deterministic (CRC32 of the row number, never RAND()).
--
-- Shape:
--  * @LISTS@ lists l0001, l0002, ... (l00001, ... from 10,000 lists).
--    99.75 % of the subscription rows fall on the first 95 % of the
--    lists with a skew (list k gets about 1/sqrt(k) of them: a few big
--    lists, a long tail); the last 5 % are small lists sharing the other
--    0.25 %.
--  * @MEMBERS@ members; about 3 % deactivated; some names with accents,
--    some empty names, some addresses with capitals (listfeed lower-cases
--    the domain and de-duplicates case-insensitively).
--  * @SUBS@ subscription rows, each member about SUBS/MEMBERS of them;
--    about 90 % active, 15 % digest; a member can hit the same list twice
--    (the CRM has no unique key there), which listfeed merges.

SET NAMES utf8mb4;
SET SESSION foreign_key_checks = 0, unique_checks = 0;
SET SESSION sql_log_bin = 0;
SET FOREIGN_KEY_CHECKS = 0;
DELETE FROM mailinglists_subscription;
DELETE FROM members_user;
DELETE FROM mailinglists_mailinglist;
DELETE FROM acl_location;

INSERT INTO mailinglists_mailinglist
    (id, name, description, mandatory, visible_months, hidden)
SELECT seq, CONCAT('l', LPAD(seq, @WIDTH@, '0')), CONCAT('Synthetic list ', seq),
    seq = 1, 0, 0
FROM seq_1_to_@LISTS@;

INSERT INTO members_user
    (id, password, last_login, is_superuser, first_name, last_name, is_staff,
     is_active, date_joined, email, form_on_file, email_confirmed,
     phone_number, image, telegram_user_id, uses_signal, always_uses_email,
     is_onsite, onsite_updated_at, location_id)
SELECT seq, 'pbkdf2_sha256$600000$bench$x', NULL, seq <= 3,
    IF(seq % 41 = 0, '', ELT(1 + seq % 12, 'Anna', 'Bram', 'Chloë', 'Daan',
        'Émilie', 'Finn', 'Göran', 'Hanna', 'Iñigo', 'Jan', 'Katarzyna',
        'Łukasz')),
    IF(seq % 41 = 0, '', ELT(1 + (seq DIV 12) % 10, 'de Vries', 'Jansen',
        'Müller', 'O''Brien', 'Smit', 'van den Berg', 'Nguyễn', 'Bakker',
        'Søndergaard', 'Visser')),
    seq <= 20, seq % 33 <> 0, '2020-01-01 00:00:00',
    IF(seq % 50 = 0,
        CONCAT('Member.', seq, '@Example.ORG'),
        CONCAT('m', seq, '@', ELT(1 + seq % 5, 'example.org', 'example.net',
            'mail.example.com', 'post.example.nl', 'example.be'))),
    0, 1, NULL, '', NULL, 0, 0, 0, NULL, NULL
FROM seq_1_to_@MEMBERS@;

-- Four independent 32-bit hashes of the row number.
INSERT INTO mailinglists_subscription
    (id, active, digest, mailinglist_id, member_id)
SELECT seq,
    CRC32(CONCAT('a', seq)) % 100 < 90,
    CRC32(CONCAT('d', seq)) % 100 < 15,
    IF(CRC32(CONCAT('t', seq)) % 10000 < 25,
        @LISTS@ - FLOOR(@LISTS@ * 0.05)
            + 1 + CRC32(CONCAT('s', seq)) % GREATEST(1, FLOOR(@LISTS@ * 0.05)),
        1 + FLOOR((@LISTS@ - FLOOR(@LISTS@ * 0.05))
            * POW(CRC32(CONCAT('l', seq)) / 4294967296, 2))),
    1 + (seq - 1) % @MEMBERS@
FROM seq_1_to_@SUBS@;

SET FOREIGN_KEY_CHECKS = 1;
ANALYZE TABLE mailinglists_mailinglist, members_user, mailinglists_subscription;
