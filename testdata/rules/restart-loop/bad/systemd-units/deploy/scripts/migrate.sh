#!/bin/sh
exec /opt/app/bin/migrate
