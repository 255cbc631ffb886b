/* keygen: a CurveZMQ key pair for a bank, an operator or the broker. */
#include "ctl.h"

int ctl_keygen(ctl *c, int argc, char **argv)
{
    char pub[SYND_KEY_LEN];
    synd_status st;

    if (argc != 2)
        return ctl_usage_error(c, NULL);
    if (synd_keygen(argv[1], pub, &st) != 0)
        return ctl_fail(&st);
    printf("%s\n", pub);
    return 0;
}
