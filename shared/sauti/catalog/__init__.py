"""Media catalog: artists, albums, songs and their renditions, videos, the ad inventory (reads cached in Redis)."""
