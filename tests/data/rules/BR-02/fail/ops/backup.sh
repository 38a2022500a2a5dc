#!/bin/sh
pg_dump -Fc orders > /backups/orders.dump
