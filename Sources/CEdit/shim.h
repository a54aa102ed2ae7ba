/* libedit's readline-compatible interface, for the REPL's line editing, history and completion. */
#ifndef OURO_CEDIT_SHIM_H
#define OURO_CEDIT_SHIM_H
#include <stdio.h>
#include <editline/readline.h>
#endif
