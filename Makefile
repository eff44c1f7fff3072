# limited-links: `make` builds, `make run` brings the local stack up,
# `make test` runs every test on a throwaway stack, `make stop` stops it.

CC	?= cc
PKGS	 = json-c libpq
WARN	 = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wcast-qual -Wpointer-arith -Wformat=2 \
	   -Wvla -Wundef
CPPFLAGS = -Iinclude -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c17 $(WARN)
LDLIBS	 = -lfcgi $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ljson-c -lpq) \
	   -lcrypto -lqrencode
SAN	 = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined

SRCS	 = $(sort $(wildcard fcgi/*.c))
LIBSRCS	 = $(filter-out fcgi/main.c,$(SRCS))
OBJS	 = $(SRCS:fcgi/%.c=build/release/%.o)
SANOBJS	 = $(SRCS:fcgi/%.c=build/asan/%.o)
SANLIB	 = $(LIBSRCS:fcgi/%.c=build/asan/%.o)
UNITS	 = $(patsubst tests/unit/%.c,build/asan/tests/%,$(wildcard tests/unit/test_*.c))

all: bin/limited-links bin/limited-links-asan $(UNITS)

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

run:
	scripts/stack start

stop:
	scripts/stack stop

test:
	tests/run

bench:
	scripts/bench

clean:
	rm -rf build bin

.PHONY: all run stop test bench clean
