-- The vocabulary's trigram index serves nearest-term (`<->`) lookups only. Over `term` itself, pg_trgm
-- (1.6 and later) lets GiST answer `term = x` too, at a cost the planner ties with the primary key's, and
-- the plain equality lookup of every query word was planned on it (36% of all search time at a million
-- songs: docs/search.md). Over lower(term), which is the term itself (terms are lower case, and lower()
-- under COLLATE "C" changes only ASCII letters), it cannot match an equality on `term`.
DROP INDEX search_terms_trgm_idx;
CREATE INDEX search_terms_nearest_idx ON search_terms USING gist (lower(term) gist_trgm_ops);
