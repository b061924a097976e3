#include "textflag.h"

// func dumpStats()
// Valgrind's client request CALLGRIND_DUMP_STATS (callgrind.h: VG_USERREQ_TOOL_BASE('C','T')
// + 0 = 0x43540000), issued with the special no-op sequence valgrind.h defines for amd64:
// RAX holds the address of {request, 5 arguments}, RDX the default result, and the four
// rotations of RDI (3+13+61+51 = 128 bits: RDI unchanged) followed by xchg rbx,rbx mark it.
// Outside valgrind it does nothing.
TEXT ·dumpStats(SB), NOSPLIT, $48-0
	MOVQ $0x43540000, 0(SP)
	MOVQ $0, 8(SP)
	MOVQ $0, 16(SP)
	MOVQ $0, 24(SP)
	MOVQ $0, 32(SP)
	MOVQ $0, 40(SP)
	LEAQ 0(SP), AX
	MOVQ $0, DX
	ROLQ $3, DI
	ROLQ $13, DI
	ROLQ $61, DI
	ROLQ $51, DI
	XCHGQ BX, BX
	RET
