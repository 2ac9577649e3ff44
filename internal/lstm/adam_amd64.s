#include "textflag.h"

// func adamAVX(p, g, m, v []float64, beta1, beta2, stepSize, sqrtBC2, eps float64)
//
// Four parameters at a time, each operation rounded as in adam.apply:
// m = β1·m + (1-β1)·g, v = β2·v + ((1-β2)·g)·g,
// p = p - stepSize·(m / (√v/sqrtBC2 + eps)).
TEXT ·adamAVX(SB), NOSPLIT, $0-136
	MOVQ p_base+0(FP), DI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), SI
	MOVQ m_base+48(FP), R8
	MOVQ v_base+72(FP), R9
	VBROADCASTSD beta1+96(FP), Y10
	VBROADCASTSD beta2+104(FP), Y12
	VBROADCASTSD stepSize+112(FP), Y14
	VBROADCASTSD sqrtBC2+120(FP), Y15
	VBROADCASTSD eps+128(FP), Y9
	MOVQ         $0x3ff0000000000000, AX
	MOVQ         AX, X8
	VBROADCASTSD X8, Y8
	VSUBPD       Y10, Y8, Y11          // 1-β1
	VSUBPD       Y12, Y8, Y13          // 1-β2
	SHRQ         $2, CX
	JZ           adamdone

adamloop:
	VMOVUPD (SI), Y0                   // g
	VMULPD  (R8), Y10, Y1
	VMULPD  Y0, Y11, Y2
	VADDPD  Y2, Y1, Y1                 // m
	VMOVUPD Y1, (R8)
	VMULPD  (R9), Y12, Y3
	VMULPD  Y0, Y13, Y4
	VMULPD  Y0, Y4, Y4
	VADDPD  Y4, Y3, Y3                 // v
	VMOVUPD Y3, (R9)
	VSQRTPD Y3, Y5
	VDIVPD  Y15, Y5, Y5
	VADDPD  Y9, Y5, Y5                 // √v/sqrtBC2 + eps
	VDIVPD  Y5, Y1, Y6
	VMULPD  Y14, Y6, Y6
	VMOVUPD (DI), Y7
	VSUBPD  Y6, Y7, Y7
	VMOVUPD Y7, (DI)
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	ADDQ    $32, DI
	DECQ    CX
	JNZ     adamloop

adamdone:
	VZEROUPPER
	RET
