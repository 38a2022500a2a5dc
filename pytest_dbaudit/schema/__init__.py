"""The Schema model, its sources (live reflection, static readers) and the checks written once against it."""
