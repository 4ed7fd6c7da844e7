"""Playlists: private and public, versioned edits, collaborators, followers, views and the ranking."""
