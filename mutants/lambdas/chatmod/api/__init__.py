"""The HTTP contract: typed requests and answers, bodies, cursors, errors as statuses."""
