-- Search owns these tables (docs/search.md). They are an index: `sauti search reindex` rebuilds them from
-- the catalog's and the playlists' public functions; catalog.changed and playlist.changed keep them fresh.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;  -- not used by the index, which normalises in Python (docs/search.md)

-- One row per searchable thing: a published song, an album or artist with a published song, a playlist
-- visible to others. kind: 1 song, 2 artist, 3 album, 4 playlist. Terms are normalised (sauti.search.text).
CREATE TABLE search_docs (
    doc          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         smallint NOT NULL CHECK (kind BETWEEN 1 AND 4),
    ref          uuid NOT NULL,                    -- the song's, artist's, album's or playlist's id
    display      jsonb NOT NULL,                   -- the result item as the API answers it
    title_key    text COLLATE "C" NOT NULL,        -- the whole title, normalised: exact and whole-title prefix
    terms        text[] NOT NULL,                  -- every term of every field
    title_terms  text[] NOT NULL,
    artist_terms text[] NOT NULL,
    album_terms  text[] NOT NULL,
    artist_ref   uuid,
    album_ref    uuid,
    year         smallint,
    isrc         text,
    plays        bigint NOT NULL DEFAULT 0,         -- plays of the last 30 days (analytics' rollups)
    pop          smallint NOT NULL DEFAULT 0,       -- popularity bucket: floor(16 * ln(1 + plays))
    UNIQUE (kind, ref)
);
CREATE INDEX search_docs_title_key_idx ON search_docs (title_key, kind, pop DESC);
CREATE INDEX search_docs_artist_idx ON search_docs (artist_ref) WHERE artist_ref IS NOT NULL;
CREATE INDEX search_docs_album_idx ON search_docs (album_ref) WHERE album_ref IS NOT NULL;
CREATE INDEX search_docs_isrc_idx ON search_docs (isrc) WHERE isrc IS NOT NULL;
CREATE INDEX search_docs_year_idx ON search_docs (year, kind, plays DESC) WHERE year IS NOT NULL;

-- The inverted index: for a term, a kind and the field holding the term (0 title, 1 artist, 2 album; the best
-- one when several do), its documents most popular first, so a top-k is one short index range.
CREATE TABLE search_postings (
    term  text COLLATE "C" NOT NULL,
    kind  smallint NOT NULL,
    field smallint NOT NULL,
    pop   smallint NOT NULL,
    doc   bigint NOT NULL
);
CREATE UNIQUE INDEX search_postings_idx ON search_postings (term, kind, field, pop DESC, doc);

-- The vocabulary: each distinct term and how many documents hold it. Prefixes are completed from the
-- left(term, n) indexes, most frequent first; two-typo candidates are the nearest terms by trigrams.
CREATE TABLE search_terms (
    term  text COLLATE "C" PRIMARY KEY,
    docs  integer NOT NULL
);
CREATE INDEX search_terms_prefix1_idx ON search_terms (left(term, 1), docs DESC);
CREATE INDEX search_terms_prefix2_idx ON search_terms (left(term, 2), docs DESC);
CREATE INDEX search_terms_prefix3_idx ON search_terms (left(term, 3), docs DESC);
CREATE INDEX search_terms_trgm_idx ON search_terms USING gist (term gist_trgm_ops);  -- nearest by trigrams

-- Symmetric-delete neighbourhood of distance 1: every term, and every term one letter shorter, pointing at
-- the term. A query word and its own deletions looked up here give every term within one typo
-- (substitution, insertion, deletion, swap of neighbours), checked exactly afterwards.
CREATE TABLE search_term_deletes (
    variant text COLLATE "C" NOT NULL,
    term    text COLLATE "C" NOT NULL,
    PRIMARY KEY (variant, term)
);
