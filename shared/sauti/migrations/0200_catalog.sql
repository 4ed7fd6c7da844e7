-- Media catalog owns these tables. Media bytes live in Cloudflare (R2, Stream); rows here only name them.
CREATE TYPE content_status AS ENUM ('draft', 'published', 'taken_down');

CREATE TABLE artists (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name         text NOT NULL,
    bio          text,
    image_key    text,
    user_id      uuid REFERENCES users (id) ON DELETE SET NULL,  -- the account linked to this artist profile
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX artists_user_idx ON artists (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE albums (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    artist_id    uuid NOT NULL REFERENCES artists (id),
    title        text NOT NULL,
    release_date date,
    cover_key    text,
    status       content_status NOT NULL DEFAULT 'draft',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX albums_artist_idx ON albums (artist_id);

CREATE TABLE songs (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    artist_id    uuid NOT NULL REFERENCES artists (id),
    album_id     uuid REFERENCES albums (id),
    track_number integer,
    title        text NOT NULL,
    duration_ms  integer NOT NULL CHECK (duration_ms > 0),
    explicit     boolean NOT NULL DEFAULT false,
    isrc         text,
    status       content_status NOT NULL DEFAULT 'draft',
    published_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX songs_artist_idx ON songs (artist_id);
CREATE INDEX songs_album_idx ON songs (album_id, track_number);
CREATE INDEX songs_published_idx ON songs (published_at DESC, id DESC) WHERE status = 'published';

-- One row per audio rendition of a song; the object lives in R2 under object_key.
CREATE TABLE song_renditions (
    song_id      uuid NOT NULL REFERENCES songs (id) ON DELETE CASCADE,
    quality      text NOT NULL CHECK (quality IN ('low', 'normal', 'high')),
    codec        text NOT NULL,
    bitrate_kbps integer NOT NULL,
    object_key   text NOT NULL,
    size_bytes   bigint,
    PRIMARY KEY (song_id, quality)
);

CREATE TABLE videos (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    artist_id    uuid NOT NULL REFERENCES artists (id),
    song_id      uuid REFERENCES songs (id),
    title        text NOT NULL,
    stream_uid   text NOT NULL,              -- Cloudflare Stream video uid
    duration_ms  integer NOT NULL CHECK (duration_ms > 0),
    thumbnail_url text,
    status       content_status NOT NULL DEFAULT 'draft',
    published_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX videos_published_idx ON videos (published_at DESC, id DESC) WHERE status = 'published';

-- How often each song was counted, kept beside each counted play so an artist's top songs are one index scan.
CREATE TABLE song_play_counts (
    song_id      uuid PRIMARY KEY REFERENCES songs (id) ON DELETE CASCADE,
    plays        bigint NOT NULL DEFAULT 0
);

-- The ad inventory free users hear; each ad is an audio object in R2, signed like a song.
CREATE TABLE ads (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title        text NOT NULL,
    advertiser   text NOT NULL,
    object_key   text NOT NULL,
    duration_ms  integer NOT NULL CHECK (duration_ms > 0),
    click_url    text,
    weight       integer NOT NULL DEFAULT 1 CHECK (weight > 0),
    active       boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ads_active_idx ON ads (id) WHERE active;
