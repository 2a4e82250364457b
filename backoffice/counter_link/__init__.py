"""The link between a desk and the counter device facing its citizen (see backoffice/DESK.md)."""
