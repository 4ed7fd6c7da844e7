-- An artist's top songs now come from analytics' daily rollups (sauti.analytics.dashboard.top_songs),
-- so the play path no longer bumps a per-song counter row on every counted play.
DROP TABLE IF EXISTS song_play_counts;
