"""chatmod's infrastructure: one construct per concern, composed by ChatmodStack."""
