/* The injector's frame decoder and payload readers on any transfer. */
#include "drivers/injector/protocol.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inj_frame f;
	struct uut_identity id;
	struct inj_status_reply st;
	struct inj_event ev;
	struct inj_settings w;
	struct uut_settings s;
	uint8_t again[INJ_MAX_FRAME];
	uint32_t v;

	if (inj_decode(data, size, &f) != 0)
		return 0;
	/* What decodes must encode back to the same bytes. */
	if (inj_encode(&f, again) != size || __builtin_memcmp(again, data, size) != 0)
		__builtin_trap();
	inj_check_reply(&f, f.seq, f.code);
	inj_get_identity(&f, &id);
	inj_get_status(&f, &st);
	inj_get_event(&f, &ev);
	inj_get_u32(&f, &v);
	if (inj_get_settings(f.payload, f.len, &w) == 0)
		inj_settings_from_wire(&w, &s);
	return 0;
}
