#include "rig/regress/verbs.h"
int trend_command(int argc, char **argv)
{
	(void)argc; (void)argv;
	return 2;
}
