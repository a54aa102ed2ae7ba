// The C door to OpenBLAS: CBLAS plus the one LAPACK routine Ouro uses. No logic.
#ifndef OURO_COPENBLAS_SHIM_H
#define OURO_COPENBLAS_SHIM_H
#include <stddef.h>
#include <cblas.h>

// LAPACK dsyev (Fortran ABI, exported by libopenblas): eigenvalues (and optionally eigenvectors) of a
// real symmetric matrix. The trailing lengths are the hidden Fortran lengths of the two character arguments.
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
            double *work, const int *lwork, int *info, size_t jobz_len, size_t uplo_len);

#endif
