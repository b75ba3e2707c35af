#ifndef RIG_SCRIPT_PROMPT_IMAGE_H
#define RIG_SCRIPT_PROMPT_IMAGE_H

/*
 * The picture an operator prompt may show (rig.prompt(message, {image =
 * FILE}), docs/script-api.md): a PNG, JPEG or SVG file beside the script,
 * checked by its content and size, and copied into the run directory
 * (images/<first 16 hex digits of its SHA-256>.<ext>) so the run's record
 * holds what the operator was shown and its MANIFEST covers it.
 */
#include <stddef.h>

#define PROMPT_IMAGE_MAX_BYTES (1u << 20)

struct prompt_image {
	char name[256];   /* as the script gave it, relative to the script */
	char sha256[65];
	char path[64];    /* in the run directory: images/<hash>.<ext> */
};

/*
 * Check script_dir/rel and copy it into run_dir. rel must be a relative
 * path of plain names ([A-Za-z0-9._-], none starting with '.', so no ".."),
 * naming a regular file of 1 byte to PROMPT_IMAGE_MAX_BYTES whose content
 * is what its extension says: .png (the PNG signature and IHDR), .jpg or
 * .jpeg (a JPEG start and end marker), .svg (UTF-8 text with an <svg
 * element and no <script). 0, or RIG_ERR_INVALID / RIG_ERR_IO with a message
 * naming the image (the caller adds the script's file:line).
 */
int prompt_image_take(const char *script_dir, const char *run_dir, const char *rel,
		      struct prompt_image *out);

/*
 * What the content of an image file is: "png", "jpeg" or "svg", or NULL
 * with why in *why. Apart, so it is tested alone.
 */
const char *prompt_image_kind(const unsigned char *data, size_t len, const char **why);

#endif
