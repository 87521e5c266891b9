package dev.privacy.dpf.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random draws shared by the workloads. Exponential gaps use {@link StrictMath} so that a seed
 * gives the same trace, bit for bit, on every JVM.
 */
final class Arrivals {

  private Arrivals() {}

  /** Nanoseconds of a duration. */
  static long nanos(Duration d) {
    return d.toNanos();
  }

  /** A duration of (possibly fractional) seconds, to the nanosecond. */
  static Duration seconds(double s) {
    return Duration.ofNanos(Math.round(s * 1e9));
  }

  /** The arrival times of a Poisson process of mean gap {@code meanNanos} over {@code [0, end)}. */
  static long[] poisson(SplittableRandom rnd, long meanNanos, long endNanos) {
    long[] out = new long[16];
    int n = 0;
    long t = 0;
    while (true) {
      double gap = -StrictMath.log(1 - rnd.nextDouble()) * meanNanos;
      t += Math.round(gap);
      if (t >= endNanos) {
        break;
      }
      if (n == out.length) {
        out = java.util.Arrays.copyOf(out, n * 2);
      }
      out[n++] = t;
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /** The newest {@code k} of the first {@code count} blocks, oldest first; lists are shared. */
  static final class Newest {
    private final List<SimBlock> blocks;
    private final Map<Long, List<String>> cache = new HashMap<>();

    Newest(List<SimBlock> blocks) {
      this.blocks = blocks;
    }

    List<String> of(int count, int k) {
      int m = Math.min(k, count);
      return cache.computeIfAbsent(
          ((long) count << 32) | m,
          key -> {
            List<String> ids = new ArrayList<>(m);
            for (int i = count - m; i < count; i++) {
              ids.add(blocks.get(i).id());
            }
            return List.copyOf(ids);
          });
    }
  }
}
