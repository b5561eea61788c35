#!/usr/bin/env bash
# System packages the test suite needs (Debian): PostgreSQL for the storage tests, Chromium for the
# browser test, Tesseract OCR with its Vietnamese model for scanned PDFs. Idempotent: installs only
# what is missing. Run as root (CI runs as root).
set -euo pipefail

missing=()
command -v pg_ctlcluster >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
tesseract --list-langs 2>/dev/null | grep -qx vie || missing+=(tesseract-ocr-vie)

if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "system deps ok: postgresql $(ls /usr/lib/postgresql 2>/dev/null | tr '\n' ' ')chromium $(/usr/bin/chromium --version 2>/dev/null || echo '?'), $(tesseract --version 2>/dev/null | head -1 || echo 'tesseract ?') ($(tesseract --list-langs 2>/dev/null | grep -x vie || echo 'no vie'))"
