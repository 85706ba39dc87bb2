/* fuzz_config.c: the config file parser on arbitrary bytes. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mailbench/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mb_config cfg;
	struct mb_error err = MB_ERROR_INIT;
	size_t i;

	if (mb_config_parse(&cfg, "fuzz.conf", (const char *)data, size, &err) == 0) {
		for (i = 0; i < cfg.naccounts; i++)
			if (cfg.accounts[i]->name == NULL || strchr(cfg.accounts[i]->name, '\n'))
				abort();
		mb_config_release(&cfg);
	} else if (err.msg[0] == '\0')
		abort(); /* a refusal always says why */
	return 0;
}
