/* libedit's readline-compatible interface, for the REPL's line editing, history and completion.
 * Setters for libedit's globals, so Swift does not touch shared mutable C state directly. */
#ifndef OURO_CEDIT_SHIM_H
#define OURO_CEDIT_SHIM_H
#include <stdio.h>
#include <editline/readline.h>

static inline void ouro_edit_set_completion(rl_completion_func_t *fn) { rl_attempted_completion_function = fn; }
static inline void ouro_edit_completion_over(void) { rl_attempted_completion_over = 1; }
static inline void ouro_edit_no_append(void) { rl_completion_append_character = 0; }
#endif
