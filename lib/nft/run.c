/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libnftables, the one way nsnet talks to nftables: every change is one call of
 * nft_run_cmd_from_buffer(), which the library sends as one netlink batch, so the
 * kernel applies all of it or none of it.
 */
#include <nftables/libnftables.h>
#include "nft/nft.h"
#include "base/base.h"

static void nft_ctx_freep(struct nft_ctx **p)
{
	if (*p)
		nft_ctx_free(*p);
}
#define _cleanup_nft_ _cleanup_(nft_ctx_freep)

/* nft's error text is "Error: what\n<the command>\n   ^^^^\n"; keep the first line,
 * and the command it refers to, which says which element or rule it was. */
static int nft_error(struct nsnet_error *e, const char *text)
{
	char line[512] = "", cmd[256] = "";
	const char *p = text ? text : "";
	if (strncmp(p, "Error: ", 7) == 0)
		p += 7;
	size_t n = strcspn(p, "\n");
	snprintf(line, sizeof(line), "%.*s", (int)n, p);
	if (p[n] == '\n') {
		const char *c = p + n + 1;
		size_t m = strcspn(c, "\n");
		snprintf(cmd, sizeof(cmd), "%.*s", (int)m, c);
	}
	int code = EIO;
	if (strstr(line, "No such file or directory"))
		code = ENOENT;
	else if (strstr(line, "File exists"))
		code = EEXIST;
	else if (strstr(line, "Operation not permitted"))
		code = EPERM;
	else if (strstr(line, "Cannot allocate memory"))
		code = ENOMEM;
	if (!line[0])
		snprintf(line, sizeof(line), "failed without a message");
	if (cmd[0])
		return nsnet_errx(e, code, "nftables: %s (in: %s)", line, cmd);
	return nsnet_errx(e, code, "nftables: %s", line);
}

static int ctx_new(struct nft_ctx **ret, unsigned flags, struct nsnet_error *e)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return nsnet_errx(e, ENOMEM, "nftables: cannot create a libnftables context");
	nft_ctx_output_set_flags(ctx, flags);
	if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0) {
		nft_ctx_free(ctx);
		return nsnet_errx(e, ENOMEM, "nftables: cannot buffer libnftables output");
	}
	*ret = ctx;
	return 0;
}

int nft_run(const char *cmds, struct nsnet_error *e)
{
	_cleanup_nft_ struct nft_ctx *ctx = NULL;
	int r = ctx_new(&ctx, 0, e);
	if (r < 0)
		return r;
	if (nft_run_cmd_from_buffer(ctx, cmds) != 0)
		return nft_error(e, nft_ctx_get_error_buffer(ctx));
	return 0;
}

int nft_check(const char *cmds, struct nsnet_error *e)
{
	_cleanup_nft_ struct nft_ctx *ctx = NULL;
	int r = ctx_new(&ctx, 0, e);
	if (r < 0)
		return r;
	/* Parsed and evaluated, never sent: checking changes nothing anywhere. */
	nft_ctx_set_dry_run(ctx, true);
	if (nft_run_cmd_from_buffer(ctx, cmds) != 0)
		return nft_error(e, nft_ctx_get_error_buffer(ctx));
	return 0;
}

int nft_list_json(const char *cmd, json_t **ret, struct nsnet_error *e)
{
	_cleanup_nft_ struct nft_ctx *ctx = NULL;
	int r = ctx_new(&ctx, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE, e);
	if (r < 0)
		return r;
	if (nft_run_cmd_from_buffer(ctx, cmd) != 0)
		return nft_error(e, nft_ctx_get_error_buffer(ctx));
	json_error_t je;
	json_t *v = json_loads(nft_ctx_get_output_buffer(ctx), 0, &je);
	if (!v || !json_is_array(json_object_get(v, "nftables"))) {
		json_decref(v);
		return nsnet_errx(e, EIO, "nftables: '%s': unreadable JSON output: %s", cmd, je.text);
	}
	*ret = v;
	return 0;
}

int nft_list_text(const char *cmd, unsigned flags, char **ret, struct nsnet_error *e)
{
	_cleanup_nft_ struct nft_ctx *ctx = NULL;
	int r = ctx_new(&ctx, flags, e);
	if (r < 0)
		return r;
	if (nft_run_cmd_from_buffer(ctx, cmd) != 0)
		return nft_error(e, nft_ctx_get_error_buffer(ctx));
	char *out = strdup(nft_ctx_get_output_buffer(ctx) ?: "");
	if (!out)
		return nsnet_err(e, ENOMEM, "nftables: '%s'", cmd);
	*ret = out;
	return 0;
}

int nft_cmds_open(struct nft_cmds *c, struct nsnet_error *e)
{
	*c = (struct nft_cmds){ 0 };
	c->f = open_memstream(&c->buf, &c->len);
	if (!c->f)
		return nsnet_err(e, errno, "nftables: command buffer");
	return 0;
}

int nft_cmds_finish(struct nft_cmds *c, struct nsnet_error *e)
{
	if (!c->f)
		return 0;
	int r = ferror(c->f) ? -ENOMEM : 0;
	if (fclose(c->f) != 0 && r == 0)
		r = -errno;
	c->f = NULL;
	if (r < 0)
		return nsnet_err(e, -r, "nftables: command buffer");
	return 0;
}

void nft_cmds_free(struct nft_cmds *c)
{
	if (c->f)
		fclose(c->f);
	free(c->buf);
	*c = (struct nft_cmds){ 0 };
}
