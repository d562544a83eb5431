#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Extract the few files this project borrows at build time from Debian's
# linux-source-6.12 package (kselftest harness and runner, checkpatch, the
# ioctl guide) into build/kernel-src/ ($KERNEL_FILES_DIR). Nothing from the
# kernel is committed. Installs linux-source-6.12 when it is missing.
# Prints the directory. (kernel_files in scripts/lib/kernel.sh.)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
log_prefix=kernel-files
# shellcheck source=scripts/lib/common.sh
. "$top/scripts/lib/common.sh"
# shellcheck source=scripts/lib/kernel.sh
. "$top/scripts/lib/kernel.sh"

kernel_files
