"""Rewards for tip-offs about major violations (国市监稽规〔2021〕4号): policy, calculation,
eligibility, awards, claims and payouts."""
