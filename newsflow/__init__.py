"""newsflow: RSS/Atom feeds into a queryable news-intelligence database."""

__version__ = "0.1.0"
