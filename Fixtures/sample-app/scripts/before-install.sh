#!/bin/sh
# BeforeInstall: make sure the destination's parent exists.
set -eu
mkdir -p /opt
echo "preparing $APPLICATION_NAME deployment $DEPLOYMENT_ID"
