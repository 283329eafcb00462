"""The taste profile: what a viewer's history says about them, and its store on disk."""
