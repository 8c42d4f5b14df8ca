// SPDX-License-Identifier: GPL-2.0
/*
 * kmesim: start both KMEs, say where they listen, wait for SIGTERM or
 * SIGINT, stop and zeroize the key store. Exit status: 0 after a clean
 * shutdown, 1 on a runtime error, 2 on misuse.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmesim.h"
#include "server.h"

/*
 * Written to a temporary file and renamed, so that a test polling for the
 * file never reads half of it.
 */
static int write_file(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -errno;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct kmesim_config cfg;
	static struct kmesim k;
	struct kme_server srv[2] = { 0 };
	char line[256], pid[32], quirks[160];
	sigset_t stop;
	int ret, sig, s;

	ret = config_parse(&cfg, argc, argv);
	if (ret)
		return ret > 0 ? 0 : 2;
	k.cfg = &cfg;
	if (store_init(&k.store, &cfg.store, cfg.masters, cfg.slaves,
		       cfg.nmasters)) {
		fprintf(stderr, "kmesim: cannot set up the key store\n");
		store_destroy(&k.store);
		return 1;
	}

	/*
	 * Block the stop signals before libmicrohttpd starts its threads,
	 * which inherit the mask, so that sigwait() here is the one place
	 * they arrive.
	 */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (s = KME_A; s <= KME_B; s++) {
		ret = server_start(&srv[s], &k, s);
		if (ret)
			goto out;
	}

	snprintf(line, sizeof(line), "listening a=%s b=%s\n", srv[KME_A].addr,
		 srv[KME_B].addr);
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	ret = cfg.pid_file ? write_file(cfg.pid_file, pid) : 0;
	if (ret) {
		fprintf(stderr, "kmesim: %s: %s\n", cfg.pid_file, strerror(-ret));
		goto out;
	}
	ret = cfg.port_file ? write_file(cfg.port_file, line) : 0;
	if (ret) {
		fprintf(stderr, "kmesim: %s: %s\n", cfg.port_file,
			strerror(-ret));
		goto out;
	}
	fprintf(stderr, "kmesim: %u pair(s), %u-bit keys, %lu bit/s%s, max %u, fault %s, quirks %s\n",
		cfg.nmasters, cfg.store.key_size, cfg.store.rate,
		cfg.store.rate ? "" : " (unthrottled)", cfg.store.max_keys,
		fault_name(cfg.fault), quirk_names(cfg.quirks, quirks, sizeof(quirks)));
	fputs(line, stdout);
	fflush(stdout);

	while (sigwait(&stop, &sig))
		;
	fprintf(stderr, "kmesim: %s, stopping\n", strsignal(sig));
	ret = 0;
out:
	for (s = KME_A; s <= KME_B; s++)
		server_stop(&srv[s]);
	store_destroy(&k.store);
	if (cfg.port_file)
		unlink(cfg.port_file);
	if (cfg.pid_file)
		unlink(cfg.pid_file);
	return ret ? 1 : 0;
}
