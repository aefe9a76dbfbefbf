#!/usr/bin/env bash
# The system libraries WeasyPrint renders the decision PDFs with (services/casework/decision_pdf.py):
# Pango with its FreeType backend, and Liberation fonts for the print stylesheet. Debian's
# packages; idempotent, and instant when the libraries are already there (Debian's chromium,
# which deploy/local/browser.sh installs, brings most of them).
#   deploy/local/pdf-libraries.sh
set -euo pipefail
libraries=(libpango-1.0.so.0 libpangoft2-1.0.so.0)

missing=0
for library in "${libraries[@]}"; do
  ldconfig -p | grep -q "$library" || missing=1
done
[ -d /usr/share/fonts/truetype/liberation ] || missing=1
if [ "$missing" -eq 0 ]; then
  exit 0
fi
echo "Installing Pango and fonts for the decision PDFs (Debian packages)..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation >/dev/null
