/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DMA as the device does it: IOVAs are translated, then memory is read and
 * written through the kernel (process_vm_readv/writev on this process), so
 * an address that is not mapped becomes a page fault with the exact number
 * of bytes that were done, never a crash of the program under test.
 *
 * Translation, by device option:
 *  - va: IOVA = virtual address of the process (user WQs use SVA);
 *  - dpdk: DPDK's memory map, rte_mem_iova2virt() looked up with dlsym;
 *  - iommu: the mappings a vfio user made with VFIO_IOMMU_MAP_DMA.
 * Injected fault ranges (fault=) apply to IOVAs before translation. With
 * block-on-fault the OS would resolve such a fault: the access waits a
 * little and goes on.
 *
 * Transfers are split at page boundaries on both sides, so that a partial
 * transfer (which the kernel reports per iovec element) ends on the
 * faulting page.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "dsa_model.h"

#define PAGE 4096ull
#define MAX_IOV 256
#define BOUNCE (64u * 1024)
/* How long the "OS" takes to resolve a block-on-fault page fault. */
#define BOF_RESOLVE_NS 20000ull

/* ---- IOMMU mappings (vfio) ---- */

#define IOMMU_MAX 4096

struct iommu_map {
	uint64_t iova, vaddr, size;
};

static pthread_rwlock_t iommu_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct iommu_map iommu[IOMMU_MAX];
static unsigned int niommu;

int
dsa_iommu_map(uint64_t iova, uint64_t vaddr, uint64_t size)
{
	unsigned int i, pos;

	if (size == 0 || iova + size < iova)
		return -EINVAL;
	pthread_rwlock_wrlock(&iommu_lock);
	for (i = 0; i < niommu; i++)
		if (iova < iommu[i].iova + iommu[i].size && iommu[i].iova < iova + size) {
			pthread_rwlock_unlock(&iommu_lock);
			return -EEXIST;
		}
	if (niommu == IOMMU_MAX) {
		pthread_rwlock_unlock(&iommu_lock);
		return -ENOSPC;
	}
	/* Sorted by IOVA for the binary search. */
	for (pos = 0; pos < niommu && iommu[pos].iova < iova; pos++)
		;
	memmove(&iommu[pos + 1], &iommu[pos], (niommu - pos) * sizeof(iommu[0]));
	iommu[pos].iova = iova;
	iommu[pos].vaddr = vaddr;
	iommu[pos].size = size;
	niommu++;
	pthread_rwlock_unlock(&iommu_lock);
	return 0;
}

int
dsa_iommu_unmap(uint64_t iova, uint64_t size, uint64_t *unmapped)
{
	unsigned int i = 0;

	*unmapped = 0;
	pthread_rwlock_wrlock(&iommu_lock);
	while (i < niommu) {
		struct iommu_map *m = &iommu[i];

		/* Type1 unmaps whole mappings inside the range. */
		if (m->iova >= iova && m->iova + m->size <= iova + size) {
			*unmapped += m->size;
			memmove(m, m + 1, (niommu - i - 1) * sizeof(*m));
			niommu--;
			continue;
		}
		i++;
	}
	pthread_rwlock_unlock(&iommu_lock);
	return 0;
}

void
dsa_iommu_reset(void)
{
	pthread_rwlock_wrlock(&iommu_lock);
	niommu = 0;
	pthread_rwlock_unlock(&iommu_lock);
}

static bool
iommu_xlate(uint64_t iova, uint64_t *va, uint64_t *avail)
{
	unsigned int lo = 0, hi;
	bool ok = false;

	pthread_rwlock_rdlock(&iommu_lock);
	hi = niommu;
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;
		const struct iommu_map *m = &iommu[mid];

		if (iova < m->iova) {
			hi = mid;
		} else if (iova >= m->iova + m->size) {
			lo = mid + 1;
		} else {
			*va = m->vaddr + (iova - m->iova);
			*avail = m->size - (iova - m->iova);
			ok = true;
			break;
		}
	}
	pthread_rwlock_unlock(&iommu_lock);
	return ok;
}

/* ---- translation ---- */

static bool
dpdk_xlate(uint64_t iova, uint64_t *va, uint64_t *avail)
{
	static void *(*iova2virt)(uint64_t);
	void *p;

	if (iova2virt == NULL)
		*(void **)&iova2virt = dlsym(RTLD_DEFAULT, "rte_mem_iova2virt");
	p = iova2virt != NULL ? iova2virt(iova) : NULL;
	if (p == NULL)
		return false;
	*va = (uintptr_t)p;
	/* DPDK memory is IOVA-contiguous at least within a page. */
	*avail = PAGE - (iova & (PAGE - 1));
	return true;
}

/*
 * Translate [iova, iova+len): the VA of iova and how many bytes from there
 * are contiguous; 0 bytes means a fault at iova.
 */
static uint64_t
xlate(struct dsa_dma *dma, uint64_t iova, uint64_t len, uint64_t *va)
{
	const struct dsa_dev_spec *s = &dsa_cfg.dev[dma->dev];
	uint64_t avail = len;
	unsigned int i;

	for (i = 0; i < s->nfaults; i++) {
		const struct dsa_range *r = &s->faults[i];

		if (iova >= r->start && iova < r->end) {
			if (!dma->bof) {
				dma->fault.injected = true;
				DSA_COUNT(dma->dev, dma->wq, faults_injected, 1);
				return 0;
			}
			/* Block on fault: the OS resolves it, the device waits. */
			DSA_COUNT(dma->dev, dma->wq, faults_resolved, 1);
			{
				struct timespec ts = { 0, (long)BOF_RESOLVE_NS };

				nanosleep(&ts, NULL);
			}
			break;
		}
		if (r->start > iova && r->start - iova < avail)
			avail = r->start - iova;
	}
	switch (s->gpa) {
	case DSA_GPA_VA:
		*va = iova;
		return avail;
	case DSA_GPA_DPDK: {
		uint64_t a;

		if (!dpdk_xlate(iova, va, &a))
			return 0;
		return a < avail ? a : avail;
	}
	case DSA_GPA_IOMMU: {
		uint64_t a;

		if (!iommu_xlate(iova, va, &a))
			return 0;
		return a < avail ? a : avail;
	}
	}
	return 0;
}

static void
set_fault(struct dsa_dma *dma, uint64_t iova, bool write)
{
	dma->fault.hit = true;
	dma->fault.write = write;
	dma->fault.addr = iova;
}

static bool
readable(uint64_t va)
{
	struct iovec l, r;
	uint8_t b;

	l.iov_base = &b;
	l.iov_len = 1;
	r.iov_base = (void *)(uintptr_t)va;
	r.iov_len = 1;
	return process_vm_readv(getpid(), &l, 1, &r, 1, 0) == 1;
}

/*
 * Move len bytes between local memory and the VA range rva through the
 * kernel, split at page boundaries. to_remote: write local -> rva. Returns
 * the bytes done; when short, *remote_fault tells which side faulted.
 */
static size_t
vm_xfer(void *local, uint64_t rva, size_t len, bool to_remote, bool *remote_fault)
{
	struct iovec liov[MAX_IOV], riov[MAX_IOV];
	size_t done = 0;

	*remote_fault = false;
	while (done < len) {
		unsigned int n = 0;
		size_t batch = 0;
		ssize_t r;

		while (done + batch < len && n < MAX_IOV) {
			uint64_t la = (uintptr_t)local + done + batch, ra = rva + done + batch;
			size_t c = len - done - batch;
			uint64_t lp = PAGE - (la & (PAGE - 1)), rp = PAGE - (ra & (PAGE - 1));

			if (c > lp)
				c = lp;
			if (c > rp)
				c = rp;
			liov[n].iov_base = (void *)(uintptr_t)la;
			liov[n].iov_len = c;
			riov[n].iov_base = (void *)(uintptr_t)ra;
			riov[n].iov_len = c;
			n++;
			batch += c;
		}
		if (to_remote)
			r = process_vm_writev(getpid(), liov, n, riov, n, 0);
		else
			r = process_vm_readv(getpid(), liov, n, riov, n, 0);
		if (r < 0)
			r = 0;
		done += (size_t)r;
		if ((size_t)r < batch) {
			/* Which side? The local side is ours unless it is the
			 * program's memory (a direct copy), checked by the caller.
			 */
			*remote_fault = true;
			return done;
		}
	}
	return done;
}

size_t
dsa_dma_read(struct dsa_dma *dma, void *dst, uint64_t iova, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t va, c = xlate(dma, iova + done, len - done, &va);
		bool rf;
		size_t n;

		if (c == 0) {
			set_fault(dma, iova + done, false);
			return done;
		}
		n = vm_xfer((uint8_t *)dst + done, va, c, false, &rf);
		done += n;
		if (n < c) {
			set_fault(dma, iova + done, false);
			return done;
		}
	}
	return done;
}

size_t
dsa_dma_write(struct dsa_dma *dma, uint64_t iova, const void *src, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t va, c = xlate(dma, iova + done, len - done, &va);
		bool rf;
		size_t n;

		if (c == 0) {
			set_fault(dma, iova + done, true);
			return done;
		}
		n = vm_xfer((uint8_t *)(uintptr_t)src + done, va, c, true, &rf);
		done += n;
		if (n < c) {
			set_fault(dma, iova + done, true);
			return done;
		}
	}
	return done;
}

/* Bounce buffer of the engine thread (one engine per process). */
static uint8_t bounce[BOUNCE];

size_t
dsa_dma_copy(struct dsa_dma *dma, uint64_t dst, uint64_t src, size_t len, bool *reversed)
{
	size_t done = 0;

	*reversed = false;
	/* Overlapping with the destination above the source: copy from the
	 * end, as memmove does, and say so in the record (Result = 1).
	 */
	if (dst > src && dst < src + len) {
		size_t left = len;

		*reversed = true;
		while (left > 0) {
			size_t c = left < BOUNCE ? left : BOUNCE, n;
			uint64_t off = left - c;

			n = dsa_dma_read(dma, bounce, src + off, c);
			if (n < c)
				return len - left;
			n = dsa_dma_write(dma, dst + off, bounce, c);
			if (n < c)
				return len - left;
			left -= c;
		}
		return len;
	}
	while (done < len) {
		uint64_t sva, dva, sc, dc, c;
		bool rf;
		size_t n;

		sc = xlate(dma, src + done, len - done, &sva);
		if (sc == 0) {
			set_fault(dma, src + done, false);
			return done;
		}
		dc = xlate(dma, dst + done, sc, &dva);
		if (dc == 0) {
			set_fault(dma, dst + done, true);
			return done;
		}
		c = sc < dc ? sc : dc;
		/* One system call moves program memory to program memory:
		 * the source is the local side of process_vm_writev.
		 */
		n = vm_xfer((void *)(uintptr_t)sva, dva, c, true, &rf);
		done += n;
		if (n < c) {
			uint64_t page = (sva + n) & ~(PAGE - 1);

			/* The kernel stops at the first page it cannot
			 * touch; the source page decides which side it was.
			 */
			if (!readable(page < sva + n ? sva + n : page))
				set_fault(dma, src + done, false);
			else
				set_fault(dma, dst + done, true);
			return done;
		}
	}
	return done;
}

size_t
dsa_dma_fill(struct dsa_dma *dma, uint64_t dst, const uint8_t *pattern, unsigned int plen,
	     size_t len)
{
	static uint8_t buf[BOUNCE];
	size_t done = 0, i;

	/* The pattern repeats from the first destination byte. */
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = pattern[i % plen];
	while (done < len) {
		size_t c = len - done < sizeof(buf) ? len - done : sizeof(buf), n;

		n = dsa_dma_write(dma, dst + done, buf, c);
		done += n;
		if (n < c)
			return done;
	}
	return done;
}

void
dsa_mem_atfork_child(void)
{
	pthread_rwlock_t init = PTHREAD_RWLOCK_INITIALIZER;

	iommu_lock = init;
}
