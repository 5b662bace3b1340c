// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_HC_MSI_COMPOSE (Documentation/virt/kvm/x86/hypercalls.rst): KVM
 * forwards the call to userspace with KVM_EXIT_HYPERCALL when the VMM
 * enabled it, after the checks it makes itself. This test is the VMM: the
 * guest issues the call with a request in its memory, the host checks the
 * exit and the request, writes a result or refuses, and the guest checks
 * what it got.
 *
 * Not tested here: a call from CPL 3 (the selftest library has no ring 3;
 * KVM refuses it with -KVM_EPERM for every hypercall before it looks at the
 * number) and from 32-bit mode (no compat mode helper).
 */
#include <asm/kvm_para.h>
#include <linux/kvm_para.h>
#include <pthread.h>
#include <stdint.h>

#include "kvm_test_harness.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#define NR_VCPUS	4
#define NR_RANDOM	300
#define RANDOM_SEED	0x4d5349
#define LABEL_NOSPC	0xdead	/* the test's VMM has no room for this one */

/* The next call the guest makes, set by the host at each GUEST_SYNC */
static struct {
	uint64_t gva;		/* where the guest writes the request */
	uint64_t gpa;		/* the call's a0 */
	uint64_t a1;
	int64_t expect;		/* what the guest must get */
	bool fill;		/* write a request first */
	bool done;
	uint16_t op;
	uint16_t flags;
	uint32_t label;
} plan;

/* Random requests: how many the guest expected to reach the VMM */
static uint32_t forwarded;

/* The VMM's message for an ACTIVATE, derived from the request */
static void answer(const struct kvm_msi_compose *req, uint32_t *lo, uint32_t *hi,
		   uint32_t *data)
{
	*lo = 0xfee00000 | (req->irte_index & 0x7fff) << 5 | 0x18;
	*hi = 0;
	*data = req->hw_label + req->sub_handle;
}

/*
 * The refusals hypercalls.rst lists for a VMM, as this test's VMM makes
 * them; the guest of the random test predicts them with the same code
 */
static int64_t vmm_check(const struct kvm_msi_compose *req)
{
	if (req->size != sizeof(*req) || req->reserved || req->op < KVM_MSI_COMPOSE_ACTIVATE ||
	    req->op > KVM_MSI_COMPOSE_NOTIFY ||
	    (req->flags & ~(KVM_MSI_COMPOSE_F_IMS | KVM_MSI_COMPOSE_F_PASID |
			    KVM_MSI_COMPOSE_F_DEST_LOGICAL)))
		return -KVM_EINVAL;
	if (req->op == KVM_MSI_COMPOSE_NOTIFY) {
		/* Only vector, destination and word */
		if (req->flags || req->requester_id || req->irte_index || req->table_id ||
		    req->hw_label || req->vector < 32 || req->vector > 255)
			return -KVM_EINVAL;
		return -KVM_EOPNOTSUPP;		/* this VMM never asks */
	}
	if (!(req->flags & KVM_MSI_COMPOSE_F_IMS) && (req->table_id || req->hw_label))
		return -KVM_EINVAL;
	if (req->flags & (KVM_MSI_COMPOSE_F_PASID | KVM_MSI_COMPOSE_F_DEST_LOGICAL))
		return -KVM_EOPNOTSUPP;
	if (req->op == KVM_MSI_COMPOSE_ACTIVATE && req->hw_label == LABEL_NOSPC)
		return -KVM_ENOSPC;
	return 0;
}

static void fill(struct kvm_msi_compose *req, uint16_t op, uint16_t flags, uint32_t label)
{
	memset(req, 0, sizeof(*req));
	req->size = sizeof(*req);
	req->op = op;
	req->flags = flags;
	req->requester_id = 0x0300;
	req->irte_index = 40;
	req->nr_handles = 1;
	req->vector = 0x41;
	req->dest_id = 1;
	if (flags & KVM_MSI_COMPOSE_F_IMS) {
		req->table_id = 2;
		req->hw_label = label;
	}
}

/* The request after the call: the message of an activation, else untouched */
static void guest_check_result(struct kvm_msi_compose *req, uint64_t ret)
{
	uint32_t lo, hi, data;

	if (!ret && req->op == KVM_MSI_COMPOSE_ACTIVATE) {
		answer(req, &lo, &hi, &data);
		GUEST_ASSERT_EQ(req->address_lo, lo);
		GUEST_ASSERT_EQ(req->address_hi, hi);
		GUEST_ASSERT_EQ(req->data, data);
	} else {
		GUEST_ASSERT_EQ(req->address_lo, 0);
		GUEST_ASSERT_EQ(req->address_hi, 0);
		GUEST_ASSERT_EQ(req->data, 0);
	}
}

/* One call per plan, until the host says done */
static void guest_calls(void)
{
	struct kvm_msi_compose *req;
	uint64_t ret;

	for (;;) {
		GUEST_SYNC(0);
		if (plan.done)
			break;
		req = (void *)plan.gva;
		if (plan.fill)
			fill(req, plan.op, plan.flags, plan.label);
		ret = kvm_hypercall(KVM_HC_MSI_COMPOSE, plan.gpa, plan.a1, 0, 0);
		GUEST_ASSERT_EQ(ret, plan.expect);
		if (plan.fill)
			guest_check_result(req, ret);
	}
	GUEST_DONE();
}

/* NR_RANDOM calls: random contents, or a bad address */
static void guest_random(void)
{
	struct kvm_msi_compose *req = (void *)plan.gva;
	uint64_t ret, gpa, a1;
	uint32_t r, kind;
	int64_t expect;
	int i;

	for (i = 0; i < NR_RANDOM; i++) {
		r = guest_random_u32(&guest_rng);
		kind = r % 8;
		gpa = plan.gpa;
		a1 = 0;
		fill(req, r >> 8 & 7, r >> 11 & 7, r >> 14 & 1 ? LABEL_NOSPC : r >> 16);
		if (r >> 15 & 1)
			req->reserved = 1;
		if (r >> 19 & 1)
			req->vector = r >> 24;
		switch (kind) {
		case 0:
			gpa += 8 * (1 + (r >> 20) % 7);	/* not aligned */
			expect = -KVM_EINVAL;
			break;
		case 1:
			a1 = 1 + (r >> 20);
			expect = -KVM_EINVAL;
			break;
		case 2:
			gpa = plan.a1;			/* in no memory slot */
			expect = -KVM_EFAULT;
			break;
		default:
			expect = vmm_check(req);
			forwarded++;
			break;
		}
		ret = kvm_hypercall(KVM_HC_MSI_COMPOSE, gpa, a1, 0, 0);
		GUEST_ASSERT_EQ(ret, expect);
		if (kind > 2)
			guest_check_result(req, ret);
	}
	GUEST_DONE();
}

/* Several vCPUs at once, each with its own request and labels */
static void guest_multi(uint64_t gva, uint64_t gpa, uint32_t id)
{
	struct kvm_msi_compose *req = (void *)gva;
	uint64_t ret;
	int i;

	for (i = 0; i < 50; i++) {
		fill(req, KVM_MSI_COMPOSE_ACTIVATE, KVM_MSI_COMPOSE_F_IMS, 1000 * id + i);
		ret = kvm_hypercall(KVM_HC_MSI_COMPOSE, gpa, 0, 0, 0);
		GUEST_ASSERT_EQ(ret, 0);
		guest_check_result(req, ret);
	}
	GUEST_DONE();
}

/* The VMM's side of one exit: check it, answer through guest memory */
static void handle_exit(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct kvm_msi_compose *req;
	int64_t ret;
	int i;

	TEST_ASSERT_EQ(run->hypercall.nr, KVM_HC_MSI_COMPOSE);
	TEST_ASSERT_EQ(run->hypercall.flags, KVM_EXIT_HYPERCALL_LONG_MODE);
	TEST_ASSERT_EQ(run->hypercall.args[0] % 64, 0);
	for (i = 1; i < 6; i++)
		TEST_ASSERT_EQ(run->hypercall.args[i], 0);
	req = addr_gpa2hva(vcpu->vm, run->hypercall.args[0]);
	ret = vmm_check(req);
	if (!ret && req->op == KVM_MSI_COMPOSE_ACTIVATE)
		answer(req, &req->address_lo, &req->address_hi, &req->data);
	run->hypercall.ret = ret;
}

/* Run until the guest syncs or is done; the number of hypercall exits */
static int run_guest(struct kvm_vcpu *vcpu, uint64_t until)
{
	struct ucall uc;
	int exits = 0;

	for (;;) {
		vcpu_run(vcpu);
		if (vcpu->run->exit_reason == KVM_EXIT_HYPERCALL) {
			handle_exit(vcpu);
			exits++;
			continue;
		}
		TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
		case UCALL_DONE:
			TEST_ASSERT_EQ(uc.cmd, until);
			return exits;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
		default:
			TEST_FAIL("unexpected ucall %lu", uc.cmd);
		}
	}
}

/* A page for requests: the guest writes at its virtual address */
static void request_page(struct kvm_vm *vm, uint64_t *gva, uint64_t *gpa)
{
	*gva = vm_vaddr_alloc_page(vm);
	*gpa = addr_gva2gpa(vm, *gva);
	memset(addr_gpa2hva(vm, *gpa), 0, getpagesize());
}

/* The guest at its first GUEST_SYNC, with its request page */
static void start(struct kvm_vcpu *vcpu)
{
	request_page(vcpu->vm, &plan.gva, &plan.gpa);
	TEST_ASSERT_EQ(run_guest(vcpu, UCALL_SYNC), 0);
}

/* One call: the guest checks its return value, the host the exits */
static void call(struct kvm_vcpu *vcpu, uint64_t off, uint64_t a1, int64_t expect, bool fill,
		 uint16_t op, uint16_t flags, uint32_t label, int exits)
{
	uint64_t gpa = plan.gpa;

	plan.gpa += off;
	plan.a1 = a1;
	plan.expect = expect;
	plan.fill = fill;
	plan.op = op;
	plan.flags = flags;
	plan.label = label;
	sync_global_to_guest(vcpu->vm, plan);
	TEST_ASSERT_EQ(run_guest(vcpu, UCALL_SYNC), exits);
	plan.gpa = gpa;
}

static void finish(struct kvm_vcpu *vcpu)
{
	plan.done = true;
	sync_global_to_guest(vcpu->vm, plan);
	TEST_ASSERT_EQ(run_guest(vcpu, UCALL_DONE), 0);
	plan.done = false;
}

static void require_exit(void)
{
	TEST_REQUIRE(kvm_check_cap(KVM_CAP_EXIT_HYPERCALL) & BIT(KVM_HC_MSI_COMPOSE));
}

static void enable_exit(struct kvm_vm *vm)
{
	vm_enable_cap(vm, KVM_CAP_EXIT_HYPERCALL, BIT(KVM_HC_MSI_COMPOSE));
}

KVM_ONE_VCPU_TEST_SUITE(msi_compose);

/* Without KVM_CAP_EXIT_HYPERCALL: -KVM_ENOSYS, no exit */
KVM_ONE_VCPU_TEST(msi_compose, capability_off, guest_calls)
{
	require_exit();
	start(vcpu);
	call(vcpu, 0, 0, -KVM_ENOSYS, true, KVM_MSI_COMPOSE_ACTIVATE, KVM_MSI_COMPOSE_F_IMS, 7, 0);
	finish(vcpu);
}

/* Enabled: one exit per call, the result in guest memory */
KVM_ONE_VCPU_TEST(msi_compose, forwarded, guest_calls)
{
	require_exit();
	enable_exit(vcpu->vm);
	start(vcpu);
	call(vcpu, 0, 0, 0, true, KVM_MSI_COMPOSE_ACTIVATE, KVM_MSI_COMPOSE_F_IMS, 7, 1);
	call(vcpu, 0, 0, 0, true, KVM_MSI_COMPOSE_UPDATE, KVM_MSI_COMPOSE_F_IMS, 7, 1);
	call(vcpu, 0, 0, 0, true, KVM_MSI_COMPOSE_RELEASE, KVM_MSI_COMPOSE_F_IMS, 7, 1);
	finish(vcpu);
}

/* The VMM refuses: its errno reaches the guest, which finds no result */
KVM_ONE_VCPU_TEST(msi_compose, vmm_refuses, guest_calls)
{
	require_exit();
	enable_exit(vcpu->vm);
	start(vcpu);
	call(vcpu, 0, 0, -KVM_ENOSPC, true, KVM_MSI_COMPOSE_ACTIVATE, KVM_MSI_COMPOSE_F_IMS,
	     LABEL_NOSPC, 1);
	call(vcpu, 0, 0, -KVM_EINVAL, true, 9, 0, 0, 1);
	call(vcpu, 0, 0, -KVM_EOPNOTSUPP, true, KVM_MSI_COMPOSE_ACTIVATE,
	     KVM_MSI_COMPOSE_F_DEST_LOGICAL, 0, 1);
	finish(vcpu);
}

/*
 * Enforced PV CPUID: the bit clear refuses without an exit; set (on a
 * second vCPU: CPUID cannot change once a vCPU ran), the call is forwarded
 */
KVM_ONE_VCPU_TEST(msi_compose, enforced_pv_cpuid, guest_calls)
{
	struct kvm_vcpu *vcpu2;

	require_exit();
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ENFORCE_PV_FEATURE_CPUID));
	enable_exit(vcpu->vm);
	vcpu_enable_cap(vcpu, KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 1);
	vcpu_clear_cpuid_feature(vcpu, X86_FEATURE_KVM_MSI_COMPOSE);
	start(vcpu);
	call(vcpu, 0, 0, -KVM_ENOSYS, true, KVM_MSI_COMPOSE_ACTIVATE, 0, 0, 0);
	finish(vcpu);

	vcpu2 = vm_vcpu_add(vcpu->vm, 1, guest_calls);
	vcpu_enable_cap(vcpu2, KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 1);
	vcpu_set_cpuid_feature(vcpu2, X86_FEATURE_KVM_MSI_COMPOSE);
	TEST_ASSERT_EQ(run_guest(vcpu2, UCALL_SYNC), 0);
	call(vcpu2, 0, 0, 0, true, KVM_MSI_COMPOSE_ACTIVATE, 0, 0, 1);
	finish(vcpu2);
}

/* KVM's own checks: the documented error, no exit, the host unharmed */
KVM_ONE_VCPU_TEST(msi_compose, bad_arguments, guest_calls)
{
	/* In no memory slot (the guest does not touch it) */
	uint64_t outside = 1ULL << (vcpu->vm->pa_bits - 2);

	require_exit();
	enable_exit(vcpu->vm);
	start(vcpu);
	call(vcpu, 8, 0, -KVM_EINVAL, false, 0, 0, 0, 0);	/* not aligned */
	call(vcpu, 0, 1, -KVM_EINVAL, false, 0, 0, 0, 0);	/* a1 not zero */
	call(vcpu, outside - plan.gpa, 0, -KVM_EFAULT, false, 0, 0, 0, 0);
	/* Still answering */
	call(vcpu, 0, 0, 0, true, KVM_MSI_COMPOSE_ACTIVATE, 0, 0, 1);
	finish(vcpu);
}

/* A fixed-seed loop of random requests: each answered or refused as documented */
KVM_ONE_VCPU_TEST(msi_compose, random_requests, guest_random)
{
	struct kvm_vm *vm = vcpu->vm;
	int exits;

	require_exit();
	enable_exit(vm);
	pr_info("random requests, seed %#x\n", RANDOM_SEED);
	guest_rng = new_guest_random_state(RANDOM_SEED);
	sync_global_to_guest(vm, guest_rng);
	request_page(vm, &plan.gva, &plan.gpa);
	plan.a1 = 1ULL << (vm->pa_bits - 2);
	sync_global_to_guest(vm, plan);
	forwarded = 0;
	sync_global_to_guest(vm, forwarded);
	exits = run_guest(vcpu, UCALL_DONE);
	sync_global_from_guest(vm, forwarded);
	TEST_ASSERT_EQ(exits, forwarded);
	TEST_ASSERT(forwarded > NR_RANDOM / 2, "%u of %u forwarded", forwarded, NR_RANDOM);
}

static pthread_barrier_t barrier;

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;

	pthread_barrier_wait(&barrier);
	/* 50 calls, each answered on this vCPU's own exit */
	TEST_ASSERT_EQ(run_guest(vcpu, UCALL_DONE), 50);
	return NULL;
}

/*
 * Several vCPUs call at the same time, each with its own request page:
 * each call is answered on the vCPU that made it, from the page it names
 */
TEST(several_vcpus)
{
	struct kvm_vcpu *vcpus[NR_VCPUS];
	pthread_t threads[NR_VCPUS];
	uint64_t gva, gpa;
	struct kvm_vm *vm;
	int i;

	require_exit();
	vm = vm_create_with_vcpus(NR_VCPUS, guest_multi, vcpus);
	enable_exit(vm);
	for (i = 0; i < NR_VCPUS; i++) {
		request_page(vm, &gva, &gpa);
		vcpu_args_set(vcpus[i], 3, gva, gpa, i);
	}
	pthread_barrier_init(&barrier, NULL, NR_VCPUS);
	for (i = 0; i < NR_VCPUS; i++)
		pthread_create(&threads[i], NULL, vcpu_thread, vcpus[i]);
	for (i = 0; i < NR_VCPUS; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&barrier);
	kvm_vm_free(vm);
}

TEST_HARNESS_MAIN
