# limited-links: `make` builds, `make run` brings the local stack up,
# `make test` runs every test on a throwaway stack, `make stop` stops it,
# `make fuzz` runs the fuzz targets for FUZZ_SECONDS each, `make install`
# lays the server out under PREFIX (scripts/install); `make bench` and
# `make bench-dashboard` measure (not part of make test).

CC	?= cc
PKGS	 = json-c libpq libcurl
WARN	 = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wcast-qual -Wpointer-arith -Wformat=2 \
	   -Wvla -Wundef
CPPFLAGS = -Iinclude -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c17 $(WARN)
LDLIBS	 = -lfcgi $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ljson-c -lpq -lcurl) \
	   -lcrypto -lqrencode
SAN	 = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined

SRCS	 = $(sort $(wildcard fcgi/*.c))
LIBSRCS	 = $(filter-out fcgi/main.c,$(SRCS))
OBJS	 = $(SRCS:fcgi/%.c=build/release/%.o)
SANOBJS	 = $(SRCS:fcgi/%.c=build/asan/%.o)
SANLIB	 = $(LIBSRCS:fcgi/%.c=build/asan/%.o)
UNITS	 = $(patsubst tests/unit/%.c,build/asan/tests/%,$(wildcard tests/unit/test_*.c))

# The libFuzzer targets (make fuzz): the same sources built again by clang
# with coverage hooks, ASan and UBSan, one binary per tests/fuzz/fuzz_*.c.
FUZZCC	 = clang
FUZZFLAGS = -O1 -g -std=c17 $(WARN) -fno-omit-frame-pointer \
	   -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_SECONDS ?= 600

# make install (scripts/install): FHS paths under PREFIX, DESTDIR staged
PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
DATADIR	?= $(PREFIX)/share/limited-links
MANDIR	?= $(PREFIX)/share/man
UNITDIR	?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
INSTALLVARS = PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)' SBINDIR='$(SBINDIR)' \
	   DATADIR='$(DATADIR)' MANDIR='$(MANDIR)' UNITDIR='$(UNITDIR)' \
	   SYSCONFDIR='$(SYSCONFDIR)'
FUZZLIB	 = $(LIBSRCS:fcgi/%.c=build/fuzz/obj/%.o)
FUZZERS	 = $(patsubst tests/fuzz/%.c,build/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

all: bin/limited-links bin/limited-links-asan $(UNITS) build/bench/floor

bin/limited-links: $(OBJS)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@ $(OBJS) $(LDFLAGS) $(LDLIBS)

bin/limited-links-asan: $(SANOBJS)
	@mkdir -p bin
	$(CC) $(CFLAGS) $(SAN) -o $@ $(SANOBJS) $(LDFLAGS) $(LDLIBS)

build/release/%.o: fcgi/%.c $(wildcard include/*.h)
	@mkdir -p build/release
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

build/asan/%.o: fcgi/%.c $(wildcard include/*.h)
	@mkdir -p build/asan
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SAN) -c -o $@ $<

build/asan/tests/%: tests/unit/%.c tests/unit/testhelp.h $(SANLIB)
	@mkdir -p build/asan/tests
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(SAN) -o $@ $< $(SANLIB) \
	    $(LDFLAGS) $(LDLIBS)

# make bench's front-end floor: a fixed-reply libfcgi responder
build/bench/floor: tests/bench/floor.c
	@mkdir -p build/bench
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LDFLAGS) -lfcgi

fuzzers: $(FUZZERS)

# named here, the objects are kept between builds
$(FUZZERS): $(FUZZLIB)

build/fuzz/obj/%.o: fcgi/%.c $(wildcard include/*.h)
	@mkdir -p build/fuzz/obj
	$(FUZZCC) $(CPPFLAGS) $(FUZZFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzzhelp.h $(FUZZLIB)
	@mkdir -p build/fuzz
	$(FUZZCC) $(CPPFLAGS) -Itests/fuzz $(FUZZFLAGS) -fsanitize=fuzzer \
	    -o $@ $< $(FUZZLIB) $(LDFLAGS) $(LDLIBS)

fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz

run:
	scripts/stack start

stop:
	scripts/stack stop

test:
	tests/run

bench: bin/limited-links build/bench/floor
	scripts/bench

bench-dashboard:
	scripts/bench-dashboard

bench-large: bin/limited-links build/bench/floor
	LL_BENCH_LARGE=1 scripts/bench

install: bin/limited-links
	$(INSTALLVARS) scripts/install

uninstall:
	$(INSTALLVARS) scripts/install uninstall

clean:
	rm -rf build bin

.PHONY: all fuzzers fuzz run stop test bench bench-large bench-dashboard clean install uninstall
