"""Films and the catalog: the film model, loading and title matching, and the tag lexicon."""
