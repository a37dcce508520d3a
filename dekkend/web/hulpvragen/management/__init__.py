"""Management commands of the hulpvragen app."""
