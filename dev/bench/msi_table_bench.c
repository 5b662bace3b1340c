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
 * Benchmark: allocation and free of every label of a table of N labels,
 * against the per device domain path (msi_domain_alloc_irq_at() and
 * msi_domain_free_irqs_range()) on the same fake parent and device. Both
 * are filled at once, in chunks of BENCH_CHUNK vectors taken in turn, the
 * path that goes first alternating from chunk to chunk, and emptied the
 * same way: each chunk pair is a paired measurement, at the same fill level
 * and the same moment, so that the noise of TCG (a turn of tens of seconds
 * varies by a third) falls on both paths alike. Printed per N: ns per
 * vector of each path (alloc and free), the ratio of the totals and the
 * spread of the chunk pairs' ratios, slab per vector (both paths: they
 * share the caches, so what the slab grew by during one path's chunks is
 * only indicative of that path), the slab left once both are freed, and
 * the cost by fill level. The test asserts that every allocation worked
 * and that the parent is left with nothing.
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

#define BENCH_CHUNK	64
static const unsigned int bench_sizes[] = { 64, 1024, 16384, 65535 };
/* Each size repeated to at least this many vectors per path */
#define BENCH_MIN_VECTORS	4096
/* The warm-up before the first size: passes of this many labels */
#define BENCH_WARM_N		1024U
/* Per vector cost of each path at the first size, for the N vs 64 line */
static u64 bench_first[2];

struct bench_state {
	struct kunit		*test;
	struct msi_table	*table;
	struct msi_desc		**v;
	struct msi_map		*m;
	unsigned int		held[2];	/* [0: table, 1: per-device domain] */
	u64			ns[2][2];	/* [path][0: alloc, 1: free] */
	long			bytes[2];	/* slab grown while allocating */
	u64			(*chunk_ns)[2];	/* per chunk, alloc + free, per path */
};

static int bench_alloc_one(struct bench_state *b, unsigned int path, unsigned int i)
{
	struct msi_table_test *t = b->test->priv;

	if (!path) {
		b->v[i] = msi_table_alloc_vector(b->table, MSI_TABLE_ANY_LABEL, NULL, NULL);
		return PTR_ERR_OR_ZERO(b->v[i]);
	}
	b->m[i] = msi_domain_alloc_irq_at(t->dev, MSI_DEFAULT_DOMAIN, MSI_ANY_INDEX, NULL, NULL);
	return b->m[i].index < 0 ? b->m[i].index : 0;
}

static void bench_free_one(struct bench_state *b, unsigned int path, unsigned int i)
{
	struct msi_table_test *t = b->test->priv;

	if (!path)
		msi_table_free_vector(b->table, b->v[i]);
	else
		msi_domain_free_irqs_range(t->dev, MSI_DEFAULT_DOMAIN, b->m[i].index,
					   b->m[i].index);
}

/* Allocate vectors [@lo, @hi) of @path, timed; 0 or the first error */
static int bench_alloc_chunk(struct bench_state *b, unsigned int path, unsigned int c,
			     unsigned int lo, unsigned int hi)
{
	long slab0 = bench_slab_bytes();
	u64 t0 = ktime_get_ns(), dt;
	int ret = 0;

	for (; lo < hi && !ret; lo++) {
		ret = bench_alloc_one(b, path, lo);
		if (!ret)
			b->held[path]++;
	}
	dt = ktime_get_ns() - t0;
	b->bytes[path] += bench_slab_bytes() - slab0;
	b->ns[path][0] += dt;
	b->chunk_ns[c][path] += dt;
	return ret;
}

/* Free vectors [@lo, @hi) of @path, last first, timed */
static void bench_free_chunk(struct bench_state *b, unsigned int path, unsigned int c,
			     unsigned int lo, unsigned int hi)
{
	u64 t0 = ktime_get_ns(), dt;

	while (hi-- > lo) {
		bench_free_one(b, path, hi);
		b->held[path]--;
	}
	dt = ktime_get_ns() - t0;
	b->ns[path][1] += dt;
	b->chunk_ns[c][path] += dt;
}

/*
 * Fill a table and a per device domain of @n labels each, in alternating
 * chunks, and empty them the same way. On an allocation failure what was
 * allocated is freed, untimed, and the error returned.
 */
static int bench_pass(struct bench_state *b, unsigned int n)
{
	struct msi_table_test *t = b->test->priv;
	unsigned int chunks = DIV_ROUND_UP(n, BENCH_CHUNK), c, k, p, lo, hi;
	int ret = 0;

	b->table = new_table(b->test, n, 0);
	if (!msi_create_device_irq_domain(t->dev, MSI_DEFAULT_DOMAIN, &bench_device_template,
					  n, &t->leaf[1], NULL)) {
		msi_table_free(b->table);
		return -ENOMEM;
	}
	for (c = 0; c < chunks && !ret; c++) {
		lo = c * BENCH_CHUNK;
		hi = min(n, lo + BENCH_CHUNK);
		for (k = 0; k < 2 && !ret; k++) {
			p = (c + k) % 2;
			ret = bench_alloc_chunk(b, p, c, lo, hi);
		}
		cond_resched();
	}
	if (ret) {
		for (p = 0; p < 2; p++)
			while (b->held[p])
				bench_free_one(b, p, --b->held[p]);
	}
	for (c = chunks; c-- > 0 && !ret;) {
		lo = c * BENCH_CHUNK;
		hi = min(n, lo + BENCH_CHUNK);
		for (k = 0; k < 2; k++) {
			p = (c + k) % 2;
			bench_free_chunk(b, p, c, lo, hi);
		}
		cond_resched();
	}
	msi_table_free(b->table);
	msi_remove_device_irq_domain(t->dev, MSI_DEFAULT_DOMAIN);
	t->leaf[0].writes = 0;
	t->leaf[1].writes = 0;
	return ret;
}

static int bench_cmp(const void *a, const void *b)
{
	s64 x = *(const s64 *)a, y = *(const s64 *)b;

	return x < y ? -1 : x > y;
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

static const void *bench_gen_params(const void *prev, char *desc)
{
	const unsigned int *size = prev ? (const unsigned int *)prev + 1 : bench_sizes;

	if (size >= bench_sizes + ARRAY_SIZE(bench_sizes))
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "N=%u", *size);
	return size;
}

static void msi_table_bench(struct kunit *test)
{
	const unsigned int *size = test->param_value;
	unsigned int n = *size, reps = max(1U, BENCH_MIN_VECTORS / n);
	unsigned int chunks = DIV_ROUND_UP(n, BENCH_CHUNK), r, c, p, pairs;
	/* Room for the warm-up's passes of BENCH_WARM_N too */
	unsigned int room = max(n, BENCH_WARM_N);
	struct bench_state b = { .test = test };
	s64 *ratio, per[2], vec;
	long slab0, left;
	char q[4][BENCH_RATIO_LEN];
	int ret = 0;

	b.v = kvcalloc(room, sizeof(*b.v), GFP_KERNEL);
	b.m = kvcalloc(room, sizeof(*b.m), GFP_KERNEL);
	b.chunk_ns = kvcalloc(DIV_ROUND_UP(room, BENCH_CHUNK), sizeof(*b.chunk_ns), GFP_KERNEL);
	ratio = kvcalloc(chunks * reps, sizeof(*ratio), GFP_KERNEL);
	if (!b.v || !b.m || !b.chunk_ns || !ratio) {
		KUNIT_FAIL(test, "no memory for %u vectors' bookkeeping", n);
		goto out;
	}

	/* Warm up (debugfs directories, lockdep chains, the TSC's refinement) */
	if (size == bench_sizes) {
		for (r = 0; r < 4 && !ret; r++)
			ret = bench_pass(&b, BENCH_WARM_N);
		memset(b.ns, 0, sizeof(b.ns));
		memset(b.bytes, 0, sizeof(b.bytes));
	}
	rcu_barrier();
	slab0 = bench_slab_bytes();
	for (r = 0, pairs = 0; r < reps && !ret; r++) {
		memset(b.chunk_ns, 0, chunks * sizeof(*b.chunk_ns));
		ret = bench_pass(&b, n);
		for (c = 0; c < chunks && !ret; c++)
			ratio[pairs++] = div64_s64(b.chunk_ns[c][0] * 100,
						   max_t(s64, b.chunk_ns[c][1], 1));
	}
	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "an allocation failed: %d", ret);
	KUNIT_EXPECT_EQ(test, fake.allocated, 0);
	/* Interrupt descriptors go after a grace period */
	rcu_barrier();
	left = bench_slab_bytes() - slab0;
	if (ret)
		goto out;

	vec = (s64)n * reps;
	for (p = 0; p < 2; p++)
		per[p] = div64_s64(b.ns[p][0] + b.ns[p][1], vec);
	sort(ratio, pairs, sizeof(*ratio), bench_cmp, NULL);
	kunit_info(test, "msi-table-bench: N=%5u, %u pass(es): alloc+free ns/vector: table %lld (alloc %lld, free %lld), per-device domain %lld (alloc %lld, free %lld); table/device %s, over %u chunk pairs p10/median/p90 %s/%s/%s\n",
		   n, reps, per[0], div64_s64(b.ns[0][0], vec), div64_s64(b.ns[0][1], vec),
		   per[1], div64_s64(b.ns[1][0], vec), div64_s64(b.ns[1][1], vec),
		   bench_ratio(q[0], b.ns[0][0] + b.ns[0][1], max_t(s64, b.ns[1][0] + b.ns[1][1], 1)),
		   pairs, bench_ratio(q[1], ratio[pairs / 10], 100),
		   bench_ratio(q[2], ratio[pairs / 2], 100),
		   bench_ratio(q[3], ratio[pairs * 9 / 10], 100));
	/* Slab is counted in pages: a few vectors fit in partly used slabs */
	if (n >= 1024)
		kunit_info(test, "msi-table-bench: N=%5u slab per allocated vector, both paths: %lld B (grown during the table's chunks %lld B, the per-device domain's %lld B: shared caches, whole pages); slab left after freeing both: %+ld KiB\n",
			   n, div64_s64(b.bytes[0] + b.bytes[1], 2 * vec), div64_s64(b.bytes[0], vec),
			   div64_s64(b.bytes[1], vec), left / 1024);
	/*
	 * Cost by fill level, from the last pass's chunks (alloc and free of
	 * each): the first eighth of the labels against the last. Growth
	 * within one pass is the data structures' (or the working set's);
	 * what N = 64 does not show at the first eighth is the run's.
	 */
	if (chunks >= 8) {
		u64 part[2][2] = { };
		unsigned int e = chunks / 8;

		for (c = 0; c < e; c++)
			for (p = 0; p < 2; p++) {
				part[p][0] += b.chunk_ns[c][p];
				part[p][1] += b.chunk_ns[chunks - 1 - c][p];
			}
		kunit_info(test, "msi-table-bench: N=%5u ns/vector by fill level, first / last eighth of the labels: table %llu / %llu, per-device domain %llu / %llu\n",
			   n, div_u64(part[0][0], e * BENCH_CHUNK), div_u64(part[0][1], e * BENCH_CHUNK),
			   div_u64(part[1][0], e * BENCH_CHUNK), div_u64(part[1][1], e * BENCH_CHUNK));
	}
	if (size == bench_sizes) {
		bench_first[0] = max_t(s64, per[0], 1);
		bench_first[1] = max_t(s64, per[1], 1);
	} else if (bench_first[0]) {
		kunit_info(test, "msi-table-bench: N=%5u vs N=%u per vector: table %s, per-device domain %s\n",
			   n, bench_sizes[0], bench_ratio(q[0], per[0], bench_first[0]),
			   bench_ratio(q[1], per[1], bench_first[1]));
	}
out:
	kvfree(ratio);
	kvfree(b.chunk_ns);
	kvfree(b.m);
	kvfree(b.v);
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
