// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_HC_MSI_COMPOSE (Documentation/virt/kvm/x86/hypercalls.rst): KVM
 * forwards the call to userspace with KVM_EXIT_HYPERCALL when the VMM
 * enabled it, after the checks it makes itself. This test is the VMM: the
 * guest issues the call with a request in its memory, the host checks the
 * exit and the request, writes a result or refuses, and the guest checks
 * what it got. A call from CPL 3 is not made here (the selftest library
 * has no ring 3); KVM refuses it with -KVM_EPERM for every hypercall
 * before looking at the number.
 */
#include <asm/kvm_para.h>
#include <linux/kvm_para.h>
#include <pthread.h>
#include <stdint.h>

#include "kvm_test_harness.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#define X86_FEATURE_KVM_MSI_COMPOSE	KVM_X86_CPU_FEATURE(0x40000001, 0, EAX, 18)

#define NR_VCPUS	4
#define NR_RANDOM	300
#define LABEL_NOSPC	0xdead	/* the test's VMM has no room for this one */

/* What the guest does, set by the host before it runs the vCPU */
static struct {
	uint64_t gpa;		/* of the request (identity mapped), or a bad one */
	uint64_t a1;
	int64_t expect;		/* what the guest must get */
	bool fill;		/* write a request first */
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

/* What the test's VMM refuses; the guest predicts it with the same code */
static int64_t vmm_check(const struct kvm_msi_compose *req)
{
	if (req->size != sizeof(*req) || req->reserved || req->op < KVM_MSI_COMPOSE_ACTIVATE ||
	    req->op > KVM_MSI_COMPOSE_NOTIFY ||
	    (req->flags & ~(KVM_MSI_COMPOSE_F_IMS | KVM_MSI_COMPOSE_F_DEST_LOGICAL)))
		return -KVM_EINVAL;
	if (req->flags & KVM_MSI_COMPOSE_F_DEST_LOGICAL)
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
	req->table_id = 2;
	req->hw_label = label;
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

static void guest_call(void)
{
	struct kvm_msi_compose *req = (void *)plan.gpa;
	uint64_t ret;

	if (plan.fill)
		fill(req, plan.op, plan.flags, plan.label);
	ret = kvm_hypercall(KVM_HC_MSI_COMPOSE, plan.gpa, plan.a1, 0, 0);
	GUEST_ASSERT_EQ(ret, plan.expect);
	if (plan.fill)
		guest_check_result(req, ret);
	GUEST_DONE();
}

/* NR_RANDOM calls: a valid page with random contents, or a bad address */
static void guest_random(void)
{
	struct kvm_msi_compose *req = (void *)plan.gpa;
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
			gpa = plan.a1;			/* outside every slot */
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

/* Several vCPUs at once, each with its own request and label */
static void guest_multi(uint64_t gpa, uint32_t id)
{
	struct kvm_msi_compose *req = (void *)gpa;
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

	TEST_ASSERT_EQ(run->hypercall.nr, KVM_HC_MSI_COMPOSE);
	TEST_ASSERT_EQ(run->hypercall.flags, KVM_EXIT_HYPERCALL_LONG_MODE);
	TEST_ASSERT_EQ(run->hypercall.args[1], 0);
	TEST_ASSERT_EQ(run->hypercall.args[0] % 64, 0);
	req = addr_gpa2hva(vcpu->vm, run->hypercall.args[0]);
	ret = vmm_check(req);
	if (!ret && req->op == KVM_MSI_COMPOSE_ACTIVATE)
		answer(req, &req->address_lo, &req->address_hi, &req->data);
	run->hypercall.ret = ret;
}

/* Run the vCPU until its guest is done; the number of hypercall exits */
static int run_guest(struct kvm_vcpu *vcpu)
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
		case UCALL_DONE:
			return exits;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
		default:
			TEST_FAIL("unexpected ucall %lu", uc.cmd);
		}
	}
}

/* A page for requests, which the guest addresses by its physical address */
static uint64_t request_page(struct kvm_vm *vm)
{
	uint64_t gpa = addr_gva2gpa(vm, vm_vaddr_alloc_page(vm));

	virt_pg_map(vm, gpa, gpa);
	memset(addr_gpa2hva(vm, gpa), 0, getpagesize());
	return gpa;
}

static void run_call(struct kvm_vcpu *vcpu, uint64_t gpa, uint64_t a1, int64_t expect,
		     bool fill, uint16_t op, uint16_t flags, uint32_t label, int exits)
{
	plan.gpa = gpa;
	plan.a1 = a1;
	plan.expect = expect;
	plan.fill = fill;
	plan.op = op;
	plan.flags = flags;
	plan.label = label;
	sync_global_to_guest(vcpu->vm, plan);
	vcpu_arch_set_entry_point(vcpu, guest_call);
	TEST_ASSERT_EQ(run_guest(vcpu), exits);
}

static void enable_exit(struct kvm_vm *vm)
{
	TEST_REQUIRE(kvm_check_cap(KVM_CAP_EXIT_HYPERCALL) & BIT(KVM_HC_MSI_COMPOSE));
	vm_enable_cap(vm, KVM_CAP_EXIT_HYPERCALL, BIT(KVM_HC_MSI_COMPOSE));
}

KVM_ONE_VCPU_TEST_SUITE(msi_compose);

/* Without KVM_CAP_EXIT_HYPERCALL: -KVM_ENOSYS, no exit */
KVM_ONE_VCPU_TEST(msi_compose, capability_off, guest_call)
{
	uint64_t gpa = request_page(vcpu->vm);

	run_call(vcpu, gpa, 0, -KVM_ENOSYS, true, KVM_MSI_COMPOSE_ACTIVATE, 0, 7, 0);
}

/* Enabled: one exit per call, the result in guest memory */
KVM_ONE_VCPU_TEST(msi_compose, forwarded, guest_call)
{
	uint64_t gpa = request_page(vcpu->vm);

	enable_exit(vcpu->vm);
	run_call(vcpu, gpa, 0, 0, true, KVM_MSI_COMPOSE_ACTIVATE, KVM_MSI_COMPOSE_F_IMS, 7, 1);
	run_call(vcpu, gpa, 0, 0, true, KVM_MSI_COMPOSE_UPDATE, KVM_MSI_COMPOSE_F_IMS, 7, 1);
	run_call(vcpu, gpa, 0, 0, true, KVM_MSI_COMPOSE_RELEASE, KVM_MSI_COMPOSE_F_IMS, 7, 1);
}

/* The VMM refuses: its errno reaches the guest, which finds no result */
KVM_ONE_VCPU_TEST(msi_compose, vmm_refuses, guest_call)
{
	uint64_t gpa = request_page(vcpu->vm);

	enable_exit(vcpu->vm);
	run_call(vcpu, gpa, 0, -KVM_ENOSPC, true, KVM_MSI_COMPOSE_ACTIVATE, 0, LABEL_NOSPC, 1);
	run_call(vcpu, gpa, 0, -KVM_EINVAL, true, 9, 0, 7, 1);
	run_call(vcpu, gpa, 0, -KVM_EOPNOTSUPP, true, KVM_MSI_COMPOSE_ACTIVATE,
		 KVM_MSI_COMPOSE_F_DEST_LOGICAL, 7, 1);
}

/*
 * Enforced PV CPUID: the bit clear refuses without an exit; set (in a
 * second VM: CPUID cannot change once a vCPU ran), the call is forwarded
 */
KVM_ONE_VCPU_TEST(msi_compose, enforced_pv_cpuid, guest_call)
{
	struct kvm_vcpu *vcpu2;
	struct kvm_vm *vm2;
	uint64_t gpa;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ENFORCE_PV_FEATURE_CPUID));
	gpa = request_page(vcpu->vm);
	enable_exit(vcpu->vm);
	vcpu_enable_cap(vcpu, KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 1);
	vcpu_clear_cpuid_feature(vcpu, X86_FEATURE_KVM_MSI_COMPOSE);
	run_call(vcpu, gpa, 0, -KVM_ENOSYS, true, KVM_MSI_COMPOSE_ACTIVATE, 0, 7, 0);

	vm2 = vm_create_with_one_vcpu(&vcpu2, guest_call);
	gpa = request_page(vm2);
	enable_exit(vm2);
	vcpu_enable_cap(vcpu2, KVM_CAP_ENFORCE_PV_FEATURE_CPUID, 1);
	vcpu_set_cpuid_feature(vcpu2, X86_FEATURE_KVM_MSI_COMPOSE);
	run_call(vcpu2, gpa, 0, 0, true, KVM_MSI_COMPOSE_ACTIVATE, 0, 7, 1);
	kvm_vm_free(vm2);
}

/* KVM's own checks: the documented error, no exit, the host unharmed */
KVM_ONE_VCPU_TEST(msi_compose, bad_arguments, guest_call)
{
	struct kvm_vm *vm = vcpu->vm;
	uint64_t gpa = request_page(vm);
	/* In no memory slot: the guest does not touch it */
	uint64_t outside = 1ULL << (vm->pa_bits - 2);

	enable_exit(vm);
	run_call(vcpu, gpa + 8, 0, -KVM_EINVAL, false, 0, 0, 0, 0);	/* not aligned */
	run_call(vcpu, gpa + 4064, 0, -KVM_EINVAL, false, 0, 0, 0, 0);	/* across the page */
	run_call(vcpu, gpa, 1, -KVM_EINVAL, false, 0, 0, 0, 0);	/* a1 not zero */
	run_call(vcpu, outside, 0, -KVM_EFAULT, false, 0, 0, 0, 0);
	/* Still answering */
	run_call(vcpu, gpa, 0, 0, true, KVM_MSI_COMPOSE_ACTIVATE, 0, 7, 1);
}

/* A fixed-seed loop of random requests: each answered or refused as documented */
KVM_ONE_VCPU_TEST(msi_compose, random_requests, guest_random)
{
	struct kvm_vm *vm = vcpu->vm;
	uint64_t gpa = request_page(vm);
	int exits;

	enable_exit(vm);
	guest_rng = new_guest_random_state(0x4d5349);
	sync_global_to_guest(vm, guest_rng);
	plan.gpa = gpa;
	plan.a1 = 1ULL << (vm->pa_bits - 2);
	sync_global_to_guest(vm, plan);
	forwarded = 0;
	sync_global_to_guest(vm, forwarded);
	exits = run_guest(vcpu);
	sync_global_from_guest(vm, forwarded);
	TEST_ASSERT_EQ(exits, forwarded);
	TEST_ASSERT(forwarded > NR_RANDOM / 2, "%u of %u forwarded", forwarded, NR_RANDOM);
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;

	/* 50 calls, each answered on this vCPU's own exit */
	TEST_ASSERT_EQ(run_guest(vcpu), 50);
	return NULL;
}

/* Several vCPUs call at once; each is answered on its own vCPU */
TEST(several_vcpus)
{
	struct kvm_vcpu *vcpus[NR_VCPUS];
	pthread_t threads[NR_VCPUS];
	struct kvm_vm *vm;
	int i;

	vm = vm_create_with_vcpus(NR_VCPUS, guest_multi, vcpus);
	enable_exit(vm);
	for (i = 0; i < NR_VCPUS; i++)
		vcpu_args_set(vcpus[i], 2, request_page(vm), i);
	for (i = 0; i < NR_VCPUS; i++)
		pthread_create(&threads[i], NULL, vcpu_thread, vcpus[i]);
	for (i = 0; i < NR_VCPUS; i++)
		pthread_join(threads[i], NULL);
	kvm_vm_free(vm);
}

TEST_HARNESS_MAIN
