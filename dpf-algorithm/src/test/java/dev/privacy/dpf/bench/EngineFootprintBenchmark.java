package dev.privacy.dpf.bench;

import dev.privacy.dpf.sched.SchedulingEngine;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Target 3 (docs/performance.md): the heap retained by a {@link SchedulingEngine} holding {@value
 * Workload#CLAIMS} waiting claims on {@value Workload#BLOCKS} blocks, at most 500 MiB.
 *
 * <p>Each iteration builds the state from scratch (the timed part, reported by JMH as the build
 * time: how long it takes to replay that many arrivals, useful after a restart), then forces full
 * collections until the used heap is stable and prints the difference from the same measurement
 * taken before the build, in lines starting with {@code # retained heap}. The figure is the
 * engine's whole object graph (blocks, ledgers, claims, demands, queue and per-block indexes,
 * grants held), nothing else: the workload generator is dropped before measuring.
 *
 * <p>To show that the state fits, run with {@code -jvmArgsAppend -Xmx500m} (steady includes the
 * transient garbage of the passes that build it).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 0)
@Measurement(iterations = 2)
public class EngineFootprintBenchmark {

  @Param({"basic", "renyi"})
  public String accounting;

  @Param({"backlog", "steady"})
  public String state;

  @Param({"" + Workload.DEFAULT_UNLOCK_N})
  public int unlockN;

  @Param({"contiguous"})
  public String layout;

  private SchedulingEngine engine;
  private long baseline;

  @Setup(Level.Iteration)
  public void measureBaseline() throws InterruptedException {
    engine = null;
    baseline = usedAfterFullGc();
  }

  @Benchmark
  public SchedulingEngine build() {
    Workload w = new Workload(accounting, layout, unlockN);
    engine = "backlog".equals(state) ? w.backlog() : w.steady();
    return engine;
  }

  @TearDown(Level.Iteration)
  public void measureRetained() throws InterruptedException {
    long used = usedAfterFullGc();
    long retained = used - baseline;
    int waiting = engine.waitingCount();
    System.out.printf(
        Locale.ROOT,
        "%n# retained heap: %.1f MiB for %s/%s with %d waiting claims (%.0f bytes per waiting"
            + " claim; heap used %.1f MiB, baseline %.1f MiB, max %.0f MiB)%n",
        retained / 1048576.0,
        accounting,
        state,
        waiting,
        retained / (double) waiting,
        used / 1048576.0,
        baseline / 1048576.0,
        Runtime.getRuntime().maxMemory() / 1048576.0);
    engine = null;
  }

  /** Heap in use after full collections, once two readings agree within 1 MiB. */
  static long usedAfterFullGc() throws InterruptedException {
    MemoryMXBean m = ManagementFactory.getMemoryMXBean();
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      Thread.sleep(100);
      long used = m.getHeapMemoryUsage().getUsed();
      if (Math.abs(last - used) < (1 << 20)) {
        return Math.min(last, used);
      }
      last = used;
    }
    return last;
  }
}
