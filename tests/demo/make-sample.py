#!/usr/bin/env python3
"""Writes tests/demo/sample.sql: a fictional makerspace CRM for `make demo`.

    python3 tests/demo/make-sample.py > tests/demo/sample.sql

Deterministic: a fixed seed and a small linear congruential generator of its
own, so the output is the same on every Python version. The data loads on top
of tests/fixture/schema.sql. Everyone is fictional; domains are the reserved
example.org, example.nl and example.com.
"""

import sys

SEED = 20261125
MEMBERS = 120


class Lcg:
    """Numerical Recipes LCG; upper bits only."""

    def __init__(self, seed):
        self.x = seed & 0xFFFFFFFF

    def next(self):
        self.x = (1664525 * self.x + 1013904223) & 0xFFFFFFFF
        return self.x >> 8

    def below(self, n):
        return self.next() % n

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def sample(self, seq, k):
        pool = list(seq)
        out = []
        for _ in range(k):
            out.append(pool.pop(self.below(len(pool))))
        return sorted(out)


FIRST = [
    "Anne", "Bas", "Daan", "Emma", "Femke", "Gijs", "Hanna", "Iris", "Jasper",
    "Jeroen", "Julia", "Koen", "Lars", "Lieke", "Lotte", "Maarten", "Marloes",
    "Milan", "Nina", "Noah", "Pieter", "Roos", "Ruben", "Sanne", "Sem", "Sofie",
    "Stijn", "Thijs", "Tim", "Vera", "Wouter", "Yara", "Zoë", "Arjen", "Bram",
    "Eline", "Floor", "Hidde", "Ilse", "Joost", "Kim", "Mees", "Noor", "Olaf",
    "Quinten", "Rik", "Tessa", "Ward", "José", "Mehmet", "Aylin", "Priya",
    "Chen", "Sakura", "Oleksandr", "Agnieszka", "Siobhán", "François", "Björn",
    "Amara", "Kwame", "Lucía", "Mateus", "Fatima", "Youssef",
]

LAST = [
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker",
    "Janssen", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot",
    "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
    "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden",
    "Kok", "Jacobs", "de Haan", "Vermeulen", "van den Heuvel", "van der Veen",
    "van den Broek", "de Bruijn", "de Bruin", "van der Heijden", "Schouten",
    "van Beek", "Willems", "van Vliet", "Hoekstra", "Koster", "Prins",
    "Huisman", "Kuipers", "van 't Hof", "Yılmaz", "Çelik", "Kowalska",
    "Müller", "García", "Silva", "Nakamura", "Wang", "Nguyen", "Okafor",
    "Kovalenko", "O'Connor", "Lindqvist", "Dubois", "El Amrani", "Sharma",
]

DOMAINS = ["example.org", "example.nl", "example.com"]

FOLD = str.maketrans({
    "ë": "e", "é": "e", "è": "e", "ç": "c", "Ç": "c", "ü": "u", "ö": "o",
    "í": "i", "á": "a", "ı": "i", "ø": "o", "å": "a", "'": "",
})


def local_part(first, last):
    parts = (first + " " + last).lower().translate(FOLD).split()
    return ".".join(parts)


def q(s):
    """An SQL string literal: quotes doubled, no backslash escapes."""
    return "'" + s.replace("'", "''") + "'"


def main():
    rng = Lcg(SEED)
    members = []
    seen = set()
    for i in range(1, MEMBERS + 1):
        while True:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            if (first, last) not in seen:
                break
        seen.add((first, last))
        email = local_part(first, last) + "@" + rng.choice(DOMAINS)
        if i % 17 == 0:
            # some members use plus-addressing for their lists
            user, dom = email.split("@")
            email = user + "+makerspace@" + dom
        members.append({
            "id": i, "first": first, "last": last, "email": email,
            "superuser": 1 if i == 1 else 0,
            "staff": 1 if i in (1, 2, 3, 4) else 0,
            "active": 0 if i in (57, 98) else 1,
            "joined": "%04d-%02d-%02d %02d:%02d:00.000000" % (
                2017 + rng.below(9), 1 + rng.below(12), 1 + rng.below(28),
                9 + rng.below(12), rng.below(60)),
            "phone": "+3161234%04d" % (5000 + i),
            "onsite": 1 if rng.below(10) == 0 else 0,
        })

    ids = [m["id"] for m in members]
    lists = [
        # id, name, description, mandatory, visible_months, hidden
        (1, "deelnemers", "Everyone: discussion, questions and help", 1, 0, 0),
        (2, "spacelog", "Automated log: who opened and closed the space", 0, 3, 0),
        (3, "hetbestuur", "The board", 0, 12, 1),
        (4, "lasersnijder", "Laser cutter users and maintenance", 0, 0, 0),
        (5, "workshops", "Workshop announcements", 0, 0, 0),
        (6, "ledenvergadering", "Members meeting: agenda and minutes", 0, 0, 0),
    ]
    others = [i for i in ids if i > 4]
    subs = {
        1: ids,
        2: rng.sample(ids, 40),
        3: [1, 2, 3, 4] + rng.sample(others, 1),
        4: rng.sample(ids, 25),
        5: rng.sample(ids, 30),
        6: rng.sample(ids, 18),
    }
    digest = set()
    for lid, n in ((1, 6), (5, 3), (6, 1)):
        for mid in rng.sample(subs[lid], n):
            digest.add((lid, mid))
    inactive = set()
    for lid, n in ((2, 2), (4, 2), (5, 2)):
        for mid in rng.sample(subs[lid], n):
            inactive.add((lid, mid))

    w = sys.stdout.write
    w("-- tests/demo/sample.sql: a fictional makerspace CRM for `make demo`.\n")
    w("-- Written by tests/demo/make-sample.py (seed %d); do not edit by hand.\n" % SEED)
    w("-- Loads on top of tests/fixture/schema.sql (database mslcrm).\n")
    w("--\n")
    w("-- %d members: 1 superuser (id 1, also staff), staff ids 2-4, two\n" % MEMBERS)
    w("-- deactivated accounts (ids 57 and 98) that keep their deelnemers\n")
    w("-- subscription, as the CRM does. Lists: deelnemers (everyone), spacelog (40),\n")
    w("-- hetbestuur (5, hidden), lasersnijder (25), workshops (30),\n")
    w("-- ledenvergadering (18). %d digest subscriptions, %d inactive ones.\n"
      % (len(digest), len(inactive)))
    w("-- Everyone here is made up; private columns hold obvious fakes.\n\n")
    w("SET NAMES utf8mb4;\n\n")
    w("INSERT INTO `acl_location` (`id`, `name`, `description`, `location_parent_id`) VALUES\n")
    w("  (1, 'Space', 'The whole space', NULL),\n")
    w("  (2, 'Houtwerkplaats', 'Wood workshop', 1),\n")
    w("  (3, 'Lasersnijkamer', 'Laser cutter room', 1);\n\n")

    w("INSERT INTO `members_user`\n"
      "  (`id`, `password`, `last_login`, `is_superuser`, `first_name`, `last_name`,\n"
      "   `is_staff`, `is_active`, `date_joined`, `email`, `form_on_file`, `email_confirmed`,\n"
      "   `phone_number`, `image`, `telegram_user_id`, `uses_signal`, `always_uses_email`,\n"
      "   `is_onsite`, `onsite_updated_at`, `location_id`)\nVALUES\n")
    rows = []
    for m in members:
        rows.append(
            "  (%d, %s, NULL, %d, %s, %s, %d, %d, %s, %s, 1, 1, %s, '', NULL, 0, 0, %d, %s, %s)"
            % (m["id"], q("pbkdf2_sha256$PRIVATE-HASH-DEMO-%03d" % m["id"]),
               m["superuser"], q(m["first"]), q(m["last"]), m["staff"], m["active"],
               q(m["joined"]), q(m["email"]), q(m["phone"]), m["onsite"],
               "'2026-11-25 19:00:00.000000'" if m["onsite"] else "NULL",
               "1" if m["onsite"] else "NULL"))
    w(",\n".join(rows) + ";\n\n")

    w("INSERT INTO `mailinglists_mailinglist`\n"
      "  (`id`, `name`, `description`, `mandatory`, `visible_months`, `hidden`) VALUES\n")
    w(",\n".join("  (%d, %s, %s, %d, %d, %d)" % (l[0], q(l[1]), q(l[2]), l[3], l[4], l[5])
                 for l in lists) + ";\n\n")

    w("INSERT INTO `mailinglists_subscription`"
      " (`id`, `active`, `digest`, `mailinglist_id`, `member_id`) VALUES\n")
    rows = []
    sid = 0
    for lid in sorted(subs):
        for mid in subs[lid]:
            sid += 1
            rows.append("  (%d, %d, %d, %d, %d)" % (
                sid, 0 if (lid, mid) in inactive else 1,
                1 if (lid, mid) in digest else 0, lid, mid))
    w(",\n".join(rows) + ";\n")


if __name__ == "__main__":
    main()
