from .rules import EVENT_TRIGGERS, TIME_TRIGGERS, Rule, Run, Trigger

__all__ = ["EVENT_TRIGGERS", "TIME_TRIGGERS", "Rule", "Run", "Trigger"]
