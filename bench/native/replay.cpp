#include <algorithm>
// Native trace replayer: the bar the JS subjects of the "traces" suite are measured against.
//
//   g++ -O2 -std=c++17 replay.cpp -o replay-glibc                                  (glibc malloc)
//   g++ -O2 -std=c++17 -DREPLAY_MIMALLOC replay.cpp -o replay-mimalloc -lmimalloc (mimalloc, called as mi_*)
//   replay-glibc TRACE [FRACTION]   prints one JSON line on stdout; exit status 1 and {"ok":false,...} on error
//   FRACTION (0, 1]: replay only the first ceil(ops · FRACTION) ops, as bench/workloads/traces.ts does
//
// Same protocol as bench/one.ts: {"ok":true,"ops":N,"ns":T,"maxRss":BYTES,"gcMs":null,"extra":{...}}.
//
// Steps, in order:
//   1. Load the whole trace (both dialects: `#` comments, up to four leading bare integers, then
//      `a ID SIZE`, `m ID SIZE ALIGN`, `r ID SIZE`, `f ID`) into arrays, and check it (no `a` on a
//      live ID, no `r`/`f` on a dead one) while computing the peak live payload. Untimed.
//   2. fork(): the child replays once, sampling the allocator's footprint, and sends the peak back
//      through a pipe. Sampling is kept out of the timed replay this way, and the child starts from
//      exactly the heap state the timed replay starts from.
//   3. The parent replays once, timed, writing every payload byte (memset) as it allocates: the
//      whole block on `a`/`m`, the grown tail on `r`. The JS replayer (bench/workloads/replay.ts)
//      does the same.
//
// Everything the replayer itself needs lives in mmap'ed memory, never in the allocator under test,
// so the allocator's heap and footprint hold the trace's blocks and nothing else.
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef REPLAY_MIMALLOC
#include <mimalloc.h>
#define ALLOC(n) mi_malloc(n)
#define ALIGNED(n, a) mi_malloc_aligned(n, a)
#define REALLOC(p, n) mi_realloc(p, n)
#define FREE(p) mi_free(p)
#else
#include <gnu/libc-version.h>
#include <malloc.h>
#define ALLOC(n) malloc(n)
#define ALIGNED(n, a) aligned_alloc(a, ((n) + (a) - 1) / (a) * (a))
#define REALLOC(p, n) realloc(p, n)
#define FREE(p) free(p)
#endif

namespace {

enum Op : uint8_t { OP_ALLOC = 'a', OP_ALIGNED = 'm', OP_REALLOC = 'r', OP_FREE = 'f' };

struct Trace {
  size_t n = 0;            // op count
  uint8_t* op = nullptr;   // Op per op
  uint32_t* id = nullptr;  // ID per op
  uint32_t* size = nullptr;   // size per op (0 for f)
  uint32_t* align = nullptr;  // alignment per op (m only)
  uint32_t ids = 0;        // 1 + largest ID
  uint64_t peakLive = 0;   // largest sum of requested sizes live at once
  uint64_t peakBlocks = 0; // largest count of blocks live at once
};

[[noreturn]] void fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

void fail(const char* fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  // The message never holds quotes or backslashes (it names numbers and fixed words only),
  // except the trace path, which is printed by the caller without them.
  printf("{\"ok\":false,\"error\":\"%s\"}\n", msg);
  fflush(stdout);
  exit(1);
}

// Zeroed memory straight from the kernel, outside the allocator under test.
void* raw(size_t bytes) {
  if (bytes == 0) bytes = 1;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) fail("mmap of %zu bytes failed", bytes);
  return p;
}

// Reads an unsigned decimal at s (spaces before it skipped); false if there is none or it passes 2^32.
bool number(const char*& s, const char* end, uint32_t& out) {
  while (s < end && (*s == ' ' || *s == '\t')) s++;
  if (s == end || *s < '0' || *s > '9') return false;
  uint64_t v = 0;
  while (s < end && *s >= '0' && *s <= '9') {
    v = v * 10 + uint64_t(*s++ - '0');
    if (v > 0xffffffffu) return false;
  }
  out = uint32_t(v);
  return true;
}

bool restIsBlank(const char* s, const char* end) {
  while (s < end && (*s == ' ' || *s == '\t' || *s == '\r')) s++;
  return s == end;
}

Trace load(const char* path, double fraction) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) fail("cannot open the trace (errno %d)", errno);
  struct stat st;
  if (fstat(fd, &st) != 0) fail("cannot stat the trace (errno %d)", errno);
  size_t len = size_t(st.st_size);
  const char* text = len ? static_cast<const char*>(mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd, 0)) : "";
  if (text == MAP_FAILED) fail("cannot map the trace (errno %d)", errno);
  close(fd);

  size_t lines = 1;
  for (size_t i = 0; i < len; i++) lines += text[i] == '\n';
  Trace t;
  t.op = static_cast<uint8_t*>(raw(lines));
  t.id = static_cast<uint32_t*>(raw(lines * 4));
  t.size = static_cast<uint32_t*>(raw(lines * 4));
  t.align = static_cast<uint32_t*>(raw(lines * 4));

  int headerInts = 0;
  size_t lineNo = 0;
  for (const char* s = text; s < text + len;) {
    const char* eol = static_cast<const char*>(memchr(s, '\n', size_t(text + len - s)));
    if (!eol) eol = text + len;
    lineNo++;
    const char* p = s;
    s = eol + 1;
    while (p < eol && (*p == ' ' || *p == '\t')) p++;
    if (p == eol || *p == '#' || *p == '\r') continue;
    if (*p >= '0' && *p <= '9') {  // malloc-lab header: at most four bare integers, before any op
      uint32_t ignored;
      if (t.n != 0 || headerInts == 4 || !number(p, eol, ignored) || !restIsBlank(p, eol))
        fail("line %zu: unexpected number", lineNo);
      headerInts++;
      continue;
    }
    const char c = *p++;
    size_t i = t.n;
    bool ok = number(p, eol, t.id[i]);
    switch (c) {
      case OP_ALLOC: case OP_REALLOC: ok = ok && number(p, eol, t.size[i]); break;
      case OP_ALIGNED:
        ok = ok && number(p, eol, t.size[i]) && number(p, eol, t.align[i]) && t.align[i] != 0 &&
             (t.align[i] & (t.align[i] - 1)) == 0;
        break;
      case OP_FREE: break;
      default: ok = false;
    }
    if (!ok || !restIsBlank(p, eol)) fail("line %zu: not an op line", lineNo);
    t.op[i] = uint8_t(c);
    if (t.id[i] >= t.ids) t.ids = t.id[i] + 1;
    t.n++;
  }

  if (fraction < 1) t.n = size_t(std::ceil(double(t.n) * fraction));

  // Semantic check and peak live payload, in one dry pass.
  uint32_t* live = static_cast<uint32_t*>(raw(size_t(t.ids) * 4));   // size of the live block
  uint8_t* isLive = static_cast<uint8_t*>(raw(t.ids));
  uint64_t bytes = 0, blocks = 0;
  for (size_t i = 0; i < t.n; i++) {
    uint32_t id = t.id[i];
    switch (t.op[i]) {
      case OP_ALLOC: case OP_ALIGNED:
        if (isLive[id]) fail("op %zu: allocates live ID %u", i + 1, id);
        isLive[id] = 1; live[id] = t.size[i]; bytes += t.size[i]; blocks++;
        break;
      case OP_REALLOC:
        if (!isLive[id]) fail("op %zu: reallocates dead ID %u", i + 1, id);
        bytes = bytes - live[id] + t.size[i]; live[id] = t.size[i];
        break;
      case OP_FREE:
        if (!isLive[id]) fail("op %zu: frees dead ID %u", i + 1, id);
        isLive[id] = 0; bytes -= live[id]; blocks--;
        break;
    }
    if (bytes > t.peakLive) t.peakLive = bytes;
    if (blocks > t.peakBlocks) t.peakBlocks = blocks;
  }
  munmap(live, size_t(t.ids) * 4);
  munmap(isLive, t.ids);
  return t;
}

// Footprint: bytes the allocator holds from the OS, as it reports them.
#ifdef REPLAY_MIMALLOC
// mimalloc 2.0.9 commits whole 32 MiB segments up front, so its commit counter (peak_commit of
// mi_process_info) reads 32 MiB for every trace here and says nothing about the trace; what the
// replay actually makes resident does. Footprint = peak RSS of this (child) process minus its RSS
// before the replay, both from mi_process_info, which keeps the peak at no cost to us.
struct Footprint {
  size_t base = 0;
  void begin() { base = rss(false); }
  void sample(uint32_t) {}
  uint64_t peak() { return rss(true) - base; }
  static size_t rss(bool peak) {
    size_t elapsed, user, sys, current, peakRss, commit, peakCommit, faults;
    mi_process_info(&elapsed, &user, &sys, &current, &peakRss, &commit, &peakCommit, &faults);
    return peak ? peakRss : current;
  }
};
#else
// glibc: mallinfo2().arena + hblkhd (heap from sbrk, plus mmap'ed chunks). mallinfo2 walks every
// bin, too slow to call per op, but for one thread in the main arena the value can only go up
// when the break moves (arena) or a chunk is mmap'ed, which glibc does only for requests at or
// above its mmap threshold, never below the default 128 KiB (the dynamic threshold only rises).
// Sampling at exactly those ops therefore sees every rise, so the peak is exact.
struct Footprint {
  static constexpr uint32_t kMmapMin = 128 * 1024 - 64;  // margin for the chunk header
  uint64_t base = 0, top = 0;
  void* brk = nullptr;
  void begin() { brk = sbrk(0); base = now(); top = base; }
  void sample(uint32_t size) {
    void* b = sbrk(0);  // glibc answers sbrk(0) from its cached break, no system call
    if (b != brk || size >= kMmapMin) {
      brk = b;
      uint64_t v = now();
      if (v > top) top = v;
    }
  }
  uint64_t peak() { return top - base; }
  static uint64_t now() {
    struct mallinfo2 mi = mallinfo2();
    return uint64_t(mi.arena) + uint64_t(mi.hblkhd);
  }
};
#endif

// Aligned allocations may be served from mmap below the threshold: always sample them.
constexpr uint32_t kSampleAlways = 0xffffffffu;

inline uint8_t fillByte(uint32_t id) { return uint8_t(id); }

// One replay. Returns the index of the op whose allocation failed, or t.n when all succeeded.
// kSample: sample the footprint after every allocating op (the untimed pass only).
template <bool kSample>
size_t replay(const Trace& t, char** ptr, uint32_t* have, Footprint& fp) {
  for (size_t i = 0; i < t.n; i++) {
    const uint32_t id = t.id[i];
    const uint32_t size = t.size[i];
    char* p;
    switch (t.op[i]) {
      case OP_ALLOC:
        p = static_cast<char*>(ALLOC(size));
        if (!p) return i;
        memset(p, fillByte(id), size);
        ptr[id] = p; have[id] = size;
        break;
      case OP_ALIGNED:
        p = static_cast<char*>(ALIGNED(size, t.align[i]));
        if (!p) return i;
        memset(p, fillByte(id), size);
        ptr[id] = p; have[id] = size;
        break;
      case OP_REALLOC:
        p = static_cast<char*>(REALLOC(ptr[id], size));
        if (!p && size) return i;
        if (size > have[id]) memset(p + have[id], fillByte(id), size - have[id]);
        ptr[id] = p; have[id] = size;
        break;
      default:
        FREE(ptr[id]);
        ptr[id] = nullptr;
        continue;  // a free never raises the footprint
    }
    if (kSample) fp.sample(t.op[i] == OP_ALIGNED ? kSampleAlways : size);
  }
  return t.n;
}

void freeAll(const Trace& t, char** ptr) {
  for (uint32_t id = 0; id < t.ids; id++)
    if (ptr[id]) { FREE(ptr[id]); ptr[id] = nullptr; }
}

uint64_t nowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

const char* allocatorName(char* buf, size_t len) {
#ifdef REPLAY_MIMALLOC
  int v = mi_version();
  snprintf(buf, len, "mimalloc %d.%d.%d", v / 100, (v / 10) % 10, v % 10);
#else
  snprintf(buf, len, "glibc %s", gnu_get_libc_version());
#endif
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  double fraction = argc == 3 ? strtod(argv[2], nullptr) : 1.0;
  if (argc < 2 || argc > 3 || !(fraction > 0 && fraction <= 1)) {
    fprintf(stderr, "usage: %s TRACE [FRACTION]\n", argv[0]);
    return 2;
  }
  Trace t = load(argv[1], fraction);
  char** ptr = static_cast<char**>(raw(size_t(t.ids) * sizeof(char*)));
  uint32_t* have = static_cast<uint32_t*>(raw(size_t(t.ids) * 4));

  // 2. Footprint pass in a child that starts from this exact heap state.
  int pipefd[2];
  if (pipe(pipefd) != 0) fail("pipe failed (errno %d)", errno);
  pid_t pid = fork();
  if (pid < 0) fail("fork failed (errno %d)", errno);
  if (pid == 0) {
    close(pipefd[0]);
    Footprint fp;
    fp.begin();
    size_t failedAt = replay<true>(t, ptr, have, fp);
    uint64_t msg[2] = {fp.peak(), failedAt};
    ssize_t w = write(pipefd[1], msg, sizeof msg);
    _exit(w == ssize_t(sizeof msg) ? 0 : 1);
  }
  close(pipefd[1]);
  uint64_t msg[2] = {0, 0};
  ssize_t r = read(pipefd[0], msg, sizeof msg);
  int status = 0;
  waitpid(pid, &status, 0);
  if (r != ssize_t(sizeof msg) || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail("the footprint pass died (status %d)", status);
  if (msg[1] != t.n) fail("allocation failed at op %llu (out of memory)", (unsigned long long)msg[1] + 1);
  const uint64_t peakFootprint = msg[0];

  // 3. A warm-up pass, untimed, as the JS subjects get one: the timed pass then runs over a heap
  //    whose memory is already mapped, like theirs.
  //    As many passes as the JS replayer makes (bench/workloads/replay.ts: warmPasses, WARM_MS).
  Footprint unused;
  const size_t warm = std::min<size_t>(100, std::max<size_t>(1, (1000000 + t.n - 1) / (t.n ? t.n : 1)));
  const uint64_t warmStart = nowNs();
  for (size_t w = 0; w < warm && nowNs() - warmStart < 1000000000ull; w++) {
    if (replay<false>(t, ptr, have, unused) != t.n) fail("allocation failed in the warm-up pass (out of memory)");
    freeAll(t, ptr);
  }

  // 4. Timed pass.
  const uint64_t t0 = nowNs();
  size_t failedAt = replay<false>(t, ptr, have, unused);
  const uint64_t ns = nowNs() - t0;
  if (failedAt != t.n) fail("allocation failed at op %zu (out of memory)", failedAt + 1);
  freeAll(t, ptr);  // traces are balanced, but a short or cut one may not be

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  char name[64];
  printf("{\"ok\":true,\"ops\":%zu,\"ns\":%llu,\"maxRss\":%llu,\"gcMs\":null,\"note\":\"%s\","
         "\"extra\":{\"opsPerSec\":%.1f,\"peakFootprint\":%llu,\"peakLive\":%llu,\"peakLiveBlocks\":%llu,"
         "\"utilization\":%.4f}}\n",
         t.n, (unsigned long long)ns, (unsigned long long)ru.ru_maxrss * 1024ull, allocatorName(name, sizeof name),
         ns ? double(t.n) * 1e9 / double(ns) : 0.0, (unsigned long long)peakFootprint,
         (unsigned long long)t.peakLive, (unsigned long long)t.peakBlocks,
         peakFootprint ? double(t.peakLive) / double(peakFootprint) : 0.0);
  return 0;
}
