package lstm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// gemmTileRows and gemmTileCols bound the tiles handed to blas64.Gemm. Gonum
// computes a product of four or more 64×64 blocks of C on new goroutines,
// which allocates on every call and would make a training step allocate;
// tiles of at most 1×3 blocks always run serially in the calling goroutine.
const (
	gemmTileRows = 64
	gemmTileCols = 3 * 64
)

// gemm computes C = alpha·op(A)·op(B) + beta·C for row-major views: op(A) is
// m×k, op(B) is k×n and C is m×n with leading dimensions lda, ldb and ldc.
// The product is tiled over C so that it never leaves the calling goroutine.
func gemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 1 && tA == blas.NoTrans {
		// A single row of C is a matrix-vector product, for which gonum
		// has faster kernels: cᵀ = alpha·op(B)ᵀ·aᵀ + beta·cᵀ.
		tBT := blas.Trans
		rows, cols := k, n
		if tB == blas.Trans {
			tBT = blas.NoTrans
			rows, cols = n, k
		}
		blas64.Gemv(tBT, alpha, blas64.General{Rows: rows, Cols: cols, Stride: ldb, Data: b},
			blas64.Vector{N: k, Inc: 1, Data: a}, beta, blas64.Vector{N: n, Inc: 1, Data: c})
		return
	}
	for i := 0; i < m; i += gemmTileRows {
		mi := min(gemmTileRows, m-i)
		for j := 0; j < n; j += gemmTileCols {
			nj := min(gemmTileCols, n-j)
			var ga, gb blas64.General
			if tA == blas.Trans {
				ga = blas64.General{Rows: k, Cols: mi, Stride: lda, Data: a[i:]}
			} else {
				ga = blas64.General{Rows: mi, Cols: k, Stride: lda, Data: a[i*lda:]}
			}
			if tB == blas.Trans {
				gb = blas64.General{Rows: nj, Cols: k, Stride: ldb, Data: b[j*ldb:]}
			} else {
				gb = blas64.General{Rows: k, Cols: nj, Stride: ldb, Data: b[j:]}
			}
			gc := blas64.General{Rows: mi, Cols: nj, Stride: ldc, Data: c[i*ldc+j:]}
			blas64.Gemm(tA, tB, alpha, ga, gb, beta, gc)
		}
	}
}
