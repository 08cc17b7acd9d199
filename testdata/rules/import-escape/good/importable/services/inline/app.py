from flask import Flask
from shared.names import NAME

app = Flask(NAME)
