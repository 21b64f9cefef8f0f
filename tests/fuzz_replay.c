/*
 * Replays files through a libFuzzer harness without libFuzzer (as SQLite's
 * fuzzcheck does): linked with one harness of fuzz/, it feeds every regular file
 * under the paths given to LLVMFuzzerTestOneInput(), so the crashers found
 * so far (tests/data/crashers/<target>/) and the fixtures run under the
 * sanitizers in every `make check`. A path that is absent is passed over
 * (a target with no crasher yet has no folder); replaying nothing at all
 * fails.
 */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned replayed;

static int
replay(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	uint8_t *buf;
	FILE *f;

	(void)ftw;
	if (flag != FTW_F)
		return 0;
	if ((f = fopen(path, "rb")) == NULL ||
	    (buf = malloc((size_t)sb->st_size + 1)) == NULL) {
		fprintf(stderr, "%s: cannot read\n", path);
		return 1;
	}
	if (fread(buf, 1, (size_t)sb->st_size, f) != (size_t)sb->st_size) {
		fprintf(stderr, "%s: short read\n", path);
		return 1;
	}
	fclose(f);
	printf("%s\n", path);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, (size_t)sb->st_size);
	free(buf);
	replayed++;
	return 0;
}

int
main(int argc, char **argv)
{
	struct stat sb;

	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) != 0)
			continue;
		if (nftw(argv[i], replay, 16, FTW_PHYS) != 0)
			return 1;
	}
	printf("%u files replayed\n", replayed);
	return replayed > 0 ? 0 : 1;
}
