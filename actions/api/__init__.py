from actions.api.client import APIError, APIUnavailable, WaterDeskAPI, get_api

__all__ = ["APIError", "APIUnavailable", "WaterDeskAPI", "get_api"]
