#include "textflag.h"

// func addMulRows4(blocks, k int, a []float64, sa, sk int, b []float64, ldb int, c []float64, ldc int)
//
// For each block of 8 columns, Y0..Y7 accumulate the 4×8 block of A·B
// (row r in Y(2r), Y(2r+1)) over p = 0..k-1: two loads of B's row p, four
// broadcasts of A's column p, eight FMAs. The block is then added to C.
TEXT ·addMulRows4(SB), NOSPLIT, $0-120
	MOVQ blocks+0(FP), CX
	MOVQ k+8(FP), BX
	MOVQ a_base+16(FP), SI
	MOVQ sa+40(FP), R8
	MOVQ sk+48(FP), R9
	MOVQ b_base+56(FP), DI
	MOVQ ldb+80(FP), R11
	MOVQ c_base+88(FP), DX
	MOVQ ldc+112(FP), R12
	SHLQ $3, R8
	SHLQ $3, R9
	SHLQ $3, R11
	SHLQ $3, R12
	LEAQ (R8)(R8*2), R10
	TESTQ BX, BX
	JZ    rows4done
	TESTQ CX, CX
	JZ    rows4done

rows4block:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	MOVQ   SI, AX
	MOVQ   DI, R13
	MOVQ   BX, R14

rows4loop:
	VMOVUPD      (R13), Y8
	VMOVUPD      32(R13), Y9
	VBROADCASTSD (AX), Y10
	VFMADD231PD  Y8, Y10, Y0
	VFMADD231PD  Y9, Y10, Y1
	VBROADCASTSD (AX)(R8*1), Y11
	VFMADD231PD  Y8, Y11, Y2
	VFMADD231PD  Y9, Y11, Y3
	VBROADCASTSD (AX)(R8*2), Y12
	VFMADD231PD  Y8, Y12, Y4
	VFMADD231PD  Y9, Y12, Y5
	VBROADCASTSD (AX)(R10*1), Y13
	VFMADD231PD  Y8, Y13, Y6
	VFMADD231PD  Y9, Y13, Y7
	ADDQ         R9, AX
	ADDQ         R11, R13
	DECQ         R14
	JNZ          rows4loop

	MOVQ    DX, AX
	VADDPD  (AX), Y0, Y0
	VMOVUPD Y0, (AX)
	VADDPD  32(AX), Y1, Y1
	VMOVUPD Y1, 32(AX)
	ADDQ    R12, AX
	VADDPD  (AX), Y2, Y2
	VMOVUPD Y2, (AX)
	VADDPD  32(AX), Y3, Y3
	VMOVUPD Y3, 32(AX)
	ADDQ    R12, AX
	VADDPD  (AX), Y4, Y4
	VMOVUPD Y4, (AX)
	VADDPD  32(AX), Y5, Y5
	VMOVUPD Y5, 32(AX)
	ADDQ    R12, AX
	VADDPD  (AX), Y6, Y6
	VMOVUPD Y6, (AX)
	VADDPD  32(AX), Y7, Y7
	VMOVUPD Y7, 32(AX)

	ADDQ $64, DI
	ADDQ $64, DX
	DECQ CX
	JNZ  rows4block

rows4done:
	VZEROUPPER
	RET

// func addMulRow(blocks, k int, a []float64, sk int, b []float64, ldb int, c []float64)
//
// Four blocks (32 columns, eight accumulators: enough independent FMA
// chains to hide their latency) at a time, then the last one to three
// blocks together in one pass. A pass over k costs about as much for one
// block as for four, its chains being latency-bound, so the tail of a
// 7-block row (a 50-unit layer's 56 columns) takes one pass, not three.
//
// A pass over n blocks: ROWPASS zeroes the 2n accumulators Y0.. and sets
// AX, R13 and R14 to walk A's row, B's rows and k; ROWFMA adds B's row
// at R13 (bytes off and off+32) times the broadcast A value in Y8 into two
// accumulators; ROWNEXT steps to the next p; ROWSTORE adds two
// accumulators to C's columns at DX.
#define ROWPASS MOVQ SI, AX; MOVQ DI, R13; MOVQ BX, R14
#define ROWZERO(r0, r1) VXORPD r0, r0, r0; VXORPD r1, r1, r1
#define ROWFMA(off0, off1, r0, r1) VFMADD231PD off0(R13), Y8, r0; VFMADD231PD off1(R13), Y8, r1
#define ROWNEXT ADDQ R9, AX; ADDQ R11, R13; DECQ R14
#define ROWSTORE(off0, off1, r0, r1) VADDPD off0(DX), r0, r0; VMOVUPD r0, off0(DX); VADDPD off1(DX), r1, r1; VMOVUPD r1, off1(DX)

TEXT ·addMulRow(SB), NOSPLIT, $0-104
	MOVQ blocks+0(FP), CX
	MOVQ k+8(FP), BX
	MOVQ a_base+16(FP), SI
	MOVQ sk+40(FP), R9
	MOVQ b_base+48(FP), DI
	MOVQ ldb+72(FP), R11
	MOVQ c_base+80(FP), DX
	SHLQ $3, R9
	SHLQ $3, R11
	TESTQ BX, BX
	JZ    rowdone

rowwide:
	CMPQ CX, $4
	JLT  rowtail
	ROWZERO(Y0, Y1)
	ROWZERO(Y2, Y3)
	ROWZERO(Y4, Y5)
	ROWZERO(Y6, Y7)
	ROWPASS

rowwideloop:
	VBROADCASTSD (AX), Y8
	ROWFMA(0, 32, Y0, Y1)
	ROWFMA(64, 96, Y2, Y3)
	ROWFMA(128, 160, Y4, Y5)
	ROWFMA(192, 224, Y6, Y7)
	ROWNEXT
	JNZ rowwideloop

	ROWSTORE(0, 32, Y0, Y1)
	ROWSTORE(64, 96, Y2, Y3)
	ROWSTORE(128, 160, Y4, Y5)
	ROWSTORE(192, 224, Y6, Y7)
	ADDQ $256, DI
	ADDQ $256, DX
	SUBQ $4, CX
	JMP  rowwide

rowtail:
	CMPQ CX, $2
	JLT  rowone
	JEQ  rowtwo
	ROWZERO(Y0, Y1)
	ROWZERO(Y2, Y3)
	ROWZERO(Y4, Y5)
	ROWPASS

rowthreeloop:
	VBROADCASTSD (AX), Y8
	ROWFMA(0, 32, Y0, Y1)
	ROWFMA(64, 96, Y2, Y3)
	ROWFMA(128, 160, Y4, Y5)
	ROWNEXT
	JNZ rowthreeloop

	ROWSTORE(0, 32, Y0, Y1)
	ROWSTORE(64, 96, Y2, Y3)
	ROWSTORE(128, 160, Y4, Y5)
	JMP rowdone

rowtwo:
	ROWZERO(Y0, Y1)
	ROWZERO(Y2, Y3)
	ROWPASS

rowtwoloop:
	VBROADCASTSD (AX), Y8
	ROWFMA(0, 32, Y0, Y1)
	ROWFMA(64, 96, Y2, Y3)
	ROWNEXT
	JNZ rowtwoloop

	ROWSTORE(0, 32, Y0, Y1)
	ROWSTORE(64, 96, Y2, Y3)
	JMP rowdone

rowone:
	TESTQ CX, CX
	JZ    rowdone
	ROWZERO(Y0, Y1)
	ROWPASS

rowoneloop:
	VBROADCASTSD (AX), Y8
	ROWFMA(0, 32, Y0, Y1)
	ROWNEXT
	JNZ rowoneloop

	ROWSTORE(0, 32, Y0, Y1)

rowdone:
	VZEROUPPER
	RET
