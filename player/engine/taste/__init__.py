"""The taste profile: what a viewer's history says about them, its store on disk, and the cache the player
reads it from."""
