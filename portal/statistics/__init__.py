"""Public statistics: an aggregate table refreshed by the sweep, read by the public page."""
