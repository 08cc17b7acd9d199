#!/bin/sh
find /var/tmp/app -mtime +7 -delete
