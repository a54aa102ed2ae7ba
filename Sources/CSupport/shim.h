// Compiler builtins Swift cannot spell, as static inline shims (no library to link).
#ifndef OURO_CSUPPORT_SHIM_H
#define OURO_CSUPPORT_SHIM_H

/// Asks the CPU to bring the cache line holding `p` closer (for writing); never faults.
static inline void ouro_prefetch(const void *p) { __builtin_prefetch(p, 1, 3); }

#endif
