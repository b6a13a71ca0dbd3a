"""WaterDesk custom Rasa graph components."""
