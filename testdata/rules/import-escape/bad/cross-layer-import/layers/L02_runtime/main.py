"""L02 runtime API.

Example:
    from L01_data_layer.client import L01Client
"""
import os

from fastapi import FastAPI
from L01_data_layer.client import L01Client  # expect: import-escape

from worker.tasks import schedule

app = FastAPI()
client = L01Client()
