"""Retention in practice: due lists (the draft of a destruction request), legal holds and approved disposal."""
