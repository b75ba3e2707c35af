#ifndef RIG_SERVE_ASSETS_H
#define RIG_SERVE_ASSETS_H

/* rig serve's page assets (the files of rig/serve/static/), compiled in by
 * rig/serve/embed-assets; served under /static/NAME. */
struct serve_asset {
	const char *name, *type, *data;
};

extern const struct serve_asset serve_assets[];
extern const int serve_nassets;

#endif
