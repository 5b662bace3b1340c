# The workbench of the msi_table series. See README.md.
#
#   make run      install, fetch, assemble, build, boot, show; powers off
#   make check    everything; ends with "N passed, N failed"
#   make lint     checkpatch, MAINTAINERS coverage, kernel-doc (no build)
#   make series   export out/series/ (git format-patch, cover letter)
#   make refresh  write edits made in the assembled tree back to the repo
#   make bisect   build the test kernel after each patch of the series
#   make cross    compile-test the touched core for arm64
#   make arm64    the series at run time on arm64 (virt, GICv3 ITS): boot + KUnit
#   make bench    the msi_table benchmarks (KUnit, guest, reference VMM; figures printed)
#   make debug    KASAN + kmemleak kernel: KUnit and the ims kselftests
#   make vmm      build the reference VMM (QEMU series in qemu/patches/)
#   make nested   L2 under the reference VMM with -accel kvm inside L1

SHELL := /bin/bash
DEV := $(CURDIR)/dev

.PHONY: all run check lint series refresh bisect cross bench debug deps base tree kernel \
	initramfs tree-path clean vmm nested arm64

all: check

deps:
	@$(DEV)/deps

base: deps
	@$(DEV)/fetch-base

tree: base
	@$(DEV)/assemble

kernel: tree
	@$(DEV)/build

initramfs: kernel
	@$(DEV)/initramfs

run: initramfs
	@$(DEV)/boot ir run --console

check:
	@$(DEV)/check

lint: tree
	@$(DEV)/export
	@$(DEV)/static lint | tee $(CURDIR)/out/lint.results
	@$(DEV)/summary $(CURDIR)/out/lint.results

series: tree
	@$(DEV)/export
	@$(DEV)/vmm assemble
	@$(DEV)/vmm export

refresh:
	@$(DEV)/refresh

bisect: tree
	@$(DEV)/bisect

cross: tree
	@$(DEV)/cross

arm64: tree
	@$(DEV)/arm64 all
	@$(DEV)/arm64 kunit

debug: tree
	@$(DEV)/debug

bench: kernel initramfs vmm
	@$(DEV)/kunit/bench
	@$(DEV)/boot ir bench && grep -ho 'msi-table-bench: .*\|msi-table-guest: bench.*' \
		$(CURDIR)/out/boot/ir/console.log | sed 's/^msi-table-bench: /INFO bench (guest, VT-d IR): /' 
	@$(DEV)/vmmbench

# The reference VMM (the QEMU series in qemu/patches/): built by make check
vmm: deps
	@$(DEV)/vmm build

# The nested boot alone (make check runs it too): L1, the test kernel as a
# KVM host under TCG's nested SVM, runs the reference VMM with -accel kvm;
# L2's kselftests go through KVM's forwarding of KVM_HC_MSI_COMPOSE.
nested: initramfs vmm
	@$(DEV)/nested-initramfs
	@$(DEV)/boot nested check
	@python3 $(DEV)/logscan.py $(CURDIR)/out/boot/nested/console.log \
		--require-file $(DEV)/qemu/nested.expect | tee $(CURDIR)/out/nested.results
	@python3 $(DEV)/tap.py $(CURDIR)/out/boot/nested/tap.log --expect-skip \
		$$(sed -n 's/^nested //p' $(DEV)/qemu/variants) | tee -a $(CURDIR)/out/nested.results
	@$(DEV)/summary $(CURDIR)/out/nested.results

# Where the assembled tree is, for editing: cd $$(make -s tree-path)
tree-path:
	@. $(DEV)/common.sh && echo "$$TREE"

clean:
	rm -rf $(CURDIR)/out
