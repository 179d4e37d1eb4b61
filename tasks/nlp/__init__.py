"""NLP step: spaCy pipeline assembly, batch tagging and the tag task."""
