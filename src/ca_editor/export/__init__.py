"""Export: the pure function from a site snapshot to a self-contained HTML bundle. No Qt, no database."""
