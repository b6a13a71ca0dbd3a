"""Scheduled jobs, run by the run command's supervisor as their own service (`python -m
backend.jobs`): a small scheduler loop that runs each job once per district day. The only job
today is the leak scan (backend/jobs/leak_alerts.py)."""
