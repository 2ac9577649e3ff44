package lstm

import (
	"fmt"

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

// kernelCols is the width of the column blocks of C that the assembly
// kernels compute: two AVX registers of four float64 each.
const kernelCols = 8

// roundUpCols returns n rounded up to a whole number of kernel column
// blocks. Buffers and packed weights padded to this width let every product
// of the engine run entirely in the kernels.
func roundUpCols(n int) int { return (n + kernelCols - 1) / kernelCols * kernelCols }

// mulAdd adds A·B to C, where A is m×k with element (i, p) at a[i*sa+p*sk],
// B is k×n row-major with leading dimension ldb and C is m×n row-major with
// leading dimension ldc. Either sa or sk must be 1 unless m is 1.
//
// With fast set the whole column blocks of C are computed by the AVX2/FMA
// kernels, which accumulate each block of A·B in registers from zero and
// then add it to C; the remaining columns, or with fast unset all of C, are
// computed by gonum. The caller must set fast only when haveKernels reports
// true. Each element's summation order depends only on the shapes, never on
// the goroutine or GOMAXPROCS.
func mulAdd(fast bool, m, n, k int, a []float64, sa, sk int, b []float64, ldb int, c []float64, ldc int) {
	if m <= 0 || n <= 0 || k <= 0 {
		return
	}
	if len(a) <= (m-1)*sa+(k-1)*sk || len(b) <= (k-1)*ldb+n-1 || len(c) <= (m-1)*ldc+n-1 || ldb < n || ldc < n {
		panic(fmt.Sprintf("lstm: mulAdd of %d×%d by %d×%d out of bounds: len(a)=%d sa=%d sk=%d len(b)=%d ldb=%d len(c)=%d ldc=%d",
			m, k, k, n, len(a), sa, sk, len(b), ldb, len(c), ldc))
	}
	done := 0
	if fast {
		blocks := n / kernelCols
		done = blocks * kernelCols
		if blocks > 0 {
			i := 0
			for ; i+4 <= m; i += 4 {
				addMulRows4(blocks, k, a[i*sa:], sa, sk, b, ldb, c[i*ldc:], ldc)
			}
			for ; i < m; i++ {
				addMulRow(blocks, k, a[i*sa:], sk, b, ldb, c[i*ldc:])
			}
		}
	}
	if done < n {
		mulAddGonum(m, n-done, k, a, sa, sk, b[done:], ldb, c[done:], ldc)
	}
}

// mulAddGonum is mulAdd by gonum's BLAS, tiled over C so that it never
// leaves the calling goroutine.
func mulAddGonum(m, n, k int, a []float64, sa, sk int, b []float64, ldb int, c []float64, ldc int) {
	if m == 1 {
		// A single row of C is a matrix-vector product, for which gonum has
		// faster kernels: cᵀ += Bᵀ·aᵀ.
		blas64.Gemv(blas.Trans, 1, blas64.General{Rows: k, Cols: n, Stride: ldb, Data: b},
			blas64.Vector{N: k, Inc: sk, Data: a}, 1, blas64.Vector{N: n, Inc: 1, Data: c})
		return
	}
	tA, lda := blas.NoTrans, sa
	if sk != 1 {
		if sa != 1 {
			panic(fmt.Sprintf("lstm: mulAdd with strides %d and %d: one must be 1", sa, sk))
		}
		tA, lda = blas.Trans, sk
	}
	for i := 0; i < m; i += gemmTileRows {
		mi := min(gemmTileRows, m-i)
		for j := 0; j < n; j += gemmTileCols {
			nj := min(gemmTileCols, n-j)
			ga := blas64.General{Rows: mi, Cols: k, Stride: lda, Data: a[i*sa:]}
			if tA == blas.Trans {
				ga = blas64.General{Rows: k, Cols: mi, Stride: lda, Data: a[i:]}
			}
			gb := blas64.General{Rows: k, Cols: nj, Stride: ldb, Data: b[j:]}
			gc := blas64.General{Rows: mi, Cols: nj, Stride: ldc, Data: c[i*ldc+j:]}
			blas64.Gemm(tA, blas.NoTrans, 1, ga, gb, 1, gc)
		}
	}
}
