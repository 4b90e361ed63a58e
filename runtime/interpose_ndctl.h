/*
 * interpose_ndctl.h - one libndctl context for a recovery process
 * (interpose_ndctl.c).
 *
 * Contract: pmt_ndctl_prepare() makes the context a recovery run's
 * ndctl_new() hands out, if the program uses libndctl and there are
 * images (recovery.h); the fork server calls it once, single-threaded,
 * before its first fork.
 */
#ifndef PMT_INTERPOSE_NDCTL_H
#define PMT_INTERPOSE_NDCTL_H

void pmt_ndctl_prepare(void);

#endif /* PMT_INTERPOSE_NDCTL_H */
