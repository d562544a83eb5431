/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every mailbox selftest includes: the kselftest harness, quieted
 * where it does not build cleanly with -Wextra (its SIGALRM handler ignores
 * an argument; -Wclobbered for TEST_F()'s setjmp() is off in the Makefile),
 * and the raw-ioctl helpers.
 */
#ifndef MAILBOX_SELFTEST_TEST_H
#define MAILBOX_SELFTEST_TEST_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop
#include "mailbox_util.h"

#endif /* MAILBOX_SELFTEST_TEST_H */
