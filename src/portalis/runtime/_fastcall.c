/* The compiled fast path: one WebAssembly export, called through
 * wasmtime_func_call_unchecked with no Python-level work beyond argument conversion.
 *
 * This is an optional accelerator. portalis.runtime.function uses it when it was built
 * (pip builds it when a C compiler is present) and otherwise generates an equivalent Python
 * function over ctypes. Both follow the rules stated in _capi.py: the signature was checked
 * once by the caller; only i32/i64/f32/f64 reach this code; every argument is converted
 * according to its declared wasm type (a value of the wrong Python type is refused before
 * any byte reaches wasm); the handles it points to are kept alive by `keepalive`.
 *
 * It links against nothing: the address of wasmtime_func_call_unchecked is looked up by
 * ctypes in wasmtime-py's shared library and passed in.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#define MAX_SLOTS 64

typedef void *(*call_unchecked_t)(void *ctx, const void *func, void *args_and_results,
                                  size_t len, void **trap);

typedef union {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    unsigned char v128[16];
} raw_t;

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *dict;
    call_unchecked_t call;
    void *ctx;
    void *func;
    double *started;      /* start time of the call in flight, read by the deadline check */
    int64_t *counters;    /* [calls, failures], or NULL when monitoring is off */
    double *total;        /* total seconds */
    double *samples;      /* ring buffer of durations */
    Py_ssize_t window;
    Py_ssize_t nparams;
    Py_ssize_t nresults;
    char params[MAX_SLOTS];
    char results[MAX_SLOTS];
    int closed;
    PyObject *on_failure; /* on_failure(error_ptr, trap_ptr): raises the translated error */
    PyObject *on_args;    /* on_args(args_tuple): raises SignatureError */
    PyObject *on_closed;  /* on_closed(): raises InstanceClosedError */
    PyObject *keepalive;
} FastCall;

static inline double monotonic_now(void) {
    /* The same clock as time.perf_counter() on Linux, so Python compares like with like. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static PyObject *bad_args(FastCall *self, PyObject *const *args, Py_ssize_t nargs) {
    PyErr_Clear();
    PyObject *tuple = PyTuple_New(nargs);
    if (tuple == NULL) return NULL;
    for (Py_ssize_t i = 0; i < nargs; i++) {
        Py_INCREF(args[i]);
        PyTuple_SET_ITEM(tuple, i, args[i]);
    }
    PyObject *r = PyObject_CallOneArg(self->on_args, tuple);
    Py_DECREF(tuple);
    Py_XDECREF(r);
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "bad arguments");
    return NULL;
}

static PyObject *fastcall_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf,
                                     PyObject *kwnames) {
    FastCall *self = (FastCall *)callable;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    raw_t slots[MAX_SLOTS];

    if (self->closed) {
        PyObject *r = PyObject_CallNoArgs(self->on_closed);
        Py_XDECREF(r);
        return NULL;
    }
    if (kwnames != NULL && PyTuple_GET_SIZE(kwnames) > 0) {
        PyErr_SetString(PyExc_TypeError, "WebAssembly functions take positional arguments only");
        return NULL;
    }
    if (nargs != self->nparams) return bad_args(self, args, nargs);

    for (Py_ssize_t i = 0; i < nargs; i++) {
        PyObject *a = args[i];
        switch (self->params[i]) {
        case 'd':
            if (PyFloat_CheckExact(a)) {
                slots[i].f64 = PyFloat_AS_DOUBLE(a);
            } else {
                double v = PyFloat_AsDouble(a);
                if (v == -1.0 && PyErr_Occurred()) return bad_args(self, args, nargs);
                slots[i].f64 = v;
            }
            break;
        case 'f': {
            double v = PyFloat_AsDouble(a);
            if (v == -1.0 && PyErr_Occurred()) return bad_args(self, args, nargs);
            slots[i].f32 = (float)v;
            break;
        }
        case 'q': {
            if (PyFloat_Check(a)) return bad_args(self, args, nargs);
            long long v = PyLong_AsLongLong(a);
            if (v == -1 && PyErr_Occurred()) return bad_args(self, args, nargs);
            slots[i].i64 = (int64_t)v;
            break;
        }
        case 'i': {
            if (PyFloat_Check(a)) return bad_args(self, args, nargs);
            long long v = PyLong_AsLongLong(a);
            if ((v == -1 && PyErr_Occurred()) || v < INT32_MIN || v > INT32_MAX)
                return bad_args(self, args, nargs);
            slots[i].i32 = (int32_t)v;
            break;
        }
        default:
            PyErr_SetString(PyExc_SystemError, "portalis fast call: unsupported type code");
            return NULL;
        }
    }

    void *trap = NULL;
    void *err;
    double t0 = 0.0;
    if (self->started != NULL || self->counters != NULL) t0 = monotonic_now();
    if (self->started != NULL) *self->started = t0;
    Py_BEGIN_ALLOW_THREADS
    err = self->call(self->ctx, self->func, slots, (size_t)(self->nparams > self->nresults
                                                                 ? self->nparams
                                                                 : self->nresults),
                     &trap);
    Py_END_ALLOW_THREADS
    if (err != NULL || trap != NULL) {
        if (self->counters != NULL) self->counters[1] += 1;
        PyObject *r = PyObject_CallFunction(self->on_failure, "KK",
                                            (unsigned long long)(uintptr_t)err,
                                            (unsigned long long)(uintptr_t)trap);
        Py_XDECREF(r);
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "WebAssembly call failed");
        return NULL;
    }
    if (self->counters != NULL) {
        double dt = monotonic_now() - t0;
        int64_t n = self->counters[0];
        self->samples[n % self->window] = dt;
        self->counters[0] = n + 1;
        *self->total += dt;
    }

    if (self->nresults == 0) Py_RETURN_NONE;
    PyObject *out[MAX_SLOTS];
    for (Py_ssize_t i = 0; i < self->nresults; i++) {
        switch (self->results[i]) {
        case 'd': out[i] = PyFloat_FromDouble(slots[i].f64); break;
        case 'f': out[i] = PyFloat_FromDouble((double)slots[i].f32); break;
        case 'q': out[i] = PyLong_FromLongLong(slots[i].i64); break;
        case 'i': out[i] = PyLong_FromLong(slots[i].i32); break;
        default: out[i] = NULL; PyErr_SetString(PyExc_SystemError, "bad result type");
        }
        if (out[i] == NULL) {
            for (Py_ssize_t j = 0; j < i; j++) Py_DECREF(out[j]);
            return NULL;
        }
    }
    if (self->nresults == 1) return out[0];
    PyObject *tuple = PyTuple_New(self->nresults);
    if (tuple == NULL) {
        for (Py_ssize_t j = 0; j < self->nresults; j++) Py_DECREF(out[j]);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < self->nresults; i++) PyTuple_SET_ITEM(tuple, i, out[i]);
    return tuple;
}

static int parse_types(PyObject *bytes, char *dest, Py_ssize_t *count) {
    if (!PyBytes_Check(bytes)) {
        PyErr_SetString(PyExc_TypeError, "type codes must be bytes");
        return -1;
    }
    Py_ssize_t n = PyBytes_GET_SIZE(bytes);
    if (n > MAX_SLOTS) {
        PyErr_SetString(PyExc_ValueError, "too many parameters for the fast path");
        return -1;
    }
    memcpy(dest, PyBytes_AS_STRING(bytes), (size_t)n);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (strchr("dfqi", dest[i]) == NULL) {
            PyErr_SetString(PyExc_ValueError, "type codes are d, f, q, i");
            return -1;
        }
    }
    *count = n;
    return 0;
}

/* FastCall(call_ptr, ctx, func, params, results, started_ptr, counters_ptr, total_ptr,
 *          samples_ptr, window, on_failure, on_args, on_closed, keepalive) */
static int fastcall_init(FastCall *self, PyObject *args, PyObject *kwds) {
    unsigned long long call, ctx, func, started, counters, total, samples;
    Py_ssize_t window;
    PyObject *params, *results, *on_failure, *on_args, *on_closed, *keepalive;
    if (!PyArg_ParseTuple(args, "KKKOOKKKKnOOOO", &call, &ctx, &func, &params, &results,
                          &started, &counters, &total, &samples, &window, &on_failure,
                          &on_args, &on_closed, &keepalive))
        return -1;
    if (call == 0 || ctx == 0 || func == 0) {
        PyErr_SetString(PyExc_ValueError, "null handle");
        return -1;
    }
    if (parse_types(params, self->params, &self->nparams) < 0) return -1;
    if (parse_types(results, self->results, &self->nresults) < 0) return -1;
    if (counters != 0 && (total == 0 || samples == 0 || window <= 0)) {
        PyErr_SetString(PyExc_ValueError, "statistics buffers missing");
        return -1;
    }
    self->call = (call_unchecked_t)(uintptr_t)call;
    self->ctx = (void *)(uintptr_t)ctx;
    self->func = (void *)(uintptr_t)func;
    self->started = (double *)(uintptr_t)started;
    self->counters = (int64_t *)(uintptr_t)counters;
    self->total = (double *)(uintptr_t)total;
    self->samples = (double *)(uintptr_t)samples;
    self->window = window;
    self->closed = 0;
    Py_INCREF(on_failure); Py_XSETREF(self->on_failure, on_failure);
    Py_INCREF(on_args); Py_XSETREF(self->on_args, on_args);
    Py_INCREF(on_closed); Py_XSETREF(self->on_closed, on_closed);
    Py_INCREF(keepalive); Py_XSETREF(self->keepalive, keepalive);
    self->vectorcall = fastcall_vectorcall;
    return 0;
}

static PyObject *fastcall_close(FastCall *self, PyObject *Py_UNUSED(ignored)) {
    self->closed = 1;
    Py_RETURN_NONE;
}

static int fastcall_traverse(FastCall *self, visitproc visit, void *arg) {
    Py_VISIT(self->dict);
    Py_VISIT(self->on_failure);
    Py_VISIT(self->on_args);
    Py_VISIT(self->on_closed);
    Py_VISIT(self->keepalive);
    return 0;
}

static int fastcall_clear(FastCall *self) {
    self->closed = 1;
    Py_CLEAR(self->dict);
    Py_CLEAR(self->on_failure);
    Py_CLEAR(self->on_args);
    Py_CLEAR(self->on_closed);
    Py_CLEAR(self->keepalive);
    return 0;
}

static void fastcall_dealloc(FastCall *self) {
    PyObject_GC_UnTrack(self);
    fastcall_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyMethodDef fastcall_methods[] = {
    {"close", (PyCFunction)fastcall_close, METH_NOARGS,
     "Refuse every later call (the instance was closed)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject FastCallType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "portalis.runtime._fastcall.FastCall",
    .tp_basicsize = sizeof(FastCall),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "A WebAssembly export called through wasmtime's unchecked C API.",
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)fastcall_init,
    .tp_dealloc = (destructor)fastcall_dealloc,
    .tp_traverse = (traverseproc)fastcall_traverse,
    .tp_clear = (inquiry)fastcall_clear,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(FastCall, vectorcall),
    .tp_dictoffset = offsetof(FastCall, dict),
    .tp_getattro = PyObject_GenericGetAttr,
    .tp_setattro = PyObject_GenericSetAttr,
    .tp_methods = fastcall_methods,
};

static struct PyModuleDef fastcall_module = {
    PyModuleDef_HEAD_INIT, "_fastcall",
    "Compiled fast path for calling WebAssembly exports (optional).", -1, NULL,
};

PyMODINIT_FUNC PyInit__fastcall(void) {
    if (PyType_Ready(&FastCallType) < 0) return NULL;
    PyObject *m = PyModule_Create(&fastcall_module);
    if (m == NULL) return NULL;
    Py_INCREF(&FastCallType);
    if (PyModule_AddObject(m, "FastCall", (PyObject *)&FastCallType) < 0) {
        Py_DECREF(&FastCallType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
