#include "textflag.h"

// Each constant of the cell kernel is repeated in the four lanes of an AVX
// register, so that instructions can read it from memory.
DATA cellConsts<>+0(SB)/8, $0x3ff0000000000000
DATA cellConsts<>+8(SB)/8, $0x3ff0000000000000
DATA cellConsts<>+16(SB)/8, $0x3ff0000000000000
DATA cellConsts<>+24(SB)/8, $0x3ff0000000000000
DATA cellConsts<>+32(SB)/8, $0x4000000000000000
DATA cellConsts<>+40(SB)/8, $0x4000000000000000
DATA cellConsts<>+48(SB)/8, $0x4000000000000000
DATA cellConsts<>+56(SB)/8, $0x4000000000000000
DATA cellConsts<>+64(SB)/8, $0xbff0000000000000
DATA cellConsts<>+72(SB)/8, $0xbff0000000000000
DATA cellConsts<>+80(SB)/8, $0xbff0000000000000
DATA cellConsts<>+88(SB)/8, $0xbff0000000000000
DATA cellConsts<>+96(SB)/8, $0xc000000000000000
DATA cellConsts<>+104(SB)/8, $0xc000000000000000
DATA cellConsts<>+112(SB)/8, $0xc000000000000000
DATA cellConsts<>+120(SB)/8, $0xc000000000000000
DATA cellConsts<>+128(SB)/8, $0xc085e00000000000
DATA cellConsts<>+136(SB)/8, $0xc085e00000000000
DATA cellConsts<>+144(SB)/8, $0xc085e00000000000
DATA cellConsts<>+152(SB)/8, $0xc085e00000000000
DATA cellConsts<>+160(SB)/8, $0x4085e00000000000
DATA cellConsts<>+168(SB)/8, $0x4085e00000000000
DATA cellConsts<>+176(SB)/8, $0x4085e00000000000
DATA cellConsts<>+184(SB)/8, $0x4085e00000000000
DATA cellConsts<>+192(SB)/8, $0x3ff71547652b82fe
DATA cellConsts<>+200(SB)/8, $0x3ff71547652b82fe
DATA cellConsts<>+208(SB)/8, $0x3ff71547652b82fe
DATA cellConsts<>+216(SB)/8, $0x3ff71547652b82fe
DATA cellConsts<>+224(SB)/8, $0x3fe62e42fee00000
DATA cellConsts<>+232(SB)/8, $0x3fe62e42fee00000
DATA cellConsts<>+240(SB)/8, $0x3fe62e42fee00000
DATA cellConsts<>+248(SB)/8, $0x3fe62e42fee00000
DATA cellConsts<>+256(SB)/8, $0x3dea39ef35793c76
DATA cellConsts<>+264(SB)/8, $0x3dea39ef35793c76
DATA cellConsts<>+272(SB)/8, $0x3dea39ef35793c76
DATA cellConsts<>+280(SB)/8, $0x3dea39ef35793c76
DATA cellConsts<>+288(SB)/8, $0x3de6124613a86d09
DATA cellConsts<>+296(SB)/8, $0x3de6124613a86d09
DATA cellConsts<>+304(SB)/8, $0x3de6124613a86d09
DATA cellConsts<>+312(SB)/8, $0x3de6124613a86d09
DATA cellConsts<>+320(SB)/8, $0x3e21eed8eff8d898
DATA cellConsts<>+328(SB)/8, $0x3e21eed8eff8d898
DATA cellConsts<>+336(SB)/8, $0x3e21eed8eff8d898
DATA cellConsts<>+344(SB)/8, $0x3e21eed8eff8d898
DATA cellConsts<>+352(SB)/8, $0x3e5ae64567f544e4
DATA cellConsts<>+360(SB)/8, $0x3e5ae64567f544e4
DATA cellConsts<>+368(SB)/8, $0x3e5ae64567f544e4
DATA cellConsts<>+376(SB)/8, $0x3e5ae64567f544e4
DATA cellConsts<>+384(SB)/8, $0x3e927e4fb7789f5c
DATA cellConsts<>+392(SB)/8, $0x3e927e4fb7789f5c
DATA cellConsts<>+400(SB)/8, $0x3e927e4fb7789f5c
DATA cellConsts<>+408(SB)/8, $0x3e927e4fb7789f5c
DATA cellConsts<>+416(SB)/8, $0x3ec71de3a556c734
DATA cellConsts<>+424(SB)/8, $0x3ec71de3a556c734
DATA cellConsts<>+432(SB)/8, $0x3ec71de3a556c734
DATA cellConsts<>+440(SB)/8, $0x3ec71de3a556c734
DATA cellConsts<>+448(SB)/8, $0x3efa01a01a01a01a
DATA cellConsts<>+456(SB)/8, $0x3efa01a01a01a01a
DATA cellConsts<>+464(SB)/8, $0x3efa01a01a01a01a
DATA cellConsts<>+472(SB)/8, $0x3efa01a01a01a01a
DATA cellConsts<>+480(SB)/8, $0x3f2a01a01a01a01a
DATA cellConsts<>+488(SB)/8, $0x3f2a01a01a01a01a
DATA cellConsts<>+496(SB)/8, $0x3f2a01a01a01a01a
DATA cellConsts<>+504(SB)/8, $0x3f2a01a01a01a01a
DATA cellConsts<>+512(SB)/8, $0x3f56c16c16c16c17
DATA cellConsts<>+520(SB)/8, $0x3f56c16c16c16c17
DATA cellConsts<>+528(SB)/8, $0x3f56c16c16c16c17
DATA cellConsts<>+536(SB)/8, $0x3f56c16c16c16c17
DATA cellConsts<>+544(SB)/8, $0x3f81111111111111
DATA cellConsts<>+552(SB)/8, $0x3f81111111111111
DATA cellConsts<>+560(SB)/8, $0x3f81111111111111
DATA cellConsts<>+568(SB)/8, $0x3f81111111111111
DATA cellConsts<>+576(SB)/8, $0x3fa5555555555555
DATA cellConsts<>+584(SB)/8, $0x3fa5555555555555
DATA cellConsts<>+592(SB)/8, $0x3fa5555555555555
DATA cellConsts<>+600(SB)/8, $0x3fa5555555555555
DATA cellConsts<>+608(SB)/8, $0x3fc5555555555555
DATA cellConsts<>+616(SB)/8, $0x3fc5555555555555
DATA cellConsts<>+624(SB)/8, $0x3fc5555555555555
DATA cellConsts<>+632(SB)/8, $0x3fc5555555555555
DATA cellConsts<>+640(SB)/8, $0x3fe0000000000000
DATA cellConsts<>+648(SB)/8, $0x3fe0000000000000
DATA cellConsts<>+656(SB)/8, $0x3fe0000000000000
DATA cellConsts<>+664(SB)/8, $0x3fe0000000000000
DATA cellConsts<>+672(SB)/8, $0x3ff0000000000000
DATA cellConsts<>+680(SB)/8, $0x3ff0000000000000
DATA cellConsts<>+688(SB)/8, $0x3ff0000000000000
DATA cellConsts<>+696(SB)/8, $0x3ff0000000000000
DATA cellConsts<>+704(SB)/8, $0x3ff0000000000000
DATA cellConsts<>+712(SB)/8, $0x3ff0000000000000
DATA cellConsts<>+720(SB)/8, $0x3ff0000000000000
DATA cellConsts<>+728(SB)/8, $0x3ff0000000000000
GLOBL cellConsts<>(SB), RODATA|NOPTR, $736

// EXP sets X to exp(X) in each lane, and uses T1 (whose lower half is
// T1X) and T2. The argument is
// clamped to ±700, so that 2^k stays a normal number (a NaN passes through
// the clamps: VMAXPD and VMINPD return their second source if either is
// NaN). exp(x) = 2^k·exp(r) with k = round(x/ln 2) and r = x - k·ln 2 in
// two parts (Cody and Waite), |r| ≤ ln2/2, where the Taylor polynomial of
// degree 13 is exact to rounding; 2^k is added to the exponent bits.
#define EXP(X, T1, T1X, T2) \
	VMOVUPD cellConsts<>+128(SB), T1; \
	VMAXPD X, T1, X; \
	VMOVUPD cellConsts<>+160(SB), T1; \
	VMINPD X, T1, X; \
	VMULPD cellConsts<>+192(SB), X, T1; \
	VROUNDPD $0, T1, T1; \
	VFNMADD231PD cellConsts<>+224(SB), T1, X; \
	VFNMADD231PD cellConsts<>+256(SB), T1, X; \
	VMOVUPD cellConsts<>+288(SB), T2; \
	VFMADD213PD cellConsts<>+320(SB), X, T2; \
	VFMADD213PD cellConsts<>+352(SB), X, T2; \
	VFMADD213PD cellConsts<>+384(SB), X, T2; \
	VFMADD213PD cellConsts<>+416(SB), X, T2; \
	VFMADD213PD cellConsts<>+448(SB), X, T2; \
	VFMADD213PD cellConsts<>+480(SB), X, T2; \
	VFMADD213PD cellConsts<>+512(SB), X, T2; \
	VFMADD213PD cellConsts<>+544(SB), X, T2; \
	VFMADD213PD cellConsts<>+576(SB), X, T2; \
	VFMADD213PD cellConsts<>+608(SB), X, T2; \
	VFMADD213PD cellConsts<>+640(SB), X, T2; \
	VFMADD213PD cellConsts<>+672(SB), X, T2; \
	VFMADD213PD cellConsts<>+704(SB), X, T2; \
	VCVTPD2DQY T1, T1X; \
	VPMOVSXDQ T1X, T1; \
	VPSLLQ $52, T1, T1; \
	VPADDQ T1, T2, X

// SIGMOID sets X to 1/(1+exp(-X)), using T1 (lower half T1X) and T2.
#define SIGMOID(X, T1, T1X, T2) \
	VMULPD cellConsts<>+64(SB), X, X; \
	EXP(X, T1, T1X, T2); \
	VADDPD cellConsts<>+0(SB), X, X; \
	VMOVUPD cellConsts<>+0(SB), T1; \
	VDIVPD X, T1, X

// TANH sets X to tanh(X) = 2/(1+exp(-2X)) - 1, using T1 (lower half T1X)
// and T2.
#define TANH(X, T1, T1X, T2) \
	VMULPD cellConsts<>+96(SB), X, X; \
	EXP(X, T1, T1X, T2); \
	VADDPD cellConsts<>+0(SB), X, X; \
	VMOVUPD cellConsts<>+32(SB), T1; \
	VDIVPD X, T1, X; \
	VSUBPD cellConsts<>+0(SB), X, X

// func cellAVX(z, cPrev, c, tc, h []float64)
//
// Units 4m..4m+3 of the cell step for every m < len(c)/4; see cellRow. An
// empty cPrev means c_{t-1} = 0.
TEXT ·cellAVX(SB), NOSPLIT, $0-120
	MOVQ z_base+0(FP), SI
	MOVQ cPrev_base+24(FP), DX
	MOVQ cPrev_len+32(FP), R10
	MOVQ c_base+48(FP), DI
	MOVQ c_len+56(FP), R9
	MOVQ tc_base+72(FP), R11
	MOVQ h_base+96(FP), R12
	MOVQ R9, CX
	SHRQ $2, CX
	SHLQ $3, R9
	LEAQ (R9)(R9*2), R13
	TESTQ CX, CX
	JZ    celldone

cellloop:
	VMOVUPD (SI), Y4
	SIGMOID(Y4, Y1, X1, Y2)
	VMOVUPD Y4, (SI)
	VMOVUPD (SI)(R9*1), Y5
	SIGMOID(Y5, Y1, X1, Y2)
	VMOVUPD Y5, (SI)(R9*1)
	VMOVUPD (SI)(R9*2), Y6
	TANH(Y6, Y1, X1, Y2)
	VMOVUPD Y6, (SI)(R9*2)
	VMOVUPD (SI)(R13*1), Y7
	SIGMOID(Y7, Y1, X1, Y2)
	VMOVUPD Y7, (SI)(R13*1)

	// c = f·c_{t-1} + i·g
	VMULPD Y6, Y4, Y0
	TESTQ  R10, R10
	JZ     cellstore
	VMOVUPD     (DX), Y3
	VFMADD231PD Y3, Y5, Y0
	ADDQ        $32, DX

cellstore:
	VMOVUPD Y0, (DI)
	TANH(Y0, Y1, X1, Y2)
	VMOVUPD Y0, (R11)
	VMULPD  Y0, Y7, Y0
	VMOVUPD Y0, (R12)

	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R11
	ADDQ $32, R12
	DECQ CX
	JNZ  cellloop

celldone:
	VZEROUPPER
	RET

// func cellBackAVX(gates, tc, cPrev, dhIn, dhNext, dcNext, dgates []float64)
//
// Units 4m..4m+3 of the backward cell step for every m < len(tc)/4; see
// cellRowBackward. An empty cPrev means c_{t-1} = 0. Each gate is loaded
// before its slot is stored to, so dgates may be gates.
TEXT ·cellBackAVX(SB), NOSPLIT, $0-168
	MOVQ gates_base+0(FP), SI
	MOVQ tc_base+24(FP), R11
	MOVQ tc_len+32(FP), R9
	MOVQ cPrev_base+48(FP), DX
	MOVQ cPrev_len+56(FP), R10
	MOVQ dhIn_base+72(FP), R8
	MOVQ dhNext_base+96(FP), R12
	MOVQ dcNext_base+120(FP), BX
	MOVQ dgates_base+144(FP), DI
	MOVQ R9, CX
	SHRQ $2, CX
	SHLQ $3, R9
	LEAQ (R9)(R9*2), R13
	TESTQ CX, CX
	JZ    backdone
	VMOVUPD cellConsts<>+0(SB), Y4

backloop:
	// dh = dhIn + dhNext; dc = dcNext + dh·o·(1-tc²)
	VMOVUPD (R8), Y0
	VADDPD  (R12), Y0, Y0
	VMOVUPD (R11), Y1
	VMOVUPD (SI)(R13*1), Y2
	VMULPD  Y1, Y1, Y3
	VSUBPD  Y3, Y4, Y3
	VMULPD  Y2, Y0, Y5
	VMULPD  Y3, Y5, Y5
	VADDPD  (BX), Y5, Y5

	// do = dh·tc·o·(1-o)
	VMULPD  Y1, Y0, Y6
	VMULPD  Y2, Y6, Y6
	VSUBPD  Y2, Y4, Y7
	VMULPD  Y7, Y6, Y6
	VMOVUPD Y6, (DI)(R13*1)

	// di = dc·g·i·(1-i); dg = dc·i·(1-g²)
	VMOVUPD (SI), Y7
	VMOVUPD (SI)(R9*2), Y8
	VMULPD  Y8, Y5, Y9
	VMULPD  Y7, Y9, Y9
	VSUBPD  Y7, Y4, Y10
	VMULPD  Y10, Y9, Y9
	VMOVUPD Y9, (DI)
	VMULPD  Y7, Y5, Y9
	VMULPD  Y8, Y8, Y10
	VSUBPD  Y10, Y4, Y10
	VMULPD  Y10, Y9, Y9
	VMOVUPD Y9, (DI)(R9*2)

	// dcNext = dc·f; df = dc·c_{t-1}·f·(1-f)
	VMOVUPD (SI)(R9*1), Y7
	VMULPD  Y7, Y5, Y9
	VMOVUPD Y9, (BX)
	VXORPD  Y9, Y9, Y9
	TESTQ   R10, R10
	JZ      backdf
	VMOVUPD (DX), Y9
	ADDQ    $32, DX

backdf:
	VMULPD  Y9, Y5, Y9
	VMULPD  Y7, Y9, Y9
	VSUBPD  Y7, Y4, Y10
	VMULPD  Y10, Y9, Y9
	VMOVUPD Y9, (DI)(R9*1)

	ADDQ $32, SI
	ADDQ $32, R11
	ADDQ $32, R8
	ADDQ $32, R12
	ADDQ $32, BX
	ADDQ $32, DI
	DECQ CX
	JNZ  backloop

backdone:
	VZEROUPPER
	RET

// func gruAVX(gx, gh, hPrev, h []float64)
//
// Units 4m..4m+3 of the GRU step for every m < len(h)/4; see gruRow. An
// empty hPrev means h_{t-1} = 0; hPrev may be h, each group being read
// before it is written.
TEXT ·gruAVX(SB), NOSPLIT, $0-96
	MOVQ gx_base+0(FP), SI
	MOVQ gh_base+24(FP), BX
	MOVQ hPrev_base+48(FP), DX
	MOVQ hPrev_len+56(FP), R10
	MOVQ h_base+72(FP), DI
	MOVQ h_len+80(FP), R9
	MOVQ R9, CX
	SHRQ $2, CX
	SHLQ $3, R9
	TESTQ CX, CX
	JZ    grudone

gruloop:
	// r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r·gh_n)
	VMOVUPD (SI), Y4
	VADDPD  (BX), Y4, Y4
	SIGMOID(Y4, Y1, X1, Y2)
	VMOVUPD Y4, (SI)
	VMOVUPD (SI)(R9*1), Y5
	VADDPD  (BX)(R9*1), Y5, Y5
	SIGMOID(Y5, Y1, X1, Y2)
	VMOVUPD Y5, (SI)(R9*1)
	VMOVUPD     (BX)(R9*2), Y6
	VFMADD213PD (SI)(R9*2), Y4, Y6
	TANH(Y6, Y1, X1, Y2)
	VMOVUPD Y6, (SI)(R9*2)

	// h = n + z·(h_{t-1} - n)
	VXORPD Y3, Y3, Y3
	TESTQ  R10, R10
	JZ     grustore
	VMOVUPD (DX), Y3
	ADDQ    $32, DX

grustore:
	VSUBPD      Y6, Y3, Y3
	VFMADD213PD Y6, Y5, Y3
	VMOVUPD     Y3, (DI)

	ADDQ $32, SI
	ADDQ $32, BX
	ADDQ $32, DI
	DECQ CX
	JNZ  gruloop

grudone:
	VZEROUPPER
	RET

// func tanhAVX(x, y []float64)
//
// y[i] = tanh(x[i]) for every i < len(y)/4*4; see rnnRow.
TEXT ·tanhAVX(SB), NOSPLIT, $0-48
	MOVQ x_base+0(FP), SI
	MOVQ y_base+24(FP), DI
	MOVQ y_len+32(FP), CX
	SHRQ $2, CX
	JZ   tanhdone

tanhloop:
	VMOVUPD (SI), Y4
	TANH(Y4, Y1, X1, Y2)
	VMOVUPD Y4, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     tanhloop

tanhdone:
	VZEROUPPER
	RET

// func gruBackAVX(gates, gh, hPrev, dhIn, dhNext []float64)
//
// Units 4m..4m+3 of the GRU's backward step for every m < len(dhIn)/4; see
// gruRowBackward, whose products it evaluates in the same order, unfused.
// An empty hPrev means h_{t-1} = 0. Every slot is loaded before it is
// stored to.
TEXT ·gruBackAVX(SB), NOSPLIT, $0-120
	MOVQ gates_base+0(FP), SI
	MOVQ gh_base+24(FP), BX
	MOVQ hPrev_base+48(FP), DX
	MOVQ hPrev_len+56(FP), R10
	MOVQ dhIn_base+72(FP), R8
	MOVQ dhIn_len+80(FP), R9
	MOVQ dhNext_base+96(FP), R12
	MOVQ R9, CX
	SHRQ $2, CX
	SHLQ $3, R9
	TESTQ CX, CX
	JZ    grubackdone
	VMOVUPD cellConsts<>+0(SB), Y4

grubackloop:
	// dh = dhIn + dhNext; r, z, n
	VMOVUPD (R8), Y0
	VADDPD  (R12), Y0, Y0
	VMOVUPD (SI), Y1
	VMOVUPD (SI)(R9*1), Y2
	VMOVUPD (SI)(R9*2), Y3

	// dn = dh·(1-z)·(1-n²)
	VSUBPD Y2, Y4, Y5
	VMULPD Y5, Y0, Y5
	VMULPD Y3, Y3, Y6
	VSUBPD Y6, Y4, Y6
	VMULPD Y6, Y5, Y5

	// dr = dn·gh_n·r·(1-r)
	VMULPD (BX)(R9*2), Y5, Y6
	VMULPD Y1, Y6, Y6
	VSUBPD Y1, Y4, Y7
	VMULPD Y7, Y6, Y6

	// dz = dh·(h_{t-1}-n)·z·(1-z)
	VXORPD Y7, Y7, Y7
	TESTQ  R10, R10
	JZ     grubackdz
	VMOVUPD (DX), Y7
	ADDQ    $32, DX

grubackdz:
	VSUBPD Y3, Y7, Y7
	VMULPD Y7, Y0, Y7
	VMULPD Y2, Y7, Y7
	VSUBPD Y2, Y4, Y8
	VMULPD Y8, Y7, Y7

	// dgx = dr, dz, dn; dgh = dr, dz, dn·r; dhNext = dh·z
	VMOVUPD Y6, (SI)
	VMOVUPD Y7, (SI)(R9*1)
	VMOVUPD Y5, (SI)(R9*2)
	VMOVUPD Y6, (BX)
	VMOVUPD Y7, (BX)(R9*1)
	VMULPD  Y1, Y5, Y8
	VMOVUPD Y8, (BX)(R9*2)
	VMULPD  Y2, Y0, Y8
	VMOVUPD Y8, (R12)

	ADDQ $32, SI
	ADDQ $32, BX
	ADDQ $32, R8
	ADDQ $32, R12
	DECQ CX
	JNZ  grubackloop

grubackdone:
	VZEROUPPER
	RET
