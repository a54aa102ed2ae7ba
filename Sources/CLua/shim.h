/* Ouro's door to Lua 5.4: static inline wrappers for Lua's macros, the trampoline that raises
 * errors after Swift has returned, the limits (instruction count hook, counting allocator).
 * No logic beyond that. */
#ifndef OURO_CLUA_SHIM_H
#define OURO_CLUA_SHIM_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <limits.h>

/* ---- macros as functions ---------------------------------------------------------------- */
static inline int ouro_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int ouro_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline void ouro_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void ouro_newtable(lua_State *L) { lua_newtable(L); }
static inline int ouro_pcall(lua_State *L, int nargs, int nresults, int msgh) {
    return lua_pcall(L, nargs, nresults, msgh);
}
static inline double ouro_tonumber(lua_State *L, int i, int *isnum) { return lua_tonumberx(L, i, isnum); }
static inline long long ouro_tointeger(lua_State *L, int i, int *isnum) { return lua_tointegerx(L, i, isnum); }
static inline const char *ouro_tolstring(lua_State *L, int i, size_t *len) { return lua_tolstring(L, i, len); }
static inline int ouro_isinteger(lua_State *L, int i) { return lua_isinteger(L, i); }
static inline void *ouro_newuserdata(lua_State *L, size_t size) { return lua_newuserdatauv(L, size, 0); }
static inline int ouro_loadbuffer(lua_State *L, const char *buf, size_t len, const char *name, const char *mode) {
    return luaL_loadbufferx(L, buf, len, name, mode);
}
static inline void ouro_remove(lua_State *L, int i) { lua_remove(L, i); }
static inline void ouro_insert(lua_State *L, int i) { lua_insert(L, i); }
static inline void ouro_replace(lua_State *L, int i) { lua_replace(L, i); }
static inline int ouro_getglobal(lua_State *L, const char *name) { return lua_getglobal(L, name); }
static inline void ouro_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
static inline lua_Integer ouro_maxinteger(void) { return LUA_MAXINTEGER; }
static inline int ouro_getmetatable(lua_State *L, const char *name) { return luaL_getmetatable(L, name); }
static inline const char *ouro_typename(lua_State *L, int tp) { return lua_typename(L, tp); }

/* ---- limits ----------------------------------------------------------------------------- */
/* One per Lua state, shared with its coroutines through the state's extra space. */
typedef struct OuroLimits {
    long long instructions;        /* VM instructions counted so far (in steps of `step`) */
    long long max_instructions;    /* 0 = unlimited */
    int step;                      /* count-hook period */
    int instructions_exceeded;     /* once set, every later hook fire raises again */
    volatile sig_atomic_t interrupted; /* set by a SIGINT handler (the REPL); cleared on raise */
    size_t memory;                 /* bytes currently allocated by Lua */
    size_t max_memory;             /* 0 = unlimited */
    size_t peak_memory;
    int memory_exceeded;           /* an allocation was refused (or deferred) for the limit */
    int host_depth;                /* > 0 while Swift runs: allocations then never fail (see below) */
    void *host;                    /* the Swift LuaState object (unretained) */
    lua_State *main;               /* the main thread */
} OuroLimits;

static inline OuroLimits *ouro_limits(lua_State *L) { return *(OuroLimits **)lua_getextraspace(L); }

/* The counting allocator. While Swift code runs (host_depth > 0) an allocation over the limit is
 * granted and only flagged, because a refused allocation raises a Lua error, and a Lua error must
 * never longjmp through Swift frames; the trampoline raises the flagged error once Swift returned. */
static inline void *ouro_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    OuroLimits *lim = (OuroLimits *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        lim->memory -= old;
        return NULL;
    }
    if (lim->max_memory && nsize > old && lim->memory - old + nsize > lim->max_memory) {
        lim->memory_exceeded = 1;
        if (lim->host_depth == 0) return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (p == NULL) return NULL;
    lim->memory = lim->memory - old + nsize;
    if (lim->memory > lim->peak_memory) lim->peak_memory = lim->memory;
    return p;
}
/* Forward declaration: the hook re-arms itself. */
static inline void ouro_count_hook(lua_State *L, lua_Debug *ar);

static inline lua_Alloc ouro_alloc_fn(void) { return ouro_alloc; }

static inline void ouro_count_hook(lua_State *L, lua_Debug *ar) {
    OuroLimits *lim = ouro_limits(L);
    if (lim->interrupted) {
        lim->interrupted = 0;
        if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
            luaL_error(L, "%s:%d: interrupted!", ar->short_src, ar->currentline);
        luaL_error(L, "interrupted!");
    }
    lim->instructions += lim->step;
    if (lim->instructions_exceeded ||
        (lim->max_instructions && lim->instructions > lim->max_instructions)) {
        lim->instructions_exceeded = 1;
        /* From now on fire at every instruction, in this thread and the main one, so the error is
         * raised again right after any pcall that caught it. */
        lua_sethook(L, ouro_count_hook, LUA_MASKCOUNT, 1);
        if (lim->main) lua_sethook(lim->main, ouro_count_hook, LUA_MASKCOUNT, 1);
        if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
            luaL_error(L, "%s:%d: instruction limit of %I exceeded (use --max-instructions to raise it)",
                       ar->short_src, ar->currentline, (lua_Integer)lim->max_instructions);
        luaL_error(L, "instruction limit of %I exceeded (use --max-instructions to raise it)",
                   (lua_Integer)lim->max_instructions);
    }
}

/* Adds `n` instructions of work done in C on a script's behalf (pattern matching, table moves);
 * returns 1 once the limit is exceeded, and from then on the hook fires at every instruction and
 * raises again, as when the VM exceeded it. */
static inline int ouro_charge(lua_State *L, long long n) {
    OuroLimits *lim = ouro_limits(L);
    if (n > 0) lim->instructions = (lim->instructions > LLONG_MAX - n) ? LLONG_MAX : lim->instructions + n;
    if (lim->instructions_exceeded ||
        (lim->max_instructions && lim->instructions > lim->max_instructions)) {
        lim->instructions_exceeded = 1;
        lua_sethook(L, ouro_count_hook, LUA_MASKCOUNT, 1);
        if (lim->main) lua_sethook(lim->main, ouro_count_hook, LUA_MASKCOUNT, 1);
        return 1;
    }
    return 0;
}

/* Clears the counters and restores the normal hook period (before each top-level call). */
static inline void ouro_reset_limits(OuroLimits *lim) {
    lim->instructions = 0;
    lim->instructions_exceeded = 0;
    lim->memory_exceeded = 0;
    if (lim->main) lua_sethook(lim->main, ouro_count_hook, LUA_MASKCOUNT, lim->step);
}

/* Creates a state whose allocator counts into `lim` and whose count hook enforces it. */
static inline lua_State *ouro_newstate(OuroLimits *lim) {
    lua_State *L = lua_newstate(ouro_alloc, lim);
    if (L == NULL) return NULL;
    *(OuroLimits **)lua_getextraspace(L) = lim;
    lim->main = L;
    if (lim->step <= 0) lim->step = 1000;
    lua_sethook(L, ouro_count_hook, LUA_MASKCOUNT, lim->step);
    return L;
}

/* ---- the trampoline --------------------------------------------------------------------- */
/* Swift functions bound to Lua are C closures of `ouro_trampoline` with two upvalues:
 * 1: light userdata, the Swift dispatcher (`int dispatch(lua_State *)`);
 * 2: full userdata holding the Swift closure (read by the dispatcher).
 * The dispatcher returns the number of results, or -1 with an error value on top of the stack.
 * Only here, after the Swift frame is gone, is the error raised. */
typedef int (*ouro_dispatch_fn)(lua_State *L);

static inline int ouro_trampoline(lua_State *L) {
    ouro_dispatch_fn fn = (ouro_dispatch_fn)lua_touserdata(L, lua_upvalueindex(1));
    OuroLimits *lim = ouro_limits(L);
    lim->host_depth++;
    int n = fn(L);
    lim->host_depth--;
    if (n < 0) return lua_error(L);
    if (lim->memory_exceeded && lim->host_depth == 0 && lim->max_memory &&
        lim->memory > lim->max_memory) {
        return luaL_error(L, "not enough memory: the memory limit was exceeded (use --max-memory to raise it)");
    }
    return n;
}

static inline void ouro_pushswiftfunction(lua_State *L, ouro_dispatch_fn dispatch) {
    /* expects the closure's userdata on top of the stack */
    lua_pushlightuserdata(L, (void *)dispatch);
    lua_insert(L, -2);
    lua_pushcclosure(L, ouro_trampoline, 2);
}

/* The message handler used by every pcall from Swift: adds a traceback to string errors. */
static inline int ouro_msghandler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}
static inline lua_CFunction ouro_msghandler_fn(void) { return ouro_msghandler; }

/* SIGINT for the REPL: ask the count hook to raise at the next fire. */
static inline OuroLimits **ouro_sigint_slot(void) {
    static OuroLimits *slot;
    return &slot;
}
static inline void ouro_sigint_handler(int sig) {
    (void)sig;
    OuroLimits *target = *ouro_sigint_slot();
    if (target) target->interrupted = 1;
}
static inline void ouro_catch_sigint(OuroLimits *lim) {
    *ouro_sigint_slot() = lim;
    signal(SIGINT, ouro_sigint_handler);
}
static inline void ouro_release_sigint(void) {
    signal(SIGINT, SIG_DFL);
    *ouro_sigint_slot() = NULL;
}

#endif
