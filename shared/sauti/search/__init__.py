"""Search: the module's own index of published songs, albums, artists and visible public playlists."""
