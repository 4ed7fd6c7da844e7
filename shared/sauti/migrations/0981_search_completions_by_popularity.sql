-- A prefix is completed toward what people play: each term keeps the highest popularity bucket of the
-- documents holding it (an upper bound between popularity refreshes, which recompute it), and the
-- prefix indexes order completions by it, then by how many documents hold them.
ALTER TABLE search_terms ADD COLUMN pop smallint NOT NULL DEFAULT 0;
UPDATE search_terms t SET pop = m.pop
FROM (SELECT term, max(pop) AS pop FROM search_postings GROUP BY term) m
WHERE t.term = m.term;
DROP INDEX search_terms_prefix1_idx, search_terms_prefix2_idx, search_terms_prefix3_idx;
CREATE INDEX search_terms_prefix1_idx ON search_terms (left(term, 1), pop DESC, docs DESC);
CREATE INDEX search_terms_prefix2_idx ON search_terms (left(term, 2), pop DESC, docs DESC);
CREATE INDEX search_terms_prefix3_idx ON search_terms (left(term, 3), pop DESC, docs DESC);
