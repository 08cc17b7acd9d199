import shared.settings as settings  # expect: import-escape
from flask import Flask

app = Flask(__name__)
