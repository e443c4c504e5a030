/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * simrun: run a command with the device models behind the kernel
 * interfaces.
 *
 *   simrun [model options] [--] command [args...]
 *
 * It checks the options, picks the testbed directory, exports
 * UDRV_SIM_DIR and UDRV_SIM_CONFIG, preloads libudrv_sim.so into the
 * command, forwards SIGINT/SIGTERM to it, removes the testbed afterwards
 * and exits with the command's status.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libsim/libsim.h"
#include "dsa/dsa_model.h"

#define LIBNAME "libudrv_sim.so"

static pid_t child = -1;

static void
usage(FILE *out)
{
	fprintf(out,
"usage: simrun [options] [--] command [args...]\n"
"\n"
"Runs command with libudrv_sim.so preloaded: the modelled /sys and /dev\n"
"paths are served by device models instead of the kernel.\n"
"\n"
"Hyper-V VMBus model:\n"
"  --vmbus CLASS[,key=value...]   offer a device (repeatable)\n"
"        CLASS: echo | lowspeed | a class GUID\n"
"        count=N          devices of this spec (default 1)\n"
"        id=GUID          instance GUID (count=1 only)\n"
"        ring=BYTES       per direction incl. 4K header; K/M suffixes\n"
"                         (default 64K; lowspeed 16K+4K)\n"
"        monitor=yes|no   primary channel has a monitor id\n"
"                         (default yes; lowspeed no)\n"
"        subch-monitor=yes|no  sub-channels get monitor ids (default no)\n"
"        max-subch=N      sub-channels the host grants (default 8)\n"
"        subch-delay=MS   delay before sub-channel offers (default 20)\n"
"        numa=N           numa_node attribute (default -1)\n"
"        driver=NAME      bound driver (default uio_hv_generic)\n"
"        omit=A[:A...]    leave these device attributes out\n"
"        garbage=A[:A...] write junk into these device attributes\n"
"        latency-us=N     default monitor page scan interval (default 100)\n"
"  --gpa=dpdk|va    resolve guest physical addresses through DPDK\n"
"                   (rte_mem_iova2virt, default) or as virtual addresses\n"
"\n"
"Virtual switch (N: a netvsc NIC, counted from 0 in --vmbus order):\n"
"  --wire loop:N          frames NIC N sends come back to it\n"
"  --wire link:N-M        a cable between NICs N and M\n"
"  --wire tap:N[,ifname=NAME]   a TAP interface (default hvsw%%d)\n"
"  --wire sink:N[,mtu=M,rate=PPS]   check and count what NIC N sends\n"
"  --wire gen:N[,key=value...]  generator feeding NIC N:\n"
"        rate=PPS|max size=64|MIN-MAX|imix flows=K count=C vlan=ID\n"
"        proto=udp|tcp lossless=yes|no duration=MS start=MS|no\n"
"  --wire vf:N,ifname=NAME[,serial=S]   NIC N's VF path (AF_PACKET)\n"
"  --at MS:COMMAND  run a control command MS ms after the first NIC\n"
"                   attaches (e.g. 'wire 0 down', 'gen 0 stop')\n"
"  --report FILE    write the switch report at exit and on\n"
"                   'vswitch report'\n"
"Intel DSA model (doc/dsa-model.md):\n"
"  --dsa [dsaN|default][,key=value...]  a DSA bound to the idxd driver\n"
"        wqs=N engines=N groups=N   (default 8, 4, 4)\n"
"        wq-size=N        total WQ entries (default 128)\n"
"        max-transfer=B max-batch=N  device limits (default 2G, 1024)\n"
"        configured=yes|no  boot-time configuration (default yes)\n"
"        enabled-wqs=N mode=dedicated|shared prefix=P threshold=N\n"
"        wq-max-transfer=B wq-max-batch=N block-on-fault=yes|no\n"
"                         the pre-configured WQs (default 2 dedicated\n"
"                         WQs named dpdk_wqN.M, 2M, device max batch)\n"
"        ooo=yes|no window=N latency-ns=N  completion behaviour\n"
"        fault=A-B|A+LEN  IOVAs that page-fault (repeatable)\n"
"        invalid=N[:STATUS]  every Nth descriptor fails (default 0x10)\n"
"        fill16=yes bof=no pasid=no rawio=auto|yes|no gpa=va|dpdk\n"
"        numa=N seed=N bdf=DDDD:BB:DD.F\n"
"  --dsa-vfio BDF[,key=value...]  a DSA bound to vfio-pci\n"
"  --dsa-report FILE  write the DSA counters there at the end ('-': stdout)\n"
"\n"
"General:\n"
"  --testbed DIR    testbed directory (default /dev/shm/udrv-sim.<pid>)\n"
"  --keep           do not remove the testbed at the end\n"
"  --verbose        log model events to stderr\n"
"  --help           this text\n");
}

static void
forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

/* True if dir is absent or empty (then it is removed); *ours tells
 * whether it carries the testbed marker.
 */
static bool
is_empty_dir(const char *dir, bool *ours)
{
	char marker[PATH_MAX];
	struct stat st;

	snprintf(marker, sizeof(marker), "%s/%s", dir, SIM_MARKER);
	*ours = stat(marker, &st) == 0;
	return rmdir(dir) == 0 || errno == ENOENT;
}

/* libudrv_sim.so beside this binary, else in the install libdir. */
static int
find_library(char *out, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			int m;

			*slash = '\0';
			m = snprintf(out, len, "%s/%s", exe, LIBNAME);
			if (m > 0 && (size_t)m < len && access(out, R_OK) == 0)
				return 0;
		}
	}
#ifdef SIM_LIBDIR
	snprintf(out, len, "%s/%s", SIM_LIBDIR, LIBNAME);
	if (access(out, R_OK) == 0)
		return 0;
#endif
	return -1;
}

static int
append(char **cfg, size_t *len, const char *key, const char *val)
{
	size_t need = *len + strlen(key) + (val != NULL ? strlen(val) + 1 : 0) + 2;
	char *n = realloc(*cfg, need);

	if (n == NULL)
		return -1;
	*cfg = n;
	*len += (size_t)snprintf(n + *len, need - *len, "%s%s%s%s",
				 *len != 0 ? ";" : "", key,
				 val != NULL ? "=" : "", val != NULL ? val : "");
	return 0;
}

/*
 * The DSA model's counters at the end of the session, from its shared
 * state in the testbed: a summary on stderr, the full report in
 * --dsa-report FILE.
 */
static void
dsa_report(const char *dir)
{
	static char text[65536];
	char path[PATH_MAX];
	struct dsa_shm *shm;
	FILE *f;
	int fd;

	if (!dsa_cfg.enabled)
		return;
	snprintf(path, sizeof(path), "%s/.dsasim/state", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	shm = fd >= 0 ? mmap(NULL, sizeof(*shm), PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	if (fd >= 0)
		close(fd);
	if (shm == MAP_FAILED || shm->magic != DSA_SHM_MAGIC || shm->size != sizeof(*shm)) {
		fprintf(stderr, "simrun: dsa: the model was never used\n");
		if (shm != MAP_FAILED)
			munmap(shm, sizeof(*shm));
		return;
	}
	dsa_report_format(shm, &dsa_cfg, text, sizeof(text), false);
	fprintf(stderr, "simrun: dsa: %s", text);
	if (dsa_cfg.report[0] != '\0') {
		dsa_report_format(shm, &dsa_cfg, text, sizeof(text), true);
		f = strcmp(dsa_cfg.report, "-") == 0 ? stdout : fopen(dsa_cfg.report, "w");
		if (f == NULL) {
			fprintf(stderr, "simrun: cannot write %s: %s\n", dsa_cfg.report,
				strerror(errno));
		} else {
			fputs(text, f);
			if (f != stdout)
				fclose(f);
		}
	}
	munmap(shm, sizeof(*shm));
}

static void
die_usage(const char *msg)
{
	fprintf(stderr, "simrun: %s\n", msg);
	fprintf(stderr, "Try 'simrun --help'.\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	char err[512], dir[SIM_TB_MAX], marker[SIM_TB_MAX + 32], lib[PATH_MAX];
	char *preload, *cfg = NULL;
	const char *old, *testbed = NULL;
	size_t cfglen = 0;
	bool keep = false, ours;
	struct sigaction sa;
	int i, n, status;

	for (i = 1; i < argc; i++) {
		char *arg = argv[i], *key, *val = NULL, *eq;

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (strncmp(arg, "--", 2) != 0)
			break;
		key = arg + 2;
		eq = strchr(key, '=');
		if (eq != NULL) {
			*eq = '\0';
			val = eq + 1;
		}
		if (strcmp(key, "help") == 0) {
			usage(stdout);
			return 0;
		}
		/* Options that take a value may have it in the next word. */
		if (val == NULL && (strcmp(key, "vmbus") == 0 || strcmp(key, "gpa") == 0 ||
				    strcmp(key, "testbed") == 0 || strcmp(key, "wire") == 0 ||
				    strcmp(key, "at") == 0 || strcmp(key, "report") == 0 ||
				    strcmp(key, "dsa") == 0 ||
				    strcmp(key, "dsa-vfio") == 0 ||
				    strcmp(key, "dsa-report") == 0)) {
			if (i + 1 >= argc) {
				snprintf(err, sizeof(err), "--%s needs a value", key);
				die_usage(err);
			}
			val = argv[++i];
		}
		if (strcmp(key, "testbed") == 0) {
			if (val[0] == '\0')
				die_usage("--testbed needs a directory");
			testbed = val;
			continue;
		}
		if (strcmp(key, "keep") == 0)
			keep = true;
		if (sim_config_option(key, val, err, sizeof(err)) < 0)
			die_usage(err);
		if (append(&cfg, &cfglen, key, val) < 0)
			die_usage("out of memory");
	}
	if (sim_config_finish(err, sizeof(err)) < 0)
		die_usage(err);
	if (i >= argc)
		die_usage("no command given");
	if (find_library(lib, sizeof(lib)) < 0) {
		fprintf(stderr, "simrun: cannot find %s beside simrun or in the libdir\n",
			LIBNAME);
		return 2;
	}

	/* The testbed: absolute, and never someone else's non-empty dir. */
	if (testbed == NULL) {
		n = snprintf(dir, sizeof(dir), "/dev/shm/udrv-sim.%d", (int)getpid());
	} else if (testbed[0] == '/') {
		n = snprintf(dir, sizeof(dir), "%s", testbed);
	} else {
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			perror("simrun: getcwd");
			return 2;
		}
		n = snprintf(dir, sizeof(dir), "%s/%s", cwd, testbed);
	}
	if (n < 0 || (size_t)n >= sizeof(dir)) {
		fprintf(stderr, "simrun: testbed path longer than %d bytes\n", SIM_TB_MAX - 1);
		return 2;
	}
	if (!is_empty_dir(dir, &ours)) {
		if (!ours) {
			fprintf(stderr, "simrun: %s exists and is not an empty or simrun "
				"testbed directory\n", dir);
			return 2;
		}
		sim_rm_rf(dir);
	}
	if (sim_mkdir_p(dir, 0700) < 0) {
		fprintf(stderr, "simrun: cannot create %s: %s\n", dir, strerror(errno));
		return 2;
	}
	snprintf(marker, sizeof(marker), "%s/%s", dir, SIM_MARKER);
	sim_write_file(marker, "", 0);

	old = getenv("LD_PRELOAD");
	preload = malloc(strlen(lib) + (old != NULL ? strlen(old) : 0) + PATH_MAX + 4);
	if (preload == NULL)
		return 2;
	preload[0] = '\0';
#ifdef SIM_ASAN_RUNTIME
	/* An instrumented libsim in an uninstrumented program needs the
	 * sanitizer runtime loaded first.
	 */
	strcat(preload, SIM_ASAN_RUNTIME ":");
#endif
	strcat(preload, lib);
	if (old != NULL && old[0] != '\0') {
		strcat(preload, ":");
		strcat(preload, old);
	}
	setenv("LD_PRELOAD", preload, 1);
	setenv(SIM_ENV_DIR, dir, 1);
	setenv(SIM_ENV_CONFIG, cfg != NULL ? cfg : "", 1);
	free(preload);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	child = fork();
	if (child < 0) {
		perror("simrun: fork");
		return 2;
	}
	if (child == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(argv[i], &argv[i]);
		fprintf(stderr, "simrun: cannot run %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR) {
			perror("simrun: waitpid");
			return 2;
		}
	dsa_report(dir);
	if (!keep)
		sim_rm_rf(dir);
	else
		fprintf(stderr, "simrun: testbed kept in %s\n", dir);
	free(cfg);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status)) {
		/* Die the same way, so a calling shell sees the signal. */
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	return 1;
}
