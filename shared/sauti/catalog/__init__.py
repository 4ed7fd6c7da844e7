"""Media catalog: artists, albums, songs and their renditions, videos, the ad inventory (cached reads)."""
