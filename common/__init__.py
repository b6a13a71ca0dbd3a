"""Code both interpreters use (the backend on Python 3.12, the bot and actions on 3.10).

Standard library only, and Python 3.10 syntax: nothing here may import backend/, actions/ or bot/.
"""
