# QuantumNet: make, make check, make demo, make bench, make style, make clean.
#
# The module is built against Debian's amd64 kernel headers (the newest
# installed, see tools/kernel-release; KDIR= overrides), never against the
# running kernel, which on a build host is usually another one.

# Both are expanded only by the recipes that use them, so that on a new
# machine they see the headers `make deps` has just installed; they are not
# exported, since a sub-make works them out again for itself (a KDIR given
# on the command line reaches it through MAKEFLAGS).
ifdef KDIR
KREL = $(shell KDIR=$(KDIR) tools/kernel-release 2>/dev/null)
else
KREL = $(shell tools/kernel-release 2>/dev/null)
KDIR = /lib/modules/$(KREL)/build
endif

BUILD := $(CURDIR)/build
LINUX_SRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
SRCFILES := $(BUILD)/linux-source
export BUILD

.PHONY: all module userspace kmesim tests deps check demo bench style clean fuzz
.PHONY: debug-kernel module-debug check-debug

all: module userspace kmesim

module:
	@test -n "$(KREL)" || { echo "no Debian kernel headers found: run make deps" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace BUILD=$(BUILD)

kmesim:
	$(MAKE) -C tools/kmesim BUILD=$(BUILD)

# Files taken from Debian's linux-source-6.1 package at build time and never
# committed: the kselftest harness and checkpatch.
$(SRCFILES)/.stamp: $(LINUX_SRC_TAR)
	rm -rf $(SRCFILES) && mkdir -p $(SRCFILES)
	tar -C $(SRCFILES) --strip-components=1 -xJf $(LINUX_SRC_TAR) \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	touch $@

tests: $(SRCFILES)/.stamp userspace
	$(MAKE) -C tests BUILD=$(BUILD) KSFT=$(SRCFILES)/tools/testing/selftests
	$(MAKE) -C tools/bench BUILD=$(BUILD)
	$(MAKE) -C userspace BUILD=$(BUILD) KSFT=$(SRCFILES)/tools/testing/selftests tests
	$(MAKE) -C userspace BUILD=$(BUILD) fuzz

deps:
	@tools/deps

check: deps
	$(MAKE) all tests
	tests/run

demo: deps
	$(MAKE) all
	$(MAKE) -C userspace BUILD=$(BUILD) qkdd-certs
	tools/vm/run -- tools/demo

# The fuzz targets of userspace/fuzz, FUZZ_SECS seconds each, their corpora
# grown in $(BUILD)/fuzz/corpus; `make check` runs them for 100,000 inputs
# each (userspace/tests/fuzz.sh). Then the netlink fuzzer: 1,000,000
# requests on Debian's kernel and NL_FUZZ_DEBUG on the debug kernel
# (`make check` and `make check-debug` send 100,000: on the debug kernel
# that takes about 6 minutes under TCG).
FUZZ_SECS ?= 300
NL_FUZZ_DEBUG ?= 500000
fuzz: deps
	$(MAKE) -C userspace BUILD=$(BUILD) fuzz
	userspace/tests/fuzz.sh --time $(FUZZ_SECS)
	$(MAKE) all tests module-debug
	tools/vm/run --timeout 3600 -- sh -c \
		'insmod "$$QKD_KO" && build/tests/nl_fuzz --long && rmmod qkd'
	tools/vm/run --debug --timeout 7200 -- sh -c \
		'insmod "$$QKD_KO" && build/tests/nl_fuzz --count $(NL_FUZZ_DEBUG) && rmmod qkd'

# The benchmark rows of issue 13 in one VM run (tools/bench): the Markdown
# table and an SVG plot in $(BUILD)/bench. `make check` runs them small
# (tests/bench.sh).
bench: deps
	$(MAKE) all tests
	tools/bench/run


# A kernel with KASAN, lockdep, kmemleak, UBSAN and KFENCE for the tests,
# built from linux-source-6.1 into $(BUILD)/debug-kernel (see
# tools/debug-kernel/build; a no-op when its inputs are unchanged), and
# qkd.ko built against it. Kbuild writes objects next to the sources, so
# the module is built from a copy in $(BUILD)/debug-module, leaving
# kmod/qkd.ko to the Debian kernel.
#
# The kernel takes 12 minutes or more to build, so $(BUILD)/debug-kernel is
# a link into a cache shared by every checkout on the machine (a fresh
# clone, CI's, reuses it; make clean leaves it): DEBUG_KERNEL_CACHE.
DEBUG_MODULE := $(BUILD)/debug-module
DEBUG_KERNEL_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/quantumnet/debug-kernel

debug-kernel: deps
	@if [ ! -e $(BUILD)/debug-kernel ]; then \
		mkdir -p $(DEBUG_KERNEL_CACHE) $(BUILD) && \
		ln -s $(DEBUG_KERNEL_CACHE) $(BUILD)/debug-kernel; fi
	tools/debug-kernel/build

# The kernel tests again, on the debug kernel, with the fault-injection
# tests added (see tests/run).
check-debug: deps
	$(MAKE) all tests module-debug
	tests/run --debug

module-debug: debug-kernel
	mkdir -p $(DEBUG_MODULE)
	rsync -a Kbuild $(DEBUG_MODULE)/
	rsync -a --delete --exclude='*.mod.c' --include='*/' --include='*.[ch]' \
		--include=Kbuild --exclude='*' kmod/ $(DEBUG_MODULE)/kmod/
	$(MAKE) -C $(BUILD)/debug-kernel/src M=$(DEBUG_MODULE) modules

style: $(SRCFILES)/.stamp
	perl $(SRCFILES)/scripts/checkpatch.pl --no-tree --strict --terse \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
		-f $(filter-out %.mod.c,$(wildcard kmod/*.c)) kmod/*.h kmod/uapi/linux/*.h

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	-$(MAKE) -C userspace BUILD=$(BUILD) clean
	rm -rf $(BUILD)
