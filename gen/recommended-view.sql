-- listfeed_subscribers: the view listfeed-gen should read (listfeed.conf(5)):
--
--   [database]
--   query = SELECT `list`, `user_subscriber`, `comment_subscriber`,
--           `first_name`, `digest`, `owner`, `moderator`
--           FROM `listfeed_subscribers`
--
-- Differences from the CRM's `mailinglists_api`:
--  * Deactivated accounts are dropped (members_user.is_active = 1): the
--    old view kept mailing people whose account had been closed.
--  * No DISTINCT.  Duplicate subscription rows (the CRM has no unique key
--    on list and member) reach listfeed, which sorts and de-duplicates per
--    list itself.  A plain join reads about three times faster at a
--    million rows and lets MariaDB merge the view into the query, so a
--    per-list read (WHERE `list` = ...) uses the index.
--  * The rows come list by list, as listfeed-gen requires (it publishes
--    each list as soon as its rows are read): the join starts from the
--    lists in the order of their unique `name` index (STRAIGHT_JOIN,
--    ORDER BY the name), so MariaDB streams them in that order without
--    sorting anything; a query on the view without ORDER BY of its own
--    keeps it.  The CRM's view orders by address: its rows of a list are
--    scattered, and listfeed-gen refuses them.
--  * `first_name` as a column of its own, for lists configured with
--    names = first.
--  * It exposes these seven columns and nothing else: no password hash,
--    phone number, photo, Telegram id, presence or login times.
--
-- SQL SECURITY DEFINER: the read-only account needs SELECT on this view
-- only (gen/grant.sql); the definer, the account that runs this file, needs
-- SELECT on the three base tables.  Valid under every sql_mode (single
-- quotes for strings, OR rather than ||, identifiers in backticks).
--
-- Load: mariadb --default-character-set=utf8mb4 mslcrm < recommended-view.sql

CREATE OR REPLACE
  ALGORITHM = MERGE
  SQL SECURITY DEFINER
  VIEW `listfeed_subscribers` AS
SELECT
  `mailinglists_mailinglist`.`name`                               AS `list`,
  `members_user`.`email`                                          AS `user_subscriber`,
  TRIM(CONCAT(`members_user`.`first_name`, ' ', `members_user`.`last_name`))
                                                                  AS `comment_subscriber`,
  `members_user`.`first_name`                                     AS `first_name`,
  CASE WHEN `mailinglists_subscription`.`digest` THEN 'digestplain'
       ELSE 'mail' END                                            AS `digest`,
  (`members_user`.`is_superuser` <> 0)                            AS `owner`,
  (`members_user`.`is_superuser` <> 0 OR `members_user`.`is_staff` <> 0)
                                                                  AS `moderator`
FROM `mailinglists_mailinglist`
  STRAIGHT_JOIN `mailinglists_subscription`
    ON `mailinglists_subscription`.`mailinglist_id` = `mailinglists_mailinglist`.`id`
  STRAIGHT_JOIN `members_user`
    ON `members_user`.`id` = `mailinglists_subscription`.`member_id`
WHERE `mailinglists_subscription`.`active` = 1
  AND `members_user`.`is_active` = 1
ORDER BY `mailinglists_mailinglist`.`name`;
