#include "config.h"
#include "util.h"
#include "subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int spawn_capture(char *const argv[], char **out, size_t *len)
{
	return spawn_capture_in(NULL, false, argv, out, len);
}

int spawn_capture_in(const char *dir, bool with_stderr, char *const argv[], char **out, size_t *len)
{
	posix_spawn_file_actions_t fa;
	FILE *mem;
	pid_t pid;
	int pipefd[2], status, ret;
	char buf[8192];
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	if (with_stderr)
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDERR_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (dir)
		posix_spawn_file_actions_addchdir_np(&fa, dir);
	ret = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (ret) {
		close(pipefd[0]);
		return -ret;
	}
	mem = xopen_memstream(out, len);
	while ((n = read(pipefd[0], buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		fwrite(buf, 1, (size_t)n, mem);
	}
	fclose(mem);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int spawn_logged(char *const argv[], const char *log, pid_t *pid, bool own_group)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int ret;

	posix_spawnattr_init(&attr);
	if (own_group) {
		posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
		posix_spawnattr_setpgroup(&attr, 0);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log ? log : "/dev/null",
					 O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	ret = posix_spawnp(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return -ret;
}

int spawn_background(char *const argv[], const char *log, pid_t *pid)
{
	return spawn_logged(argv, log, pid, false);
}

int spawn_own_group(char *const argv[], const char *log, pid_t *pid)
{
	return spawn_logged(argv, log, pid, true);
}

int stop_process(pid_t pid, int sig, unsigned timeout_ms)
{
	int status = 0;

	kill(pid, sig);
	for (unsigned waited = 0;; waited += 10) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (waited == timeout_ms)
			kill(pid, SIGKILL);
		usleep(10000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int find_in_path(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");

	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		const char *colon = strchrnul(p, ':');
		snprintf(buf, len, "%.*s/%s", (int)(colon - p), p, name);
		if (access(buf, X_OK) == 0)
			return 1;
		p = *colon ? colon + 1 : colon;
	}
	return 0;
}

int program_in_path(const char *name)
{
	char buf[4096];

	return find_in_path(name, buf, sizeof(buf));
}

int split_words(const char *args, wordexp_t *w, char *err, size_t len)
{
	int ret;

	if (strpbrk(args, "$`*?[~")) {
		snprintf(err, len, "holds shell syntax ($, `, *, ?, [ or ~); the arguments are split on blanks "
			 "(quotes group words) and passed as they are");
		return -1;
	}
	ret = wordexp(args, w, WRDE_NOCMD | WRDE_UNDEF);
	if (ret == 0 && w->we_wordc <= SPLIT_WORDS_MAX)
		return 0;
	if (ret == 0 || ret == WRDE_NOSPACE)
		wordfree(w);
	snprintf(err, len, ret == WRDE_BADCHAR ? "holds shell syntax (|, &, ;, <, >, parentheses or braces); the "
		 "arguments are passed as they are, without a shell"
		 : ret == WRDE_SYNTAX ? "has an unterminated quote"
		 : ret ? "cannot be split into words" : "has more than %d arguments", SPLIT_WORDS_MAX);
	return -1;
}

int check_words(const char *args, char *err, size_t len)
{
	wordexp_t w;

	if (split_words(args, &w, err, len))
		return -1;
	wordfree(&w);
	return 0;
}
