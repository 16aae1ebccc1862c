"""Grading a student's derivation step by step (``mlederive grade``): reading each line (:mod:`.latex`), finding the
relation each step stands in to the one before, the first wrong step and why."""
