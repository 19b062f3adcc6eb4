/*
 * conf_client: the [client NAME] sections of listfeed.conf(5), the one
 * certificate-one-client rule, and the lookups of listfeed.fcgi's ACL
 * (conf.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_int.h"
#include "log.h"
#include "valid.h"

int
conf_x509_fpr(const char *in, char out[41])
{
	size_t	 o = 0;

	for (; *in != '\0'; in++) {
		if (*in == ':')
			continue;
		if (!isxdigit((unsigned char)*in) || o >= 40)
			return -1;
		out[o++] = (char)tolower((unsigned char)*in);
	}
	out[o] = '\0';
	return valid_fingerprint(out) ? 0 : -1;
}

/*
 * One certificate, one client: a fingerprint or a subject that another
 * [client] section has already claimed is refused, naming both lines
 * (otherwise the first section would silently win).
 */
static int
claim(struct parse *p, const char *client, const char *kind, const char *id)
{
	struct claim	*c;
	char		*s;
	size_t		 i;

	if (asprintf(&s, "%s %s", kind, id) == -1)
		return ini_fail(&p->ini, "%s: %s", kind, strerror(errno));
	for (i = 0; i < p->nclaims; i++)
		if (strcmp(p->claims[i].id, s) == 0) {
			free(s);
			return ini_fail(&p->ini, "%s %s is already in [client "
			    "%s] at %s:%lu: a certificate belongs to one "
			    "client", kind, id, p->claims[i].client,
			    p->c->path, p->claims[i].line);
		}
	if ((c = conf_grow(p, p->last, p->claims, p->nclaims,
	    sizeof(*c))) == NULL) {
		free(s);
		return 0;
	}
	p->claims = c;
	c = &p->claims[p->nclaims++];
	c->id = s;
	c->line = p->ini.line;
	if ((c->client = strdup(client)) == NULL)
		return ini_fail(&p->ini, "%s: %s", kind, strerror(errno));
	return 1;
}

void
conf_claims_free(struct parse *p)
{
	size_t	 i;

	for (i = 0; i < p->nclaims; i++) {
		free(p->claims[i].id);
		free(p->claims[i].client);
	}
	free(p->claims);
	p->claims = NULL;
	p->nclaims = 0;
}

/* Fingerprints from the from'th on, just added to cl, claimed for it. */
static int
claim_fingerprints(struct parse *p, const struct lf_client *cl, size_t from)
{
	for (; from < cl->fingerprints.n; from++)
		if (!claim(p, cl->name, "fingerprint",
		    cl->fingerprints.v[from]))
			return 0;
	return 1;
}

int
conf_client_start(struct parse *p, const char *section, const char *name)
{
	struct lf_config	*c = p->c;
	struct lf_client	*cl;

	if ((cl = conf_grow(p, section, c->clients, c->nclients,
	    sizeof(*cl))) == NULL)
		return 0;
	c->clients = cl;
	cl = &c->clients[p->cur = c->nclients++];
	return conf_section_name(p, section, name, &cl->name);
}

int
conf_client_key(struct parse *p, const char *section, const char *k,
    const char *v)
{
	struct lf_client	*cl = &p->c->clients[p->cur];
	size_t			 n;

	if (strcmp(k, "fingerprint") == 0) {
		n = cl->fingerprints.n;
		return conf_add_words(p, &cl->fingerprints, v, k, W_X509_FPR,
		    NULL) && claim_fingerprints(p, cl, n);
	}
	if (strcmp(k, "lists") == 0)
		return conf_add_words(p, &cl->lists, v, k, W_LIST,
		    &cl->all_lists);
	if (!ini_once(&p->ini, section, k))
		return 0;
	if (strcmp(k, "subject") == 0)
		return ini_set_str(&p->ini, &cl->subject, v, k) &&
		    claim(p, cl->name, "subject", v);
	if (strcmp(k, "plain") == 0)
		return ini_set_bool(&p->ini, &cl->plain, v, k);
	if (strcmp(k, "trigger") == 0)
		return ini_set_bool(&p->ini, &cl->trigger, v, k);
	return ini_fail(&p->ini, "unknown key \"%s\" in [%s]", k, section);
}

int
conf_clients_check(const struct lf_config *c)
{
	size_t	 i;

	for (i = 0; i < c->nclients; i++)
		if (c->clients[i].fingerprints.n == 0 &&
		    c->clients[i].subject == NULL) {
			log_warnx("%s: [client %s]: needs a fingerprint or a "
			    "subject", c->path, c->clients[i].name);
			return -1;
		}
	return 0;
}

const struct lf_client *
conf_client_find(const struct lf_config *c, const char *fingerprint,
    const char *subject)
{
	char	 fp[41];
	size_t	 i;

	if (fingerprint != NULL && conf_x509_fpr(fingerprint, fp) == 0)
		for (i = 0; i < c->nclients; i++)
			if (strlist_has(&c->clients[i].fingerprints, fp))
				return &c->clients[i];
	if (subject == NULL || *subject == '\0')
		return NULL;
	/* By subject only where no fingerprint pins the client. */
	for (i = 0; i < c->nclients; i++)
		if (c->clients[i].fingerprints.n == 0 &&
		    c->clients[i].subject != NULL &&
		    strcmp(c->clients[i].subject, subject) == 0)
			return &c->clients[i];
	return NULL;
}

int
conf_client_sees(const struct lf_client *cl, const char *list)
{
	return cl->all_lists || strlist_has(&cl->lists, list);
}

int
conf_list_plain(const struct lf_config *c, const char *list)
{
	size_t	 i;

	for (i = 0; i < c->nclients; i++)
		if (c->clients[i].plain && conf_client_sees(&c->clients[i],
		    list))
			return 1;
	return 0;
}
