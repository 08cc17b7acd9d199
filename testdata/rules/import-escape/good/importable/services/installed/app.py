"""Installed from git.

import shared
"""
import email
from email.message import EmailMessage

from flask import Flask
from shared.names import NAME

try:
    import ujson as json
except ImportError:
    import json
