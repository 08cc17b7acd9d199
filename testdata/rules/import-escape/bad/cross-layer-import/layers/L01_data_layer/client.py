import os

import redis


class L01Client:
    def __init__(self):
        self.redis = redis.Redis.from_url(os.environ["REDIS_URL"])
