from flask import Flask
from shared.settings import DATABASE_URL  # expect: import-escape

app = Flask(__name__)
