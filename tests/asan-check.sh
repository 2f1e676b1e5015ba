#!/usr/bin/env bash
# Reads AddressSanitizer reports left by `make test-asan`.  Any memory
# error fails.  Leaks fail when their stack touches the module or cJSON:
# nginx frees its cycle pools and OpenSSL contexts on its own terms at
# exit, and those reports say nothing about this module.
set -u
status=0
for f in "$@"; do
    [ -f "$f" ] || continue
    if grep -q "ERROR: AddressSanitizer: [a-z-]*" "$f" \
       && grep "ERROR: AddressSanitizer:" "$f" | grep -vq "detected memory leaks"
    then
        echo "== $f"; cat "$f"; status=1; continue
    fi
    # one leak report per blank-line separated paragraph
    if awk 'BEGIN{RS=""} /leak of/ && /ngx_http_llm|cJSON|libcjson/ {found=1; print} END{exit !found}' "$f"
    then
        echo "== leaks through the module in $f"; status=1
    fi
done
n=$(ls "$@" 2>/dev/null | wc -l)
echo "asan: $n report files read, $([ $status = 0 ] && echo clean || echo FAILED)"
exit $status
