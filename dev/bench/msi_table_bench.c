// SPDX-License-Identifier: GPL-2.0
/*
 * The workbench's KUnit benchmark of MSI tables (suite msi_bench). It is
 * not part of the exported series: make bench (dev/kunit/bench) appends
 * an #include of this file to kernel/irq/msi_table_kunit.c in the
 * assembled tree for its own build (MSI_TABLE_FLAVOUR=bench) and takes
 * the line out again. It uses that file's fake parent, fake leaf chip and
 * helpers.
 */
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/sort.h>
#include <linux/vmstat.h>

/*
 * Benchmark: allocation and free of every label of a table, against the
 * per device domain path (msi_domain_alloc_irq_at()) on the same fake
 * parent, in interleaved turns: time and slab per vector, and the slab
 * left once everything is freed. The figures are printed; the test
 * asserts that every allocation worked and that nothing is left.
 */
static void bench_set_desc(msi_alloc_info_t *arg, struct msi_desc *desc)
{
	arg->desc = desc;
	arg->hwirq = desc->msi_index;
}

static const struct msi_domain_template bench_device_template = {
	.chip = {
		.name			= "KB",
		.irq_mask		= fake_leaf_mask,
		.irq_unmask		= fake_leaf_unmask,
		.irq_write_msi_msg	= fake_leaf_write,
	},
	.ops = {
		.set_desc		= bench_set_desc,
	},
	.info = {
		.flags			= MSI_FLAG_USE_DEF_DOM_OPS | MSI_FLAG_USE_DEF_CHIP_OPS |
					  MSI_FLAG_FREE_MSI_DESCS,
		.bus_token		= DOMAIN_BUS_DEVICE_MSI,
	},
};

/* Slab in use, in bytes (pages of slab: a small N reuses partial slabs) */
static long bench_slab_bytes(void)
{
	return (global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) +
		global_node_page_state_pages(NR_SLAB_RECLAIMABLE_B)) * PAGE_SIZE;
}

/* One run of one path: time, slab per vector while allocated, slab left */
struct bench_run {
	u64	ns;
	long	bytes;
	long	left;
	bool	valid;
};

static void bench_table(struct kunit *test, unsigned int n, struct msi_desc **v,
			struct bench_run *run)
{
	struct msi_table_test *t = test->priv;
	long slab0 = bench_slab_bytes();
	struct msi_table *table = new_table(test, n, 0);
	unsigned int i;
	u64 t0;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		v[i] = msi_table_alloc_vector(table, MSI_TABLE_ANY_LABEL, NULL, NULL);
		if (IS_ERR(v[i]))
			break;
		cond_resched();
	}
	run->ns = ktime_get_ns() - t0;
	run->bytes = (bench_slab_bytes() - slab0) / (long)n;
	KUNIT_EXPECT_EQ_MSG(test, i, n, "table: allocation %u of %u failed", i, n);
	t0 = ktime_get_ns();
	while (i--) {
		msi_table_free_vector(table, v[i]);
		cond_resched();
	}
	run->ns += ktime_get_ns() - t0;
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
	msi_table_free(table);
	t->leaf[0].writes = 0;
	/* Interrupt descriptors go after a grace period */
	rcu_barrier();
	run->left = bench_slab_bytes() - slab0;
}

static void bench_device_domain(struct kunit *test, unsigned int n, struct msi_map *m,
				struct bench_run *run)
{
	struct msi_table_test *t = test->priv;
	long slab0 = bench_slab_bytes();
	unsigned int i;
	u64 t0;

	KUNIT_ASSERT_TRUE(test, msi_create_device_irq_domain(t->dev, MSI_DEFAULT_DOMAIN,
							     &bench_device_template, n,
							     &t->leaf[1], NULL));
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		m[i] = msi_domain_alloc_irq_at(t->dev, MSI_DEFAULT_DOMAIN, MSI_ANY_INDEX,
					       NULL, NULL);
		if (m[i].index < 0)
			break;
		cond_resched();
	}
	run->ns = ktime_get_ns() - t0;
	run->bytes = (bench_slab_bytes() - slab0) / (long)n;
	KUNIT_EXPECT_EQ_MSG(test, i, n, "device domain: allocation %u of %u failed", i, n);
	t0 = ktime_get_ns();
	while (i--) {
		msi_domain_free_irqs_range(t->dev, MSI_DEFAULT_DOMAIN, m[i].index, m[i].index);
		cond_resched();
	}
	run->ns += ktime_get_ns() - t0;
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
	msi_remove_device_irq_domain(t->dev, MSI_DEFAULT_DOMAIN);
	rcu_barrier();
	run->left = bench_slab_bytes() - slab0;
}

/*
 * Sizes, each measured in BENCH_TURNS turns of both paths; one case per
 * size, turn and path (a case must end well within KUnit's timeout), the
 * path that goes first alternating from turn to turn.
 */
#define BENCH_TURNS	5
static const unsigned int bench_sizes[] = { 64, 1024, 16384, 65535 };
/* Results per [size][0: table, 1: per-device domain][turn] */
static struct bench_run bench_runs[ARRAY_SIZE(bench_sizes)][2][BENCH_TURNS];

/* The j-th case of a size: turn j / 2, the path of that turn's order */
static struct bench_run *bench_slot(unsigned int size, unsigned int j)
{
	unsigned int turn = j / 2;

	return &bench_runs[size][(j % 2 + turn) % 2][turn];
}

static void bench_where(const struct bench_run *r, unsigned int *size, unsigned int *path,
			unsigned int *turn)
{
	unsigned int k = r - &bench_runs[0][0][0];

	*size = k / (2 * BENCH_TURNS);
	*path = k / BENCH_TURNS % 2;
	*turn = k % BENCH_TURNS;
}

static const void *bench_gen_params(const void *prev, char *desc)
{
	unsigned int size = 0, path, turn, j = 0;
	struct bench_run *r;

	if (prev) {
		bench_where(prev, &size, &path, &turn);
		j = 2 * turn + (path + turn) % 2 + 1;
		if (j == 2 * BENCH_TURNS) {
			size++;
			j = 0;
		}
	}
	if (size >= ARRAY_SIZE(bench_sizes))
		return NULL;
	r = bench_slot(size, j);
	bench_where(r, &size, &path, &turn);
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "N=%u turn %u %s", bench_sizes[size], turn + 1,
		 path ? "per-device domain" : "table");
	return r;
}

static int bench_cmp(const void *a, const void *b)
{
	s64 x = *(const s64 *)a, y = *(const s64 *)b;

	return x < y ? -1 : x > y;
}

/* min, median and max of BENCH_TURNS values, sorted in place */
static void bench_spread(s64 *v, s64 *min, s64 *med, s64 *max)
{
	sort(v, BENCH_TURNS, sizeof(*v), bench_cmp, NULL);
	*min = v[0];
	*med = v[BENCH_TURNS / 2];
	*max = v[BENCH_TURNS - 1];
}

#define BENCH_RATIO_LEN	40

/* @x / @y as "q.rr" in @buf, for @y > 0 */
static const char *bench_ratio(char buf[BENCH_RATIO_LEN], s64 x, s64 y)
{
	s32 rem;
	s64 q = div_s64_rem(div64_s64(x * 100, y), 100, &rem);

	snprintf(buf, BENCH_RATIO_LEN, "%lld.%02d", q, rem);
	return buf;
}

/* Per vector: min/median/max ns of each path and of their ratio, memory */
static void bench_report(struct kunit *test, unsigned int size)
{
	static s64 med0[2];
	s64 ns[2][BENCH_TURNS], ratio[BENCH_TURNS], mem[2][BENCH_TURNS], left[2][BENCH_TURNS];
	s64 lo[2], med[2], hi[2], rlo, rmed, rhi, m[2], l[2], x;
	unsigned int n = bench_sizes[size], p, r;
	char b[3][BENCH_RATIO_LEN];

	for (r = 0; r < BENCH_TURNS; r++) {
		for (p = 0; p < 2; p++) {
			/* A case that failed left its slot invalid: no figures */
			if (!bench_runs[size][p][r].valid) {
				kunit_info(test, "msi-table-bench: N=%5u incomplete (turn %u failed)\n",
					   n, r + 1);
				if (!size)
					memset(med0, 0, sizeof(med0));
				return;
			}
			ns[p][r] = div_u64(bench_runs[size][p][r].ns, n);
			mem[p][r] = bench_runs[size][p][r].bytes;
			left[p][r] = bench_runs[size][p][r].left;
		}
		ratio[r] = div64_s64(ns[0][r] * 100, max_t(s64, ns[1][r], 1));
	}
	for (p = 0; p < 2; p++) {
		bench_spread(ns[p], &lo[p], &med[p], &hi[p]);
		bench_spread(mem[p], &x, &m[p], &x);
		bench_spread(left[p], &x, &l[p], &x);
	}
	bench_spread(ratio, &rlo, &rmed, &rhi);
	if (!size) {
		med0[0] = max_t(s64, med[0], 1);
		med0[1] = max_t(s64, med[1], 1);
	}
	kunit_info(test, "msi-table-bench: N=%5u alloc+free ns/vector, %u turns, min/median/max: table %lld/%lld/%lld, per-device domain %lld/%lld/%lld, table/device %s [%s-%s]\n",
		   n, BENCH_TURNS, lo[0], med[0], hi[0], lo[1], med[1], hi[1],
		   bench_ratio(b[0], rmed, 100), bench_ratio(b[1], rlo, 100),
		   bench_ratio(b[2], rhi, 100));
	/* Slab is counted in pages: a few vectors fit in partly used slabs */
	if (n >= 1024)
		kunit_info(test, "msi-table-bench: N=%5u slab per allocated vector (median): table %lld B, per-device domain %lld B; slab left after freeing all (median): table %+lld KiB, per-device domain %+lld KiB\n",
			   n, m[0], m[1], div_s64(l[0], 1024), div_s64(l[1], 1024));
	if (size && med0[0])
		kunit_info(test, "msi-table-bench: N=%5u vs N=64 per vector (medians): table %s, per-device domain %s\n",
			   n, bench_ratio(b[0], med[0], med0[0]),
			   bench_ratio(b[1], med[1], med0[1]));
}

static void msi_table_bench(struct kunit *test)
{
	struct bench_run *run = (struct bench_run *)test->param_value;
	unsigned int size, path, turn, n;
	struct bench_run warm;
	void *buf;

	bench_where(run, &size, &path, &turn);
	n = bench_sizes[size];
	run->valid = false;
	buf = kvcalloc(n, max(sizeof(struct msi_desc *), sizeof(struct msi_map)), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	/* Warm up: first use of debugfs directories, lockdep classes, caches */
	if (!size && !turn && !path) {
		bench_device_domain(test, 64, buf, &warm);
		bench_table(test, 64, buf, &warm);
	}
	if (path)
		bench_device_domain(test, n, buf, run);
	else
		bench_table(test, n, buf, run);
	kvfree(buf);
	run->valid = READ_ONCE(test->status) == KUNIT_SUCCESS;
	/* The last case of a size: both paths of every turn are in */
	if (bench_slot(size, 2 * BENCH_TURNS - 1) == run)
		bench_report(test, size);
}

static struct kunit_case msi_table_bench_cases[] = {
	KUNIT_CASE_PARAM_ATTR(msi_table_bench, bench_gen_params, { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite msi_table_bench_suite = {
	.name		= "msi_bench",
	.init		= msi_table_test_init,
	.exit		= msi_table_test_exit,
	.test_cases	= msi_table_bench_cases,
};

kunit_test_suite(msi_table_bench_suite);
