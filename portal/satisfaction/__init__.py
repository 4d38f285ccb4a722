"""Satisfaction ratings (满意度) and the lead reviews a dissatisfied reporter may ask for."""
