"""Advice on one case: its facts (facts.py), each recommendation's eligibility (eligibility.py,
decided once per situation by plans.py), the trial evidence, the ranking, and the frozen Advice
the formats render (advice.py); advise.py joins them.
May import netadvisor.knowledge, netadvisor.inputs and netadvisor.base.
"""
