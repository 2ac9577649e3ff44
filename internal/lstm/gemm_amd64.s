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

rowwideloop:
	VBROADCASTSD (AX), Y8
	VFMADD231PD  (R13), Y8, Y0
	VFMADD231PD  32(R13), Y8, Y1
	VFMADD231PD  64(R13), Y8, Y2
	VFMADD231PD  96(R13), Y8, Y3
	VFMADD231PD  128(R13), Y8, Y4
	VFMADD231PD  160(R13), Y8, Y5
	VFMADD231PD  192(R13), Y8, Y6
	VFMADD231PD  224(R13), Y8, Y7
	ADDQ         R9, AX
	ADDQ         R11, R13
	DECQ         R14
	JNZ          rowwideloop

	VADDPD  (DX), Y0, Y0
	VMOVUPD Y0, (DX)
	VADDPD  32(DX), Y1, Y1
	VMOVUPD Y1, 32(DX)
	VADDPD  64(DX), Y2, Y2
	VMOVUPD Y2, 64(DX)
	VADDPD  96(DX), Y3, Y3
	VMOVUPD Y3, 96(DX)
	VADDPD  128(DX), Y4, Y4
	VMOVUPD Y4, 128(DX)
	VADDPD  160(DX), Y5, Y5
	VMOVUPD Y5, 160(DX)
	VADDPD  192(DX), Y6, Y6
	VMOVUPD Y6, 192(DX)
	VADDPD  224(DX), Y7, Y7
	VMOVUPD Y7, 224(DX)
	ADDQ    $256, DI
	ADDQ    $256, DX
	SUBQ    $4, CX
	JMP     rowwide

rowtail:
	CMPQ CX, $2
	JLT  rownarrow
	JEQ  rowtwo

	// Three blocks: six accumulators.
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	MOVQ   SI, AX
	MOVQ   DI, R13
	MOVQ   BX, R14

rowthreeloop:
	VBROADCASTSD (AX), Y8
	VFMADD231PD  (R13), Y8, Y0
	VFMADD231PD  32(R13), Y8, Y1
	VFMADD231PD  64(R13), Y8, Y2
	VFMADD231PD  96(R13), Y8, Y3
	VFMADD231PD  128(R13), Y8, Y4
	VFMADD231PD  160(R13), Y8, Y5
	ADDQ         R9, AX
	ADDQ         R11, R13
	DECQ         R14
	JNZ          rowthreeloop

	VADDPD  (DX), Y0, Y0
	VMOVUPD Y0, (DX)
	VADDPD  32(DX), Y1, Y1
	VMOVUPD Y1, 32(DX)
	VADDPD  64(DX), Y2, Y2
	VMOVUPD Y2, 64(DX)
	VADDPD  96(DX), Y3, Y3
	VMOVUPD Y3, 96(DX)
	VADDPD  128(DX), Y4, Y4
	VMOVUPD Y4, 128(DX)
	VADDPD  160(DX), Y5, Y5
	VMOVUPD Y5, 160(DX)
	JMP     rowdone

rowtwo:
	// Two blocks: four accumulators.
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	MOVQ   SI, AX
	MOVQ   DI, R13
	MOVQ   BX, R14

rowtwoloop:
	VBROADCASTSD (AX), Y8
	VFMADD231PD  (R13), Y8, Y0
	VFMADD231PD  32(R13), Y8, Y1
	VFMADD231PD  64(R13), Y8, Y2
	VFMADD231PD  96(R13), Y8, Y3
	ADDQ         R9, AX
	ADDQ         R11, R13
	DECQ         R14
	JNZ          rowtwoloop

	VADDPD  (DX), Y0, Y0
	VMOVUPD Y0, (DX)
	VADDPD  32(DX), Y1, Y1
	VMOVUPD Y1, 32(DX)
	VADDPD  64(DX), Y2, Y2
	VMOVUPD Y2, 64(DX)
	VADDPD  96(DX), Y3, Y3
	VMOVUPD Y3, 96(DX)
	JMP     rowdone

rownarrow:
	// One block or none: two accumulators.
	TESTQ CX, CX
	JZ    rowdone
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	MOVQ   SI, AX
	MOVQ   DI, R13
	MOVQ   BX, R14

rownarrowloop:
	VBROADCASTSD (AX), Y8
	VFMADD231PD  (R13), Y8, Y0
	VFMADD231PD  32(R13), Y8, Y1
	ADDQ         R9, AX
	ADDQ         R11, R13
	DECQ         R14
	JNZ          rownarrowloop

	VADDPD  (DX), Y0, Y0
	VMOVUPD Y0, (DX)
	VADDPD  32(DX), Y1, Y1
	VMOVUPD Y1, 32(DX)

rowdone:
	VZEROUPPER
	RET
